// 独角数卡 dujiaoka: the buyer's trail, the gateways' callbacks and the shop's answers, the Laravel log,
// and the `orders` row as the database held it at the end of the window (NOTES §1, docs/log-shapes.md).
import type { Buyer, BuyerPool } from '../buyers';
import { pickBuyer } from '../buyers';
import { cardKey, type Goods } from '../catalogue';
import { signAlipayFields } from '../gateways/alipay';
import { phpRawurlencode, phpUrlencode } from '../gateways/encode';
import { dujiaokaOrderSn } from '../ids';
import { laravelException, type LaravelException } from '../laravel';
import { fenToYuanString } from '../money';
import { redirectBodySize } from '../nginx';
import type { Rng } from '../prng';
import { pageBytes, POLL_BODY, Session } from '../session';
import { ymdHis } from '../time';
import { access, APP_SINK, type PayRow, type World } from '../world';
import { adminEditOrder } from './admin';
import { buildCallback, gatewayIp, makeGatewayTxn, type CallbackPayload, type GatewayTxn } from './callbacks';
import type { OrderLine } from '../vocabulary/render';
import { writeCallbackLine, writeOrderLine } from './operator-log';
import { LARAVEL_500_BYTES, runAttempts, type OrderRec, type SimContext } from './order';

const NOTIFY_PATH: Record<string, string> = {
  '/pay/yipay': '/pay/yipay/notify_url',
  '/pay/alipay': '/pay/alipay/notify_url',
  '/pay/wepay': '/pay/wepay/notify_url',
  'pay/epusdt': '/pay/epusdt/notify_url',
};

const CONTROLLER: Record<string, { file: string; cls: string; line: number }> = {
  epay: { file: 'app/Http/Controllers/Pay/YipayController.php', cls: 'App\\Http\\Controllers\\Pay\\YipayController', line: 84 },
  alipay: { file: 'app/Http/Controllers/Pay/AlipayController.php', cls: 'App\\Http\\Controllers\\Pay\\AlipayController', line: 126 },
  'wxpay-v2': { file: 'app/Http/Controllers/Pay/WepayController.php', cls: 'App\\Http\\Controllers\\Pay\\WepayController', line: 92 },
  'wxpay-v3': { file: 'app/Http/Controllers/Pay/WepayController.php', cls: 'App\\Http\\Controllers\\Pay\\WepayController', line: 92 },
  epusdt: { file: 'app/Http/Controllers/Pay/EpusdtController.php', cls: 'App\\Http\\Controllers\\Pay\\EpusdtController', line: 97 },
  tokenpay: { file: 'app/Http/Controllers/Pay/TokenPayController.php', cls: 'App\\Http\\Controllers\\Pay\\TokenPayController', line: 92 },
};

export function notifyPath(pay: PayRow): string {
  return NOTIFY_PATH[pay.handleroute] ?? `${pay.handleroute.startsWith('/') ? '' : '/'}${pay.handleroute}/notify_url`;
}

function url(w: World, path: string): string {
  return `https://${w.site}${path}`;
}

/** `/pay-gateway/{handle}/…`: the blade urlencodes the handle and url() rawurlencodes it again. */
function payGatewayPath(pay: PayRow, sn: string): string {
  return `/pay-gateway/${phpRawurlencode(phpUrlencode(pay.handleroute))}/${pay.id}/${sn}`;
}

function payPath(pay: PayRow, sn: string): string {
  const hr = pay.handleroute.startsWith('/') ? pay.handleroute : `/${pay.handleroute}`;
  return `${hr}/${pay.id}/${sn}`;
}

/** Where each uncaught notify controller calls completedOrder (assimon/dujiaoka 9f5467a, app/Http/Controllers/Pay/*.php). */
const PLATFORM_CALL_LINE: Record<string, number> = { epay: 90, epusdt: 91, 'wxpay-v3': 82 };

/** The call completedOrder was given, for `--logging platform`'s trace frames. */
export interface CompletedOrderCall {
  sn: string;
  fen: number;
  tradeNo: string;
}

/** A string argument as PHP's trace writes it: at most 15 bytes, `...` inside the quotes when cut (php-src Zend/zend_exceptions.c). */
export function phpTraceString(s: string): string {
  return s.length > 15 ? `'${s.slice(0, 15)}...'` : `'${s}'`;
}

