// WeChat Pay notifies (NOTES §4c): v2 XML signed with MD5 or HMAC-SHA256 (`&key=`), v3 JSON whose
// `resource` is AES-256-GCM encrypted under the merchant's APIv3 key.
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { sortedKeys } from './encode';

export type WxV2SignType = 'MD5' | 'HMAC-SHA256';

/** v2 sign: non-empty params except sign, ASCII-sorted, `k=v&…&key=KEY`, MD5 or HMAC-SHA256, uppercase hex. */
export function wxV2Sign(params: Record<string, string>, key: string, type: WxV2SignType): string {
  const str =
    sortedKeys(params)
      .filter((k) => k !== 'sign' && params[k] !== '' && params[k] !== undefined)
      .map((k) => `${k}=${params[k]}`)
      .join('&') + `&key=${key}`;
  const hex =
    type === 'MD5'
      ? createHash('md5').update(str, 'utf8').digest('hex')
      : createHmac('sha256', key).update(str, 'utf8').digest('hex');
  return hex.toUpperCase();
}

const NUMERIC_V2 = new Set(['total_fee', 'cash_fee', 'settlement_total_fee', 'coupon_fee', 'coupon_count']);

/** v2 XML as WeChat sends it: strings in CDATA, fen amounts bare. */
export function wxV2Xml(params: Record<string, string>): string {
  let s = '<xml>';
  for (const k of Object.keys(params)) {
    const v = params[k]!;
    s += NUMERIC_V2.has(k) ? `<${k}>${v}</${k}>` : `<${k}><![CDATA[${v}]]></${k}>`;
  }
  return `${s}</xml>`;
}

/** Parses the flat v2 XML back to fields (test helper and forgery builder). */
export function wxV2ParseXml(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /<([a-z_0-9]+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml))) out[m[1]!] = m[2] ?? m[3] ?? '';
  return out;
}

/** Adds sign (and sign_type when HMAC) to v2 notify fields; WeChat sends the fields in ASCII order. */
export function signWxV2Fields(fields: Record<string, string>, key: string, type: WxV2SignType, signOverride?: string): Record<string, string> {
  const withType: Record<string, string> = { ...fields };
  if (type === 'HMAC-SHA256') withType.sign_type = 'HMAC-SHA256';
  withType.sign = signOverride ?? wxV2Sign(withType, key, type);
  const out: Record<string, string> = {};
  for (const k of sortedKeys(withType)) out[k] = withType[k]!;
  return out;
}

/** v3 `resource.ciphertext`: base64(AES-256-GCM(plaintext) || tag), key = the 32-byte APIv3 key string. */
export function wxV3Encrypt(plaintext: string, apiv3Key: string, nonce: string, associatedData: string): string {
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiv3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return ct.toString('base64');
}

export interface WxV3Transaction {
  appid: string;
  mchid: string;
  out_trade_no: string;
  transaction_id: string;
  trade_type: string;
  trade_state: string;
  trade_state_desc: string;
  bank_type: string;
  attach: string;
  success_time: string;
  payer: { openid: string };
  amount: { total: number; payer_total: number; currency: string; payer_currency: string };
}

export interface WxV3Body {
  id: string;
  create_time: string;
  resource_type: string;
  event_type: string;
  summary: string;
  resource: { original_type: string; algorithm: string; ciphertext: string; associated_data: string; nonce: string };
}

export function buildWxV3Body(
  id: string,
  createTime: string,
  tx: WxV3Transaction,
  apiv3Key: string,
  nonce: string,
): WxV3Body {
  const ad = 'transaction';
  return {
    id,
    create_time: createTime,
    resource_type: 'encrypt-resource',
    event_type: 'TRANSACTION.SUCCESS',
    summary: '支付成功',
    resource: {
      original_type: 'transaction',
      algorithm: 'AEAD_AES_256_GCM',
      ciphertext: wxV3Encrypt(JSON.stringify(tx), apiv3Key, nonce, ad),
      associated_data: ad,
      nonce,
    },
  };
}
