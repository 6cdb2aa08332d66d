// The Elasticsearch documents, built from a run's outputs: pure, deterministic, every field they
// carry is in the index templates, and ids depend on what a document is about, never on the run.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { EVIDENCE_KINDS, TRANSACTION_STATUSES, type EvidenceRef, type Transaction } from '../../src/model/types';
import { coverageGapDocument, evidenceDocuments, evidenceId, runIdentity, transactionDocument, transactionId, unjoinedDocument } from '../../src/sinks/es/documents';
import { DOC_KINDS, documentPaths, mappedFields, type DocKind } from '../../src/sinks/es/mapping';
import { classifyItems, retryWait } from '../../src/sinks/es/bulk-writer';
import { packageRoot } from '../../src/util/package-root';

const iso = fc.date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString());
const ref: fc.Arbitrary<EvidenceRef> = fc.record(
  {
    source: fc.constantFrom('nginx-combined', 'laravel', 'acg-faka-runtime'),
    file: fc.constantFrom('logs/access.log', 'logs/laravel-2026-11-21.log', 'a b/日志.log'),
    line: fc.integer({ min: 1, max: 1e7 }),
    offset: fc.integer({ min: 0, max: 1e10 }),
    rule: fc.constantFrom('epay.notify.nginx', 'dujiaoka.bill', 'shape.order.paid'),
    kind: fc.constantFrom(...EVIDENCE_KINDS),
    ts: fc.option(iso, { nil: null }),
    client_ip: fc.oneof(fc.ipV4(), fc.ipV6(), fc.constantFrom('unknown', '999.1.1.1', '-')),
    user_agent: fc.string(),
    response_bytes: fc.nat(),
    status_code: fc.integer({ min: 100, max: 599 }),
  },
  { requiredKeys: ['source', 'file', 'line', 'offset', 'rule', 'kind', 'ts'] },
);
const transaction: fc.Arbitrary<Transaction> = fc.record({
  order_id: fc.stringMatching(/^[A-Za-z0-9]{6,20}$/),
  status: fc.constantFrom(...TRANSACTION_STATUSES),
  amount: fc.option(fc.integer({ min: 0, max: 1e8 }).map((c) => c / 100), { nil: null }),
  currency: fc.option(fc.constant('CNY'), { nil: null }),
  channel: fc.option(fc.constantFrom('alipay', 'wxpay', 'usdt'), { nil: null }),
  created_at: fc.option(iso, { nil: null }),
  paid_at: fc.option(iso, { nil: null }),
  buyer_email: fc.option(fc.emailAddress(), { nil: null }),
  goods_id: fc.option(fc.stringMatching(/^\d{1,4}$/), { nil: null }),
  trade_no: fc.option(fc.stringMatching(/^[0-9A-Z]{8,24}$/), { nil: null }),
  confidence: fc.double({ min: 0, max: 1, noNaN: true }),
  reasons: fc.array(fc.string(), { maxLength: 3 }),
  flags: fc.array(fc.constantFrom('forged_callback?', 'conflict', 'expired'), { maxLength: 2 }),
  conflicts: fc.array(fc.record({ field: fc.constantFrom('amount', 'trade_no'), values: fc.array(fc.record({ value: fc.oneof(fc.string(), fc.double({ noNaN: true })), rule: fc.string(), file: fc.string(), line: fc.nat() }), { maxLength: 2 }) }), { maxLength: 2 }),
  provenance: fc.dictionary(fc.constantFrom('amount', 'trade_no', 'paid_at'), fc.record({ rule: fc.string(), file: fc.string(), line: fc.nat() })),
  evidence: fc.array(ref, { maxLength: 6 }),
});
const runA = runIdentity(JSON.stringify({ generated_at: '2026-12-05T10:00:00.000Z', n: 1 }));
const runB = runIdentity(JSON.stringify({ generated_at: '2026-12-06T10:00:00.000Z', n: 2 }));

/** A document's field is in the mapping, or inside an object the mapping keeps unindexed. */
function unmapped(doc: Record<string, unknown>, kind: DocKind): string[] {
  const fields = mappedFields(kind);
  const exact = new Set(fields.map((f) => f.path));
  const opaque = fields.filter((f) => f.type === 'object' || f.type === 'flattened').map((f) => f.path + '.');
  return [...documentPaths(doc)].filter((p) => !exact.has(p) && !opaque.some((o) => p.startsWith(o)));
}

test('every field of a transaction or evidence document is in its index template', () => {
  fc.assert(
    fc.property(transaction, (t) => {
      assert.deepEqual(unmapped(transactionDocument(t, runA), 'transactions'), []);
      for (const e of evidenceDocuments(t, runA)) assert.deepEqual(unmapped(e.doc, 'evidence'), []);
    }),
    { numRuns: 300 },
  );
});

test('unjoined evidence and coverage holes are mapped too', () => {
  fc.assert(
    fc.property(
      fc.record({ kind: fc.constantFrom(...EVIDENCE_KINDS), rule: fc.string(), file: fc.string(), line: fc.nat(), ts: fc.option(iso, { nil: null }), why: fc.string() }),
      fc.record({ source: fc.string(), from: iso, to: iso, hours: fc.nat(), others_wrote: fc.nat() }),
      (u, g) => {
        const d = unjoinedDocument(u, runA);
        assert.deepEqual(unmapped(d, 'evidence'), []);
        assert.equal((d.salvage as { evidence: { joined: boolean } }).evidence.joined, false);
        assert.deepEqual(unmapped(coverageGapDocument(g, runA), 'runs'), []);
      },
    ),
  );
});

