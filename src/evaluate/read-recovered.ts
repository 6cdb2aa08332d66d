import { stat } from 'node:fs/promises';
import { TRANSACTION_STATUSES, type TransactionStatus } from '../model/types';
import { LineErrors, ndjsonLines } from './ndjson-lines';
import { EvaluateInputError, type RecoveredRecord } from './types';

/** Words in a record's flags or reasons that say the payment callback looked forged. */
// notify_refused_by_shop: the shop answered every copy of a callback with an error (dujiaoka does so for a wrong amount).
export const FORGERY_SIGNALS = ['bad_signature', 'amount_mismatch', 'replayed_notify', 'forged_suspect', 'notify_refused_by_shop'] as const;

const STATUSES: ReadonlySet<string> = new Set(TRANSACTION_STATUSES);

/** Forgery keywords mentioned (case-insensitively, as substrings) by any flag or reason. */
export function forgerySignals(flags: readonly string[], reasons: readonly string[]): string[] {
  const texts = [...flags, ...reasons].map((t) => t.toLowerCase());
  return FORGERY_SIGNALS.filter((s) => texts.some((t) => t.includes(s)));
}

type Parsed = { ok: true; record: RecoveredRecord } | { ok: false; error: string };

function nullableString(o: Record<string, unknown>, key: string): string | null | Error {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (key === 'goods_id' && typeof v === 'number' && Number.isFinite(v)) return String(v);
  return new Error(`"${key}" must be a string or null, got ${JSON.stringify(v)}`);
}

function stringArray(o: Record<string, unknown>, key: string): string[] | Error {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return new Error(`"${key}" must be an array of strings`);
}

/** Validate one line of transactions.ndjson. Pure: no I/O. */
export function parseRecoveredLine(text: string, line: number): Parsed {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `invalid JSON (${(e as Error).message})` };
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) {
    return { ok: false, error: 'not a JSON object (expected one Transaction per line)' };
  }
  const r = o as Record<string, unknown>;
  if (typeof r.order_id !== 'string' || r.order_id.trim() === '') {
    return { ok: false, error: r.order_id === undefined ? 'missing order_id' : `order_id must be a non-empty string, got ${JSON.stringify(r.order_id)}` };
  }
  if (typeof r.confidence !== 'number' || !Number.isFinite(r.confidence) || r.confidence < 0 || r.confidence > 1) {
    return { ok: false, error: `confidence must be a number in [0,1], got ${JSON.stringify(r.confidence) ?? 'nothing'}` };
  }
  if (typeof r.status !== 'string' || !STATUSES.has(r.status)) {
    return { ok: false, error: `status must be one of ${TRANSACTION_STATUSES.join(', ')}, got ${JSON.stringify(r.status) ?? 'nothing'}` };
  }
  let amount: number | null = null;
  if (r.amount !== undefined && r.amount !== null) {
    if (typeof r.amount !== 'number' || !Number.isFinite(r.amount)) {
      return { ok: false, error: `amount must be a number or null, got ${JSON.stringify(r.amount)}` };
    }
    amount = r.amount;
  }
  const paidAt = nullableString(r, 'paid_at');
  const email = nullableString(r, 'buyer_email');
  const goods = nullableString(r, 'goods_id');
  const flags = stringArray(r, 'flags');
  const reasons = stringArray(r, 'reasons');
  for (const v of [paidAt, email, goods, flags, reasons]) {
    if (v instanceof Error) return { ok: false, error: v.message };
  }
  const fl = flags as string[];
  return {
    ok: true,
    record: {
      order_id: r.order_id,
      status: r.status as TransactionStatus,
      confidence: r.confidence,
      amount,
      paid_at: paidAt as string | null,
      buyer_email: email as string | null,
      goods_id: goods as string | null,
      flags: fl,
      forgery_signals: forgerySignals(fl, reasons as string[]),
      line,
    },
  };
}

/**
 * Read a recovered transactions.ndjson line by line. Every broken line is an error naming the file
 * and line (nothing is skipped silently); they are reported together after the whole file is read.
 */
export async function readRecovered(file: string): Promise<RecoveredRecord[]> {
  let st;
  try {
    st = await stat(file);
  } catch {
    throw new EvaluateInputError(
      `recovered file not found: ${file}\nPass the transactions.ndjson written by \`salvage reconstruct\` (in its --out folder). ` +
        `找不到恢复结果文件：请传入 reconstruct 输出目录中的 transactions.ndjson。`,
    );
  }
  if (!st.isFile()) throw new EvaluateInputError(`recovered path is not a file: ${file}`);
  const errors = new LineErrors(
    file,
    'recovered file',
    'Each line must be one Transaction object (see src/model/types.ts). 恢复结果文件中存在损坏的行。',
  );
  const records: RecoveredRecord[] = [];
  for await (const { line, text } of ndjsonLines(file)) {
    const p = parseRecoveredLine(text, line);
    if (p.ok) records.push(p.record);
    else errors.add(line, p.error);
  }
  errors.throwIfAny();
  return records;
}
