// Gateway-side transactions and the callbacks (notifies) the gateways send for them, genuine or forged.
import { signAlipayFields } from '../gateways/alipay';
import { httpBuildQuery } from '../gateways/encode';
import { buildEpayNotify } from '../gateways/epay';
import { buildEpusdtNotify, epusdtJson } from '../gateways/epusdt';
import { tokenpayNotify } from '../gateways/tokenpay';
import type { GatewayName } from '../gateways/retry';
import { buildWxV3Body, signWxV2Fields, wxV2Xml } from '../gateways/wechatpay';
import {
  alipayNotifyId,
  alipayTradeNo,
  alipayUserId,
  epayTradeNo,
  epusdtTradeId,
  tokenpayOrderId,
  tronAddress,
  wxNonce,
  wxOpenId,
  wxTransactionId,
  wxV3EventId,
} from '../ids';
import { fenToYuan, fenToYuanString } from '../money';
import type { Rng } from '../prng';
import { compactYmdHis, isoLocal, ymdHis } from '../time';
import type { PhpArray } from '../vocabulary/php-output';
import { EPAY_UA, type PayRow, type World } from '../world';

/** What the gateway knows about a payment. Created once per paid order. */
export interface GatewayTxn {
  gateway: GatewayName;
  tradeNo: string;
  createdMs: number;
  paidMs: number;
  // Alipay
  notifyId?: string;
  buyerId?: string;
  buyerLogonId?: string;
  // WeChat
  openid?: string;
  nonce?: string;
  v3EventId?: string;
  v3Nonce?: string;
  // epusdt, TokenPay
  usdt?: number;
  blockTx?: string;
  /** TokenPay: the paying wallet. */
  fromAddress?: string;
}

export interface OrderRef {
  orderId: string;
  title: string;
  actualFen: number;
  pay: PayRow;
  /** dujiaoka sends the buyer's email to TokenPay as OrderUserKey. */
  buyer?: { email: string };
}

export type CallbackVariant = 'genuine' | 'bad_signature' | 'wrong_amount';

/** One callback request as it reaches the shop. */
export interface CallbackPayload {
  gateway: GatewayName;
  method: 'GET' | 'POST';
  /** Query string for GET callbacks (without `?`), '' otherwise. */
  query: string;
  ua: string;
  /** The operator log message and context (docs/log-shapes.md operator lines). */
  opMessage: string;
  opContext: Record<string, unknown>;
  /** The payload as the shop's PHP holds it after parsing (for `--vocabulary` lines). */
  fields: PhpArray;
  /** The body on the wire: the GET query, the form body, the XML or the JSON text. */
  raw: string;
  claimedFen: number;
  signatureValid: boolean;
  /** TRADE_SUCCESS-like payment notification (false for e.g. Alipay TRADE_CLOSED after a refund). */
  success: boolean;
}

function maskLogon(rng: Rng): string {
  if (rng.chance(0.5)) return `1${rng.pick(['3', '5', '8'])}${rng.digits(1)}******${rng.digits(2)}`;
  return `${rng.chars(3, 'abcdefghijklmnopqrstuvwxyz')}***@${rng.pick(['qq.com', '163.com', 'gmail.com'])}`;
}

export function makeGatewayTxn(rng: Rng, w: World, pay: PayRow, createdMs: number, paidMs: number, actualFen: number): GatewayTxn {
  switch (pay.gateway) {
    case 'epay':
      return { gateway: 'epay', tradeNo: epayTradeNo(rng, createdMs), createdMs, paidMs };
    case 'alipay':
      return {
        gateway: 'alipay',
        tradeNo: alipayTradeNo(rng, createdMs),
        createdMs,
        paidMs,
        notifyId: alipayNotifyId(rng, paidMs),
        buyerId: alipayUserId(rng),
        buyerLogonId: maskLogon(rng),
      };
    case 'wxpay-v2':
    case 'wxpay-v3':
      return {
        gateway: pay.gateway,
        tradeNo: wxTransactionId(rng, paidMs),
        createdMs,
        paidMs,
        openid: wxOpenId(rng),
        nonce: wxNonce(rng),
        v3EventId: wxV3EventId(rng),
        v3Nonce: wxNonce(rng, 12),
      };
    case 'epusdt': {
      const usdt = Math.round((actualFen / 100 / w.merchants.epusdt.cnyPerUsdt) * 10000) / 10000;
      return { gateway: 'epusdt', tradeNo: epusdtTradeId(rng, createdMs), createdMs, paidMs, usdt: Math.max(0.0001, usdt), blockTx: rng.hex(64) };
    }
    case 'tokenpay': {
      const usdt = Math.round((actualFen / 100 / w.merchants.tokenpay!.cnyPerUsdt) * 100) / 100;
      return { gateway: 'tokenpay', tradeNo: tokenpayOrderId(rng, createdMs), createdMs, paidMs, usdt: Math.max(0.01, usdt), blockTx: rng.hex(64), fromAddress: tronAddress(rng) };
    }
  }
}

