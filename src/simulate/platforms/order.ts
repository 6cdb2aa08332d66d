// The simulated order record shared by the platform writers, the forgery planner and the truth writer.
import type { Buyer } from '../buyers';
import type { Goods } from '../catalogue';
import type { Rng } from '../prng';
import { isAcknowledged, nextRetryDelay, type GatewayName } from '../gateways/retry';
import type { PayRow, World } from '../world';
import type { CallbackPayload, GatewayTxn } from './callbacks';

export type NormStatus = 'created' | 'paid' | 'delivered' | 'refunded' | 'failed';

export interface OrderRec {
  idx: number;
  /** Auto-increment primary key. */
  dbId: number;
  /** dujiaoka order_sn / acg-faka trade_no. */
  orderId: string;
  title: string;
  createdMs: number;
  goods: Goods;
  qty: number;
  totalFen: number;
  actualFen: number;
  pay: PayRow;
  buyer: Buyer;
  searchPwd: string;
  /** Platform status number at the end of the window (the moment the database was lost). */
  status: number;
  updatedMs: number;
  paidMs: number | null;
  txn: GatewayTxn | null;
  cards: string[];
  info: string;
  deliveryStatus: 0 | 1;
  refunded: boolean;
  norm: NormStatus;
  /** Genuine payment callbacks the gateway sent inside the window. */
  genuineNotifies: number;
  /** The first genuine callback, kept for replay forgeries. */
  genuinePayload?: CallbackPayload;
  /** acg-faka only. */
  requestNo?: string;
  payUrl?: string;
}

export interface BalanceChange {
  merchantId: string;
  ts: number;
  orderIdx: number;
  orderId: string;
  changeFen: number;
}

/** State shared by one run's platform writer. */
export interface SimContext {
  w: World;
  orders: OrderRec[];
  /** When set, each order is handed here once simulated instead of being kept in `orders` (a run that streams). */
  onOrder?: (o: OrderRec) => void;
  /** When set, each order's id is entered here with its index as it is drawn (the truth looks ids up in it). */
  ids?: Map<string, number>;
  balances: BalanceChange[];
  /** Card keys still in stock per goods id. */
  stock: Map<number, number>;
}

export interface AttemptResult {
  status: number;
  body: string;
}

/**
 * Sends a gateway's callback and its retries: `handle(k, ms)` answers attempt k (0-based) at `ms`;
 * retries follow the gateway's schedule until acknowledged, out of attempts, or past the window.
 */
export function runAttempts(w: World, gw: GatewayName, firstMs: number, rng: Rng, handle: (k: number, ms: number) => AttemptResult): number {
  let ms = firstMs;
  let k = 0;
  while (ms < w.endMs) {
    const r = handle(k, ms);
    if (isAcknowledged(gw, r.status, r.body)) return k + 1;
    const delay = nextRetryDelay(gw, k, rng);
    if (delay === null) return k + 1;
    ms += delay * 1000 + rng.int(0, 999);
    k++;
  }
  return k;
}

/** Byte size of Laravel's production 500 page ("Server Error"). */
export const LARAVEL_500_BYTES = 6603;