/** A float argument (completedOrder's `float $actualPrice`, coerced on entry): `%.*G` with precision 14, so 9.90 is `9.9` and 10.00 is `10`. */
export function phpTraceFloat(fen: number): string {
  return String(Number((fen / 100).toPrecision(14)));
}

/** Exceptions dujiaoka's completedOrder throws (RuleValidationException, code 400). With `call`
 *  (--logging platform) the frames carry the arguments as PHP writes them and the throw is at
 *  OrderProcessService.php:436, where 2.0.6 / master rethrows; without, the shape of `default`. */
export function ruleException(message: string, gw: string, call?: CompletedOrderCall): LaravelException {
  const c = CONTROLLER[gw]!;
  if (call !== undefined) {
    const args = `${phpTraceString(call.sn)}, ${phpTraceFloat(call.fen)}, ${phpTraceString(call.tradeNo)}`;
    return {
      cls: 'App\\Exceptions\\RuleValidationException',
      code: 400,
      message,
      at: 'app/Service/OrderProcessService.php:436',
      frames: [
        `${c.file}(${PLATFORM_CALL_LINE[gw] ?? c.line}): App\\Service\\OrderProcessService->completedOrder(${args})`,
        `[internal function]: ${c.cls}->notifyUrl(Object(Illuminate\\Http\\Request))`,
      ],
    };
  }
  return {
    cls: 'App\\Exceptions\\RuleValidationException',
    code: 400,
    message,
    at: 'app/Service/OrderProcessService.php:412',
    frames: [`${c.file}(${c.line}): App\\Service\\OrderProcessService->completedOrder()`, `[internal function]: ${c.cls}->notifyUrl()`],
  };
}

function dbException(sn: string, gw: string): LaravelException {
  const c = CONTROLLER[gw]!;
  return {
    cls: 'Illuminate\\Database\\QueryException',
    code: 2002,
    message: `SQLSTATE[HY000] [2002] Connection refused (SQL: select * from \`orders\` where \`order_sn\` = ${sn} and \`orders\`.\`deleted_at\` is null limit 1)`,
    at: 'vendor/laravel/framework/src/Illuminate/Database/Connection.php:669',
    frames: [
      'vendor/laravel/framework/src/Illuminate/Database/Connection.php(629): Illuminate\\Database\\Connection->runQueryCallback()',
      'vendor/laravel/framework/src/Illuminate/Database/Connection.php(338): Illuminate\\Database\\Connection->run()',
      'vendor/laravel/framework/src/Illuminate/Database/Query/Builder.php(2149): Illuminate\\Database\\Connection->select()',
      'vendor/laravel/framework/src/Illuminate/Database/Eloquent/Builder.php(544): Illuminate\\Database\\Query\\Builder->get()',
      'app/Service/OrderService.php(238): Illuminate\\Database\\Eloquent\\Builder->first()',
      `${c.file}(${c.line - 14}): App\\Service\\OrderService->detailOrderSN()`,
      `[internal function]: ${c.cls}->notifyUrl()`,
    ],
  };
}

/** An operator line about order `o`; `showsPay` when the line shows that the order was paid. */
function op(ctx: SimContext, ts: number, o: OrderRec, line: Omit<OrderLine, 'orderId'>, showsPay: boolean): void {
  if (ctx.w.opts.logging !== 'operator') return;
  writeOrderLine(ctx.w, ts, { ...line, orderId: o.orderId }, { pay: showsPay ? o.idx : undefined, about: o.idx });
}

function error(ctx: SimContext, ts: number, e: LaravelException, pay?: number): void {
  ctx.w.bus.emit(APP_SINK, ts, laravelException(ts, ctx.w.env, e), pay === undefined ? undefined : { pay });
}

/** `php artisan queue:work` output, under supervisor (docs/log-shapes.md): written only with --logging platform. */
export const QUEUE_SINK = 'app/queue-worker.log';
const JOB_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** The worker picks the jobs up just after `ts`, one after another: `Processing:` then `Processed:` for each
 *  (laravel/framework Queue/Console/WorkCommand.php writeStatus; redis job ids are 32 random characters). */
