import { createHash, randomBytes, scryptSync } from 'node:crypto';

// A checkpoint keeps each file's evidence and rejects as the rules made them: it is only good
// for runs whose per-file results would come out the same. Those depend on the rule packs, the
// shape vocabulary, the merchant keys (signature checks), --tz, --max-line-bytes, --format,
// --nginx-format and --reveal-card-keys; everything after the reading (--out, --review-below,
// --statement, --baseline, --workers, …) is done again on every run and may change freely.
//
// The settings that are not secret are kept in clear, so a refusal can say which one differs.
// The keys are not: everything, keys included, goes into one scrypt digest with a salt of the
// checkpoint's own, so the file cannot be used to test guesses at a key cheaply.

export interface ResultSettings {
  version: string;
  tz: string;
  maxLineBytes: number;
  revealCardKeys: boolean;
  formats: string[];
  nginxFormat: string | null;
  /** The loaded rule packs and vocabulary, as the workers get them. */
  rules: unknown;
  vocabulary: unknown;
  /** Merchant keys: only ever inside the salted digest. */
  keys: unknown;
}

/** What the checkpoint shows of the settings (nothing secret). */
export interface ClearSettings {
  salvage: string;
  tz: string;
  max_line_bytes: number;
  reveal_card_keys: boolean;
  format: string[];
  nginx_format: string | null;
  rules_sha256: string;
  keys_given: boolean;
}

export interface SettingsDigest {
  salt: string;
  scrypt: string;
}

export function clearSettings(s: ResultSettings): ClearSettings {
  return {
    salvage: s.version,
    tz: s.tz,
    max_line_bytes: s.maxLineBytes,
    reveal_card_keys: s.revealCardKeys,
    format: s.formats,
    nginx_format: s.nginxFormat,
    rules_sha256: createHash('sha256').update(JSON.stringify([s.rules, s.vocabulary])).digest('hex'),
    keys_given: s.keys !== undefined && Object.keys(s.keys as object).length > 0,
  };
}

export function settingsDigest(s: ResultSettings, salt = randomBytes(16).toString('hex')): SettingsDigest {
  const text = stableJson({ ...clearSettings(s), keys: s.keys });
  return { salt, scrypt: scryptSync(text, Buffer.from(salt, 'hex'), 32, { N: 1 << 14, r: 8, p: 1 }).toString('hex') };
}

/** Which settings differ, in words (the digest alone can only say that something does). */
export function settingsChanges(was: ClearSettings, now: ClearSettings): string[] {
  const names: [keyof ClearSettings, string][] = [
    ['salvage', 'salvage version'], ['tz', '--tz'], ['max_line_bytes', '--max-line-bytes'], ['reveal_card_keys', '--reveal-card-keys'],
    ['format', '--format'], ['nginx_format', '--nginx-format'], ['rules_sha256', 'rule packs (--rules)'], ['keys_given', '--keys'],
  ];
  return names.filter(([k]) => JSON.stringify(was[k]) !== JSON.stringify(now[k])).map(([, n]) => n);
}

/** JSON with object keys sorted: the same key ring written in another order is the same key ring. */
function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
