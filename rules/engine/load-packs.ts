import Ajv from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import YAML from 'yaml';
import { packageRoot } from '../../src/util/package-root';
import { isEvidenceField } from '../../src/model/evidence-fields';
import { extractTarget, packFieldRefusal, packFieldsHint, type RulePack, type SourcedRule } from './pack';
import { unsafeRegexReason } from './safe-regex';
import { GATEWAYS } from '../../parsers/gateways/registry';

// Loading is where broken configuration is caught: schema errors, bad regexes and unknown
// gateways become one RulePackError that names the file, the rule and the field. Nothing
// malformed reaches the per-line engine.

export class RulePackError extends Error {
  override name = 'RulePackError';
}

const schemaPath = () => join(packageRoot(), 'rules', 'schema', 'rule-pack.schema.json');

let validatorCache: ReturnType<Ajv['compile']> | undefined;
function validator() {
  if (!validatorCache) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    validatorCache = ajv.compile(JSON.parse(readFileSync(schemaPath(), 'utf8')));
  }
  return validatorCache;
}

export function builtinPackDir(): string {
  return join(packageRoot(), 'rules', 'packs');
}

const PACK_EXT = new Set(['.json', '.yaml', '.yml']);

export function listPackFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new RulePackError(`cannot read rule pack folder ${dir}: ${(e as Error).message}`);
  }
  return names.filter((n) => PACK_EXT.has(extname(n).toLowerCase())).sort().map((n) => join(dir, n));
}

/** Parse and validate one pack file. Throws RulePackError naming file, rule and field. */
export function loadPackFile(file: string): RulePack {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RulePackError(`cannot read rule pack ${file}: ${(e as Error).message}`);
  }
  let data: unknown;
  try {
    data = extname(file).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text);
  } catch (e) {
    throw new RulePackError(`rule pack ${file} is not valid ${extname(file).slice(1).toUpperCase()}: ${(e as Error).message}`);
  }
  const validate = validator();
  if (!validate(data)) {
    // An undeclared name under `extract` fails the schema's propertyNames twice (the enum, then
    // propertyNames itself): the enum's error names the field, so it is the one shown.
    const errs = (validate.errors ?? []).filter((err) => err.keyword !== 'propertyNames').slice(0, 5).map((err) => {
      if (err.propertyName !== undefined && err.instancePath.endsWith('/extract')) {
        return `${describePath(data, `${err.instancePath}/${err.propertyName}`)}: ${packFieldRefusal(err.propertyName) ?? err.message}`;
      }
      const where = describePath(data, err.instancePath);
      return `${where}: ${err.message}${err.params && 'allowedValues' in err.params ? ` (${(err.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : ''}`;
    });
    const hint = (validate.errors ?? []).some((err) => err.propertyName !== undefined && err.instancePath.endsWith('/extract')) ? `\n  (${packFieldsHint()})` : '';
    throw new RulePackError(`rule pack ${file} is invalid:\n  ${errs.join('\n  ')}${hint}`);
  }
  const pack = data as RulePack;
  for (const r of pack.rules) checkRule(file, r);
  return pack;
}

function describePath(data: unknown, pointer: string): string {
  const parts = pointer.split('/').slice(1);
  if (parts[0] === 'rules' && parts[1] !== undefined) {
    const rule = (data as RulePack).rules[Number(parts[1])];
    const id = rule && typeof rule === 'object' && 'id' in rule ? String(rule.id) : `#${parts[1]}`;
    return `rule ${id}, field ${parts.slice(2).join('.') || '(rule)'}`;
  }
  return `field ${parts.join('.') || '(top level)'}`;
}

function checkRule(file: string, r: RulePack['rules'][number]): void {
  for (const field of ['path', 'message'] as const) {
    const src = r.match[field];
    if (src === undefined) continue;
    try {
      new RegExp(src);
    } catch (e) {
      throw new RulePackError(`rule pack ${file}, rule ${r.id}, field match.${field}: not a valid regular expression: ${(e as Error).message}`);
    }
    const unsafe = unsafeRegexReason(src);
    if (unsafe) throw new RulePackError(`rule pack ${file}, rule ${r.id}, field match.${field}: refused: ${unsafe}. Rewrite it without a repeated group that repeats inside.`);
  }
  if (r.payload !== undefined && !(r.payload in GATEWAYS)) {
    throw new RulePackError(`rule pack ${file}, rule ${r.id}, field payload: gateway "${r.payload}" is not supported yet (known: ${Object.keys(GATEWAYS).join(', ')})`);
  }
  for (const [name, spec] of Object.entries(r.extract ?? {})) {
    const target = extractTarget(name, typeof spec === 'string' ? 'text' : spec.as ?? 'text');
    if ('refused' in target) {
      const hint = isEvidenceField(name) ? '' : ` (${packFieldsHint()})`;
      throw new RulePackError(`rule pack ${file}, rule ${r.id}, field extract.${name}: ${target.refused}${hint}`);
    }
    const from = typeof spec === 'string' ? spec : spec.from;
    if (from?.startsWith('gateway.') && r.payload === undefined) {
      throw new RulePackError(`rule pack ${file}, rule ${r.id}, field extract.${name}: gateway.* needs a payload on the rule`);
    }
    if (from?.startsWith('path.') && !r.match.path?.includes(`(?<${from.slice(5)}>`)) {
      throw new RulePackError(`rule pack ${file}, rule ${r.id}, field extract.${name}: match.path has no named group "${from.slice(5)}"`);
    }
    if (from?.startsWith('message.') && !r.match.message?.includes(`(?<${from.slice(8)}>`)) {
      throw new RulePackError(`rule pack ${file}, rule ${r.id}, field extract.${name}: match.message has no named group "${from.slice(8)}"`);
    }
  }
}

/**
 * Built-in packs, then the user's (`--rules <dir>`): a user rule with the id of a built-in one
 * replaces it in place; new ids are appended. Order matters: the first matching rule wins.
 */
export function loadRules(userDirs: string[] = [], builtinDir = builtinPackDir()): SourcedRule[] {
  const rules: SourcedRule[] = [];
  const index = new Map<string, number>();
  const add = (file: string, fromUser: boolean) => {
    const pack = loadPackFile(file);
    for (const rule of pack.rules) {
      const at = index.get(rule.id);
      const sourced = { rule, pack: pack.pack, file };
      if (at !== undefined) {
        if (!fromUser) throw new RulePackError(`rule id ${rule.id} is defined twice (${rules[at]!.file} and ${file})`);
        rules[at] = sourced;
      } else {
        index.set(rule.id, rules.length);
        rules.push(sourced);
      }
    }
  };
  for (const f of listPackFiles(builtinDir)) add(f, false);
  for (const d of userDirs) for (const f of listPackFiles(d)) add(f, true);
  return rules;
}
