// The mentions audit reads every noise line of every file, so its hot path was made cheaper: a
// hand-written token scanner and remembered path templates. These properties pin it to the
// definitions it replaced — the token regex, and a tally built from `auditText` as before.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { LogEvent } from '../../src/model/types';
import { candidateTokens, maskValues } from '../../src/audit/tokens';
import { auditText, NoiseMentionTally, MAX_TEMPLATES_PER_FILE, MAX_TUPLES_PER_FILE, SAMPLES_PER_TEMPLATE } from '../../src/audit/noise-mentions';

/** The definition: 6 to 64 token characters (global, greedy), holding a digit, ≤ 40 long or a 64-hex hash. */
function referenceTokens(text: string, limit = 8): string[] {
  const out: string[] = [];
  const re = /[A-Za-z0-9_-]{6,64}/g;
  for (let m = re.exec(text); m !== null && out.length < limit; m = re.exec(text)) {
    const t = m[0];
    if (!/[0-9]/.test(t)) continue;
    if (t.length > 40 && !/^[0-9a-f]{64}$/i.test(t)) continue;
    if (!out.includes(t)) out.push(t);
  }
  return out;
}

const hexRun = (n: number) => fc.array(fc.constantFrom(...'0123456789abcdefABCDEF'), { minLength: n, maxLength: n }).map((a) => a.join(''));
const piece = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'aZ09_-x7'), maxLength: 80 }),
  fc.string({ unit: fc.constantFrom(' ', '/', '?', '=', '&', '.', '订', 'é', '\u{1F600}'), maxLength: 3 }),
  hexRun(64),
  hexRun(70),
  fc.string({ maxLength: 20 }),
);
const text = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));

test('candidateTokens finds exactly what the token regex finds, in order, up to the limit', () => {
  fc.assert(
    fc.property(text, fc.integer({ min: 1, max: 10 }), (s, limit) => {
      assert.deepEqual(candidateTokens(s, [], limit), referenceTokens(s, limit));
    }),
    { numRuns: 3000 },
  );
});

/** The tally as it was: everything from auditText, no remembered templates. */
function referenceTally(events: { ev: LogEvent; span: number }[]) {
  const byTemplate = new Map<string, { lines: number; tuples: Map<string, [number, number, number]>; samples: { tokens: string; line: number; offset: number; text: string }[] }>();
  let tuples = 0;
  let untracked = 0;
  for (const { ev, span } of events) {
    const a = auditText(ev);
    const tokens: string[] = [];
    for (const s of a.scan) if (s) for (const t of referenceTokens(s, 8 - tokens.length)) if (!tokens.includes(t) && tokens.length < 8) tokens.push(t);
    if (tokens.length === 0) continue;
    const template = a.template.length > 240 ? a.template.slice(0, 240) + '…' : a.template;
    let t = byTemplate.get(template);
    if (t === undefined) {
      if (byTemplate.size >= MAX_TEMPLATES_PER_FILE) {
        untracked += span;
        continue;
      }
      byTemplate.set(template, (t = { lines: 0, tuples: new Map(), samples: [] }));
    }
    t.lines += span;
    const key = [...tokens].sort().join(' ');
    const seen = t.tuples.get(key);
    if (seen !== undefined) seen[0] += span;
    else if (tuples >= MAX_TUPLES_PER_FILE) untracked += span;
    else {
      t.tuples.set(key, [span, ev.line, ev.offset]);
      tuples++;
      if (t.samples.length < SAMPLES_PER_TEMPLATE) t.samples.push({ tokens: key, line: ev.line, offset: ev.offset, text: a.text.length > 400 ? a.text.slice(0, 400) + '…' : a.text });
    }
  }
  if (byTemplate.size === 0 && untracked === 0) return undefined;
  return { templates: [...byTemplate].map(([template, t]) => ({ template, lines: t.lines, tuples: [...t.tuples].map(([k, v]) => [k, v[0], v[1], v[2]]), samples: t.samples })), untracked_lines: untracked };
}

const word = fc.constantFrom('ORD100001', 'ORD100002', 'product_1', 'static', 'T2026112100001', 'a', 'x=1', 'img', '订单', 'id=ab12cd');
const path = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => '/' + w.join('/'));
const event = fc.oneof(
  fc.record({ method: fc.constantFrom('GET', 'POST'), path, query: fc.option(fc.array(word, { maxLength: 3 }).map((w) => w.join('&')), { nil: undefined }), status: fc.constantFrom('200', '404'), request_body: fc.option(fc.array(word, { maxLength: 3 }).map((w) => w.join('&')), { nil: undefined }) }),
  fc.record({ level: fc.constantFrom('INFO', 'ERROR'), message: fc.array(word, { maxLength: 5 }).map((w) => w.join(' ')), body: fc.option(fc.array(word, { maxLength: 3 }).map((w) => w.join('\n')), { nil: undefined }) }),
);

test('the tally equals the one built from auditText, with or without remembered path templates', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(event, fc.option(fc.dictionary(fc.constantFrom('order_sn', 'k'), word), { nil: undefined }), fc.integer({ min: 1, max: 3 })), { maxLength: 60 }), (rows) => {
      const events = rows.map(([fields, params, span], i) => {
        const f: Record<string, string> = {};
        for (const [k, v] of Object.entries(fields)) if (v !== undefined) f[k] = v;
        const ev: LogEvent = { file: 'a.log', line: i + 1, lineEnd: i + 1, offset: i * 100, format: 'x', tsMs: 0, tzOffsetMin: 480, fields: f, ...(params && !('method' in fields) ? { params } : {}) };
        return { ev, span };
      });
      const t = new NoiseMentionTally();
      for (const { ev, span } of events) t.add(ev, span);
      assert.deepEqual(t.result(), referenceTally(events));
    }),
    { numRuns: 500 },
  );
});

test('maskValues of a path is what the remembered template holds', () => {
  const t = new NoiseMentionTally();
  const ev = (line: number, p: string): LogEvent => ({ file: 'a.log', line, lineEnd: line, offset: 0, format: 'x', tsMs: 0, tzOffsetMin: 480, fields: { method: 'GET', path: p, status: '200' } });
  t.add(ev(1, '/downloads/product_1'), 1);
  t.add(ev(2, '/downloads/product_1'), 1);
  t.add(ev(3, '/downloads/product_2'), 1);
  const r = t.result()!;
  assert.deepEqual(r.templates.map((x) => [x.template, x.lines]), [[`GET ${maskValues('/downloads/product_1')}`, 3]]);
});
