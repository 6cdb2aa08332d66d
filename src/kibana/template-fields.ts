import { mappedFields, type DocKind } from '../sinks/es/mapping';
import type { FieldFacts } from './import-check';

// The fields of a kind of document as the index templates declare them, in the shape field_caps
// answers with, so the objects can be checked before any node is asked (`salvage kibana` does).

const AGGREGATABLE = new Set(['keyword', 'long', 'integer', 'short', 'byte', 'double', 'float', 'half_float', 'scaled_float', 'date', 'date_nanos', 'ip', 'boolean', 'flattened']);
const UNSEARCHABLE = new Set(['object']);

export function templateFieldFacts(kind: DocKind): Map<string, FieldFacts> {
  return new Map(mappedFields(kind).map((f) => [f.path, { type: f.type, aggregatable: AGGREGATABLE.has(f.type), searchable: !UNSEARCHABLE.has(f.type) }]));
}

/** The kind a data view title reads: the alias `<prefix>-<kind>`, or the pattern `<prefix>-<kind>-*` of every run. */
export function kindOfTitle(prefix: string, title: string): DocKind | undefined {
  for (const kind of ['transactions', 'evidence', 'runs'] as const) {
    if (title === `${prefix}-${kind}` || title === `${prefix}-${kind}-*`) return kind;
  }
  return undefined;
}
