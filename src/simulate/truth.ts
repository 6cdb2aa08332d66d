// Ground truth: the orders table as the lost database held it, the normalised per-order contract the
// evaluator reads (recoverable.ndjson), and damage.json resolved to final file/line positions.
import type { DamageLog } from './damage/log';
import type { ForgedRecord } from './damage/forged';
import { fenToYuan, fenToYuanString } from './money';
import type { NormStatus, OrderRec } from './platforms/order';
import type { Line } from './files';
import type { Readback } from './readback';
import { isoLocal, ymdHis } from './time';
import { LOGGED_EMAIL, LOGGED_GOODS } from './vocabulary/render';
import { PRELOAD_LINES, preloadTexts } from './events';
import type { Platform } from './options';

export interface LineRef {
  file: string;
  line: number;
}

export interface RecoverableRow {
  order_id: string;
  status: NormStatus;
  paid: boolean;
  amount: number;
  currency: 'CNY';
  channel: string;
  created_at: string;
  paid_at: string | null;
  buyer_email: string | null;
  goods_id: string;
  trade_no: string | null;
  recoverable: boolean;
  /** `--vocabulary` runs only: the buyer fields (buyer_email, goods_id) that some surviving, intact
   *  application-log entry about the order carries, so the evaluator can hold recovery to them. */
  logged?: string[];
  lines: LineRef[];
}

export function normalisedStatus(platform: Platform, o: OrderRec): NormStatus {
  if (platform === 'acg-faka') return o.status === 0 ? 'created' : o.deliveryStatus === 1 ? 'delivered' : 'paid';
  if (o.refunded) return 'refunded';
  switch (o.status) {
    case 2:
    case 3:
      return 'paid';
    case 4:
      return 'delivered';
    case 5:
    case 6:
      return 'failed';
    default:
      return 'created';
  }
}

/** dujiaoka `orders` row (NOTES §1.1). */
export function dujiaokaRow(o: OrderRec): Record<string, unknown> {
  return {
    id: o.dbId,
    order_sn: o.orderId,
    goods_id: o.goods.id,
    coupon_id: 0,
    title: o.title,
    type: o.goods.type,
    goods_price: fenToYuanString(o.goods.priceFen),
    buy_amount: o.qty,
    coupon_discount_price: '0.00',
    wholesale_discount_price: '0.00',
    total_price: fenToYuanString(o.totalFen),
    actual_price: fenToYuanString(o.actualFen),
    search_pwd: o.searchPwd,
    email: o.buyer.email,
    info: o.info,
    pay_id: o.pay.id,
    buy_ip: o.buyer.ip,
    trade_no: o.txn && o.paidMs !== null ? o.txn.tradeNo : '',
    status: o.status,
    coupon_ret_back: 0,
    created_at: ymdHis(o.createdMs),
    updated_at: ymdHis(o.updatedMs),
    deleted_at: null,
  };
}

/** acg-faka `{prefix}order` row (NOTES §2.1). */
export function acgRow(o: OrderRec): Record<string, unknown> {
  return {
    id: o.dbId,
    owner: 0,
    user_id: 0,
    trade_no: o.orderId,
    amount: fenToYuanString(o.actualFen),
    commodity_id: o.goods.id,
    card_id: null,
    card_num: o.qty,
    pay_id: o.pay.id,
    create_time: ymdHis(o.createdMs),
    create_ip: o.buyer.ip,
    create_device: o.buyer.device,
    pay_time: o.paidMs !== null ? ymdHis(o.paidMs) : null,
    status: o.status,
    secret: o.deliveryStatus === 1 ? o.info : null,
    password: o.searchPwd,
    contact: o.buyer.contact,
    delivery_status: o.deliveryStatus,
    pay_url: o.payUrl ?? '',
    coupon_id: null,
    cost: '0.00',
    from: 0,
    premium: '0.00',
    widget: null,
    leave_message: null,
    rent: 0,
    race: null,
    rebate: '0.00',
    pay_cost: '0.00',
    sku: '[]',
    divide_amount: '0.00',
    substation_user_id: 0,
    request_no: o.requestNo ?? null,
  };
}