function queueJobs(ctx: SimContext, rng: Rng, ts: number, jobs: readonly string[]): void {
  if (ctx.w.opts.logging !== 'platform') return;
  let t = ts + rng.int(5, 900);
  for (const job of jobs) {
    const id = rng.chars(32, JOB_ID_ALPHABET);
    ctx.w.bus.emit(QUEUE_SINK, t, `[${ymdHis(t)}][${id}] Processing: App\\Jobs\\${job}`);
    t += rng.int(2, 80);
    ctx.w.bus.emit(QUEUE_SINK, t, `[${ymdHis(t)}][${id}] Processed:  App\\Jobs\\${job}`);
    t += rng.int(1, 15);
  }
}

const EXTERNAL_REFERERS: readonly (readonly [string, number])[] = [
  ['-', 40],
  ['https://www.baidu.com/', 10],
  ['https://www.google.com/', 10],
  ['https://t.me/', 6],
  ['https://www.bing.com/', 4],
  ['https://tieba.baidu.com/', 3],
  ['https://weixin.qq.com/', 3],
];

/** Favicon and font requests that BT's static-file rule (gif/jpg/png/js/css → /dev/null) still logs. */
export function staticAssets(sess: Session, rng: Rng, ts: number, referer: string, platform: 'dujiaoka' | 'acg-faka'): void {
  if (rng.chance(0.5)) sess.req(ts + rng.int(100, 600), 'GET', '/favicon.ico', 200, 4286, referer);
  if (rng.chance(0.35)) {
    const font = platform === 'dujiaoka' ? '/assets/unicorn/fonts/iconfont.woff2?t=1601264413' : '/assets/static/fonts/element-icons.woff';
    sess.req(ts + rng.int(200, 900), 'GET', font, 200, platform === 'dujiaoka' ? 11632 : 28200, referer);
  }
  if (rng.chance(0.25)) sess.req(ts + rng.int(200, 900), 'GET', platform === 'dujiaoka' ? '/assets/unicorn/images/loading.svg' : '/assets/static/images/logo.svg', 200, rng.pick([1433, 2981]), referer);
}

export function gatewayRedirectUrl(w: World, pay: PayRow, o: { orderId: string; actualFen: number }, txnTradeNo: string): string {
  switch (pay.gateway) {
    case 'epay':
      return `https://${w.merchants.epay.submitHost}/submit.php?money=${fenToYuanString(o.actualFen)}&name=${o.orderId}&notify_url=${encodeURIComponent(url(w, '/pay/yipay/notify_url'))}&out_trade_no=${o.orderId}&pid=${w.merchants.epay.pid}&return_url=${encodeURIComponent(url(w, `/pay/yipay/return_url?order_id=${o.orderId}`))}&sitename=shop&type=${pay.epayType}&sign=${'0'.repeat(32)}&sign_type=MD5`;
    case 'alipay':
      return `https://openapi.alipay.com/gateway.do?charset=utf-8&method=alipay.trade.page.pay&sign=${'A'.repeat(344)}&version=1.0&app_id=${w.merchants.alipay.appId}&sign_type=RSA2&timestamp=2026-01-01+00%3A00%3A00&alipay_sdk=yansongda&format=JSON&biz_content=${'x'.repeat(220)}`;
    case 'epusdt':
      return `https://${w.merchants.epusdt.host}/pay/checkout-counter/${txnTradeNo}`;
    case 'tokenpay':
      // CreateOrder answers with `data`, the pay page `/Pay?Id=<order Id>` (Wiki/docs.md §1).
      return `https://${w.merchants.tokenpay!.host}/Pay?Id=${txnTradeNo}`;
    default:
      return url(w, '/');
  }
}

interface OrderPlan {
  outcome: 'abandon_bill' | 'abandon_gateway' | 'paid';
  failFirst: 'none' | 'error500' | 'timeout';
  billTabPolls: boolean;
  returns: boolean;
}

