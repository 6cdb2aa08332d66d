import type { SearchSpec } from './queries';
import { savedObject, type AssetNames, type SavedObject } from './saved-object';

// Saved searches (type "search", Discover sessions). The data view is named through a reference,
// as Kibana's own exports do (indexRefName), so an import into a space that renames ids still
// finds it.

const INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';

export function searchId(n: AssetNames, spec: SearchSpec): string {
  return `${n.prefix}-search-${spec.id}`;
}

export function savedSearch(n: AssetNames, spec: SearchSpec): SavedObject {
  const view = spec.view === 'transactions' ? n.transactionsView : n.evidenceView;
  const searchSource = { query: { query: spec.kql, language: 'kuery' }, filter: [], indexRefName: INDEX_REF };
  return savedObject(
    'search',
    searchId(n, spec),
    {
      title: spec.title,
      description: spec.description,
      columns: spec.columns,
      sort: spec.sort,
      grid: {},
      hideChart: false,
      isTextBasedQuery: false,
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
    },
    [{ name: INDEX_REF, type: 'index-pattern', id: view.id }],
  );
}