function badAmount(rng: Rng, actualFen: number): number {
  const r = rng.float();
  if (r < 0.5 || actualFen <= 2) return 1;
  return Math.max(1, Math.floor(actualFen / rng.int(5, 100)));
}

/** Builds the callback for a payment (or a refund close) at `sendMs`. */
export function buildCallback(
  w: World,
  o: OrderRef,
  txn: GatewayTxn,
  sendMs: number,
  rng: Rng,
  variant: CallbackVariant,
  kind: 'paid' | 'refund' = 'paid',
): CallbackPayload {
  const m = w.merchants;
  const claimedFen = variant === 'wrong_amount' ? badAmount(rng, o.actualFen) : o.actualFen;
  switch (o.pay.gateway) {
    case 'epay': {
      const n = buildEpayNotify(
        {
          pid: m.epay.pid,
          tradeNo: txn.tradeNo,
          outTradeNo: o.orderId,
          type: o.pay.epayType ?? 'alipay',
          name: o.title,
          money: fenToYuanString(claimedFen),
        },
        m.epay.key,
        variant === 'bad_signature' ? rng.hex(32) : undefined,
      );
      return {
        gateway: 'epay',
        method: 'GET',
        query: n.query,
        ua: EPAY_UA,
        opMessage: '易支付回调',
        opContext: n.params,
        fields: n.params,
        raw: n.query,
        claimedFen,
        signatureValid: variant !== 'bad_signature',
        success: true,
      };
    }
    case 'alipay': {
      const amount = fenToYuanString(o.actualFen);
      const claimed = fenToYuanString(claimedFen);
      const fields: Record<string, string> = {
        gmt_create: ymdHis(txn.createdMs),
        charset: 'utf-8',
        subject: o.title,
        buyer_id: txn.buyerId!,
        invoice_amount: claimed,
        notify_id: txn.notifyId!,
        fund_bill_list: JSON.stringify([{ amount: claimed, fundChannel: rng.pick(['ALIPAYACCOUNT', 'PCREDIT', 'BANKCARD']) }]),
        notify_type: 'trade_status_sync',
        trade_status: kind === 'refund' ? 'TRADE_CLOSED' : 'TRADE_SUCCESS',
        receipt_amount: claimed,
        buyer_pay_amount: claimed,
        app_id: m.alipay.appId,
        sign_type: 'RSA2',
        seller_id: m.alipay.sellerId,
        gmt_payment: ymdHis(txn.paidMs),
        notify_time: ymdHis(sendMs),
        version: '1.0',
        out_trade_no: o.orderId,
        total_amount: claimed,
        trade_no: txn.tradeNo,
        auth_app_id: m.alipay.appId,
        buyer_logon_id: txn.buyerLogonId!,
        point_amount: '0.00',
      };
      if (kind === 'refund') {
        fields.gmt_refund = `${ymdHis(sendMs)}.${String(rng.int(0, 999)).padStart(3, '0')}`;
        fields.gmt_close = ymdHis(sendMs);
        fields.refund_fee = amount;
        fields.out_biz_no = `RF${o.orderId}`;
      }
      let signOverride: string | undefined;
      if (variant === 'bad_signature') signOverride = rng.bytes(256).toString('base64');
      if (variant === 'wrong_amount') {
        // the amount was tampered with after signing: the signature is Alipay's, over the real amount
        const real: Record<string, string> = { ...fields, invoice_amount: amount, receipt_amount: amount, buyer_pay_amount: amount, total_amount: amount };
        real.fund_bill_list = fields.fund_bill_list!.replace(claimed, amount);
        signOverride = signAlipayFields(real, m.alipay.rsa.privateKey).sign;
      }
      const signed = signAlipayFields(fields, m.alipay.rsa.privateKey, signOverride);
      return {
        gateway: 'alipay',
        method: 'POST',
        query: '',
        ua: 'Mozilla/4.0',
        opMessage: '支付宝回调',
        opContext: signed,
        fields: signed,
        raw: httpBuildQuery(Object.entries(signed)),
        claimedFen,
        signatureValid: variant === 'genuine',
        success: kind === 'paid',
      };
    }
    case 'wxpay-v2': {
      const fee = String(claimedFen);
      const fields: Record<string, string> = {
        appid: m.wechat.appid,
        bank_type: 'OTHERS',
        cash_fee: fee,
        fee_type: 'CNY',
        is_subscribe: 'N',
        mch_id: m.wechat.mchId,
        nonce_str: txn.nonce!,
        openid: txn.openid!,
        out_trade_no: o.orderId,
        result_code: 'SUCCESS',
        return_code: 'SUCCESS',
        time_end: compactYmdHis(txn.paidMs),
        total_fee: fee,
        trade_type: 'NATIVE',
        transaction_id: txn.tradeNo,
      };
      const type = m.wechat.v2SignType;
      const override = variant === 'bad_signature' ? rng.hex(type === 'MD5' ? 32 : 64).toUpperCase() : undefined;
      const signed = signWxV2Fields(fields, m.wechat.key, type, override);
      const xml = wxV2Xml(signed);
      return {
        gateway: 'wxpay-v2',
        method: 'POST',
        query: '',
        ua: 'Mozilla/4.0',
        opMessage: '微信支付回调',
        opContext: { xml },
        fields: signed,
        raw: xml,
        claimedFen,
        signatureValid: variant !== 'bad_signature',
        success: true,
      };
    }
    case 'wxpay-v3': {
      const body = buildWxV3Body(
        txn.v3EventId!,
        isoLocal(sendMs),
        {
          appid: m.wechat.appid,
          mchid: m.wechat.mchId,
          out_trade_no: o.orderId,
          transaction_id: txn.tradeNo,
          trade_type: 'NATIVE',
          trade_state: 'SUCCESS',
          trade_state_desc: '支付成功',
          bank_type: 'OTHERS',
          attach: '',
          success_time: isoLocal(txn.paidMs),
          payer: { openid: txn.openid! },
          amount: { total: claimedFen, payer_total: claimedFen, currency: 'CNY', payer_currency: 'CNY' },
        },
        m.wechat.apiv3Key,
        txn.v3Nonce!,
      );
      if (variant === 'bad_signature') {
        body.resource.ciphertext = rng.bytes(Buffer.from(body.resource.ciphertext, 'base64').length).toString('base64');
      }
      return {
        gateway: 'wxpay-v3',
        method: 'POST',
        query: '',
        ua: 'Wechatpay-HttpClient/1.0',
        opMessage: '微信支付回调',
        opContext: { body },
        fields: body as unknown as PhpArray,
        raw: JSON.stringify(body),
        claimedFen,
        signatureValid: variant !== 'bad_signature',
        success: true,
      };
    }
    case 'epusdt': {
      const usdt = variant === 'wrong_amount' ? Math.max(0.0001, Math.round((claimedFen / 100 / m.epusdt.cnyPerUsdt) * 10000) / 10000) : txn.usdt!;
      const n = buildEpusdtNotify(
        {
          trade_id: txn.tradeNo,
          order_id: o.orderId,
          amount: fenToYuan(claimedFen),
          actual_amount: usdt,
          token: m.epusdt.wallet,
          block_transaction_id: txn.blockTx!,
          status: 2,
        },
        m.epusdt.token,
        variant === 'bad_signature' ? rng.hex(32) : undefined,
      );
      const json = epusdtJson(n);
      return {
        gateway: 'epusdt',
        method: 'POST',
        query: '',
        ua: 'go-resty/2.7.0 (https://github.com/go-resty/resty)',
        opMessage: 'epusdt回调',
        opContext: JSON.parse(json) as Record<string, unknown>,
        fields: JSON.parse(json) as PhpArray,
        raw: json,
        claimedFen,
        signatureValid: variant !== 'bad_signature',
        success: true,
      };
    }
    case 'tokenpay': {
      const t = m.tokenpay!;
      const usdt = variant === 'wrong_amount' ? Math.max(0.01, Math.round((claimedFen / 100 / t.cnyPerUsdt) * 100) / 100) : txn.usdt!;
      const body = tokenpayNotify(
        {
          ActualAmount: String(fenToYuan(claimedFen)),
          Amount: String(usdt),
          BaseCurrency: 'CNY',
          BlockChainName: 'TRON',
          BlockTransactionId: txn.blockTx,
          Currency: 'USDT_TRC20',
          CurrencyName: 'USDT',
          FromAddress: txn.fromAddress,
          Id: txn.tradeNo,
          IsDynamicAmount: 0,
          OrderUserKey: o.buyer?.email,
          OutOrderId: o.orderId,
          PayTime: ymdHis(txn.paidMs),
          Status: 1,
          ToAddress: t.wallet,
        },
        t.token,
        variant === 'bad_signature' ? rng.hex(32) : undefined,
      );
      return {
        gateway: 'tokenpay',
        method: 'POST',
        query: '',
        ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36 TokenPay/1.0',
        opMessage: 'tokenpay回调',
        opContext: body,
        fields: body as unknown as PhpArray,
        raw: JSON.stringify(body),
        claimedFen,
        signatureValid: variant !== 'bad_signature',
        success: true,
      };
    }
  }
}

/** Callback source address for a gateway. */
export function gatewayIp(w: World, gw: GatewayName, rng: Rng): string {
  const m = w.merchants;
  switch (gw) {
    case 'epay':
      return m.epay.ip;
    case 'alipay':
      return rng.pick(m.alipay.ips);
    case 'wxpay-v2':
    case 'wxpay-v3':
      return rng.pick(m.wechat.ips);
    case 'epusdt':
      return m.epusdt.ip;
    case 'tokenpay':
      return m.tokenpay!.ip;
  }
}