function plan(rng: Rng): OrderPlan {
  const r = rng.float();
  const outcome = r < 0.2 ? 'abandon_bill' : r < 0.47 ? 'abandon_gateway' : 'paid';
  const f = rng.float();
  return {
    outcome,
    failFirst: f < 0.06 ? 'error500' : f < 0.1 ? 'timeout' : 'none',
    billTabPolls: rng.chance(0.5),
    returns: rng.chance(0.85),
  };
}

type PollState = 'wait' | 'expired' | 'success';

/** Polls /check-order-status every ~5 s from `fromMs` until `leaveMs` or a final answer. */
function polls(sess: Session, rng: Rng, o: OrderRec, fromMs: number, leaveMs: number, stateAt: (ms: number) => PollState, referer: string): number | null {
  let t = fromMs + rng.int(4500, 5500);
  while (t <= leaveMs) {
    const st = stateAt(t);
    sess.req(t, 'GET', `/check-order-status/${o.orderId}`, 200, Buffer.byteLength(POLL_BODY[st]), referer, st === 'success' ? { pay: o.idx } : undefined);
    if (st !== 'wait') return st === 'success' ? t : null;
    t += rng.int(4800, 5300);
  }
  return null;
}

/** Marks the order paid at `tc` the way completedOrder does; emits the operator lines. Returns false past the window. */
function completeOrder(ctx: SimContext, o: OrderRec, rng: Rng, tc: number, prev: number, txn: GatewayTxn): boolean {
  const w = ctx.w;
  if (tc >= w.endMs) return false;
  o.paidMs = tc;
  o.txn = txn;
  o.updatedMs = tc;
  const g = o.goods;
  if (g.type === 1) {
    const left = ctx.stock.get(g.id) ?? Infinity;
    if (left >= o.qty) {
      for (let i = 0; i < o.qty; i++) o.cards.push(cardKey(rng, g));
      ctx.stock.set(g.id, left - o.qty);
      o.status = 4;
      o.info = o.cards.join('\n');
    } else {
      o.status = 6;
      o.info = '库存可使用卡密不足，请联系客服处理';
    }
  } else {
    o.status = 2;
    o.info = `充值账号：${o.buyer.email}`;
  }
  const price = fenToYuanString(o.actualFen);
  const sn = o.orderId;
  op(ctx, tc, o, { event: 'payment_succeeded', fields: [['order_sn', sn], ['trade_no', txn.tradeNo], ['actual_price', price], ['pay_id', o.pay.id]] }, true);
  op(ctx, tc, o, { event: 'status_changed', fields: [['order_sn', sn], ['from', prev], ['to', o.status]] }, true);
  for (const carmi of o.cards) {
    op(ctx, tc, o, { event: 'card_delivered', fields: [['order_sn', sn], ['email', o.buyer.email], ['goods_id', g.id], ['carmi', carmi]] }, true);
  }
  // only the operator's log has balance lines (balance.ts)
  if (w.opts.logging === 'operator') ctx.balances.push({ merchantId: o.pay.merchantId, ts: tc, orderIdx: o.idx, orderId: o.orderId, changeFen: o.actualFen });
  // processAuto mails the buyer when the cards went out (status 4; not on a stock-out), processManual
  // mails the operator; ApiHook is dispatched after every completion (OrderProcessService completedOrder).
  queueJobs(ctx, rng.fork('queue-paid'), tc, o.status === 6 ? ['ApiHook'] : ['MailSend', 'ApiHook']);
  return true;
}

function setStatus(ctx: SimContext, o: OrderRec, ts: number, to: number, rng: Rng): boolean {
  if (ts >= ctx.w.endMs) return false;
  op(ctx, ts, o, { event: 'status_changed', fields: [['order_sn', o.orderId], ['from', o.status], ['to', to]] }, true);
  adminEditOrder(ctx.w, rng, ts, o.dbId);
  o.status = to;
  o.updatedMs = ts;
  return true;
}

