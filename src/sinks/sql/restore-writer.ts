import { createReadStream, createWriteStream, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Transaction } from '../../model/types';
import { isoWithOffset, type ZoneClock } from '../../../parsers/time';
import { LineWriter } from '../line-writer';
import type { Sink } from '../sink';
import { sqlIdent } from './literal';
import { orderRow, ordersTable, PLACEHOLDERS, type OrderRow, type Platform } from './orders-table';

// The restore script, written by `reconstruct` (restore.sql) and `export --format sql` alike.
// One INSERT … ON DUPLICATE KEY UPDATE per record on the order number's unique key, so loading
// the script twice changes nothing, and an order already in the table only takes the values the
// logs showed (never a placeholder). Records below the confidence threshold, or that the table
// cannot take, are written as comments with the reason, so nobody restores them by accident.
//
// The header lists which rows carry placeholders, which is known only at the end: the rows are
// streamed to a side file first and the header written before them on close (memory stays
// bounded: the header names at most LISTED_IDS orders per column, the rows' own comments say the rest).

const PRIVATE = 0o600;
const LISTED_IDS = 500;

export interface RestoreScriptOptions {
  platform: Platform;
  zone: ZoneClock;
  prefix: string;
  minConfidence: number;
  revealCardKeys: boolean;
  /**
   * When the script was made (epoch ms): shown in the run's zone. null for reconstruct's
   * restore.sql, so that the same inputs give the same script byte for byte (issue 10); the
   * run's time is in report.json → run.generated_at.
   */
  generatedAtMs: number | null;
  /** Where the records came from (run folder, es:alias): shown in the header. */
  source: string;
}

export interface RestoreScriptSummary {
  platform: Platform;
  table: string;
  inserts: number;
  skipped: number;
  min_confidence: number;
  /** Column → rows written with its placeholder. */
  placeholders: Record<string, number>;
  /** Rows whose card key is in clear. */
  card_keys_revealed: number;
}

/** Comments stay on one line whatever a file name or reason holds. */
const oneLine = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, '?');

export function insertStatement(row: OrderRow): string {
  const cols = row.values.map(([c]) => sqlIdent(c)).join(', ');
  const vals = row.values.map(([, v]) => v).join(', ');
  const update = row.fromEvidence.map((c) => `${sqlIdent(c)} = VALUES(${sqlIdent(c)})`).join(', ');
  return `INSERT INTO ${sqlIdent(row.table)} (${cols}) VALUES (${vals}) ON DUPLICATE KEY UPDATE ${update};`;
}

function rowComment(t: Transaction, row: OrderRow | null): string {
  const where = t.evidence.slice(0, 3).map((e) => `${e.file}:${e.line}`).join(', ');
  const parts = [
    `${t.order_id}: ${t.status}, confidence ${t.confidence}`,
    t.flags.length ? `flags ${t.flags.join(' ')}` : '',
    `evidence ${where}${t.evidence.length > 3 ? ' …' : ''}`,
    row && row.placeholders.length ? `placeholders: ${row.placeholders.join(', ')}` : '',
    ...(row ? row.notes : []),
    row?.revealed ? 'card key REVEALED' : '',
  ].filter((p) => p !== '');
  return oneLine('-- ' + parts.join('; '));
}

export class RestoreScriptWriter implements Sink<Transaction, RestoreScriptSummary> {
  private readonly body: LineWriter;
  private readonly bodyPath: string;
  private readonly table: string;
  private inserts = 0;
  private skipped = 0;
  private revealed = 0;
  private readonly placeholderRows = new Map<string, { count: number; ids: string[] }>();

  constructor(private readonly path: string, private readonly o: RestoreScriptOptions) {
    this.bodyPath = path + '.rows';
    this.body = new LineWriter(this.bodyPath, PRIVATE);
    this.table = ordersTable(o.platform, o.prefix);
  }

  async write(t: Transaction): Promise<void> {
    const r = orderRow(this.o.platform, t, { zone: this.o.zone, prefix: this.o.prefix, revealCardKeys: this.o.revealCardKeys });
    if ('skip' in r || t.confidence < this.o.minConfidence) {
      const why = 'skip' in r ? r.skip : `confidence below ${this.o.minConfidence}`;
      this.skipped++;
      await this.body.write(rowComment(t, 'row' in r ? r.row : null));
      await this.body.write(oneLine(`-- skipped (${why})`) + ('row' in r ? ': ' + insertStatement(r.row) : ''));
      return;
    }
    const row = r.row;
    this.inserts++;
    if (row.revealed) this.revealed++;
    for (const c of row.placeholders) {
      const p = this.placeholderRows.get(c) ?? { count: 0, ids: [] };
      p.count++;
      if (p.ids.length < LISTED_IDS) p.ids.push(t.order_id);
      this.placeholderRows.set(c, p);
    }
    await this.body.write(rowComment(t, row));
    await this.body.write(insertStatement(row));
  }

