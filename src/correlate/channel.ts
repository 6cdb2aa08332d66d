// Payment channel names used in records. Where the log only names the shop's pay handler
// (dujiaoka /pay/<handler>/…), the handler says which gateway family it was.
const HANDLER_CHANNEL: Record<string, string> = {
  yipay: 'epay',
  alipay: 'alipay',
  wepay: 'wxpay',
  epusdt: 'usdt',
  tokenpay: 'usdt',
  paypal: 'paypal',
  stripe: 'stripe',
  coinbase: 'coinbase',
  mapay: 'mapay',
  payjs: 'wxpay',
  vpay: 'vpay',
  paysapi: 'paysapi',
};

export function channelOfHandler(handler: string | undefined): string | undefined {
  return handler === undefined ? undefined : HANDLER_CHANNEL[handler];
}
