import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import type { EvidenceFieldName } from '../../src/model/evidence-fields';
import { packageRoot } from '../../src/util/package-root';
import { GATEWAYS } from '../../parsers/gateways/registry';
import { RulePackError } from './load-packs';

// The shape vocabulary (rules/shape/vocabulary.yaml) as data. It is loaded and checked once by
// the main thread; workers receive the plain object (structured clone) and compile it, so they
// need neither the YAML reader nor the schema validator.

export const LIFECYCLE_STEPS = ['created', 'paid', 'delivered', 'failed', 'expired', 'refunded'] as const;
export type LifecycleStep = (typeof LIFECYCLE_STEPS)[number];

export const FIELD_CHECKS = ['email', 'id', 'amount', 'ip', 'text'] as const;
export type FieldCheck = (typeof FIELD_CHECKS)[number];

/** Fields the recogniser can fill, by their evidence field names (the engine writes each one
 *  itself, amount as yuan and card_key as its hash and mask). vocabulary.schema.json lists the
 *  same names; a test keeps the two equal. */
export const SHAPE_FIELDS = ['buyer_email', 'goods_id', 'amount', 'pay_id', 'client_ip', 'trade_no', 'card_key'] as const satisfies readonly EvidenceFieldName[];
export type ShapeField = (typeof SHAPE_FIELDS)[number];

export function isShapeField(name: string): name is ShapeField {
  return (SHAPE_FIELDS as readonly string[]).includes(name);
}

export interface Bilingual {
  zh: string[];
  en: string[];
}

export interface GatewayShape {
  payload: string;
  all: string[];
  any?: string[];
  require_one_of?: string[];
}

export interface VocabularyData {
  order_keys: string[];
  order_keys_fallback: string[];
  order_id_pattern: string;
  fields: Partial<Record<ShapeField, { keys: string[]; check: FieldCheck }>>;
  lexicon: Partial<Record<LifecycleStep, Bilingual>>;
  negators: Bilingual;
  gateways: GatewayShape[];
  payload_time_keys: string[];
}

export function builtinVocabularyFile(): string {
  return join(packageRoot(), 'rules', 'shape', 'vocabulary.yaml');
}

/** Read and check a vocabulary file; a broken one stops the run with a message naming the field. */
export function loadVocabulary(file = builtinVocabularyFile()): VocabularyData {
  let data: unknown;
  try {
    data = YAML.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RulePackError(`cannot read the shape vocabulary ${file}: ${(e as Error).message} / 无法读取词表`);
  }
  const schema = JSON.parse(readFileSync(join(packageRoot(), 'rules', 'schema', 'vocabulary.schema.json'), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  if (!validate(data)) {
    const errs = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(top level)'}: ${e.message}`);
    throw new RulePackError(`shape vocabulary ${file} is invalid / 词表无效:\n  ${errs.join('\n  ')}`);
  }
  const v = data as VocabularyData;
  for (const g of v.gateways) {
    if (!(g.payload in GATEWAYS)) {
      throw new RulePackError(`shape vocabulary ${file}, gateways: payload "${g.payload}" has no reader (known: ${Object.keys(GATEWAYS).join(', ')}) / 未知网关`);
    }
  }
  try {
    new RegExp(v.order_id_pattern);
  } catch (e) {
    throw new RulePackError(`shape vocabulary ${file}, order_id_pattern: not a valid regular expression: ${(e as Error).message}`);
  }
  return v;
}
