import { errors, type Client } from '@elastic/elasticsearch';
import { DOC_KINDS, aliasName, runIndexName, templatesFor, type DocKind } from './mapping';

// Each run writes its own three indices; the stable aliases analysts query point at one run's
// indices at a time. The aliases move in one atomic request, and only once a run is complete,
// so a half-indexed run is never what Kibana shows. Rolling back moves them to the run before.

export async function applyTemplates(client: Client, prefix: string): Promise<void> {
  const t = templatesFor(prefix);
  await client.cluster.putComponentTemplate({ name: t.component.name, template: t.component.template as never, _meta: t.component._meta });
  for (const it of t.indexTemplates) {
    await client.indices.putIndexTemplate({ name: it.name, index_patterns: it.index_patterns, composed_of: it.composed_of, priority: it.priority, template: it.template as never, _meta: it._meta });
  }
}

/** Creates the run's indices (from the templates) unless they exist: a re-run reuses them. */
export async function createRunIndices(client: Client, prefix: string, runId: string): Promise<Record<DocKind, string>> {
  const names = {} as Record<DocKind, string>;
  for (const kind of DOC_KINDS) {
    const index = runIndexName(prefix, kind, runId);
    names[kind] = index;
    try {
      await client.indices.create({ index });
    } catch (e) {
      if (!(e instanceof errors.ResponseError && (e.body as { error?: { type?: string } })?.error?.type === 'resource_already_exists_exception')) throw e;
    }
  }
  return names;
}

/** The run id an alias points at now, or null when the alias does not exist yet. */
export async function currentRunId(client: Client, prefix: string): Promise<string | null> {
  const alias = aliasName(prefix, 'transactions');
  const res = await client.indices.getAlias({ name: alias }, { ignore: [404] });
  const indices = Object.keys(res ?? {}).filter((i) => i.startsWith(`${alias}-`));
  if (indices.length === 0) return null;
  return indices[0]!.slice(alias.length + 1);
}

/** Points the three aliases at one run's indices, in one request (all move, or none). */
export async function moveAliases(client: Client, prefix: string, runId: string): Promise<void> {
  const actions = DOC_KINDS.flatMap((kind) => [
    { remove: { index: `${prefix}-${kind}-*`, alias: aliasName(prefix, kind), must_exist: false } },
    { add: { index: runIndexName(prefix, kind, runId), alias: aliasName(prefix, kind) } },
  ]);
  await client.indices.updateAliases({ actions });
}

export interface RunListing {
  id: string;
  generated_at: string;
  indexed_at: string;
  records: number;
  transactions: number;
  evidence: number;
  exit_code: number;
  out_dir: string | null;
  current: boolean;
}

/** Every run indexed completely under the prefix (its run document is written last), newest first. */
export async function listRuns(client: Client, prefix: string): Promise<RunListing[]> {
  const current = await currentRunId(client, prefix);
  const res = await client.search<{ salvage: { run: { id: string; generated_at: string; indexed_at: string; exit_code: number; out_dir: string | null; records: { total: number }; documents: { transactions: number; evidence: number } } } }>(
    {
      index: `${prefix}-runs-*`,
      ignore_unavailable: true,
      allow_no_indices: true,
      size: 1000,
      query: { term: { 'event.dataset': 'salvage.runs' } },
      sort: [{ '@timestamp': { order: 'desc' } }],
      _source: ['salvage.run.id', 'salvage.run.generated_at', 'salvage.run.indexed_at', 'salvage.run.exit_code', 'salvage.run.out_dir', 'salvage.run.records.total', 'salvage.run.documents'],
    },
    { ignore: [404] },
  );
  return (res.hits?.hits ?? []).map((h) => {
    const r = h._source!.salvage.run;
    return {
      id: r.id,
      generated_at: r.generated_at,
      indexed_at: r.indexed_at,
      records: r.records.total,
      transactions: r.documents.transactions,
      evidence: r.documents.evidence,
      exit_code: r.exit_code,
      out_dir: r.out_dir,
      current: r.id === current,
    };
  });
}

/** The run the aliases should go back to: the newest complete run older than the current one. */
export function previousRun(runs: RunListing[], currentId: string | null): RunListing | null {
  const cur = runs.find((r) => r.id === currentId);
  if (!cur) return null;
  const older = runs.filter((r) => r.id !== cur.id && (r.generated_at < cur.generated_at || (r.generated_at === cur.generated_at && r.id < cur.id)));
  older.sort((a, b) => (a.generated_at < b.generated_at ? 1 : a.generated_at > b.generated_at ? -1 : a.id < b.id ? 1 : -1));
  return older[0] ?? null;
}
