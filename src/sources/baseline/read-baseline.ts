import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import iconv from 'iconv-lite';
import { ZoneClock } from '../../../parsers/time';
import { CsvStream, type Cell } from './csv-stream';
import { DumpStream, DumpSyntaxError } from './mysql-dump';
import { orderColumns, orderOfRow, type BaselineOrder, type OrderColumns, type Platform } from './orders';

// `--baseline`: the last good backup of the shop's orders table, as a CSV export with a header
// row (platform column names) or a MySQL dump. Read as a stream (a gzip file is unpacked on
// the way): the file is hashed as it is read, decoded (UTF-8, or GBK when the start of the
// file is not UTF-8), and parsed incrementally, keeping per order only the few fields the
// check compares. Which form it is comes from its first characters: a dump starts with a
// comment or an SQL keyword.

export interface Baseline {
  file: string;
  bytes: number;
  sha256: string;
  format: 'csv' | 'mysql-dump';
  platform: Platform;
  encoding: 'utf8' | 'gbk';
  /** Rows read from the orders table (used or not). */
  rows: number;
  rejected_rows: number;
  duplicate_rows: number;
  /** Why rows were not used (first 20). */
  problems: string[];
  orders: Map<string, BaselineOrder>;
  /** The latest creation time in the backup: orders created after it are new since the backup. */
  cutoffMs: number | null;
}

/** The baseline cannot be used at all (the user must fix the file or the option). */
export class BaselineError extends Error {
  override name = 'BaselineError';
}