  summary(): RestoreScriptSummary {
    return {
      platform: this.o.platform,
      table: this.table,
      inserts: this.inserts,
      skipped: this.skipped,
      min_confidence: this.o.minConfidence,
      placeholders: Object.fromEntries([...this.placeholderRows].map(([c, p]) => [c, p.count])),
      card_keys_revealed: this.revealed,
    };
  }

  private header(): string {
    const o = this.o;
    let when = 'written with its run: the time is in report.json → run.generated_at / 生成时间见 report.json';
    let offset = '';
    if (o.generatedAtMs !== null) {
      const at = isoWithOffset(Math.floor(o.generatedAtMs / 1000) * 1000, o.zone.offsetAt(o.generatedAtMs));
      offset = at.slice(19);
      when = `generated ${at.slice(0, 10)} ${at.slice(11, 19)} ${offset}, ${o.zone.zoneName}`;
    }
    const zoneText = offset ? `${o.zone.zoneName} (${offset})` : o.zone.zoneName;
    const zoneTextZh = offset ? `${o.zone.zoneName}（${offset}）` : o.zone.zoneName;
    const lines = [
      `-- salvage restore script for ${o.platform} \`${this.table}\` (${when})`,
      oneLine(`-- records from: ${o.source}`),
      `-- ${this.inserts} row(s) to insert, ${this.skipped} skipped (commented out below with the reason; below confidence ${o.minConfidence} or not restorable).`,
      '-- Review before running. Each row is INSERT … ON DUPLICATE KEY UPDATE on the order number: loading the',
      '-- script twice changes nothing, and an order already in the table only takes the values the logs showed.',
      `-- Times are the shop's wall clock in ${zoneText}, as the shop wrote them: load with the`,
      "-- server's usual time_zone setting (do not SET time_zone to UTC first).",
      '-- 请先审核再执行。每行按订单号 INSERT … ON DUPLICATE KEY UPDATE：重复导入不会改变任何数据；已存在的订单只更新日志中有证据的字段。',
      `-- 时间为商店所在时区 ${zoneTextZh} 的本地时间。`,
      o.platform === 'dujiaoka'
        ? '-- Status: created/pending 1, expired -1, paid 2 (待处理), delivered 4, refunded 5, failed 5. / 状态映射：退款与失败写为 5，过期写为 -1，不会写成 4（已完成）。'
        : '-- Status: delivered = status 1 + delivery_status 1, paid = 1 + 0; created, pending, expired, refunded, failed = 0 + 0 (acg-faka has no such states). / 退款、失败、过期订单写为未支付。',
    ];
    if (this.revealed > 0) {
      lines.push(`-- CARD KEYS REVEALED (--reveal-card-keys) in ${this.revealed} row(s): this file holds usable secrets. / 本文件含 ${this.revealed} 行明文卡密，请妥善保管。`);
    } else {
      lines.push('-- Card keys are masked. / 卡密已脱敏。');
    }
    if (this.placeholderRows.size === 0) {
      lines.push('-- Placeholders: none. / 无占位值。');
    } else {
      lines.push('-- Placeholders: NOT NULL columns the logs had no value for (each row\'s comment names its own). / 占位值（日志中没有该字段）：');
      const shown: Record<string, string> = {
        title: `'${PLACEHOLDERS.title}'`, buy_ip: `'${PLACEHOLDERS.ip}'`, create_ip: `'${PLACEHOLDERS.ip}'`, email: `'${PLACEHOLDERS.email}'`,
        goods_id: String(PLACEHOLDERS.id), commodity_id: String(PLACEHOLDERS.id), pay_id: String(PLACEHOLDERS.id),
        total_price: '0.00', actual_price: '0.00', amount: '0.00', create_device: `${PLACEHOLDERS.device} (PC)`,
      };
      for (const [col, p] of this.placeholderRows) {
        const more = p.count > p.ids.length ? ` … and ${p.count - p.ids.length} more` : '';
        lines.push(oneLine(`--   ${col} = ${shown[col] ?? '?'} in ${p.count} row(s): ${p.ids.join(' ')}${more}`));
      }
    }
    lines.push('SET NAMES utf8mb4;', '');
    return lines.join('\n') + '\n';
  }

  /** After a failure: the side file goes; the script is not written. */
  async abort(): Promise<void> {
    await this.body.close().catch(() => undefined);
    rmSync(this.bodyPath, { force: true });
  }

  /** Writes the header and the rows to the script, and removes the side file. */
  async close(): Promise<RestoreScriptSummary> {
    try {
      await this.body.close();
      const out = createWriteStream(this.path, { flags: 'w', mode: PRIVATE });
      out.write(this.header());
      await pipeline(createReadStream(this.bodyPath), out);
    } finally {
      rmSync(this.bodyPath, { force: true });
    }
    return this.summary();
  }
}
