import { kqlFields } from './kql';
import { layerRefName } from './lens';
import { aggregatedFields, type LensColumn } from './lens-columns';
import { KIBANA_TARGET, tooNewForTarget } from './target';

// The rules Kibana's saved-object import applies to a file, checked without a Kibana (none can be
// installed here): each line JSON, each object whole and not newer than the target release, no
// object twice, every reference resolving inside the file, the attributes Kibana keeps as
// strings holding JSON, Lens layers with their data view reference, and the attributes the
// search and dashboard schemas accept. Pure: text in, problems out.

export interface Problem {
  line: number;
  object: string;
  rule: string;
  message: string;
}

interface ParsedObject {
  line: number;
  id: string;
  type: string;
  attributes: Record<string, unknown>;
  references: { name: string; type: string; id: string }[];
}

const IMPORTABLE = new Set(['index-pattern', 'search', 'lens', 'dashboard', 'visualization', 'tag']);

/** Attribute paths Kibana stores as a string of JSON, per type. */
const JSON_STRING_ATTRIBUTES: Record<string, string[]> = {
  'index-pattern': ['fieldFormatMap', 'fieldAttrs', 'runtimeFieldMap', 'sourceFilters', 'typeMeta', 'fields'],
  search: ['kibanaSavedObjectMeta.searchSourceJSON'],
  dashboard: ['panelsJSON', 'optionsJSON', 'kibanaSavedObjectMeta.searchSourceJSON', 'controlGroupInput.panelsJSON'],
  lens: [],
};

/**
 * Top-level attributes the create schemas accept (unknown keys are refused): search's model
 * version 3 schema and dashboard's version 2 schema, as in Kibana's saved_search and dashboard
 * plugins. Index patterns and Lens have no such schema in 8.17.
 */
const SCHEMA_ATTRIBUTES: Record<string, Set<string>> = {
  search: new Set(['title', 'description', 'columns', 'sort', 'grid', 'rowHeight', 'rowsPerPage', 'hideChart', 'breakdownField', 'kibanaSavedObjectMeta', 'isTextBasedQuery', 'usesAdHocDataView', 'timeRestore', 'timeRange', 'refreshInterval', 'viewMode', 'hideAggregatedPreview', 'hits', 'version', 'sampleSize', 'headerRowHeight', 'visContext']),
  dashboard: new Set(['title', 'description', 'kibanaSavedObjectMeta', 'timeRestore', 'timeFrom', 'timeTo', 'refreshInterval', 'controlGroupInput', 'panelsJSON', 'optionsJSON', 'hits', 'version']),
};
const REQUIRED_ATTRIBUTES: Record<string, string[]> = { 'index-pattern': ['title'], search: ['title', 'kibanaSavedObjectMeta'], lens: ['title', 'visualizationType', 'state'], dashboard: ['title'] };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function at(obj: Record<string, unknown>, path: string): unknown {
  let v: unknown = obj;
  for (const k of path.split('.')) v = isObject(v) ? v[k] : undefined;
  return v;
}

function parseJson(s: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(s) };
  } catch {
    return { ok: false };
  }
}

/** Rules 1–3 and the object's own shape; the objects that passed, for the rules across objects. */
function readObjects(text: string, problems: Problem[]): ParsedObject[] {
  const out: ParsedObject[] = [];
  const seen = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const p = parseJson(raw);
    const add = (rule: string, object: string, message: string) => problems.push({ line, object, rule, message });
    if (!p.ok || !isObject(p.value)) return add('1 json', '?', 'the line is not a JSON object');
    const o = p.value;
    const name = `${String(o.type)}:${String(o.id)}`;
    let whole = true;
    for (const k of ['id', 'type', 'coreMigrationVersion', 'typeMigrationVersion']) {
      if (typeof o[k] !== 'string' || o[k] === '') {
        add('2 fields', name, `${k} is missing or not a non-empty string`);
        whole = false;
      }
    }
    if (!isObject(o.attributes)) (add('2 fields', name, 'attributes is missing or not an object'), (whole = false));
    const refsOk = Array.isArray(o.references) && o.references.every((r) => isObject(r) && ['name', 'type', 'id'].every((k) => typeof r[k] === 'string' && r[k] !== ''));
    if (!refsOk) (add('2 fields', name, 'references is missing, or a reference lacks name, type or id'), (whole = false));
    if (!whole) return;
    for (const k of ['coreMigrationVersion', 'typeMigrationVersion'] as const) {
      const why = tooNewForTarget(k === 'coreMigrationVersion' ? 'core' : (o.type as string), o[k] as string);
      if (why) add('2 versions', name, `${k}: ${why}`);
    }
    if (!IMPORTABLE.has(o.type as string)) add('2 fields', name, `type ${String(o.type)} is not one Kibana ${KIBANA_TARGET} imports here`);
    const prev = seen.get(name);
    if (prev !== undefined) add('3 unique', name, `${name} already appears on line ${prev}`);
    else seen.set(name, line);
    out.push({ line, id: o.id as string, type: o.type as string, attributes: o.attributes as Record<string, unknown>, references: o.references as ParsedObject['references'] });
  });
  return out;
}

