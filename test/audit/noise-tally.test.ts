// The two halves of the mentions audit on built events: the reading thread's tally (one count
// per line, whatever number of known tokens it holds; bounded, with what it could not follow
// counted) and the main thread's check against what the run recovered (order numbers, trade
// numbers, card keys by their hash or in the clear).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { FileReport, LogEvent } from '../../src/model/types';
import { emptyFileReport } from '../../src/model/file-report';
import { MAX_TUPLES_PER_FILE, NoiseMentionTally } from '../../src/audit/noise-mentions';
import { auditMentions, KnownTokens, needsAttention, withoutTally } from '../../src/audit/mentions-audit';

const app = (line: number, message: string, params?: Record<string, string>): LogEvent => ({
  file: 'a.log', line, lineEnd: line, offset: line * 80, format: 'laravel', tsMs: 0, tzOffsetMin: 480,
  fields: { level: 'INFO', message }, ...(params ? { params } : {}),
});

function audit(tally: NoiseMentionTally, noise: number, known: { orders?: string[]; trades?: string[]; cards?: string[] }): ReturnType<typeof auditMentions> {
  const r: FileReport = { ...emptyFileReport('a.log'), noise };
  const t = tally.result();
  if (t) r.noise_mentions = t;
  const k = new KnownTokens();
  k.addCandidates([r]);
  for (const o of known.orders ?? []) k.noteRecord(o, null);
  for (const o of known.trades ?? []) k.noteRecord('NOT-A-CANDIDATE-1', o);
  for (const c of known.cards ?? []) k.noteCardHash(c);
  k.resolveCardKeys();
  assert.equal(withoutTally(r).noise_mentions, undefined);
  return auditMentions([r], k, ['carmi']);
}

test('tally: a line naming two known orders counts once; lines naming unknown ones not at all', () => {
  const t = new NoiseMentionTally();
  t.add(app(1, 'merge ORD100001 into ORD100002'), 1);
  t.add(app(2, 'merge ORD100003 into ORD100004'), 3); // a multi-line entry: 3 physical lines
  t.add(app(3, 'merge ORD100001 into ORD999999'), 1);
  const a = audit(t, 200, { orders: ['ORD100001', 'ORD100002'] });
  assert.equal(a.length, 1);
  assert.equal(a[0]!.noise_lines_mentioning_known_orders, 2);
  assert.deepEqual(a[0]!.templates.map((x) => [x.template, x.count, x.sample_line.line]), [['merge <*> into <*>', 2, 1]]);
  assert.equal(a[0]!.needs_attention, false);
});

test('tally: trade numbers and card keys count — in the clear (by their SHA-256) or as the hash itself', () => {
  const key = 'CARD-7781-XKQ';
  const hash = createHash('sha256').update(key).digest('hex');
  const t = new NoiseMentionTally();
  t.add(app(1, 'gateway said 4200001234567'), 1);
  t.add(app(2, 'sent', { carmi: key }), 1);
  t.add(app(3, `hash ${hash}`), 1);
  t.add(app(4, 'sent', { carmi: 'OTHER-KEY-0001' }), 1);
  const a = audit(t, 10, { trades: ['4200001234567'], cards: [hash] });
  assert.equal(a[0]!.noise_lines_mentioning_known_orders, 3);
  const sent = a[0]!.templates.find((x) => x.template === 'sent')!;
  assert.equal(sent.count, 1);
  assert.ok(!sent.sample_line.text.includes(key), sent.sample_line.text);
});

test('tally: past its budget a file counts what it could not follow, and the audit is a lower bound', () => {
  const t = new NoiseMentionTally();
  const n = MAX_TUPLES_PER_FILE + 25;
  for (let i = 0; i < n; i++) t.add(app(i + 1, `ping N${100000 + i}`), 1);
  const r = t.result()!;
  assert.equal(r.untracked_lines, 25);
  assert.equal(r.templates[0]!.lines, n);
  assert.equal(r.templates[0]!.tuples.length, MAX_TUPLES_PER_FILE);
  assert.ok(r.templates[0]!.samples.length <= 8);
  const a = audit(t, n, { orders: ['N100000', `N${100000 + n - 1}`] });
  assert.equal(a[0]!.noise_lines_mentioning_known_orders, 1);
  assert.equal(a[0]!.untracked_lines, 25);
});

test('threshold: at least 20 lines and at least 1% of the noise', () => {
  assert.equal(needsAttention(19, 100), false);
  assert.equal(needsAttention(20, 100), true);
  assert.equal(needsAttention(20, 2000), true);
  assert.equal(needsAttention(20, 2001), false);
});

test('tally: lines without an order-shaped token leave nothing', () => {
  const t = new NoiseMentionTally();
  t.add(app(1, 'cache warmed in 12 ms'), 1);
  t.add(app(2, 'user logged in'), 1);
  assert.equal(t.result(), undefined);
});
