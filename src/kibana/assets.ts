import { dashboard } from './dashboard';
import { evidenceDataView, runsDataView, transactionsDataView } from './data-view';
import { amountPerHour, confidenceHistogram, evidencePerHourPerFile, holesPerSource, ordersPerHour, topUnjoined } from './lens';
import { SEARCHES } from './queries';
import { assetNames, type SavedObject } from './saved-object';
import { savedSearch } from './search';

// Every saved object salvage ships for one --es-prefix, in the order Kibana's export writes
// them (what is referred to before what refers to it), and the import file they make.

export function kibanaAssets(prefix: string): SavedObject[] {
  const n = assetNames(prefix);
  const views = [transactionsDataView(n), evidenceDataView(n), runsDataView(n)];
  const searches = SEARCHES.map((s) => savedSearch(n, s));
  const orders = ordersPerHour(n);
  const amount = amountPerHour(n);
  const confidence = confidenceHistogram(n);
  const coverage = evidencePerHourPerFile(n);
  const holes = holesPerSource(n);
  const unjoined = topUnjoined(n);
  const review = searches.find((s) => s.id.endsWith('-search-review-queue'))!;
  const board = dashboard(n, [
    { object: orders, x: 0, y: 0, w: 24, h: 15 },
    { object: amount, x: 24, y: 0, w: 24, h: 15 },
    { object: confidence, x: 0, y: 15, w: 16, h: 15 },
    { object: coverage, x: 16, y: 15, w: 32, h: 15 },
    { object: holes, x: 0, y: 30, w: 24, h: 12 },
    { object: unjoined, x: 24, y: 30, w: 24, h: 12 },
    { object: review, x: 0, y: 42, w: 48, h: 18 },
  ]);
  return [...views, ...searches, orders, amount, confidence, coverage, holes, unjoined, board];
}

/** The import file: one object per line, keys in a fixed order so the shipped file diffs cleanly. */
export function toNdjson(objects: SavedObject[]): string {
  return objects.map((o) => JSON.stringify(sortKeys(o))).join('\n') + '\n';
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
