import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../util/package-root';

// The index templates are data (es/templates/*.json, the field list in docs/elasticsearch-fields.md
// is made from them): this module only names them for a prefix and lists their fields.

export const DOC_KINDS = ['transactions', 'evidence', 'runs'] as const;
export type DocKind = (typeof DOC_KINDS)[number];

interface TemplateFile {
  _meta: { description: string };
  template: { settings?: Record<string, unknown>; mappings: { dynamic?: boolean; properties: Properties } };
}
type Properties = Record<string, FieldMapping>;
interface FieldMapping {
  type?: string;
  properties?: Properties;
  fields?: Properties;
  enabled?: boolean;
  [k: string]: unknown;
}

function readTemplate(name: string): TemplateFile {
  return JSON.parse(readFileSync(join(packageRoot(), 'es', 'templates', `${name}.json`), 'utf8')) as TemplateFile;
}

/** Names under one prefix: the alias analysts query, and the pattern every run's index matches. */
export function aliasName(prefix: string, kind: DocKind): string {
  return `${prefix}-${kind}`;
}
export function runIndexName(prefix: string, kind: DocKind, runId: string): string {
  return `${prefix}-${kind}-${runId}`;
}
export function baseComponentName(prefix: string): string {
  return `${prefix}-ecs-base`;
}

/** The component template and the three index templates, as the node's API takes them. */
export function templatesFor(prefix: string): {
  component: { name: string; template: TemplateFile['template']; _meta: TemplateFile['_meta'] };
  indexTemplates: { name: string; index_patterns: string[]; composed_of: string[]; priority: number; template: TemplateFile['template']; _meta: TemplateFile['_meta'] }[];
} {
  const base = readTemplate('ecs-base');
  return {
    component: { name: baseComponentName(prefix), template: base.template, _meta: base._meta },
    indexTemplates: DOC_KINDS.map((kind) => {
      const t = readTemplate(kind);
      return {
        name: `${prefix}-${kind}`,
        index_patterns: [`${prefix}-${kind}-*`],
        composed_of: [baseComponentName(prefix)],
        // Above the node's built-in templates, so nothing else shapes these indices.
        priority: 300,
        template: t.template,
        _meta: t._meta,
      };
    }),
  };
}

export interface MappedField {
  path: string;
  type: string;
}

/** Every field a kind of document has, with its type: the base's fields and the kind's own,
 *  multi-fields included (`url.original.text`); objects kept unindexed are listed as `object`. */
export function mappedFields(kind: DocKind): MappedField[] {
  const out = new Map<string, string>();
  const walk = (props: Properties, prefix: string) => {
    for (const [name, m] of Object.entries(props)) {
      const path = prefix ? `${prefix}.${name}` : name;
      if (m.properties) walk(m.properties, path);
      else out.set(path, m.type ?? 'object');
      if (m.fields) for (const [sub, s] of Object.entries(m.fields)) out.set(`${path}.${sub}`, s.type ?? 'object');
    }
  };
  walk(readTemplate('ecs-base').template.mappings.properties, '');
  walk(readTemplate(kind).template.mappings.properties, '');
  return [...out].map(([path, type]) => ({ path, type })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Leaf paths of a document (arrays of scalars are one field; objects inside arrays are walked). */
export function documentPaths(doc: unknown, prefix = '', into = new Set<string>()): Set<string> {
  if (doc === null || doc === undefined) return into;
  if (Array.isArray(doc)) {
    for (const d of doc) documentPaths(d, prefix, into);
    return into;
  }
  if (typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) documentPaths(v, prefix ? `${prefix}.${k}` : k, into);
    return into;
  }
  into.add(prefix);
  return into;
}
