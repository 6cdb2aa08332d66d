// The phrase bank: how shop operators word the lines they add to laravel.log, one list per event.
// Written from how Chinese 发卡网 operators and the developers they hire write logs (Chinese and
// English, terse and chatty, with and without a class or module tag), and deliberately without the
// built-in packs' exact messages (创建订单, 易支付回调, 卡密发货, …) so that a drill on it tests
// recognition, not memory. `{sn}` is replaced by the order number.
import type { GatewayName } from '../gateways/retry';

export const ORDER_EVENTS = ['order_created', 'payment_succeeded', 'card_delivered', 'status_changed', 'refund', 'balance_changed'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

export const ORDER_PHRASES: Record<OrderEvent, readonly string[]> = {
  order_created: [
    '用户下单成功',
    '下单成功',
    '新订单',
    '订单创建成功',
    '生成订单',
    '创建订单成功',
    '提交订单',
    '订单已生成',
    '订单{sn}已创建',
    '新订单：{sn}',
    '下单 {sn}',
    '前台下单',
    'New order placed',
    'order created',
    'Order {sn} created',
    'create order success',
    'createOrder',
    'new order',
    'order saved',
  ],
  payment_succeeded: [
    '订单已支付，准备发货',
    '支付成功',
    '订单{sn}支付成功',
    '付款成功',
    '支付完成',
    '收款成功',
    '订单已付款',
    '支付成功，开始处理订单',
    '订单 {sn} 已付款',
    '[pay] success',
    'payment success',
    'Order paid',
    'order {sn} paid',
    'pay ok',
    'payment completed',
  ],
  card_delivered: [
    '发货完成',
    '自动发货成功',
    '发卡成功',
    '卡密已发送',
    '发送卡密',
    '订单{sn}发货成功',
    '提取卡密',
    '已发货',
    'cards delivered to buyer',
    'deliver card',
    'card sent',
    'auto delivery ok',
    'order {sn} delivered',
  ],
  status_changed: [
    '订单状态更新',
    '修改订单状态',
    '更新订单状态',
    '订单状态改变',
    '状态变更',
    'order status changed',
    'status update',
    'update order status',
    'Order {sn} status updated',
  ],
  refund: [
    '退款成功',
    '订单已退款',
    '发起退款',
    '退款处理完成',
    '原路退回',
    '订单{sn}退款',
    'refund',
    'refund success',
    'Order refunded',
    'order {sn} refunded',
  ],
  balance_changed: [
    '余额变更',
    '商户余额变化',
    '账户余额变动',
    '资金变动',
    '余额更新',
    'balance changed',
    'wallet balance updated',
    'balance update',
    'merchant balance',
  ],
};

/** Status-change wording that names the new state, for shops that log each transition in its own words. */
export const STATUS_PHRASES: Record<string, readonly string[]> = {
  '-1': ['订单已过期', '订单超时关闭', '订单过期取消', '超时未支付，关闭订单', 'order expired', 'Order {sn} expired', 'order timeout closed'],
  '2': ['订单待处理', '等待人工处理', '待人工充值', 'order pending', 'order waiting for manual processing'],
  '3': ['订单处理中', '开始处理订单', '正在处理', 'order processing', 'processing order {sn}'],
  '4': ['订单已完成', '订单完成', '交易完成', 'order completed', 'Order {sn} completed', 'order finished'],
  '5': ['订单处理失败', '订单失败', '处理失败', 'order failed', 'Order {sn} failed'],
  '6': ['订单异常', '库存不足，订单异常', '卡密不足', 'order abnormal', 'out of stock, order {sn} abnormal'],
};

/** Callback wording that names the gateway. */
export const CALLBACK_PHRASES: Record<GatewayName, readonly string[]> = {
  epay: ['易支付异步通知', '彩虹易支付回调数据', '收到易支付通知', '易支付notify', 'epay notify', 'yipay notify received', 'Epay callback'],
  alipay: ['收到支付宝异步通知', '支付宝异步回调', '支付宝通知参数', '支付宝notify', 'alipay notify received', 'Alipay notify', 'alipay callback params'],
  'wxpay-v2': ['微信支付结果通知', '微信回调原始数据', '收到微信支付通知', '微信notify', 'wechat notify', 'wxpay notify body', 'WeChat pay callback'],
  'wxpay-v3': ['微信支付V3回调', '微信支付结果通知', '收到微信V3通知', 'wechat v3 notify', 'wxpay v3 callback', 'WeChat pay notify'],
  tokenpay: ['TokenPay回调', 'TokenPay 异步通知', '收到TokenPay通知', 'tokenpay notify', 'TokenPay callback'],
  epusdt: ['USDT回调', 'epusdt 异步通知', 'USDT支付通知', '收到USDT到账通知', 'usdt callback', 'epusdt notify', 'trc20 notify'],
};

/** Callback wording that does not name the gateway (one controller logs every gateway). */
export const GENERIC_CALLBACK_PHRASES: readonly string[] = [
  '收到支付回调',
  '支付回调参数',
  '异步通知数据',
  '回调参数',
  '支付通知',
  'payment callback',
  'notify params',
  'pay notify',
  'callback received',
];

/** Callback wording that says nothing recognisable: the payload has to speak for itself. */
export const MEANINGLESS_CALLBACK_PHRASES: readonly string[] = ['notify', 'callback data', 'debug', 'request', 'data', 'params', 'input', 'raw', '收到请求', '-----', 'log', 'test'];

/** Tags some developers put in front of every line they write. */
export const PREFIXES: readonly string[] = [
  '[OrderService] ',
  '[Pay] ',
  '【订单】',
  'App\\Service\\OrderProcessService: ',
  'PayController@notifyUrl ',
  '>>> ',
  '[shop] ',
];