test('documents are deterministic, and ids do not depend on the run', () => {
  fc.assert(
    fc.property(transaction, (t) => {
      assert.equal(JSON.stringify(transactionDocument(t, runA)), JSON.stringify(transactionDocument(JSON.parse(JSON.stringify(t)) as Transaction, runA)));
      const a = evidenceDocuments(t, runA);
      const b = evidenceDocuments(t, runB);
      assert.deepEqual(a.map((e) => e.id), b.map((e) => e.id));
      assert.equal((transactionDocument(t, runB).salvage as { record_id: string }).record_id, transactionId(t.order_id));
    }),
  );
});

test('one evidence document per distinct pointer, each pointing to its record and the exact line', () => {
  fc.assert(
    fc.property(transaction, fc.nat(), (t0, dup) => {
      // A pointer listed twice is one document.
      const t = t0.evidence.length ? { ...t0, evidence: [...t0.evidence, t0.evidence[dup % t0.evidence.length]!] } : t0;
      const docs = evidenceDocuments(t, runA);
      const distinct = new Set(t.evidence.map((r) => `${r.file}|${r.line}|${r.offset}|${r.kind}|${r.rule}`));
      assert.equal(docs.length, distinct.size);
      assert.equal(new Set(docs.map((d) => d.id)).size, docs.length);
      for (const d of docs) {
        const s = d.doc.salvage as { record_id: string; order: { id: string }; evidence: { file: string; line: number; offset: number; seq: number } };
        const r = t.evidence[s.evidence.seq]!;
        assert.equal(s.record_id, transactionId(t.order_id));
        assert.equal(s.order.id, t.order_id);
        assert.deepEqual([s.evidence.file, s.evidence.line, s.evidence.offset], [r.file, r.line, r.offset]);
        assert.deepEqual(d.doc.log, { file: { path: r.file }, offset: r.offset });
        assert.equal(d.id, evidenceId(t.order_id, r));
        assert.ok(Number.isFinite(Date.parse(d.doc['@timestamp'] as string)));
        const ip = (d.doc.source as { ip?: string } | undefined)?.ip;
        if (ip !== undefined) assert.equal(ip, r.client_ip, 'only a well-formed address reaches source.ip');
      }
    }),
  );
});

test('a transaction always has a time, and names where it came from', () => {
  fc.assert(
    fc.property(transaction, (t) => {
      const d = transactionDocument(t, runA);
      const from = (d.salvage as { timestamp_from: string }).timestamp_from;
      const ts = d['@timestamp'] as string;
      assert.ok(Number.isFinite(Date.parse(ts)));
      if (from === 'paid_at') assert.equal(ts, t.paid_at);
      else if (from === 'created_at') assert.equal(ts, t.created_at);
      else if (from === 'run') assert.equal(ts, runA.generatedAt);
      else assert.ok(t.evidence.some((e) => e.ts === ts));
    }),
  );
});

test('a run id is lower case, fixed by the report, and different for another report', () => {
  fc.assert(
    fc.property(iso, fc.string(), fc.string(), (at, x, y) => {
      const a = runIdentity(JSON.stringify({ generated_at: at, x }));
      assert.match(a.id, /^[0-9t]+z-[0-9a-f]{8}$/);
      assert.equal(runIdentity(JSON.stringify({ generated_at: at, x })).id, a.id);
      if (x !== y) assert.notEqual(runIdentity(JSON.stringify({ generated_at: at, x: y })).id, a.id);
    }),
  );
});

test('retry waits grow and are capped', () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 2000 }), fc.integer({ min: 1, max: 60000 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (attempt, base, max, j) => {
      const w = retryWait(attempt, base, max, j);
      assert.ok(w <= max && w >= Math.round(Math.min(max, base) * 0.75) - 1);
      assert.ok(retryWait(attempt + 1, base, max, 0) >= retryWait(attempt, base, max, 0));
    }),
  );
});

test('bulk answers: acknowledged, retried (429/5xx while attempts remain) or failed with the reason', () => {
  const status = fc.constantFrom(200, 201, 400, 404, 409, 429, 500, 502, 503);
  fc.assert(
    fc.property(fc.array(fc.tuple(status, fc.integer({ min: 1, max: 8 })), { maxLength: 30 }), (rows) => {
      const items = rows.map(([s]) => (s < 300 ? { status: s } : { status: s, error: { type: 't', reason: `r${s}` } }));
      const { ok, retry, fail } = classifyItems(items, rows.map(([, a]) => a), 6);
      assert.equal(ok.length + retry.length + fail.length, rows.length);
      for (const i of retry) assert.ok((rows[i]![0] === 429 || rows[i]![0] >= 500) && rows[i]![1] < 6);
      for (const f of fail) assert.match(f.reason, new RegExp(`r${rows[f.i]![0]}`));
    }),
  );
});

test('docs/elasticsearch-fields.md lists every field of every template with its type', () => {
  const text = readFileSync(join(packageRoot(), 'docs', 'elasticsearch-fields.md'), 'utf8');
  for (const kind of DOC_KINDS) {
    for (const f of mappedFields(kind)) assert.ok(text.includes(`| \`${f.path}\` | ${f.type} |`), `${kind}: ${f.path} (${f.type}) is missing from docs/elasticsearch-fields.md (regenerate: node scripts/es-fields-doc.js > docs/elasticsearch-fields.md)`);
  }
});
