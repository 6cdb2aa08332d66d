// 异次元发卡 acg-faka (≥ 3.5.9): buyer trail, callbacks to /user/api/order/callback.{trade_no},
// the plugin runtime.log, and the `{prefix}order` row at the end of the window (NOTES §2).
// With --logging platform, what acg-faka 3.6.0 itself writes (docs/log-shapes.md): refusals
// answered {"code":0,"msg":"fail"} (kernel/Kernel.php), runtime.log in the code's wording
// (订单金额不匹配), and the request log runtime/request/<md5>/<Y-m-d>.log, on by default
// (kernel/Util/RequestLogger.php), with secret-looking keys masked "***" (kernel/Helper.php).
// The other modes are unchanged.
import { createHash } from 'node:crypto';
import type { Buyer, BuyerPool } from '../buyers';
import { pickBuyer } from '../buyers';
import { cardKey, type Goods } from '../catalogue';
import { acgTradeNo } from '../ids';
import { fenToYuanString } from '../money';
import type { Rng } from '../prng';
import { pageBytes, Session } from '../session';
import { ymd, ymdHis } from '../time';
import { access, type PayRow, type World } from '../world';
import { adminEditOrder } from './admin';
import { buildCallback, gatewayIp, makeGatewayTxn, type CallbackPayload, type GatewayTxn } from './callbacks';
import { staticAssets } from './dujiaoka';
import { runAttempts, type OrderRec, type SimContext } from './order';

export function runtimeSink(pay: PayRow): string {
  return `app/Pay/${pay.handleroute}/runtime.log`;
}

function url(w: World, path: string): string {
  return `https://${w.site}${path}`;
}

function runtimeLog(w: World, pay: PayRow, ms: number, message: string, forged?: number): void {
  w.bus.emit(runtimeSink(pay), ms, `[CALLBACK][${ymdHis(ms)}]:${message}`, forged === undefined ? undefined : { forged });
}

const isPlatform = (w: World): boolean => w.opts.logging === 'platform';

/** acg-faka ≥ 3.5.9's answer to every refused callback: a JSONException rendered by kernel/Kernel.php (23 bytes). */
const PLATFORM_REFUSAL = JSON.stringify({ code: 0, msg: 'fail' });

/** runtime/request/<md5(database password)>: the password is the simulated shop's own. */
const REQUEST_LOG_DIR = `runtime/request/${createHash('md5').update('salvage-sim-db-password', 'utf8').digest('hex')}`;

/** kernel/Helper.php maskSensitive (3.5.0+): the key pattern, applied at every depth. */
const SENSITIVE = /(pass|pwd|secret|token|cookie|authorization|salt|private_?key|public_?key|app_?secret|api_?key|mch_?key|md5_?key|(^|_)key$|(^|_)sign$)/i;

function maskSensitive(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    out[k] = x !== null && typeof x === 'object' ? maskSensitive(x) : x !== null && x !== '' && SENSITIVE.test(k) ? '***' : x;
  }
  return out;
}

interface RequestRecord {
  ip: string;
  method: string;
  /** REQUEST_URI: path and query as sent. */
  uri: string;
  ua: string;
  referer?: string;
  post?: Record<string, unknown>;
  json?: Record<string, unknown>;
  contentType?: string;
}

/** One line of acg-faka's request log (platform logging only), written as the request arrives. */
function requestLog(w: World, ms: number, r: RequestRecord, extra?: { pay?: number; forged?: number }): void {
  if (!isPlatform(w) || !w.bus.inWindow(ms)) return;
  const q = r.uri.indexOf('?');
  const path = q < 0 ? r.uri : r.uri.slice(0, q);
  // $_GET: the rewrite's `s` (BT panel: rewrite ^(.*)$ /index.php?s=$1) then the query.
  const get: Record<string, unknown> = { s: path };
  if (q >= 0) for (const [k, v] of new URLSearchParams(r.uri.slice(q + 1))) get[k] = v;
  const headers: Record<string, string> = { Host: w.site, UserAgent: r.ua };
  if (r.contentType !== undefined) headers.ContentType = r.contentType;
  // PHP's empty array is `[]` in json_encode.
  const arr = (o: Record<string, unknown> | undefined): unknown => (o === undefined || Object.keys(o).length === 0 ? [] : maskSensitive(o));
  const line = JSON.stringify({
    time: ymdHis(ms),
    ip: r.ip,
    method: r.method,
    uri: r.uri,
    user_agent: r.ua,
    referer: r.referer === undefined || r.referer === '-' ? '' : r.referer,
    get: maskSensitive(get),
    post: arr(r.post),
    json: arr(r.json),
    raw_body: '',
    cookies: [],
    headers: maskSensitive(headers),
  });
  w.bus.emit(`${REQUEST_LOG_DIR}/${ymd(ms)}.log`, ms, line, extra);
}

