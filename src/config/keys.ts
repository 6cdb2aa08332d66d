import { readFileSync } from 'node:fs';
import type { KeyRing } from '../../parsers/gateways/gateway';
import { UsageError } from '../model/usage-error';

/** The gateways keys.json may name (KeyRing's members). */
const KNOWN = ['epay', 'alipay', 'wechatpay', 'epusdt', 'tokenpay', 'vpay'];

/** Read keys.json (merchant keys: secrets, kept in memory only). Broken files are usage errors. */
export function loadKeyRing(path: string): KeyRing {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`cannot read --keys ${path}: ${(e as Error).message}. It must be JSON like {"epay": {"<pid>": "<key>"}}. / 密钥文件无法读取`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new UsageError(`--keys ${path} must hold a JSON object like {"epay": {"<pid>": "<key>"}} / 密钥文件必须是 JSON 对象，例如 {"epay": {"<商户号>": "<密钥>"}}`);
  const ring = data as Record<string, unknown>;
  for (const gw of Object.keys(ring)) {
    if (!KNOWN.includes(gw)) throw new UsageError(`--keys ${path}: unknown gateway "${gw}" (known: ${KNOWN.join(', ')}) / 未知的支付网关`);
    const v = ring[gw];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new UsageError(`--keys ${path}: "${gw}" must map merchant ids to keys, like {"<pid>": "<key>"} / "${gw}" 下应是「商户号 → 密钥」的对象`);
  }
  return ring as KeyRing;
}
