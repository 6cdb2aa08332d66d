// The field names a KQL query filters on. Only what salvage's own queries use is understood:
// `field : value`, `field : (a or b)`, `field < n` (and <=, >, >=), `field : *`, with and/or/not
// and parentheses. Quoted values are removed first, so a value holding a colon is not a field.

const QUOTED = /"(?:[^"\\]|\\.)*"/g;
const FIELD_BEFORE_OPERATOR = /(?:^|[\s(])([A-Za-z_@][A-Za-z0-9_.@-]*)\s*(?::|<=|>=|<|>)/g;

export function kqlFields(kql: string): string[] {
  const bare = kql.replace(QUOTED, '""');
  const out = new Set<string>();
  for (const m of bare.matchAll(FIELD_BEFORE_OPERATOR)) out.add(m[1]!);
  return [...out];
}
