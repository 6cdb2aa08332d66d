import { billEvidence, cleanCell, columnOf, headerName, parseBillTime, parseYuan, splitCsvRow, type BillFormat, type BillReader, type RowContext, type RowOutcome } from './common';
import type { EvidenceFields } from '../../model/types';

// WeChat Pay v2 downloadbill (bill_type ALL / SUCCESS / REFUND; v3 tradebill has the same
// columns), NOTES §6: plain text, one header line, then one row per trade with every value
// prefixed by a backtick, then the summary header (总交易单数, …) and one summary value row.
// The backtick lets a row be split on ",`", so a comma inside a product name is harmless; a
// bill re-saved by a spreadsheet loses the backticks and is split as CSV instead.
//
// 交易状态 SUCCESS is a payment and REFUND a refund (of the order named on the row); other states
// (REVOKED, NOTPAY, CLOSED, …) are counted and not used. The amount is 订单金额 where the bill has
// it (the buyer's order total, which is what the shop charged), else 总金额 (older 24-column
// bills), else 应结订单金额.

const TIME = '交易时间';
const WX_NO = '微信订单号';
const ORDER_NO = '商户订单号';

export const wechatBill: BillFormat = {
  id: 'statement-wechat',
  channel: 'wxpay',
  isHeader: (names) => names.includes(TIME) && names.includes(WX_NO) && names.includes(ORDER_NO),
  begin: (header, ctx) => new WechatReader(header, ctx),
};

/** A WeChat bill row's cells: split on ",`" when backticked (commas inside values survive). */
export function wechatCells(text: string): string[] {
  const t = text.trim();
  if (t.startsWith('`')) {
    const cells = t.slice(1).split(',`');
    // Some bills end a row with a bare comma after the last value.
    const last = cells.length - 1;
    if (cells[last]!.endsWith(',')) cells[last] = cells[last]!.slice(0, -1);
    return cells.map((c) => c.trim());
  }
  return splitCsvRow(t).map(cleanCell);
}

class WechatReader implements BillReader {
  private readonly col: { time: number; mch: number; wx: number; order: number; user: number; state: number; settled: number; total: number; orderAmount: number; refundWx: number; refundMch: number; refundAmount: number; refundAsked: number };
  private readonly need: number;
  private readonly width: number;
  private inSummary = 0;
  private rows = 0;
  private summaryCount: number | null = null;

  constructor(header: string[], private readonly ctx: RowContext) {
    this.col = {
      time: columnOf(header, TIME),
      mch: columnOf(header, '商户号'),
      wx: columnOf(header, WX_NO),
      order: columnOf(header, ORDER_NO),
      user: columnOf(header, '用户标识'),
      state: columnOf(header, '交易状态'),
      settled: columnOf(header, '应结订单金额'),
      total: columnOf(header, '总金额'),
      orderAmount: columnOf(header, '订单金额'),
      refundWx: columnOf(header, '微信退款单号'),
      refundMch: columnOf(header, '商户退款单号'),
      refundAmount: columnOf(header, '退款金额'),
      refundAsked: columnOf(header, '申请退款金额'),
    };
    this.width = header.length;
    this.need = Math.max(this.col.time, this.col.wx, this.col.order, this.col.state, this.col.settled, this.col.total, this.col.orderAmount) + 1;
  }

  line(text: string, lineNo: number, offset: number): RowOutcome {
    if (text.trim() === '') return { kind: 'noise' };
    const c = wechatCells(text);
    if (this.inSummary === 1) {
      // The one value row under the summary header: 总交易单数 first.
      this.inSummary = 2;
      const n = Number(c[0]);
      if (Number.isInteger(n)) this.summaryCount = n;
      return { kind: 'noise' };
    }
    if (headerName(c[0] ?? '') === '总交易单数') {
      this.inSummary = 1;
      return { kind: 'noise' };
    }
    if (this.inSummary === 2) return { kind: 'reject', reason: 'row after the bill summary / 汇总行之后的多余行' };
    this.rows++;
    if (c.length < this.need) return { kind: 'reject', reason: `bill row has ${c.length} columns, at least ${this.need} of the header's ${this.width} are needed / 对账单行列数不足` };
    const state = (c[this.col.state] ?? '').toUpperCase();
    const refund = state === 'REFUND';
    if (!refund && state !== 'SUCCESS') return { kind: 'other', what: state || '(empty 交易状态)' };
    const orderId = c[this.col.order]!;
    const tradeNo = c[this.col.wx]!;
    if (!orderId && !tradeNo) return { kind: 'reject', reason: 'bill row names neither 商户订单号 nor 微信订单号 / 对账单行缺少订单号' };
    const whenText = c[this.col.time]!;
    const at = parseBillTime(whenText, this.ctx.clock);
    if (!at) return { kind: 'reject', reason: `bill row time "${whenText.slice(0, 40)}" is not a date and time / 对账单时间无效` };
    const pick = (...idx: number[]): { v: number | null; text: string } => {
      let first = '';
      for (const i of idx) {
        if (i < 0) continue;
        const s = c[i] ?? '';
        if (!first) first = s;
        const v = parseYuan(s);
        if (v !== null && v !== 0) return { v, text: s };
      }
      return { v: null, text: first };
    };
    const common: EvidenceFields = {
      order_id: orderId,
      trade_no: tradeNo,
      currency: 'CNY',
      channel: 'wxpay',
      buyer_account: this.col.user >= 0 ? c[this.col.user] : undefined,
      merchant_id: this.col.mch >= 0 ? c[this.col.mch] : undefined,
    };
    if (refund) {
      const r = pick(this.col.refundAmount, this.col.refundAsked, this.col.orderAmount, this.col.total, this.col.settled);
      if (r.v === null) return { kind: 'reject', reason: `refund row amount "${r.text.slice(0, 40)}" is not a number / 退款金额无效` };
      return {
        kind: 'evidence',
        evidence: billEvidence('statement-wechat', 'statement.wechat.refund', 'refunded', at, {
          ...common,
          refund_amount: Math.abs(r.v),
          refunded_at: at.iso,
          refund_no: this.col.refundWx >= 0 ? c[this.col.refundWx] : undefined,
          merchant_refund_no: this.col.refundMch >= 0 ? c[this.col.refundMch] : undefined,
        }, this.ctx, lineNo, offset),
      };
    }
    const a = pick(this.col.orderAmount, this.col.total, this.col.settled);
    if (a.v === null || a.v <= 0) return { kind: 'reject', reason: `bill row amount "${a.text.slice(0, 40)}" is not a positive number / 对账单金额无效` };
    return {
      kind: 'evidence',
      evidence: billEvidence('statement-wechat', 'statement.wechat.trade', 'payment_confirmed', at, { ...common, amount: a.v, paid_at: at.iso }, this.ctx, lineNo, offset),
    };
  }

  end(): string[] {
    if (this.inSummary === 0) return ['no summary rows (总交易单数 …) after the trades: the bill may have been cut short / 缺少汇总行，对账单可能不完整'];
    if (this.summaryCount !== null && this.summaryCount !== this.rows) {
      return [`the bill summary counts ${this.summaryCount} trade row(s) but ${this.rows} were read / 汇总笔数与明细行数不符`];
    }
    return [];
  }
}
