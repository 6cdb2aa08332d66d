import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import { parser } from 'stream-json';
import { pick } from 'stream-json/filters/Pick';
import { streamValues } from 'stream-json/streamers/StreamValues';
import { LineErrors, ndjsonLines } from './ndjson-lines';
import { EvaluateInputError, type ForgedCallback, type MetaScalar, type TruthOrder, type TruthSet } from './types';

const RERUN = 'Re-run `salvage simulate` to write a complete truth folder. 请重新运行 salvage simulate 生成完整的真值目录。';

async function kind(p: string): Promise<'file' | 'dir' | 'other' | 'none'> {
  try {
    const st = await stat(p);
    return st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  } catch {
    return 'none';
  }
}

type Parsed = { ok: true; order: TruthOrder } | { ok: false; error: string };

function optString(o: Record<string, unknown>, key: string): string | null | Error {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (key === 'goods_id' && typeof v === 'number' && Number.isFinite(v)) return String(v);
  return new Error(`"${key}" must be a string or null, got ${JSON.stringify(v)}`);
}

/** Validate one line of recoverable.ndjson. Pure: no I/O. The `lines` list is not kept. */
export function parseTruthLine(text: string): Parsed {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `invalid JSON (${(e as Error).message})` };
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return { ok: false, error: 'not a JSON object' };
  const r = o as Record<string, unknown>;
  if (typeof r.order_id !== 'string' || r.order_id === '') return { ok: false, error: 'missing order_id' };
  if (typeof r.status !== 'string') return { ok: false, error: 'missing status' };
  if (typeof r.paid !== 'boolean') return { ok: false, error: '"paid" must be true or false' };
  if (typeof r.recoverable !== 'boolean') return { ok: false, error: '"recoverable" must be true or false' };
  let amount: number | null = null;
  if (r.amount !== undefined && r.amount !== null) {
    if (typeof r.amount !== 'number' || !Number.isFinite(r.amount)) return { ok: false, error: '"amount" must be a number' };
    amount = r.amount;
  }
  const paidAt = optString(r, 'paid_at');
  const email = optString(r, 'buyer_email');
  const goods = optString(r, 'goods_id');
  for (const v of [paidAt, email, goods]) if (v instanceof Error) return { ok: false, error: v.message };
  let logged: string[] | undefined;
  if (r.logged !== undefined) {
    if (!Array.isArray(r.logged) || !r.logged.every((x): x is string => typeof x === 'string')) {
      return { ok: false, error: '"logged" must be a list of field names' };
    }
    logged = r.logged;
  }
  return {
    ok: true,
    order: {
      order_id: r.order_id,
      status: r.status,
      paid: r.paid,
      amount,
      paid_at: paidAt as string | null,
      buyer_email: email as string | null,
      goods_id: goods as string | null,
      recoverable: r.recoverable,
      ...(logged === undefined ? {} : { logged }),
    },
  };
}

async function readRecoverable(file: string): Promise<Map<string, TruthOrder>> {
  const orders = new Map<string, TruthOrder>();
  const firstLine = new Map<string, number>();
  const errors = new LineErrors(file, 'truth file', `The truth folder is damaged. ${RERUN}`);
  for await (const { line, text } of ndjsonLines(file)) {
    const p = parseTruthLine(text);
    if (!p.ok) {
      errors.add(line, p.error);
      continue;
    }
    const seen = firstLine.get(p.order.order_id);
    if (seen !== undefined) {
      errors.add(line, `order_id ${p.order.order_id} already appears on line ${seen}`);
      continue;
    }
    firstLine.set(p.order.order_id, line);
    orders.set(p.order.order_id, p.order);
  }
  errors.throwIfAny();
  return orders;
}

async function countRows(file: string): Promise<number> {
  let n = 0;
  for await (const _ of ndjsonLines(file)) n++;
  return n;
}

