import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { packageRoot } from '../util/package-root';

// A small typed reader of the parts of rules/shape/vocabulary.yaml that the mentions audit and
// `salvage rules suggest` use: order-number keys, order-field keys and the lifecycle lexicon.
// The shape recogniser (rules/engine/shape.ts, the lead's) has its own loader, validated
// against a schema; this one checks only the shapes it reads, so the two can be merged later
// without either depending on the other now.

export type LifecycleStep = 'created' | 'paid' | 'delivered' | 'failed' | 'expired' | 'refunded';
export const LIFECYCLE_STEPS: readonly LifecycleStep[] = ['created', 'paid', 'delivered', 'failed', 'expired', 'refunded'];

export interface AuditVocabulary {
  orderKeys: string[];
  orderKeysFallback: string[];
  orderIdPattern: RegExp;
  /** salvage field → keys that name it (compared case-insensitively). */
  fields: Record<string, string[]>;
  lexicon: Record<LifecycleStep, { zh: string[]; en: string[] }>;
  negators: { zh: string[]; en: string[] };
}

export class VocabularyError extends Error {
  override name = 'VocabularyError';
}

export function vocabularyPath(): string {
  return join(packageRoot(), 'rules', 'shape', 'vocabulary.yaml');
}

function strings(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new VocabularyError(`vocabulary ${where}: expected a list of strings / 词表格式错误`);
  return v as string[];
}

function record(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new VocabularyError(`vocabulary ${where}: expected a mapping / 词表格式错误`);
  return v as Record<string, unknown>;
}

/** Reads and checks the parts named in AuditVocabulary. Throws VocabularyError naming the key. */
export function readAuditVocabulary(path = vocabularyPath()): AuditVocabulary {
  let data: Record<string, unknown>;
  try {
    data = record(YAML.parse(readFileSync(path, 'utf8')), '(top level)');
  } catch (e) {
    if (e instanceof VocabularyError) throw e;
    throw new VocabularyError(`cannot read vocabulary ${path}: ${(e as Error).message} / 无法读取词表`);
  }
  const fields: Record<string, string[]> = {};
  for (const [name, spec] of Object.entries(record(data.fields, 'fields'))) fields[name] = strings(record(spec, `fields.${name}`).keys, `fields.${name}.keys`);
  const lex = record(data.lexicon, 'lexicon');
  const lexicon = {} as AuditVocabulary['lexicon'];
  for (const step of LIFECYCLE_STEPS) {
    const words = record(lex[step], `lexicon.${step}`);
    lexicon[step] = { zh: strings(words.zh, `lexicon.${step}.zh`), en: strings(words.en, `lexicon.${step}.en`) };
  }
  const neg = record(data.negators, 'negators');
  if (typeof data.order_id_pattern !== 'string') throw new VocabularyError('vocabulary order_id_pattern: expected a string / 词表格式错误');
  return {
    orderKeys: strings(data.order_keys, 'order_keys'),
    orderKeysFallback: strings(data.order_keys_fallback, 'order_keys_fallback'),
    orderIdPattern: new RegExp(data.order_id_pattern),
    fields,
    lexicon,
    negators: { zh: strings(neg.zh, 'negators.zh'), en: strings(neg.en, 'negators.en') },
  };
}

/** The steps whose words the text holds, ignoring a word right after a negator (未支付, not paid). */
export function lifecycleWords(text: string, v: AuditVocabulary): LifecycleStep[] {
  const found: LifecycleStep[] = [];
  const lower = text.toLowerCase();
  const negatedEn = new RegExp(`(?:^|[^a-z])(?:${v.negators.en.map(escape).join('|')})[\\s-]+$`);
  for (const step of LIFECYCLE_STEPS) {
    const { zh, en } = v.lexicon[step];
    const hit =
      zh.some((w) => occurrences(text, w).some((i) => !v.negators.zh.some((n) => text.slice(Math.max(0, i - n.length), i) === n))) ||
      en.some((w) => {
        // Whole words only: `unpaid` holds no `paid`. A word right after a negator does not count.
        const re = new RegExp(`(?<![a-z])${escape(w.toLowerCase())}(?![a-z])`, 'g');
        for (let m = re.exec(lower); m !== null; m = re.exec(lower)) {
          const before = lower.slice(0, m.index);
          if (!negatedEn.test(before)) return true;
        }
        return false;
      });
    if (hit) found.push(step);
  }
  return found;
}

function occurrences(text: string, word: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) out.push(i);
  return out;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
