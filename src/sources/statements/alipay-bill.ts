import { billEvidence, cleanCell, columnOf, parseBillTime, parseYuan, splitCsvRow, type BillFormat, type BillReader, type RowContext, type RowOutcome } from './common';
import type { EvidenceFields } from '../../model/types';

// Alipay 对账单, the 业务明细 file of the trade bill (NOTES §6): GBK CSV, `#` comment lines
// before the column header, values padded with tabs, and a `#-----…业务明细列表结束-----…`
// line after the last row (more `#` lines follow it: totals, export time). 业务类型 says whether
// a row is a trade (交易) or a refund (退款); other types are counted and not used.
//
// Refund rows name the original trade (支付宝交易号, 商户订单号). Their amounts are taken as
// absolute values: which columns are negative on refund rows is not confirmed (NOTES §6), and
// a refund is a refund whichever sign the bill gives it.

const TRADE_NO = '支付宝交易号';
const ORDER_NO = '商户订单号';
const TYPE = '业务类型';

export const alipayBill: BillFormat = {
  id: 'statement-alipay',
  channel: 'alipay',
  isHeader: (names) => names.includes(TRADE_NO) && names.includes(ORDER_NO) && names.includes(TYPE),
  begin: (header, ctx) => new AlipayReader(header, ctx),
};

class AlipayReader implements BillReader {
  private readonly col: { trade: number; order: number; type: number; created: number; done: number; account: number; amount: number; received: number; refundNo: number; merchant: number };
  private readonly need: number;
  private readonly width: number;
  private endMarker = false;

  constructor(header: string[], private readonly ctx: RowContext) {
    this.col = {
      trade: columnOf(header, TRADE_NO),
      order: columnOf(header, ORDER_NO),
      type: columnOf(header, TYPE),
      created: columnOf(header, '创建时间'),
      done: columnOf(header, '完成时间'),
      account: columnOf(header, '对方账户'),
      amount: columnOf(header, '订单金额(元)', '订单金额'),
      received: columnOf(header, '商家实收(元)', '商家实收'),
      refundNo: columnOf(header, '退款批次号/请求号'),
      merchant: columnOf(header, '商户ID'),
    };
    this.width = header.length;
    this.need = Math.max(this.col.trade, this.col.order, this.col.type, this.col.done, this.col.created, this.col.amount) + 1;
  }

  line(text: string, lineNo: number, offset: number): RowOutcome {
    const trimmed = text.trim();
    if (trimmed === '') return { kind: 'noise' };
    if (trimmed.startsWith('#')) {
      if (trimmed.includes('业务明细列表结束')) this.endMarker = true;
      return { kind: 'noise' };
    }
    const c = splitCsvRow(text).map(cleanCell);
    if (c.length < this.need) return { kind: 'reject', reason: `bill row has ${c.length} columns, at least ${this.need} of the header's ${this.width} are needed / 对账单行列数不足` };
    const type = c[this.col.type]!;
    const refund = type === '退款' || type.startsWith('退款');
    if (!refund && type !== '交易') return { kind: 'other', what: type || '(empty 业务类型)' };
    const orderId = c[this.col.order]!;
    const tradeNo = c[this.col.trade]!;
    if (!orderId && !tradeNo) return { kind: 'reject', reason: 'bill row names neither 商户订单号 nor 支付宝交易号 / 对账单行缺少订单号' };
    const whenText = (this.col.done >= 0 ? c[this.col.done] : '') || (this.col.created >= 0 ? c[this.col.created]! : '');
    const at = parseBillTime(whenText, this.ctx.clock);
    if (!at) return { kind: 'reject', reason: `bill row time "${whenText.slice(0, 40)}" is not a date and time / 对账单时间无效` };
    const amountText = this.col.amount >= 0 ? c[this.col.amount]! : '';
    const amount = parseYuan(amountText);
    if (amount === null) return { kind: 'reject', reason: `bill row amount "${amountText.slice(0, 40)}" is not a number / 对账单金额无效` };
    const common: EvidenceFields = {
      order_id: orderId,
      trade_no: tradeNo,
      currency: 'CNY',
      channel: 'alipay',
      buyer_account: this.col.account >= 0 ? c[this.col.account] : undefined,
      merchant_id: this.col.merchant >= 0 ? c[this.col.merchant] : undefined,
    };
    if (refund) {
      const received = this.col.received >= 0 ? parseYuan(c[this.col.received]!) : null;
      const refundAmount = received !== null && received !== 0 ? Math.abs(received) : Math.abs(amount);
      return {
        kind: 'evidence',
        evidence: billEvidence('statement-alipay', 'statement.alipay.refund', 'refunded', at, {
          ...common,
          refund_amount: refundAmount,
          refunded_at: at.iso,
          refund_no: this.col.refundNo >= 0 ? c[this.col.refundNo] : undefined,
        }, this.ctx, lineNo, offset),
      };
    }
    if (amount <= 0) return { kind: 'reject', reason: `trade row amount ${amountText} is not positive / 交易金额不是正数` };
    return {
      kind: 'evidence',
      evidence: billEvidence('statement-alipay', 'statement.alipay.trade', 'payment_confirmed', at, { ...common, amount, paid_at: at.iso }, this.ctx, lineNo, offset),
    };
  }

  end(): string[] {
    return this.endMarker ? [] : ['no "业务明细列表结束" line after the rows: the bill may have been cut short / 缺少“业务明细列表结束”行，对账单可能不完整'];
  }
}