/** The callback as acg-faka's request log records it: GET query, form POST, or decoded JSON. */
function callbackRecord(o: OrderRec, cb: CallbackPayload, path: string, ip: string): RequestRecord {
  const base = { ip, method: cb.method, ua: cb.ua };
  if (cb.method === 'GET') return { ...base, uri: `${path}?${cb.query}` };
  switch (o.pay.gateway) {
    case 'alipay':
      return { ...base, uri: path, post: cb.opContext, contentType: 'application/x-www-form-urlencoded; charset=utf-8' };
    case 'epusdt':
      return { ...base, uri: path, json: cb.opContext, contentType: 'application/json' };
    case 'wxpay-v3':
      return { ...base, uri: path, json: (cb.opContext.body ?? {}) as Record<string, unknown>, contentType: 'application/json' };
    default:
      // WeChat v2 XML: not decoded into post/json, and raw_body is not kept (3.5.0+).
      return { ...base, uri: path, contentType: 'text/xml' };
  }
}

function successBody(pay: PayRow): string {
  return pay.gateway === 'epusdt' ? 'ok' : 'success';
}

function handleCallback(
  w: World,
  o: OrderRec,
  rng: Rng,
  ms: number,
  cb: CallbackPayload,
  genuine: boolean,
  completedAt: number | null,
  failMode: 'none' | 'error500' | 'timeout',
  xffIp: string,
  forged?: number,
): { status: number; body: string; processedAt: number | null } {
  let status = 200;
  let body = successBody(o.pay);
  const platform = isPlatform(w);
  const refusal = platform ? PLATFORM_REFUSAL : 'fail';
  let processedAt: number | null = null;
  let endMs = ms + rng.int(60, 400);
  if (!cb.signatureValid) {
    runtimeLog(w, o.pay, ms, '签名验证失败', forged);
    body = refusal;
  } else if (completedAt !== null && completedAt <= ms) {
    runtimeLog(w, o.pay, ms, '重复通知，当前订单已支付', forged);
    body = refusal;
  } else if (cb.claimedFen !== o.actualFen) {
    // The code says 订单金额不匹配 (app/Service/Bind/Order.php); the older modes keep their text.
    runtimeLog(w, o.pay, ms, platform ? '订单金额不匹配' : '订单金额不一致', forged);
    body = refusal;
  } else if (failMode === 'error500') {
    status = 500;
    body = '';
  } else if (failMode === 'timeout') {
    status = 499;
    body = '';
    processedAt = ms + rng.int(600, 1500);
    endMs = ms + 15_000 + rng.int(0, 200);
  } else {
    processedAt = ms + rng.int(100, 400);
  }
  const bytes = status === 500 ? 1435 : status === 499 ? 0 : Buffer.byteLength(body);
  const path = `/user/api/order/callback.${o.orderId}`;
  requestLog(w, ms, callbackRecord(o, cb, path, xffIp), { pay: genuine ? o.idx : undefined, forged });
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
    { pay: genuine ? o.idx : undefined, forged },
  );
  return { status, body, processedAt };
}

function complete(ctx: SimContext, o: OrderRec, rng: Rng, tc: number, txn: GatewayTxn): boolean {
  if (tc >= ctx.w.endMs) return false;
  o.status = 1;
  o.paidMs = tc;
  o.updatedMs = tc;
  o.txn = txn;
  if (o.goods.type === 1) {
    const left = ctx.stock.get(o.goods.id) ?? Infinity;
    if (left >= o.qty) {
      for (let i = 0; i < o.qty; i++) o.cards.push(cardKey(rng, o.goods));
      ctx.stock.set(o.goods.id, left - o.qty);
      o.info = o.cards.join('\n');
      o.deliveryStatus = 1;
    }
  } else {
    const td = tc + Math.round(rng.exp(3 * 3_600_000)) + 300_000;
    if (td < ctx.w.endMs && rng.chance(0.9)) {
      adminEditOrder(ctx.w, rng, td, o.dbId);
      o.info = '已发货：充值成功';
      o.deliveryStatus = 1;
      o.updatedMs = td;
    }
  }
  return true;
}

