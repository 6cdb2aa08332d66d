import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { packageRoot } from '../../src/util/package-root';
import { GATEWAYS } from '../../parsers/gateways/registry';
import { RulePackError } from './load-packs';

// Reading and checking the shape vocabulary. Its types and constants are in vocabulary-data.ts,
// which the worker threads load without this module's YAML reader and schema validator.

export * from './vocabulary-data';
import type { VocabularyData } from './vocabulary-data';

export function builtinVocabularyFile(): string {
  return join(packageRoot(), 'rules', 'shape', 'vocabulary.yaml');
}

// Compiled once: a run reads the vocabulary twice (the rule engine's shapes, then the mentions
// audit at the end), and compiling the schema cost about as much as reading the file.
let validatorCache: ReturnType<Ajv['compile']> | undefined;
function validator(): ReturnType<Ajv['compile']> {
  if (!validatorCache) {
    const schema = JSON.parse(readFileSync(join(packageRoot(), 'rules', 'schema', 'vocabulary.schema.json'), 'utf8')) as object;
    validatorCache = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validatorCache;
}

/** Read and check a vocabulary file; a broken one stops the run with a message naming the field. */
export function loadVocabulary(file = builtinVocabularyFile()): VocabularyData {
  let data: unknown;
  try {
    data = YAML.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RulePackError(`cannot read the shape vocabulary ${file}: ${(e as Error).message} / 无法读取词表`);
  }
  const validate = validator();
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
