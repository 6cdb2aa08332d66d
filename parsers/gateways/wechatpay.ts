import { createDecipheriv, createHash, createHmac } from 'node:crypto';
import { unescapeNginx } from '../params';
import { parseFlatXml } from './flat-xml';
import type { GatewayDefinition, GatewayPayment, GatewayReading, KeyRing } from './gateway';
import { fenToYuan, loggedBody, sameText } from './gateway';

// WeChat Pay (NOTES §4c).
//
// v2 posts flat XML signed with MD5 or HMAC-SHA256 over the sorted non-empty fields except
// `sign`, as `k=v&…&key=API_KEY`, uppercase hex. An app log holds it as `{"xml":"<xml>…</xml>"}`
// (params.xml); nginx, when it logs `$request_body`, holds the XML itself.
//
// v3 posts JSON whose `resource` is AES-256-GCM encrypted under the merchant's APIv3 key, with
// `associated_data` as AAD and `nonce` as IV; the request headers carry an RSA signature (by
// the platform certificate) over `timestamp\nnonce\nbody\n`. An app log holds it as
// `{"body":{…}}` (flattened to body.resource.ciphertext, …) or `{"body":"<raw json>"}`.

// ---------------------------------------------------------------------------------------- v2

export type WxV2SignType = 'MD5' | 'HMAC-SHA256';

export function wxV2SigningString(fields: Record<string, string>, key: string): string {
  return (
    Object.keys(fields)
      .filter((k) => k !== 'sign' && fields[k] !== '' && fields[k] !== undefined)
      .sort()
      .map((k) => `${k}=${fields[k]}`)
      .join('&') + `&key=${key}`
  );
}

export function wxV2Sign(fields: Record<string, string>, key: string, type: WxV2SignType): string {
  const s = wxV2SigningString(fields, key);
  const hex = type === 'MD5' ? createHash('md5').update(s, 'utf8').digest('hex') : createHmac('sha256', key).update(s, 'utf8').digest('hex');
  return hex.toUpperCase();
}

/** `sign_type` says HMAC-SHA256, or the sign is 64 hex digits: HMAC. Otherwise MD5. */
export function wxV2SignType(fields: Record<string, string>): WxV2SignType {
  const t = (fields.sign_type ?? '').toUpperCase();
  if (t === 'HMAC-SHA256') return 'HMAC-SHA256';
  if (t === '' && (fields.sign ?? '').length === 64) return 'HMAC-SHA256';
  return 'MD5';
}

export function wxV2Normalise(f: Record<string, string>): GatewayPayment {
  const out: GatewayPayment = {
    gateway: 'wechatpay-v2',
    channel: 'wxpay',
    success: f.return_code === 'SUCCESS' && f.result_code === 'SUCCESS',
  };
  if (f.mch_id) out.merchant_id = f.mch_id;
  if (f.out_trade_no) out.order_id = f.out_trade_no;
  if (f.transaction_id) out.trade_no = f.transaction_id;
  const amount = fenToYuan(f.total_fee);
  if (amount !== undefined) out.amount = amount;
  const status = f.return_code === 'SUCCESS' ? f.result_code : f.return_code;
  if (status) out.status = status;
  if (f.time_end && /^\d{14}$/.test(f.time_end)) out.paid_time = f.time_end;
  if (f.openid) out.buyer = f.openid;
  return out;
}

const V2_REQUIRED = ['mch_id', 'out_trade_no', 'total_fee', 'sign'];

export function wxV2Verify(f: Record<string, string>, keys: KeyRing): Pick<GatewayReading, 'signature' | 'why'> {
  const missing = V2_REQUIRED.filter((k) => !f[k]);
  if (missing.length > 0) return { signature: 'unverifiable', why: `WeChat Pay v2 notify lacks ${missing.join(', ')}` };
  const key = keys.wechatpay?.[f.mch_id!]?.key;
  if (!key) return { signature: 'unverifiable', why: `no WeChat Pay API key for mch_id ${f.mch_id} in --keys` };
  const type = wxV2SignType(f);
  return sameText(wxV2Sign(f, key, type), f.sign!.toUpperCase())
    ? { signature: 'verified', why: `WeChat Pay v2 ${type} signature verified with the API key of mch_id ${f.mch_id}` }
    : { signature: 'bad_signature', why: `WeChat Pay v2 ${type} signature does not match the API key of mch_id ${f.mch_id}` };
}

function v2FromXml(xml: string, keys: KeyRing): GatewayReading {
  const parsed = parseFlatXml(xml);
  if (!parsed.ok) return { signature: 'unverifiable', why: 'the WeChat Pay v2 XML is malformed: nothing to verify', problem: `malformed WeChat Pay v2 XML: ${parsed.error}` };
  return { payment: wxV2Normalise(parsed.fields), ...wxV2Verify(parsed.fields, keys) };
}