/** Rule 5, plus the schema's accepted attributes. */
function checkAttributes(o: ParsedObject, add: (rule: string, message: string) => void): void {
  for (const path of JSON_STRING_ATTRIBUTES[o.type] ?? []) {
    const v = at(o.attributes, path);
    if (v === undefined) continue;
    if (typeof v !== 'string') add('5 json strings', `${path} must be a string holding JSON, not ${Array.isArray(v) ? 'an array' : typeof v}`);
    else if (!parseJson(v).ok) add('5 json strings', `${path} is a string but not JSON`);
  }
  if (o.type === 'lens' && !isObject(o.attributes.state)) add('5 json strings', 'a Lens state is an object, not a string');
  for (const k of REQUIRED_ATTRIBUTES[o.type] ?? []) if (o.attributes[k] === undefined) add('2 fields', `attributes.${k} is missing`);
  const allowed = SCHEMA_ATTRIBUTES[o.type];
  if (allowed) for (const k of Object.keys(o.attributes)) if (!allowed.has(k)) add('schema', `attributes.${k} is not in the ${o.type} schema (Kibana refuses unknown attributes)`);
}

function lensLayers(o: ParsedObject): Record<string, { columns?: Record<string, LensColumn> }> {
  const layers = at(o.attributes, 'state.datasourceStates.formBased.layers');
  return isObject(layers) ? (layers as Record<string, { columns?: Record<string, LensColumn> }>) : {};
}

function dashboardPanels(o: ParsedObject): { panelIndex?: string; panelRefName?: string; type?: string }[] {
  const s = o.attributes.panelsJSON;
  if (typeof s !== 'string') return [];
  const p = parseJson(s);
  return p.ok && Array.isArray(p.value) ? (p.value as { panelIndex?: string; panelRefName?: string }[]) : [];
}

function searchSource(o: ParsedObject): { indexRefName?: string; query?: { query?: unknown } } {
  const s = at(o.attributes, 'kibanaSavedObjectMeta.searchSourceJSON');
  if (typeof s !== 'string') return {};
  const p = parseJson(s);
  return p.ok && isObject(p.value) ? (p.value as { indexRefName?: string }) : {};
}

/** Rules 4 and 6, and every reference name the attributes use is a reference. */
function checkReferences(o: ParsedObject, known: Set<string>, add: (rule: string, message: string) => void): void {
  for (const r of o.references) {
    if (!known.has(`${r.type}:${r.id}`) && r.type !== 'tag') add('4 references', `reference ${r.name} → ${r.type}:${r.id} is not in the file`);
  }
  const names = new Set(o.references.map((r) => r.name));
  if (o.type === 'lens') {
    const layers = Object.keys(lensLayers(o));
    if (layers.length === 0) add('6 lens layers', 'a Lens visualization with no formBased layer');
    for (const id of layers) {
      const ref = o.references.find((r) => r.name === layerRefName(id));
      if (!ref) add('6 lens layers', `layer ${id} has no reference ${layerRefName(id)}`);
      else if (ref.type !== 'index-pattern') add('6 lens layers', `reference ${ref.name} is a ${ref.type}, not an index-pattern`);
    }
  }
  if (o.type === 'search' || o.type === 'dashboard') {
    const ref = searchSource(o).indexRefName;
    if (ref !== undefined && !names.has(ref)) add('4 references', `searchSourceJSON.indexRefName ${ref} names no reference`);
    if (o.type === 'search' && ref === undefined) add('4 references', 'a saved search with no data view (indexRefName)');
  }
  if (o.type === 'dashboard') {
    for (const p of dashboardPanels(o)) {
      if (!p.panelRefName) continue;
      if (!names.has(`${p.panelIndex}:${p.panelRefName}`)) add('4 references', `panel ${p.panelIndex} names ${p.panelRefName}, but there is no reference ${p.panelIndex}:${p.panelRefName}`);
    }
  }
}

export interface CheckResult {
  problems: Problem[];
  objects: number;
}