/** Simulates one acg-faka order end to end. */
export function simulateAcgOrder(ctx: SimContext, idx: number, createdMs: number, buyer: Buyer, goods: Goods, pay: PayRow, tradeNo: string): OrderRec {
  const w = ctx.w;
  const rng = w.rng.fork(`order${idx}`);
  const sess = new Session(w, buyer, rng.fork('session'));
  const qty = rng.chance(0.9) ? 1 : rng.int(2, 5);
  const totalFen = goods.priceFen * qty;
  const o: OrderRec = {
    idx,
    dbId: idx + 1,
    orderId: tradeNo,
    title: goods.title,
    createdMs,
    goods,
    qty,
    totalFen,
    actualFen: totalFen,
    pay,
    buyer,
    searchPwd: rng.chance(0.4) ? rng.chars(6, 'abcdefghijkmnpqrstuvwxyz23456789') : '',
    status: 0,
    updatedMs: createdMs,
    paidMs: null,
    txn: null,
    cards: [],
    info: '',
    deliveryStatus: 0,
    refunded: false,
    norm: 'created',
    genuineNotifies: 0,
    requestNo: `${rng.int(100, 999)}${rng.digits(16)}`,
  };
  const r = rng.float();
  const outcome = r < 0.18 ? 'abandon_form' : r < 0.45 ? 'abandon_gateway' : 'paid';
  const f = rng.float();
  const failFirst = f < 0.06 ? 'error500' : f < 0.1 ? 'timeout' : 'none';

  let t = createdMs - rng.int(20, 240) * 1000;
  if (rng.chance(0.6)) {
    sess.req(t, 'GET', '/', 200, pageBytes(rng, 12600), rng.pick(['-', '-', 'https://www.baidu.com/', 'https://t.me/']));
    staticAssets(sess, rng, t, url(w, '/'), 'acg-faka');
    t = Math.min(createdMs - 5000, t + rng.int(5, 60) * 1000);
  }
  const itemUrl = url(w, `/item/${goods.id}`);
  sess.req(t, 'GET', `/item/${goods.id}`, 200, pageBytes(rng, 8100), url(w, '/'));
  const payPage = `/user/pay/order.${tradeNo}.1`;
  let txn: GatewayTxn | null = null;
  let paidAt: number | null = null;
  const pageAt = createdMs + rng.int(300, 900);
  // trade reply: {"code":200,"msg":"下单成功","data":{"url":…,"amount":…,"tradeNo":…,"secret":null}}
  const replyUrl = pay.method === 'scan' ? url(w, payPage) : `https://${w.merchants.epusdt.host}/pay/checkout-counter/${tradeNo}`;
  o.payUrl = replyUrl;
  sess.req(createdMs, 'POST', '/user/api/order/trade', 200, 92 + replyUrl.length + fenToYuanString(totalFen).length + tradeNo.length, itemUrl);
  const asBuyer = (uri: string, method: string, referer?: string, post?: Record<string, unknown>): RequestRecord => ({ ip: buyer.ip, method, uri, ua: buyer.ua, referer, post });
  requestLog(w, createdMs, asBuyer('/user/api/order/trade', 'POST', itemUrl, { item_id: String(goods.id), num: String(qty), contact: buyer.contact, pay_id: String(pay.id), password: o.searchPwd, request_no: o.requestNo }));
  if (outcome !== 'abandon_form') {
    if (pay.method === 'scan') {
      sess.req(pageAt, 'GET', payPage, 200, pageBytes(rng, 3600), itemUrl);
      requestLog(w, pageAt, asBuyer(payPage, 'GET', itemUrl));
    }
    if (outcome === 'paid') {
      paidAt = pageAt + Math.min(270_000, Math.round(rng.logNormal(45_000, 0.6)));
      txn = makeGatewayTxn(rng, w, pay, pageAt, paidAt, totalFen);
    }
  }
  let completedAt: number | null = null;
  let firstCb: CallbackPayload | null = null;
  if (txn && paidAt !== null) {
    const cbRng = rng.fork('callbacks');
    const firstMs = paidAt + rng.int(800, 3000);
    let cb = buildCallback(w, o, txn, firstMs, cbRng, 'genuine');
    firstCb = cb;
    o.genuinePayload = cb;
    o.genuineNotifies = runAttempts(w, pay.gateway, firstMs, cbRng, (k, ms) => {
      if (k > 0 && pay.gateway === 'alipay') cb = buildCallback(w, o, txn!, ms, cbRng, 'genuine');
      const res = handleCallback(w, o, cbRng, ms, cb, true, completedAt, k === 0 ? failFirst : 'none', gatewayIp(w, pay.gateway, cbRng));
      if (res.processedAt !== null && completedAt === null) completedAt = res.processedAt;
      return res;
    });
  }
  if (completedAt !== null && txn && !complete(ctx, o, rng, completedAt, txn)) completedAt = null;

  // polling: POST /user/api/order/state (the trade number is in the body, not the URL)
  if (outcome !== 'abandon_form' && pay.method === 'scan') {
    const leave = paidAt !== null ? paidAt + 600_000 : pageAt + Math.min(600_000, Math.round(rng.exp(90_000)) + 10_000);
    for (let tp = pageAt + rng.int(2500, 3500); tp <= leave; tp += rng.int(2800, 3300)) {
      const paid = completedAt !== null && tp >= completedAt;
      sess.req(tp, 'POST', '/user/api/order/state', 200, paid ? 58 : 54, url(w, payPage));
      requestLog(w, tp, asBuyer('/user/api/order/state', 'POST', url(w, payPage), { tradeNo }));
      if (paid) break;
    }
  }
  // return: guests land on /user/index/query?tradeNo=…; epay appends its signed query
  if (firstCb && paidAt !== null && rng.chance(0.85)) {
    const q = `/user/index/query?tradeNo=${tradeNo}${firstCb.method === 'GET' ? `&${firstCb.query}` : ''}`;
    const referer = pay.gateway === 'epay' ? `https://${w.merchants.epay.submitHost}/` : pay.method === 'scan' ? url(w, payPage) : `https://${w.merchants.epusdt.host}/`;
    const back = paidAt + rng.int(2000, 6000);
    sess.req(back, 'GET', q, 200, pageBytes(rng, 7300), referer, firstCb.method === 'GET' ? { pay: idx } : undefined);
    requestLog(w, back, asBuyer(q, 'GET', referer));
  }
  if (completedAt !== null && rng.chance(0.15)) {
    const later = completedAt + rng.int(1, 48) * 3_600_000;
    sess.req(later, 'GET', `/user/index/query?tradeNo=${tradeNo}`, 200, pageBytes(rng, 7300), '-');
    requestLog(w, later, asBuyer(`/user/index/query?tradeNo=${tradeNo}`, 'GET'));
  }
  return o;
}