function readV2(params: Record<string, string>, keys: KeyRing, body?: string): GatewayReading {
  // A logged `{"xml":""}` is a callback with an empty body (malformed); no body at all is absent.
  const xml = params.xml ?? loggedBody(body, unescapeNginx);
  if (xml === undefined) return { signature: 'unverifiable', why: 'no WeChat Pay v2 XML in this line', absent: true };
  return v2FromXml(xml, keys);
}

// ---------------------------------------------------------------------------------------- v3

export interface WxV3Resource {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associated_data: string;
}

/** Decrypts a v3 resource; undefined when the key does not authenticate it (or it is unreadable). */
export function wxV3Decrypt(r: WxV3Resource, apiv3Key: string): string | undefined {
  try {
    const key = Buffer.from(apiv3Key, 'utf8');
    if (key.length !== 32) return undefined;
    const data = Buffer.from(r.ciphertext, 'base64');
    if (data.length < 17) return undefined;
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(r.nonce, 'utf8'));
    d.setAuthTag(data.subarray(data.length - 16));
    d.setAAD(Buffer.from(r.associated_data, 'utf8'));
    return Buffer.concat([d.update(data.subarray(0, data.length - 16)), d.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

interface V3Envelope {
  id?: string;
  event_type?: string;
  resource?: WxV3Resource;
  headers: boolean;
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v);
}

/** The notification envelope from whichever shape the log holds; a string when it is malformed. */
function v3Envelope(params: Record<string, string>, body: string | undefined): V3Envelope | string | undefined {
  const headers = Object.keys(params).some((k) => /^(?:headers?\.)?wechatpay-signature$/i.test(k));
  for (const prefix of ['body.', '']) {
    const ct = params[`${prefix}resource.ciphertext`];
    if (ct !== undefined) {
      const env: V3Envelope = {
        resource: {
          algorithm: params[`${prefix}resource.algorithm`] ?? '',
          ciphertext: ct,
          nonce: params[`${prefix}resource.nonce`] ?? '',
          associated_data: params[`${prefix}resource.associated_data`] ?? '',
        },
        headers,
      };
      if (params[`${prefix}id`] !== undefined) env.id = params[`${prefix}id`]!;
      if (params[`${prefix}event_type`] !== undefined) env.event_type = params[`${prefix}event_type`]!;
      return env;
    }
  }
  const raw = params.body ?? loggedBody(body, unescapeNginx);
  if (raw === undefined || raw === '') return undefined;
  let j: unknown;
  try {
    j = JSON.parse(raw);
  } catch (e) {
    return `the WeChat Pay v3 body is not JSON (${(e as Error).message})`;
  }
  if (j === null || typeof j !== 'object' || Array.isArray(j)) return 'the WeChat Pay v3 body is not a JSON object';
  const o = j as Record<string, unknown>;
  const r = o.resource;
  if (r === null || typeof r !== 'object') return 'the WeChat Pay v3 body has no resource';
  const res = r as Record<string, unknown>;
  return {
    id: str(o.id),
    event_type: str(o.event_type),
    resource: { algorithm: str(res.algorithm), ciphertext: str(res.ciphertext), nonce: str(res.nonce), associated_data: str(res.associated_data) },
    headers,
  };
}

export function wxV3Normalise(plain: Record<string, unknown>): GatewayPayment {
  const amount = (plain.amount ?? {}) as Record<string, unknown>;
  const state = str(plain.trade_state) || str(plain.refund_status);
  const out: GatewayPayment = {
    gateway: 'wechatpay-v3',
    channel: 'wxpay',
    // Only the authenticated resource decides: the envelope's event_type is not covered by the tag.
    success: str(plain.trade_state) === 'SUCCESS',
  };
  const mch = str(plain.mchid) || str(plain.sp_mchid);
  if (mch) out.merchant_id = mch;
  if (str(plain.out_trade_no)) out.order_id = str(plain.out_trade_no);
  if (str(plain.transaction_id)) out.trade_no = str(plain.transaction_id);
  const total = fenToYuan(str(amount.total));
  if (total !== undefined) out.amount = total;
  if (state) out.status = state;
  if (str(plain.success_time)) out.paid_time = str(plain.success_time);
  const payer = plain.payer as Record<string, unknown> | undefined;
  const openid = payer && typeof payer === 'object' ? str(payer.openid) || str(payer.sp_openid) : '';
  if (openid) out.buyer = openid;
  const refund = fenToYuan(str(amount.refund));
  if (refund !== undefined && refund > 0) out.refund_amount = refund;
  return out;
}

function readV3(params: Record<string, string>, keys: KeyRing, body?: string): GatewayReading {
  const env = v3Envelope(params, body);
  if (env === undefined) return { signature: 'unverifiable', why: 'no WeChat Pay v3 body in this line', absent: true };
  if (typeof env === 'string') return { signature: 'unverifiable', why: 'the WeChat Pay v3 body is malformed: nothing to verify', problem: env };
  const r = env.resource!;
  if (r.ciphertext === '' || r.nonce === '') return { signature: 'unverifiable', why: 'the logged WeChat Pay v3 resource lacks its ciphertext or nonce' };
  const shell: GatewayPayment = { gateway: 'wechatpay-v3', channel: 'wxpay', success: false };
  if (env.event_type) shell.status = env.event_type;
  if (r.algorithm !== 'AEAD_AES_256_GCM') {
    return { payment: shell, signature: 'unverifiable', why: `WeChat Pay v3 resource algorithm ${r.algorithm || '(none)'} is not AEAD_AES_256_GCM` };
  }
  // The key decides whose notify this is, but the merchant id is inside the ciphertext: try
  // every APIv3 key in the ring.
  const ring = Object.entries(keys.wechatpay ?? {}).filter(([, v]) => typeof v?.apiv3_key === 'string' && v.apiv3_key !== '');
  if (ring.length === 0) return { payment: shell, signature: 'unverifiable', why: 'no WeChat Pay APIv3 key in --keys: the v3 resource stays encrypted' };
  for (const [mch, v] of ring) {
    const text = wxV3Decrypt(r, v.apiv3_key!);
    if (text === undefined) continue;
    let plain: unknown;
    try {
      plain = JSON.parse(text);
    } catch {
      return { payment: shell, signature: 'unverifiable', why: `WeChat Pay v3 resource decrypted with the APIv3 key of mch_id ${mch}`, problem: 'the decrypted WeChat Pay v3 resource is not JSON' };
    }
    if (plain === null || typeof plain !== 'object') {
      return { payment: shell, signature: 'unverifiable', why: `WeChat Pay v3 resource decrypted with the APIv3 key of mch_id ${mch}`, problem: 'the decrypted WeChat Pay v3 resource is not a JSON object' };
    }
    // Why this counts as verified: AES-256-GCM is authenticated encryption. The tag checks only
    // under the APIv3 key, which WeChat Pay and the merchant alone hold, so a resource that
    // decrypts and authenticates was made by WeChat Pay (or by whoever holds the merchant's
    // key, which is the same trust the v2 API key gives). The header signature (SHA256withRSA
    // over `timestamp\nnonce\nbody\n` with the platform certificate) would also bind the
    // envelope, but it is rarely logged, and re-serialised log JSON is not the byte-exact body it
    // covers; it is not checked. The envelope outside the resource (id, summary) is not
    // authenticated, so only fields from the decrypted resource are used.
    const payment = wxV3Normalise(plain as Record<string, unknown>);
    const note = env.headers ? '; the logged header signature was not checked (no platform certificate)' : '';
    return { payment, signature: 'verified', why: `WeChat Pay v3 resource decrypted and authenticated (AES-256-GCM) with the APIv3 key of mch_id ${mch}${note}` };
  }
  // Keys were given and none authenticates the ciphertext: treated like any other signature
  // that does not match the configured key (epay, v2): bad_signature. A wrong or rotated key in
  // keys.json looks the same as a forged or altered ciphertext, as it does for every gateway.
  return {
    payment: shell,
    signature: 'bad_signature',
    why: `WeChat Pay v3 resource does not authenticate (AES-256-GCM tag) under any of the ${ring.length} APIv3 keys in --keys`,
  };
}

// ------------------------------------------------------------------------------ definitions

export const wechatpayV2: GatewayDefinition = { id: 'wechatpay-v2', read: readV2 };
export const wechatpayV3: GatewayDefinition = { id: 'wechatpay-v3', read: readV3 };

/** Either version, told apart by the payload: XML (`params.xml` or an XML body) is v2, JSON v3. */
export const wechatpay: GatewayDefinition = {
  id: 'wechatpay',
  read(params, keys, body) {
    if (params.xml !== undefined) return readV2(params, keys, body);
    if (params.body !== undefined || Object.keys(params).some((k) => k.endsWith('resource.ciphertext'))) return readV3(params, keys, body);
    const raw = loggedBody(body, unescapeNginx);
    if (raw === undefined) return { signature: 'unverifiable', why: 'no WeChat Pay payload in this line', absent: true };
    return raw.startsWith('<') ? readV2(params, keys, body) : readV3(params, keys, body);
  },
};
