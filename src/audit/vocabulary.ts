import { loadVocabulary, LIFECYCLE_STEPS, type LifecycleStep } from '../../rules/engine/vocabulary';
import { RulePackError } from '../../rules/engine/load-packs';
import { ShapeRecogniser } from '../../rules/engine/shape';

// The parts of rules/shape/vocabulary.yaml that the mentions audit and `salvage rules suggest`
// use, in the shape they use them: read through the one loader (schema-checked) and matched
// with the shape recogniser's own lexicon, so a draft rule guesses a step exactly as recognition
// by shape would.

export { LIFECYCLE_STEPS };
export type { LifecycleStep };

export interface AuditVocabulary {
  orderKeys: string[];
  orderKeysFallback: string[];
  orderIdPattern: RegExp;
  /** salvage field → keys that name it (compared case-insensitively). */
  fields: Record<string, string[]>;
  lexicon: Record<LifecycleStep, { zh: string[]; en: string[] }>;
  negators: { zh: string[]; en: string[] };
  recogniser: ShapeRecogniser;
}

export class VocabularyError extends Error {
  override name = 'VocabularyError';
}

/** Reads and checks the vocabulary. Throws VocabularyError with the loader's message. */
export function readAuditVocabulary(path?: string): AuditVocabulary {
  let v: ReturnType<typeof loadVocabulary>;
  try {
    v = path === undefined ? loadVocabulary() : loadVocabulary(path);
  } catch (e) {
    if (e instanceof RulePackError) throw new VocabularyError(e.message);
    throw e;
  }
  const fields: Record<string, string[]> = {};
  for (const [name, spec] of Object.entries(v.fields)) fields[name] = spec!.keys;
  const lexicon = {} as AuditVocabulary['lexicon'];
  for (const step of LIFECYCLE_STEPS) lexicon[step] = v.lexicon[step] ?? { zh: [], en: [] };
  return {
    orderKeys: v.order_keys,
    orderKeysFallback: v.order_keys_fallback,
    orderIdPattern: new RegExp(v.order_id_pattern),
    fields,
    lexicon,
    negators: v.negators,
    recogniser: new ShapeRecogniser(v),
  };
}

/** The steps whose words the text holds, ignoring a word right after a negator (未支付, not paid). */
export function lifecycleWords(text: string, v: AuditVocabulary): LifecycleStep[] {
  const named = v.recogniser.stepsNamed(text);
  return LIFECYCLE_STEPS.filter((s) => named.has(s));
}
