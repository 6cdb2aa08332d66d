import type { EvidenceKind } from '../../src/model/types';

/** The shape of a rule pack file (see rules/schema/rule-pack.schema.json). */
export interface RulePack {
  pack: string;
  description?: string;
  rules: RuleSpec[];
}

export type ExtractSpec = string | { from?: string; value?: string | number; as?: Transform };

export type Transform = 'text' | 'yuan' | 'fen_to_yuan' | 'int' | 'lower' | 'upper' | 'trim' | 'time' | 'card_key' | 'php_controller';

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