export interface TruthResult {
  /** Rows of recoverable.ndjson without their `lines`; see `rowLines`. */
  rows: Omit<RecoverableRow, 'lines'>[];
  /** Per order: flat [fileIndex, line, fileIndex, line, …] into `files` (compact for million-line runs). */
  lineRefs: number[][];
  files: string[];
  damage: { profile: string; actions: Record<string, unknown>[] };
  stats: { paid: number; recoverable: number; byStatus: Record<string, number> };
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Calls `found` for every token that has the shape of an order id: dujiaoka = a maximal run of ASCII
 * letters/digits that is exactly 16 characters of [A-Z0-9]; acg-faka = a maximal run of exactly 18 digits.
 */
export function scanOrderIds(platform: Platform, text: string, found: (id: string) => void): void {
  const n = text.length;
  let i = 0;
  if (platform === 'dujiaoka') {
    while (i < n) {
      if (!isAlnum(text.charCodeAt(i))) {
        i++;
        continue;
      }
      const start = i;
      let upper = true;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (!isAlnum(c)) break;
        if (c >= 97) upper = false;
      }
      if (upper && i - start === 16) found(text.slice(start, i));
    }
  } else {
    while (i < n) {
      const c0 = text.charCodeAt(i);
      if (c0 < 48 || c0 > 57) {
        i++;
        continue;
      }
      const start = i;
      for (; i < n; i++) {
        const c = text.charCodeAt(i);
        if (c < 48 || c > 57) break;
      }
      if (i - start === 18) found(text.slice(start, i));
    }
  }
}

/** The `lines` of row `i`, as written to recoverable.ndjson. */
export function rowLines(t: TruthResult, i: number): LineRef[] {
  const flat = t.lineRefs[i]!;
  const out: LineRef[] = [];
  for (let k = 0; k < flat.length; k += 2) out.push({ file: t.files[flat[k]!]!, line: flat[k + 1]! });
  return out;
}

/** Entries spread over several lines (evidence only): how many of each head's later lines survived undamaged. */
function intactContinuations(sources: readonly (readonly (Line | string)[])[]): Map<Line, number> {
  const intact = new Map<Line, number>();
  for (const src of sources) {
    for (const l of src) {
      if (typeof l === 'string' || l.head === undefined || l.damaged) continue;
      intact.set(l.head, (intact.get(l.head) ?? 0) + 1);
    }
  }
  return intact;
}

const LOGGED_NAMES: readonly (readonly [number, string])[] = [
  [LOGGED_EMAIL, 'buyer_email'],
  [LOGGED_GOODS, 'goods_id'],
];

