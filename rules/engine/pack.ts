import { EVIDENCE_FIELDS, isEvidenceField, isNumberField, isTextField, packFieldNames, type NumberFieldName, type TextFieldName } from '../../src/model/evidence-fields';
import type { EvidenceKind } from '../../src/model/types';

/** The shape of a rule pack file (see rules/schema/rule-pack.schema.json). */
export interface RulePack {
  pack: string;
  description?: string;
  rules: RuleSpec[];
}

export type ExtractSpec = string | { from?: string; value?: string | number; as?: Transform };

export type Transform = 'text' | 'yuan' | 'fen_to_yuan' | 'int' | 'lower' | 'upper' | 'trim' | 'time' | 'card_key' | 'php_controller';

/** Transforms that make a number of the text they read. */
export type NumberTransform = 'yuan' | 'fen_to_yuan' | 'int';
/** `card_key` writes a hash and a mask (and the key only with --reveal-card-keys), never the key alone. */
export type TextTransform = Exclude<Transform, NumberTransform | 'card_key'>;

/** Where an extractor writes: a number field through a number transform, a text field through
 *  a text transform, or the card key's fields. */
export type ExtractTarget =
  | { field: NumberFieldName; as: NumberTransform }
  | { field: TextFieldName; as: TextTransform }
  | { as: 'card_key' };

function isNumberTransform(as: Transform): as is NumberTransform {
  return as === 'yuan' || as === 'fen_to_yuan' || as === 'int';
}

/** The fields a pack may write, for a message that refused one. */
export function packFieldsHint(): string {
  return `a rule pack may write / 规则包可写的字段: ${packFieldNames().join(', ')}`;
}

/** Why a rule pack may not write the field `name`, or null when it may. */
export function packFieldRefusal(name: string): string | null {
  if (!isEvidenceField(name)) return `"${name}" is not an evidence field / 不是证据字段`;
  if (!EVIDENCE_FIELDS[name].pack) return `"${name}" is written by salvage itself, not by a rule pack: it says what salvage checked or computed / 此字段由 salvage 自己写入，规则包不能写`;
  return null;
}

/** The target of `extract: { <name>: { as: <as> } }`, or why a pack may not write it. */
export function extractTarget(name: string, as: Transform): ExtractTarget | { refused: string } {
  const refusal = packFieldRefusal(name);
  if (refusal !== null) return { refused: refusal };
  if (as === 'card_key') {
    if (name !== 'card_key') return { refused: `as: card_key writes the card key's hash and mask: name the field card_key / card_key 变换只能用于 card_key 字段` };
    return { as };
  }
  if (name === 'card_key') return { refused: `card_key is a secret: extract it with as: card_key, which keeps only its hash and a mask / 卡密是机密，须用 as: card_key（只保留哈希和掩码）` };
  if (isNumberTransform(as)) {
    if (isNumberField(name)) return { field: name, as };
    return { refused: `"${name}" holds text, and as: ${as} makes a number / 此字段是文本，as: ${as} 会得到数字` };
  }
  if (isTextField(name)) return { field: name, as };
  return { refused: `"${name}" holds a number: extract it with as: yuan, fen_to_yuan or int / 此字段是数字，须用 as: yuan、fen_to_yuan 或 int` };
}

export interface RuleSpec {
  id: string;
  description?: string;
  match: {
    family: string;
    method?: string;
    path?: string;
    status?: string;
    bytes?: string;
    level?: string;
    message?: string;
    params?: string[];
    equals?: Record<string, string>;
  };
  emit: EvidenceKind;
  weight: number;
  repeat?: 'all' | 'first';
  payload?: string;
  extract?: Record<string, ExtractSpec>;
}

/** A rule together with the file it came from, for error messages and provenance. */
export interface SourcedRule {
  rule: RuleSpec;
  pack: string;
  file: string;
}