/** Every rule above, on the text of an import file. */
export function checkImportFile(text: string): CheckResult {
  const problems: Problem[] = [];
  if (text.trim() === '') problems.push({ line: 1, object: '-', rule: '1 json', message: 'the file is empty' });
  const objects = readObjects(text, problems);
  const known = new Set(objects.map((o) => `${o.type}:${o.id}`));
  for (const o of objects) {
    const add = (rule: string, message: string) => problems.push({ line: o.line, object: `${o.type}:${o.id}`, rule, message });
    checkAttributes(o, add);
    checkReferences(o, known, add);
  }
  return { problems, objects: objects.length };
}

// ---- rule 7: the fields the objects name ---------------------------------------------------------

export type FieldNeed = 'exists' | 'aggregatable' | 'date';

export interface FieldUse {
  /** The data view (index-pattern id) the field is looked up in. */
  view: string;
  field: string;
  need: FieldNeed;
  /** Which object and where in it, for the message. */
  where: string;
}

/** Every field a data view, saved search or Lens panel names, with what it needs to be. */
export function fieldUses(text: string): FieldUse[] {
  const objects = readObjects(text, []);
  const uses: FieldUse[] = [];
  const refTo = (o: ParsedObject, name: string) => o.references.find((r) => r.name === name)?.id ?? '?';
  for (const o of objects) {
    const here = `${o.type}:${o.id}`;
    if (o.type === 'index-pattern') {
      const time = o.attributes.timeFieldName;
      if (typeof time === 'string') uses.push({ view: o.id, field: time, need: 'date', where: `${here} timeFieldName` });
      for (const attr of ['fieldFormatMap', 'fieldAttrs']) {
        const v = o.attributes[attr];
        const p = typeof v === 'string' ? parseJson(v) : { ok: false as const };
        if (p.ok && isObject(p.value)) for (const f of Object.keys(p.value)) uses.push({ view: o.id, field: f, need: 'exists', where: `${here} ${attr}` });
      }
    }
    if (o.type === 'search') {
      const src = searchSource(o);
      const view = src.indexRefName ? refTo(o, src.indexRefName) : '?';
      for (const c of (o.attributes.columns as string[] | undefined) ?? []) uses.push({ view, field: c, need: 'exists', where: `${here} columns` });
      for (const s of (o.attributes.sort as [string, string][] | undefined) ?? []) uses.push({ view, field: s[0], need: 'aggregatable', where: `${here} sort` });
      const q = src.query?.query;
      if (typeof q === 'string') for (const f of kqlFields(q)) uses.push({ view, field: f, need: 'exists', where: `${here} query` });
    }
    if (o.type === 'lens') {
      const layers = lensLayers(o);
      const views = new Set<string>();
      for (const [layerId, layer] of Object.entries(layers)) {
        const view = refTo(o, layerRefName(layerId));
        views.add(view);
        for (const [colId, c] of Object.entries(layer.columns ?? {})) {
          for (const f of aggregatedFields(c)) uses.push({ view, field: f, need: 'aggregatable', where: `${here} column ${colId} (${c.operationType})` });
          if (c.operationType === 'date_histogram') uses.push({ view, field: c.sourceField, need: 'date', where: `${here} column ${colId}` });
        }
      }
      const q = at(o.attributes, 'state.query.query');
      if (typeof q === 'string') for (const view of views) for (const f of kqlFields(q)) uses.push({ view, field: f, need: 'exists', where: `${here} query` });
    }
  }
  return uses;
}

/** One field as the node (field_caps) or the templates describe it. */
export interface FieldFacts {
  type: string;
  aggregatable: boolean;
  searchable: boolean;
}

/** Rule 7: each use against the fields of its data view's title. */
export function checkFieldUses(uses: FieldUse[], titleOf: (viewId: string) => string | undefined, fieldsOf: (title: string) => Map<string, FieldFacts>): string[] {
  const out: string[] = [];
  for (const u of uses) {
    const title = titleOf(u.view);
    if (title === undefined) {
      out.push(`${u.where}: data view ${u.view} is not in the file`);
      continue;
    }
    const f = fieldsOf(title).get(u.field);
    if (!f) out.push(`${u.where}: ${u.field} is not a field of ${title}`);
    else if (u.need === 'aggregatable' && !f.aggregatable) out.push(`${u.where}: ${u.field} (${f.type}) is not aggregatable in ${title}`);
    else if (u.need === 'date' && f.type !== 'date') out.push(`${u.where}: ${u.field} is ${f.type}, not a date, in ${title}`);
    else if (u.need === 'exists' && !f.searchable && !f.aggregatable) out.push(`${u.where}: ${u.field} (${f.type}) is neither searchable nor aggregatable in ${title}`);
  }
  return out;
}

/** The data views' titles by id, read from the file. */
export function dataViewTitles(text: string): Map<string, string> {
  return new Map(readObjects(text, []).filter((o) => o.type === 'index-pattern').map((o) => [o.id, String(o.attributes.title)]));
}