function refund(ctx: SimContext, o: OrderRec, ts: number, rng: Rng): void {
  const w = ctx.w;
  if (ts >= w.endMs || !o.txn) return;
  op(ctx, ts, o, { event: 'refund', fields: [['order_sn', o.orderId], ['amount', fenToYuanString(o.actualFen)], ['trade_no', o.txn.tradeNo]] }, true);
  if (o.status !== 5) setStatus(ctx, o, ts + 1000, 5, rng);
  o.refunded = true;
  if (w.opts.logging === 'operator') ctx.balances.push({ merchantId: o.pay.merchantId, ts: ts + 1000, orderIdx: o.idx, orderId: o.orderId, changeFen: -o.actualFen });
  if (o.pay.gateway === 'alipay') {
    const sendMs = ts + rng.int(3, 20) * 1000;
    const cb = buildCallback(w, o, o.txn, sendMs, rng, 'genuine', 'refund');
    if (w.opts.logging === 'operator') writeCallbackLine(w, sendMs, cb, o.orderId, { pay: o.idx });
    access(w, rng.int(0, w.hosts.length - 1), sendMs + rng.int(80, 300), {
      remoteAddr: w.proxyIp,
      request: `POST ${notifyPath(o.pay)} HTTP/1.1`,
      status: 200,
      bytes: 7,
      ua: cb.ua,
      xff: gatewayIp(w, 'alipay', rng),
    });
  }
}

/** What happens after payment: manual handling, refunds, stock-outs handled by the operator. */
function afterPayment(ctx: SimContext, o: OrderRec, rng: Rng): void {
  const tc = o.paidMs!;
  if (o.status === 2) {
    const t3 = tc + Math.round(rng.exp(2.5 * 3_600_000)) + 300_000;
    if (rng.chance(0.85)) {
      if (setStatus(ctx, o, t3, 3, rng)) {
        const t4 = t3 + rng.int(5, 60) * 60_000;
        if (setStatus(ctx, o, t4, 4, rng)) o.info = `${o.info}\n已处理：充值成功`;
      }
    } else if (setStatus(ctx, o, t3, 5, rng) && rng.chance(0.6)) {
      refund(ctx, o, t3 + rng.int(10, 60) * 60_000, rng);
    }
  } else if (o.status === 6) {
    if (rng.chance(0.5)) refund(ctx, o, tc + rng.int(30, 480) * 60_000, rng);
  } else if (o.status === 4 && rng.chance(0.015)) {
    refund(ctx, o, tc + rng.int(60, 1800) * 60_000, rng);
  }
}

/** Answers one callback attempt: writes the nginx line (and app log lines) and says what the shop replied. */
function handleCallback(
  ctx: SimContext,
  o: OrderRec,
  rng: Rng,
  ms: number,
  cb: CallbackPayload,
  genuine: boolean,
  completedAt: number | null,
  failMode: 'none' | 'error500' | 'timeout',
  xffIp: string,
  forged?: number,
  tradeNo = '',
): { status: number; body: string; processedAt: number | null } {
  const w = ctx.w;
  const gw = o.pay.gateway;
  const call = w.opts.logging === 'platform' ? { sn: o.orderId, fen: cb.claimedFen, tradeNo } : undefined;
  const showsPay = genuine && cb.success ? o.idx : undefined;
  if (w.opts.logging === 'operator') writeCallbackLine(w, ms, cb, o.orderId, { pay: showsPay, forged });
  let status = 200;
  let body = 'success';
  let bytes = 7;
  let processedAt: number | null = null;
  let endMs = ms + rng.int(60, 400);
  const uncaught = gw === 'epay' || gw === 'epusdt' || gw === 'wxpay-v3' || gw === 'tokenpay';
  if (!cb.signatureValid) {
    body = 'fail';
  } else if (completedAt !== null && completedAt <= ms) {
    // completedOrder: 订单已经处理
    if (uncaught) {
      // The order had been paid: with the arguments logged, this line shows it.
      error(ctx, ms + 50, ruleException('订单已经处理', gw, call), call !== undefined && genuine ? o.idx : undefined);
      status = 500;
      body = '';
    } else body = 'fail';
  } else if (cb.claimedFen !== o.actualFen) {
    if (uncaught) {
      error(ctx, ms + 50, ruleException('订单金额不一致', gw, call));
      status = 500;
      body = '';
    } else body = 'fail';
  } else if (failMode === 'error500') {
    error(ctx, ms + 40, dbException(o.orderId, gw));
    status = 500;
    body = '';
  } else if (failMode === 'timeout') {
    processedAt = ms + rng.int(600, 1500);
    status = 499;
    body = '';
    endMs = ms + 15_000 + rng.int(0, 200);
  } else {
    processedAt = ms + rng.int(100, 400);
    if (gw === 'epusdt' || gw === 'tokenpay') body = 'ok';
  }
  if (status === 500) bytes = LARAVEL_500_BYTES;
  else if (status === 499) bytes = 0;
  else bytes = Buffer.byteLength(body);
  const path = notifyPath(o.pay);
  access(
    w,
    rng.int(0, w.hosts.length - 1),
    endMs,
    {
      remoteAddr: w.proxyIp,
      request: cb.method === 'GET' ? `GET ${path}?${cb.query} HTTP/1.1` : `POST ${path} HTTP/1.1`,
      status,
      bytes,
      ua: cb.ua,
      xff: xffIp,
    },
    { pay: cb.method === 'GET' ? showsPay : undefined, forged },
  );
  return { status, body, processedAt };
}

