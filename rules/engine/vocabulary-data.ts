import type { EvidenceFieldName } from '../../src/model/evidence-fields';

// The shape vocabulary (rules/shape/vocabulary.yaml) as data. It is loaded and checked once by
// the main thread (vocabulary.ts); workers receive the plain object (structured clone) and
// compile it (shape.ts), so they need neither the YAML reader nor the schema validator: this
// module holds what they need and imports neither.

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