/** Stream damage.json: keep `profile` and the forged_callback actions, drop everything else as it passes. */
async function readDamage(file: string): Promise<{ profile: string | null; forged: ForgedCallback[] }> {
  let profile: string | null = null;
  const forged: ForgedCallback[] = [];
  const values: Readable = pipeline(
    createReadStream(file),
    parser(),
    pick({
      filter: (stack) =>
        (stack.length === 1 && stack[0] === 'profile') ||
        (stack.length === 2 && stack[0] === 'actions' && typeof stack[1] === 'number'),
    }),
    streamValues(),
    () => undefined, // errors surface through the iteration below
  );
  try {
    for await (const item of values as AsyncIterable<{ key: number; value: unknown }>) {
      const v = item.value;
      if (typeof v === 'string') {
        profile = v;
        continue;
      }
      if (typeof v !== 'object' || v === null) continue;
      const a = v as Record<string, unknown>;
      if (a.type !== 'forged_callback') continue;
      if (typeof a.order_id !== 'string' || a.order_id === '') {
        throw new EvaluateInputError(`${file}: a forged_callback action has no order_id. ${RERUN}`);
      }
      forged.push({ order_id: a.order_id, forgery: typeof a.forgery === 'string' ? a.forgery : 'unknown' });
    }
  } catch (e) {
    if (e instanceof EvaluateInputError) throw e;
    throw new EvaluateInputError(`${file} is not valid JSON (${(e as Error).message}). ${RERUN}`);
  } finally {
    values.destroy();
  }
  return { profile, forged };
}

/** Stream meta.json and keep only its top-level scalar fields (seed, profile, counts, ...). */
async function readMeta(file: string): Promise<Record<string, MetaScalar>> {
  const meta: Record<string, MetaScalar> = {};
  const tokens: Readable = pipeline(createReadStream(file), parser(), () => undefined);
  let depth = 0;
  let key: string | null = null;
  try {
    for await (const tok of tokens as AsyncIterable<{ name: string; value?: unknown }>) {
      switch (tok.name) {
        case 'startObject':
        case 'startArray':
          depth++;
          key = null;
          break;
        case 'endObject':
        case 'endArray':
          depth--;
          break;
        case 'keyValue':
          if (depth === 1) key = String(tok.value);
          break;
        case 'stringValue':
        case 'numberValue':
        case 'nullValue':
        case 'trueValue':
        case 'falseValue':
          if (depth === 1 && key !== null) {
            meta[key] = tok.name === 'numberValue' ? Number(tok.value) : (tok.value as MetaScalar);
            key = null;
          }
          break;
      }
    }
  } catch (e) {
    throw new EvaluateInputError(`${file} is not valid JSON (${(e as Error).message}). ${RERUN}`);
  } finally {
    tokens.destroy();
  }
  return meta;
}

/**
 * Read the simulator's truth folder. recoverable.ndjson and orders.ndjson are required and must not be
 * empty; damage.json and meta.json are optional (their absence is a warning and turns off the figures
 * that need them).
 */
export async function readTruth(dir: string): Promise<TruthSet> {
  const k = await kind(dir);
  if (k === 'none') {
    throw new EvaluateInputError(
      `truth folder not found: ${dir}\nPass the truth folder written by \`salvage simulate\` (<dir>/truth). 找不到真值目录。`,
    );
  }
  if (k !== 'dir') throw new EvaluateInputError(`--truth must be a folder, but ${dir} is not one. --truth 应为目录。`);

  const recoverable = path.join(dir, 'recoverable.ndjson');
  const ordersFile = path.join(dir, 'orders.ndjson');
  for (const f of [recoverable, ordersFile]) {
    if ((await kind(f)) !== 'file') {
      const nested = path.join(dir, 'truth', path.basename(f));
      const hint =
        (await kind(nested)) === 'file'
          ? `Did you mean --truth ${path.join(dir, 'truth')} ?`
          : RERUN;
      throw new EvaluateInputError(`truth folder ${dir} has no ${path.basename(f)}. 真值目录缺少 ${path.basename(f)}。\n${hint}`);
    }
  }

  const orders = await readRecoverable(recoverable);
  if (orders.size === 0) {
    throw new EvaluateInputError(`${recoverable} is empty: the truth has no orders to score against. 真值文件为空。\n${RERUN}`);
  }
  const dbRows = await countRows(ordersFile);
  if (dbRows === 0) {
    throw new EvaluateInputError(`${ordersFile} is empty: the simulator wrote no DB rows. 真值订单表为空。\n${RERUN}`);
  }

  const warnings: string[] = [];
  let profile: string | null = null;
  let forged: ForgedCallback[] | null = null;
  const damage = path.join(dir, 'damage.json');
  if ((await kind(damage)) === 'file') {
    ({ profile, forged } = await readDamage(damage));
  } else {
    warnings.push(`${damage} is missing: forged-callback figures are skipped. 缺少 damage.json，跳过伪造回调统计。`);
  }
  let meta: Record<string, MetaScalar> | null = null;
  const metaFile = path.join(dir, 'meta.json');
  if ((await kind(metaFile)) === 'file') meta = await readMeta(metaFile);
  else warnings.push(`${metaFile} is missing. 缺少 meta.json。`);

  return { orders, dbRows, profile, forged, meta, warnings };
}