function returnTrip(ctx: SimContext, sess: Session, rng: Rng, o: OrderRec, cbFirst: CallbackPayload, paidAt: number): void {
  const w = ctx.w;
  const t = paidAt + rng.int(1500, 6000);
  const detail = `/detail-order-sn/${o.orderId}`;
  switch (o.pay.gateway) {
    case 'epay': {
      // epay appends the same signed query to return_url; the handler sleeps 2 s, then redirects
      const ret = `/pay/yipay/return_url?order_id=${o.orderId}&${cbFirst.query}`;
      sess.req(t + 2000, 'GET', ret, 302, redirectBodySize(url(w, detail)), `https://${w.merchants.epay.submitHost}/`, { pay: o.idx });
      sess.req(t + 2400 + rng.int(0, 500), 'GET', detail, 200, pageBytes(rng, 6400), `https://${w.merchants.epay.submitHost}/`);
      break;
    }
    case 'alipay': {
      const fields: Record<string, string> = {
        charset: 'utf-8',
        out_trade_no: o.orderId,
        method: 'alipay.trade.page.pay.return',
        total_amount: fenToYuanString(o.actualFen),
        trade_no: o.txn?.tradeNo ?? '',
        auth_app_id: w.merchants.alipay.appId,
        version: '1.0',
        app_id: w.merchants.alipay.appId,
        sign_type: 'RSA2',
        seller_id: w.merchants.alipay.sellerId,
        timestamp: ymdHis(t),
      };
      const signed = signAlipayFields(fields, w.merchants.alipay.rsa.privateKey);
      const q = Object.keys(signed)
        .map((k) => `${phpUrlencode(k)}=${phpUrlencode(signed[k]!)}`)
        .join('&');
      sess.req(t, 'GET', `${detail}?${q}`, 200, pageBytes(rng, 6400), 'https://excashier.alipay.com/', { pay: o.idx });
      break;
    }
    case 'epusdt':
      sess.req(t, 'GET', `/pay/epusdt/return_url?order_id=${o.orderId}`, 302, redirectBodySize(url(w, detail)), `https://${w.merchants.epusdt.host}/`);
      sess.req(t + rng.int(200, 600), 'GET', detail, 200, pageBytes(rng, 6400), `https://${w.merchants.epusdt.host}/`);
      break;
    case 'tokenpay':
      sess.req(t, 'GET', `/pay/tokenpay/return_url?order_id=${o.orderId}`, 302, redirectBodySize(url(w, detail)), `https://${w.merchants.tokenpay!.host}/`);
      sess.req(t + 2000 + rng.int(200, 600), 'GET', detail, 200, pageBytes(rng, 6400), `https://${w.merchants.tokenpay!.host}/`);
      break;
    default:
      break;
  }
}

