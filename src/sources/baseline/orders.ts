import type { TransactionStatus } from '../../model/types';
import type { ZoneClock } from '../../../parsers/time';
import { parseBillTime, parseYuan } from '../statements/common';
import type { Cell } from './csv-stream';

// The orders table of the two platforms (NOTES §1.1, §2.1), reduced to what the baseline check
// compares: order number, amount, status in salvage's terms, buyer contact, gateway trade
// number and creation time. Everything else in a row (card keys, passwords, ips) is dropped as
// the row is read.
//
// Status mapping:
//   dujiaoka status   1 待支付 / -1 过期 → created; 2 待处理 / 3 处理中 → paid; 4 已完成 → delivered;
//                     5 处理失败 → failed; 6 异常 (paid, not enough card keys) → paid.
//   acg-faka status 0 → created; status 1 → delivered when delivery_status is 1, else paid.

export type Platform = 'dujiaoka' | 'acg-faka';

export interface BaselineOrder {
  status: TransactionStatus | null;
  /** The platform's own status value(s), for the report: "4", or "1/0" (status/delivery_status). */
  rawStatus: string;
  amountCents: number | null;
  email: string | null;
  tradeNo: string | null;
  createdMs: number | null;
}

export interface OrderColumns {
  platform: Platform;
  id: number;
  amount: number;
  status: number;
  delivery: number;
  email: number;
  tradeNo: number;
  created: number;
}

/** Which platform's orders table these columns are, or null. */
export function orderColumns(columns: string[]): OrderColumns | null {
  const names = columns.map((c) => c.trim().toLowerCase());
  const at = (n: string) => names.indexOf(n);
  if (at('order_sn') >= 0) {
    return { platform: 'dujiaoka', id: at('order_sn'), amount: at('actual_price'), status: at('status'), delivery: -1, email: at('email'), tradeNo: at('trade_no'), created: at('created_at') };
  }
  if (at('trade_no') >= 0 && (at('create_time') >= 0 || at('delivery_status') >= 0)) {
    return { platform: 'acg-faka', id: at('trade_no'), amount: at('amount'), status: at('status'), delivery: at('delivery_status'), email: at('contact'), tradeNo: -1, created: at('create_time') };
  }
  return null;
}

const DUJIAOKA_STATUS: Record<string, TransactionStatus> = { '1': 'created', '-1': 'created', '2': 'paid', '3': 'paid', '4': 'delivered', '5': 'failed', '6': 'paid' };

function text(cells: Cell[], i: number): string | null {
  if (i < 0) return null;
  const v = cells[i];
  if (v === null || v === undefined) return null;
  const t = v.trim();
  return t === '' ? null : t;
}

/** Creation time: a MySQL DATETIME / TIMESTAMP in the shop's zone, or ISO with an offset. */
function createdMs(s: string | null, clock: ZoneClock): number | null {
  if (s === null) return null;
  if (/[zZ]|[+-]\d{2}:?\d{2}$/.test(s) && s.includes('T')) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? null : ms;
  }
  return parseBillTime(s, clock)?.ms ?? null;
}

/** One row → [order id, order], or a reason it cannot be used. */
export function orderOfRow(cols: OrderColumns, cells: Cell[], clock: ZoneClock): { id: string; order: BaselineOrder } | { problem: string } {
  const id = text(cells, cols.id);
  if (id === null) return { problem: 'no order number' };
  const amountText = text(cells, cols.amount);
  const amount = amountText === null ? null : parseYuan(amountText);
  if (amountText !== null && amount === null) return { problem: `order ${id}: amount "${amountText.slice(0, 30)}" is not a number` };
  const st = text(cells, cols.status);
  let status: TransactionStatus | null = null;
  let rawStatus = st ?? '';
  if (cols.platform === 'dujiaoka') {
    status = st !== null ? (DUJIAOKA_STATUS[st] ?? null) : null;
  } else {
    const del = text(cells, cols.delivery);
    rawStatus = `${st ?? ''}/${del ?? ''}`;
    if (st === '0') status = 'created';
    else if (st === '1') status = del === '1' ? 'delivered' : 'paid';
  }
  const created = text(cells, cols.created);
  return {
    id,
    order: {
      status,
      rawStatus,
      amountCents: amount === null ? null : Math.round(amount * 100),
      email: text(cells, cols.email),
      tradeNo: text(cells, cols.tradeNo),
      createdMs: createdMs(created, clock),
    },
  };
}