const SQL_START = /^\s*(--|\/\*|#|(SET|CREATE|INSERT|REPLACE|DROP|LOCK|USE|START|BEGIN|UNLOCK|ALTER)\b)/i;

/** Is `name` the orders table of a platform: dujiaoka `orders`, acg-faka `{prefix}order`? */
export function isOrdersTable(name: string): boolean {
  return /^orders$/i.test(name) || /(^|_)order$/i.test(name);
}

export async function readBaseline(path: string, display: string, tz: string): Promise<Baseline> {
  const clock = new ZoneClock(tz);
  const hash = createHash('sha256');
  let bytes = 0;
  let decoder: ReturnType<typeof iconv.getDecoder> | null = null;
  let encoding: 'utf8' | 'gbk' = 'utf8';
  let format: 'csv' | 'mysql-dump' | null = null;
  let parser: { push(t: string): void; end(): void } | null = null;
  let platform: Platform | null = null;
  let rows = 0;
  let rejected = 0;
  let duplicates = 0;
  const problems: string[] = [];
  const orders = new Map<string, BaselineOrder>();
  let cutoff: number | null = null;
  let pendingText = '';

  const problem = (p: string) => {
    rejected++;
    if (problems.length < 20) problems.push(p);
  };
  const take = (cols: OrderColumns, cells: Cell[]) => {
    rows++;
    const r = orderOfRow(cols, cells, clock);
    if ('problem' in r) {
      problem(`row ${rows}: ${r.problem}`);
      return;
    }
    if (orders.has(r.id)) duplicates++;
    orders.set(r.id, r.order);
    if (r.order.createdMs !== null && (cutoff === null || r.order.createdMs > cutoff)) cutoff = r.order.createdMs;
  };
  const setPlatform = (cols: OrderColumns) => {
    if (platform !== null && platform !== cols.platform) throw new BaselineError(`${display}: holds orders of both dujiaoka and acg-faka; give one shop's backup / 该备份同时含有 dujiaoka 与 acg-faka 的订单，请只给一个店铺的备份`);
    platform = cols.platform;
  };

  const startCsv = () => {
    let cols: OrderColumns | null = null;
    let width = 0;
    return new CsvStream((cells) => {
      if (cols === null) {
        const header = cells.map((c) => (c ?? '').replace(/^\ufeff/, ''));
        cols = orderColumns(header);
        if (cols === null) {
          throw new BaselineError(`${display}: the CSV header (${header.slice(0, 8).join(', ')}${header.length > 8 ? ', …' : ''}) names neither dujiaoka's order_sn nor acg-faka's trade_no and create_time: not an orders table export / 表头既没有 dujiaoka 的 order_sn，也没有 acg-faka 的 trade_no 与 create_time：不是订单表导出`);
        }
        width = header.length;
        setPlatform(cols);
        return;
      }
      if (cells.length !== width) {
        rows++;
        problem(`row ${rows}: ${cells.length} value(s), the header has ${width}`);
        return;
      }
      take(cols, cells);
    });
  };

  const startDump = () => {
    const tables = new Map<string, string[]>();
    let cols: OrderColumns | null = null;
    let width = 0;
    let sawOrders = false;
    const dump = new DumpStream({
      createTable: (table, columns) => {
        tables.set(table.toLowerCase(), columns);
      },
      insert: (table, columns) => {
        if (!isOrdersTable(table)) return false;
        let names = columns;
        if (names === null) {
          names = tables.get(table.toLowerCase()) ?? null;
          if (names === null) {
            throw new BaselineError(`${display}: INSERT INTO \`${table}\` has no column list and no CREATE TABLE \`${table}\` comes before it, so its values cannot be matched to columns. Dump with the table definition, or with --complete-insert / 没有列名，无法解析`);
          }
        }
        const c = orderColumns(names);
        if (c === null) {
          // An *_order table that is not a shop's orders table (or a platform this version does not read).
          return false;
        }
        sawOrders = true;
        setPlatform(c);
        cols = c;
        width = names.length;
        return true;
      },
      row: (values) => {
        if (values.length !== width) {
          rows++;
          problem(`row ${rows}: ${values.length} value(s), the INSERT names ${width} column(s)`);
          return;
        }
        take(cols!, values);
      },
    });
    return {
      push: (t: string) => dump.push(t),
      end: () => {
        dump.end();
        if (!sawOrders) throw new BaselineError(`${display}: no INSERT INTO \`orders\` (dujiaoka) or \`…_order\` (acg-faka) rows in this dump / 该转储中没有订单表的 INSERT 语句`);
      },
    };
  };

  const feed = (text: string) => {
    if (parser === null) {
      // Decide the form on the first non-blank characters.
      pendingText += text;
      const t = pendingText.replace(/^\ufeff/, '');
      if (t.trim() === '' && t.length < 4096) return;
      format = SQL_START.test(t) ? 'mysql-dump' : 'csv';
      parser = format === 'csv' ? startCsv() : startDump();
      pendingText = '';
      parser.push(t);
      return;
    }
    parser.push(text);
  };

  const onBytes = (buf: Buffer) => {
    if (decoder === null) {
      let start = buf;
      if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) start = buf.subarray(3);
      // A multi-byte character may be cut at the end of the first chunk: judge without its last bytes.
      const probe = start.subarray(0, Math.max(0, start.length - 3));
      encoding = isUtf8(probe) ? 'utf8' : 'gbk';
      decoder = iconv.getDecoder(encoding === 'utf8' ? 'utf8' : 'gbk');
      buf = start;
    }
    const s = decoder.write(buf);
    if (s) feed(s);
  };

  try {
    // Peek at the first two bytes: gzip or not.
    const head = Buffer.alloc(2);
    const fd = openSync(path, 'r');
    let n = 0;
    try {
      n = readSync(fd, head, 0, 2, 0);
    } finally {
      closeSync(fd);
    }
    const rs = createReadStream(path, { highWaterMark: 1 << 20 });
    if (n === 2 && head[0] === 0x1f && head[1] === 0x8b) {
      const gz = createGunzip();
      rs.on('data', (c) => {
        hash.update(c as Buffer);
        bytes += (c as Buffer).length;
      });
      rs.on('error', (e) => gz.destroy(e));
      rs.pipe(gz);
      for await (const chunk of gz) onBytes(chunk as Buffer);
    } else {
      for await (const raw of rs) {
        const chunk = raw as Buffer;
        hash.update(chunk);
        bytes += chunk.length;
        onBytes(chunk);
      }
    }
    if (decoder !== null) {
      const rest = (decoder as ReturnType<typeof iconv.getDecoder>).end();
      if (rest) feed(rest);
    }
    if (parser === null && pendingText.trim() !== '') feed('');
    if (parser === null) throw new BaselineError(`${display}: the file is empty / 文件为空`);
    (parser as { end(): void }).end();
  } catch (e) {
    if (e instanceof BaselineError) throw e;
    if (e instanceof DumpSyntaxError) throw new BaselineError(`${display}: ${e.message}`);
    throw new BaselineError(`${display}: cannot read: ${(e as Error).message} / 无法读取`);
  }
  if (platform === null) throw new BaselineError(`${display}: no orders found (a header row but no data?) / 没有找到订单（只有表头？）`);
  return {
    file: display,
    bytes,
    sha256: hash.digest('hex'),
    format: format!,
    platform,
    encoding,
    rows,
    rejected_rows: rejected,
    duplicate_rows: duplicates,
    problems,
    orders,
    cutoffMs: cutoff,
  };
}