/** Simulates one dujiaoka order end to end. */
export function simulateDujiaokaOrder(ctx: SimContext, idx: number, createdMs: number, buyer: Buyer, goods: Goods, pay: PayRow, sn: string): OrderRec {
  const w = ctx.w;
  const rng = w.rng.fork(`order${idx}`);
  const sess = new Session(w, buyer, rng.fork('session'));
  const qty = rng.chance(0.88) ? 1 : rng.int(2, 5);
  const totalFen = goods.priceFen * qty;
  const o: OrderRec = {
    idx,
    dbId: idx + 1,
    orderId: sn,
    title: `${goods.title} x ${qty}`,
    createdMs,
    goods,
    qty,
    totalFen,
    actualFen: totalFen,
    pay,
    buyer,
    searchPwd: rng.chance(0.3) ? rng.chars(6, 'abcdefghijkmnpqrstuvwxyz23456789') : '',
    status: 1,
    updatedMs: createdMs,
    paidMs: null,
    txn: null,
    cards: [],
    info: '',
    deliveryStatus: 0,
    refunded: false,
    norm: 'created',
    genuineNotifies: 0,
  };
  const p = plan(rng);

  // browsing, then the order form
  let t = createdMs - rng.int(20, 240) * 1000;
  const ext = rng.weighted(EXTERNAL_REFERERS);
  let ref = ext;
  if (rng.chance(0.55)) {
    sess.req(t, 'GET', '/', 200, pageBytes(rng, 15800), ext);
    staticAssets(sess, rng, t, url(w, '/'), 'dujiaoka');
    ref = url(w, '/');
    t += rng.int(5, 60) * 1000;
    if (t > createdMs - 5000) t = createdMs - 5000;
  }
  const buyUrl = url(w, `/buy/${goods.id}`);
  sess.req(t, 'GET', `/buy/${goods.id}`, 200, pageBytes(rng, 9200), ref);
  sess.req(createdMs, 'POST', '/create-order', 302, redirectBodySize(url(w, `/bill/${sn}`)), buyUrl);
  op(
    ctx,
    createdMs,
    o,
    {
      event: 'order_created',
      fields: [['order_sn', sn], ['goods_id', goods.id], ['email', buyer.email], ['actual_price', fenToYuanString(o.actualFen)], ['pay_id', pay.id], ['buy_ip', buyer.ip]],
      extras: [['title', o.title], ['buy_amount', qty]],
    },
    false,
  );
  const billAt = createdMs + rng.int(300, 900);
  const billUrl = url(w, `/bill/${sn}`);
  sess.req(billAt, 'GET', `/bill/${sn}`, 200, pageBytes(rng, 5400), buyUrl);

  const expireAt = createdMs + w.orderExpireMin * 60_000;
  let completedAt: number | null = null;
  let firstCb: CallbackPayload | null = null;
  let paidAtGateway: number | null = null;
  let pageAt = billAt;
  let txn: GatewayTxn | null = null;

  if (p.outcome !== 'abandon_bill') {
    const gwAt = billAt + rng.int(3, 45) * 1000;
    const pp = payPath(pay, sn);
    sess.req(gwAt, 'GET', payGatewayPath(pay, sn), 302, redirectBodySize(url(w, pp)), billUrl);
    pageAt = gwAt + rng.int(150, 600);
    if (p.outcome === 'paid') {
      paidAtGateway = pageAt + Math.min(270_000, Math.round(rng.logNormal(45_000, 0.6)));
      txn = makeGatewayTxn(rng, w, pay, pageAt, paidAtGateway, o.actualFen);
    }
    if (pay.method === 'scan') sess.req(pageAt, 'GET', pp, 200, pageBytes(rng, 4700), billUrl);
    else sess.req(pageAt, 'GET', pp, 302, redirectBodySize(gatewayRedirectUrl(w, pay, o, txn?.tradeNo ?? sn)), billUrl);
  }

  if (txn && paidAtGateway !== null) {
    const firstMs = paidAtGateway + rng.int(800, 3000);
    const cbRng = rng.fork('callbacks');
    let cb = buildCallback(w, o, txn, firstMs, cbRng, 'genuine');
    firstCb = cb;
    o.genuinePayload = cb;
    o.genuineNotifies = runAttempts(w, pay.gateway, firstMs, cbRng, (k, ms) => {
      if (k > 0 && pay.gateway === 'alipay') cb = buildCallback(w, o, txn!, ms, cbRng, 'genuine');
      const r = handleCallback(ctx, o, cbRng, ms, cb, true, completedAt, k === 0 ? p.failFirst : 'none', gatewayIp(w, pay.gateway, cbRng), undefined, txn!.tradeNo);
      if (r.processedAt !== null && completedAt === null) completedAt = r.processedAt;
      return r;
    });
  }

  // expiry job, then completion (a payment that lands after expiry still completes: -1 → 4)
  const expiresFirst = expireAt < w.endMs && (completedAt === null || completedAt > expireAt);
  if (expiresFirst) {
    op(ctx, expireAt, o, { event: 'status_changed', fields: [['order_sn', sn], ['from', 1], ['to', -1]] }, false);
    o.status = -1;
    o.updatedMs = expireAt;
  }
  // OrderExpired runs order_expire_time after creation for every order; it expires an unpaid
  // one and then dispatches CouponBack (app/Jobs/OrderExpired.php).
  if (expireAt < w.endMs) queueJobs(ctx, rng.fork('queue-expiry'), expireAt, expiresFirst ? ['OrderExpired', 'CouponBack'] : ['OrderExpired']);
  let completed = false;
  if (completedAt !== null && txn) {
    completed = completeOrder(ctx, o, rng, completedAt, expiresFirst ? -1 : 1, txn);
    if (!completed) completedAt = null;
  }
  const stateAt = (ms: number): PollState => (completedAt !== null && ms >= completedAt ? 'success' : ms >= expireAt ? 'expired' : 'wait');

  // the buyer's page: QR page polling, or the bill tab left open
  const leaveAt = paidAtGateway !== null ? paidAtGateway + 600_000 : pageAt + Math.min(600_000, Math.round(rng.exp(90_000)) + 10_000);
  let successPollAt: number | null = null;
  if (p.outcome !== 'abandon_bill' && pay.method === 'scan') successPollAt = polls(sess, rng, o, pageAt, leaveAt, stateAt, url(w, payPath(pay, sn)));
  else if (p.billTabPolls) successPollAt = polls(sess, rng, o, billAt, leaveAt, stateAt, billUrl);
  if (successPollAt !== null) sess.req(successPollAt + rng.int(600, 1500), 'GET', `/detail-order-sn/${sn}`, 200, pageBytes(rng, 6400), url(w, payPath(pay, sn)));
  if (paidAtGateway !== null && firstCb && pay.method === 'redirect' && p.returns) returnTrip(ctx, sess, rng, o, firstCb, paidAtGateway);

  if (completed) {
    afterPayment(ctx, o, rng);
    if (rng.chance(0.1)) sess.req(o.paidMs! + rng.int(1, 48) * 3_600_000, 'GET', `/detail-order-sn/${sn}`, 200, pageBytes(rng, 6400), '-');
  }
  return o;
}