export function simulateAcgFaka(ctx: SimContext, createdTimes: readonly number[], pool: BuyerPool): void {
  const w = ctx.w;
  const used = ctx.ids ?? new Map<string, number>();
  const pick = w.rng.fork('order-picks');
  const goodsWeights = w.catalogue.map((g) => g.weight);
  const payWeights = w.pays.map((p) => p.weight);
  for (let i = 0; i < createdTimes.length; i++) {
    let tn = acgTradeNo(pick, createdTimes[i]!);
    while (used.has(tn)) tn = acgTradeNo(pick, createdTimes[i]!);
    used.set(tn, i);
    const buyer = pickBuyer(pick, pool);
    const goods = w.catalogue[pick.weightedIndex(goodsWeights)]!;
    const pay = w.pays[pick.weightedIndex(payWeights)]!;
    const o = simulateAcgOrder(ctx, i, createdTimes[i]!, buyer, goods, pay, tn);
    if (ctx.onOrder) ctx.onOrder(o);
    else ctx.orders.push(o);
  }
}

export function acgForgedCallback(ctx: SimContext, o: OrderRec, rng: Rng, ms: number, cb: CallbackPayload, ip: string, forged: number): void {
  const completedAt = o.paidMs !== null && o.paidMs <= ms ? o.paidMs : null;
  handleCallback(ctx.w, o, rng, ms, cb, false, completedAt, 'none', ip, forged);
}
