// Hand-made merchant statements for the tests, written the way the gateways write them
// (NOTES §6): an Alipay 业务明细 CSV in GBK with `#` comment lines, tab-padded values and the
// 业务明细列表结束 footer; a WeChat downloadbill with backtick-prefixed values and summary rows.

import iconv from 'iconv-lite';

export const ALIPAY_HEADER = [
  '支付宝交易号', '商户订单号', '业务类型', '商品名称', '创建时间', '完成时间', '门店编号', '门店名称', '操作员', '终端号',
  '对方账户', '订单金额（元）', '商家实收（元）', '支付宝红包（元）', '集分宝（元）', '支付宝优惠（元）', '商家优惠（元）', '券核销金额（元）', '券名称',
  '商家红包消费金额（元）', '卡消费金额（元）', '退款批次号/请求号', '服务费（元）', '分润（元）', '备注',
];

export interface AlipayRow {
  trade_no: string;
  order_id: string;
  type?: string;
  title?: string;
  /** Local times, `YYYY-MM-DD HH:mm:ss`. */
  created?: string;
  done: string;
  account?: string;
  amount: string;
  received?: string;
  refund_no?: string;
}

/** One row as Alipay writes it: values padded with a tab so spreadsheets keep them as text. */
export function alipayRowText(r: AlipayRow): string {
  const cells = [
    r.trade_no, r.order_id, r.type ?? '交易', r.title ?? '商品', r.created ?? r.done, r.done, '', '', '', '',
    r.account ?? 'buy***@163.com', r.amount, r.received ?? r.amount, '0.00', '0.00', '0.00', '0.00', '0.00', '',
    '0.00', '0.00', r.refund_no ?? '', '0.00', '0.00', '',
  ];
  return cells.map((c) => `${c}\t`).join(',');
}

export interface BillOptions {
  /** Extra raw lines inserted between the rows, at these positions (index into rows). */
  insert?: { at: number; text: string }[];
  footer?: boolean;
  crlf?: boolean;
}

/** The text lines of an Alipay 业务明细 file. */
export function alipayLines(rows: AlipayRow[], opts: BillOptions = {}): string[] {
  const lines = [
    '#支付宝业务明细查询',
    '#账号：[20880000000000000156]',
    '#起始日期：[2026年11月21日 00:00:00]   终止日期：[2026年11月22日 00:00:00]',
    '#-----------------------------------------业务明细列表----------------------------------------',
    ALIPAY_HEADER.join(','),
  ];
  rows.forEach((r, i) => {
    for (const x of opts.insert ?? []) if (x.at === i) lines.push(x.text);
    lines.push(alipayRowText(r));
  });
  for (const x of opts.insert ?? []) if (x.at >= rows.length) lines.push(x.text);
  if (opts.footer !== false) {
    lines.push('#-----------------------------------------业务明细列表结束------------------------------------');
    lines.push(`#交易合计：${rows.filter((r) => (r.type ?? '交易') === '交易').length}笔，退款合计：${rows.filter((r) => r.type === '退款').length}笔`);
    lines.push('#导出时间：[2026年11月22日 09:00:00]');
  }
  return lines;
}

/** The GBK bytes of an Alipay 业务明细 file, CRLF line ends as Windows writes them. */
export function alipayBill(rows: AlipayRow[], opts: BillOptions = {}): Buffer {
  const nl = opts.crlf === false ? '\n' : '\r\n';
  return iconv.encode(alipayLines(rows, opts).join(nl) + nl, 'gbk');
}

export const WECHAT_HEADER = [
  '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态',
  '付款银行', '货币种类', '应结订单金额', '代金券金额', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额',
  '退款类型', '退款状态', '商品名称', '商户数据包', '手续费', '费率', '订单金额', '申请退款金额', '费率备注',
];

export interface WechatRow {
  time: string;
  wx_no: string;
  order_id: string;
  state?: string;
  amount: string;
  openid?: string;
  title?: string;
  refund_no?: string;
  refund_amount?: string;
}

export function wechatRowText(r: WechatRow): string {
  const refund = r.state === 'REFUND';
  const cells = [
    r.time, 'wx2421b1c4370ec43b', '1629581982', '0', '', r.wx_no, r.order_id, r.openid ?? 'oUpF8uMEb4qRXf22hE3X68TekukE', 'NATIVE', r.state ?? 'SUCCESS',
    'CFT', 'CNY', r.amount, '0.00', refund ? (r.refund_no ?? '50000000000000000000000000') : '0', refund ? `R${r.order_id}` : '0', refund ? (r.refund_amount ?? r.amount) : '0.00', '0.00',
    refund ? 'ORIGINAL' : '', refund ? 'SUCCESS' : '', r.title ?? '商品', '', '0.00000', '0.60%', r.amount, refund ? (r.refund_amount ?? r.amount) : '0.00', '',
  ];
  return cells.map((c) => '`' + c).join(',');
}

export function wechatLines(rows: WechatRow[], opts: BillOptions & { summaryCount?: number } = {}): string[] {
  const lines = [WECHAT_HEADER.join(',')];
  rows.forEach((r, i) => {
    for (const x of opts.insert ?? []) if (x.at === i) lines.push(x.text);
    lines.push(wechatRowText(r));
  });
  for (const x of opts.insert ?? []) if (x.at >= rows.length) lines.push(x.text);
  if (opts.footer !== false) {
    const total = rows.reduce((a, r) => a + Number(r.amount), 0).toFixed(2);
    lines.push('总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额');
    lines.push(['`' + String(opts.summaryCount ?? rows.length + (opts.insert?.length ?? 0)), '`' + total, '`0.00', '`0.00', '`0.00', '`' + total, '`0.00'].join(','));
  }
  return lines;
}

/** UTF-8 with a BOM, as the download API's text is often saved. */
export function wechatBill(rows: WechatRow[], opts: BillOptions & { summaryCount?: number } = {}): Buffer {
  const nl = opts.crlf ? '\r\n' : '\n';
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(wechatLines(rows, opts).join(nl) + nl, 'utf8')]);
}

/** `2026-11-21T00:31:34+08:00` → `2026-11-21 00:31:34` (the bill's local time). */
export function localTime(iso: string): string {
  return iso.slice(0, 19).replace('T', ' ');
}
