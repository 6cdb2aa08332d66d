import { CORE_MIGRATION_VERSION, TYPE_MIGRATION_VERSION, type SavedObjectType } from './target';

// The shape of one line of Kibana's import file (what Stack Management → Saved objects → Export
// writes): the object's own attributes, and the references Kibana rewrites on import.

export interface Reference {
  name: string;
  type: string;
  id: string;
}

export interface SavedObject {
  id: string;
  type: SavedObjectType;
  attributes: Record<string, unknown>;
  references: Reference[];
  coreMigrationVersion: string;
  typeMigrationVersion: string;
  managed: boolean;
}

/** An object of `type`, with the versions its attributes are written in. */
export function savedObject(type: SavedObjectType, id: string, attributes: Record<string, unknown>, references: Reference[]): SavedObject {
  return {
    id,
    type,
    attributes,
    references,
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    typeMigrationVersion: TYPE_MIGRATION_VERSION[type],
    // Not "managed": an analyst may edit the imported objects in place.
    managed: false,
  };
}

/** The ids and titles the objects use for one --es-prefix: ids are fixed, so importing again overwrites. */
export interface AssetNames {
  prefix: string;
  transactionsView: { id: string; title: string };
  evidenceView: { id: string; title: string };
  runsView: { id: string; title: string };
}

export function assetNames(prefix: string): AssetNames {
  return {
    prefix,
    // The aliases: they point at the current run, so the views follow `salvage index` and --rollback.
    transactionsView: { id: `${prefix}-transactions`, title: `${prefix}-transactions` },
    evidenceView: { id: `${prefix}-evidence`, title: `${prefix}-evidence` },
    // The run document and its coverage holes.
    runsView: { id: `${prefix}-runs`, title: `${prefix}-runs` },
  };
}