export function buildTruth(
  platform: Platform,
  profile: string,
  orders: readonly OrderRec[],
  readbacks: readonly Readback[],
  log: DamageLog,
  forged: readonly ForgedRecord[],
  withLogged = false,
): TruthResult {
  const byId = new Map<string, number>();
  for (const o of orders) byId.set(o.orderId, o.idx);
  const mentions: number[][] = orders.map(() => []);
  const shown = new Uint8Array(orders.length);
  const markLoc = new Map<number, LineRef[]>();
  const forgedLoc = new Map<number, LineRef[]>();
  const sorted = readbacks.slice().sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0));
  const files = sorted.map((rb) => rb.file.path);
  const continuations = intactContinuations(sorted.map((rb) => rb.physical ?? rb.file.lines));
  /** Undamaged, and when the entry spans lines, every later line too. */
  const intact = (l: Line): boolean => !l.damaged && (l.parts === undefined || (continuations.get(l) ?? 0) >= l.parts - 1);
  const logged = new Uint8Array(withLogged ? orders.length : 0);
  let fileIdx = 0;
  let lineNo = 0;
  const onId = (id: string): void => {
    const idx = byId.get(id);
    if (idx === undefined) return;
    const list = mentions[idx]!;
    const n = list.length;
    if (n === 0 || list[n - 2] !== fileIdx || list[n - 1] !== lineNo) list.push(fileIdx, lineNo);
  };
  for (fileIdx = 0; fileIdx < sorted.length; fileIdx++) {
    const rb = sorted[fileIdx]!;
    const f = rb.file;
    const src = rb.physical ?? f.lines;
    let release = (): void => {};
    for (let i = 0; i < src.length; i++) {
      if (i % PRELOAD_LINES === 0) {
        release();
        release = preloadTexts(src, i, Math.min(src.length, i + PRELOAD_LINES));
      }
      const l = src[i]!;
      lineNo = i + 1;
      if (typeof l === 'string') {
        scanOrderIds(platform, l, onId);
        continue;
      }
      const text = l.text;
      if (typeof text === 'string') scanOrderIds(platform, text, onId);
      if (l.pay !== undefined && l.forged === undefined && intact(l)) shown[l.pay] = 1;
      if (withLogged && l.about !== undefined && l.logged && l.forged === undefined && intact(l)) logged[l.about] |= l.logged;
      if (l.marks) for (const id of l.marks) (markLoc.get(id) ?? markLoc.set(id, []).get(id)!).push({ file: f.path, line: lineNo });
      if (l.forged !== undefined) (forgedLoc.get(l.forged) ?? forgedLoc.set(l.forged, []).get(l.forged)!).push({ file: f.path, line: lineNo });
    }
    release();
  }

  const rows: Omit<RecoverableRow, 'lines'>[] = [];
  const byStatus: Record<string, number> = {};
  let paid = 0;
  let rec = 0;
  for (const o of orders) {
    const status = normalisedStatus(platform, o);
    o.norm = status;
    const isPaid = o.paidMs !== null;
    const r = isPaid && shown[o.idx] === 1;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    if (isPaid) paid++;
    if (r) rec++;
    rows.push({
      order_id: o.orderId,
      status,
      paid: isPaid,
      amount: fenToYuan(o.actualFen),
      currency: 'CNY',
      channel: o.pay.channel,
      created_at: isoLocal(o.createdMs),
      paid_at: o.paidMs !== null ? isoLocal(o.paidMs) : null,
      buyer_email: platform === 'dujiaoka' ? o.buyer.email : o.buyer.contact || null,
      goods_id: String(o.goods.id),
      trade_no: isPaid && o.txn ? o.txn.tradeNo : null,
      recoverable: r,
      ...(withLogged ? { logged: LOGGED_NAMES.filter(([bit]) => (logged[o.idx]! & bit) !== 0).map(([, name]) => name) } : {}),
    });
  }

  const rbByPath = new Map(readbacks.map((rb) => [rb.file.path, rb]));
  const actions = log.actions.map((a, id) => {
    let locs = markLoc.get(id) ?? [];
    if (a.file) locs = locs.filter((l) => l.file === a.file);
    const file = a.file ?? locs[0]?.file ?? null;
    const out: Record<string, unknown> = { type: a.type, file, lines: locs.filter((l) => l.file === file).map((l) => l.line).sort((x, y) => x - y), detail: a.detail };
    if (a.type === 'truncated_gz' || a.type === 'corrupted_gz') {
      const rb = file ? rbByPath.get(file) : undefined;
      if (rb) {
        const phys = rb.physical ?? rb.file.lines;
        let intact = 0;
        while (intact < phys.length && phys[intact] === rb.file.lines[intact]) intact++;
        const kept = new Set(phys.filter((x): x is Line => typeof x !== 'string'));
        out.original_lines = rb.file.lines.length;
        out.intact_lines = intact;
        out.decompressed_lines = rb.count;
        out.lost_lines = rb.file.lines.length - kept.size;
        out.lines = intact < rb.file.lines.length ? [intact + 1] : [];
      }
    }
    return Object.assign(out, a.extra ?? {});
  });
  forged.forEach((fr, k) => {
    const locs = forgedLoc.get(k) ?? [];
    const o = orders[fr.orderIdx]!;
    const flat = mentions[o.idx]!;
    const mentioned = (l: LineRef): boolean => {
      for (let q = 0; q < flat.length; q += 2) if (files[flat[q]!] === l.file && flat[q + 1] === l.line) return true;
      return false;
    };
    const withId = locs.find(mentioned);
    const primary = withId ?? locs[0];
    const a = actions[fr.action]!;
    a.file = primary?.file ?? null;
    a.lines = primary ? [primary.line] : [];
    a.locations = locs;
    a.survived = locs.length > 0;
  });
  return { rows, lineRefs: mentions, files, damage: { profile, actions }, stats: { paid, recoverable: rec, byStatus } };
}
