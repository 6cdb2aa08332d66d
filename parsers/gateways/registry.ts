import type { GatewayDefinition } from './gateway';
import { alipay } from './alipay';
import { epay } from './epay';
import { epusdt } from './epusdt';
import { tokenpay } from './tokenpay';
import { vpay } from './vpay';
import { wechatpay, wechatpayV2, wechatpayV3 } from './wechatpay';

/** Gateways a rule's `payload:` may name (rules/schema/rule-pack.schema.json lists the same). */
export const GATEWAYS: Record<string, GatewayDefinition> = {
  epay,
  alipay,
  wechatpay,
  'wechatpay-v2': wechatpayV2,
  'wechatpay-v3': wechatpayV3,
  epusdt,
  tokenpay,
  vpay,
};