/** Simulates every dujiaoka order of the run (creation times sorted ascending). */
export function simulateDujiaoka(ctx: SimContext, createdTimes: readonly number[], pool: BuyerPool): void {
  const w = ctx.w;
  const used = ctx.ids ?? new Map<string, number>();
  const pick = w.rng.fork('order-picks');
  const goodsWeights = w.catalogue.map((g) => g.weight);
  const payWeights = w.pays.map((p) => p.weight);
  for (let i = 0; i < createdTimes.length; i++) {
    let sn = dujiaokaOrderSn(pick);
    while (used.has(sn)) sn = dujiaokaOrderSn(pick);
    used.set(sn, i);
    const buyer = pickBuyer(pick, pool);
    const goods = w.catalogue[pick.weightedIndex(goodsWeights)]!;
    const pay = w.pays[pick.weightedIndex(payWeights)]!;
    const o = simulateDujiaokaOrder(ctx, i, createdTimes[i]!, buyer, goods, pay, sn);
    if (ctx.onOrder) ctx.onOrder(o);
    else ctx.orders.push(o);
  }
}

/** The shop's answer to a forged or replayed callback (the order's state at `ms` decides it). */
export function dujiaokaForgedCallback(ctx: SimContext, o: OrderRec, rng: Rng, ms: number, cb: CallbackPayload, ip: string, forged: number): void {
  const completedAt = o.paidMs !== null && o.paidMs <= ms ? o.paidMs : null;
  handleCallback(ctx, o, rng, ms, cb, false, completedAt, 'none', ip, forged, o.txn?.tradeNo ?? '');
}
