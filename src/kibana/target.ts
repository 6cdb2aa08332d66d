// The Kibana release these saved objects are written for, and the migration versions they
// declare. Kibana's import migrates an object forward from the version it declares and refuses
// one that declares a version newer than it knows, so every figure here is one that 8.17
// already had (read from Kibana's source, see below), never a guess ahead of it.

export const KIBANA_TARGET = '8.17.0';

/**
 * The core (reference) transform version: 8.8.0 is the last one core added, and what every
 * 8.8+ export carries (the nginx integration's 8.12-era assets do too).
 */
export const CORE_MIGRATION_VERSION = '8.8.0';

export type SavedObjectType = 'index-pattern' | 'search' | 'lens' | 'dashboard';

/**
 * Per type, the version the attributes are written in. Model version n of a type is the
 * "virtual" version 10.n.0.
 * - index-pattern: legacy migrations 6.5.0, 7.6.0, 7.11.0, plus the 8.0.0 multi-namespace
 *   conversion; no model versions (data_views/server/saved_objects/data_views.ts).
 * - search: model versions 1–3 (sampleSize, headerRowHeight, visContext) were in 8.16's tree;
 *   4 and 5 (viewMode "pattern", density) add nothing we use and have no transforms, so 10.3.0
 *   is safe on every 8.17 build (saved_search/server/saved_objects/search.ts, schema.ts).
 * - lens: legacy migrations up to 8.9.0; model versions came to lens only in 9.x.
 * - dashboard: model versions 1 and 2 (showApplySelections), none after them under
 *   src/plugins/dashboard (dashboard_saved_object.ts).
 */
export const TYPE_MIGRATION_VERSION: Record<SavedObjectType, string> = {
  'index-pattern': '8.0.0',
  search: '10.3.0',
  lens: '8.9.0',
  dashboard: '10.2.0',
};

/** Compares dotted versions numerically (8.10.0 > 8.9.0). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Model versions each type is known to have in the target release (a lower bound read from
 * its source tree): a declared virtual version 10.n.0 above it would be refused on import.
 */
export const MODEL_VERSIONS_AT_TARGET: Partial<Record<SavedObjectType, number>> = {
  search: 3,
  dashboard: 2,
};

/** Why `version` of `type` would be newer than the target release knows, or null. */
export function tooNewForTarget(type: string, version: string): string | null {
  if (!/^\d+\.\d+\.\d+$/.test(version)) return `${version} is not a version`;
  const [major, minor] = version.split('.').map(Number) as [number, number];
  if (major >= 10) {
    const known = MODEL_VERSIONS_AT_TARGET[type as SavedObjectType];
    if (known === undefined) return `${type} has no model versions in Kibana ${KIBANA_TARGET}, so ${version} is newer than it knows`;
    return minor <= known ? null : `${type} has model versions up to 10.${known}.0 in Kibana ${KIBANA_TARGET}, not ${version}`;
  }
  return compareVersions(version, KIBANA_TARGET) <= 0 ? null : `${version} is newer than Kibana ${KIBANA_TARGET}`;
}
