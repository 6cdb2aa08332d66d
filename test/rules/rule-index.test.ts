import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RuleEngine } from '../../rules/engine/engine';
import type { RuleSpec, SourcedRule } from '../../rules/engine/pack';
import { ZoneClock } from '../../parsers/time';
import type { LogEvent } from '../../src/model/types';

// The engine keeps, per folded event key, the rules worth trying. Events whose characters fold
// alike share a list, so a list made for one event must serve every other: a warm engine (lists
// made for many earlier events) must decide exactly as a fresh one does.

// Characters 0x100 apart fold alike, and so do methods 0x40 apart (`G` and `\u0007`).
const chars = ['/', 'a', 'b', 'p', '\u0161', '\u0162', '\u0170', '\u012f', 'é', '订'];
const str = (max: number) => fc.array(fc.constantFrom(...chars), { maxLength: max }).map((a) => a.join(''));

const rules: SourcedRule[] = (
  [
    { id: 'r1', match: { family: 'f', method: 'GET', path: '^/ab' }, emit: 'order_viewed', weight: 0.1 },
    { id: 'r2', match: { family: 'f', method: 'GET', path: '^/a\u0161' }, emit: 'order_viewed', weight: 0.1 },
    { id: 'r3', match: { family: 'f', path: '^/p/b' }, emit: 'order_viewed', weight: 0.1 },
    { id: 'r4', match: { family: 'f', method: 'POST', path: '^/' }, emit: 'order_viewed', weight: 0.1 },
    { id: 'r5', match: { family: 'f', message: '^订a' }, emit: 'order_viewed', weight: 0.1 },
    { id: 'r6', match: { family: 'f', message: '^a' }, emit: 'order_viewed', weight: 0.1 },
    { id: 'r7', match: { family: 'f', path: 'b$' }, emit: 'order_viewed', weight: 0.1 },
    { id: 'r8', match: { family: 'f', method: '\u0007' }, emit: 'order_viewed', weight: 0.1 },
  ] as RuleSpec[]
).map((rule) => ({ rule, pack: 't', file: 't.yaml' }));

/** Near a rule's prefix (or one folding alike), then anything. */
const near = (starts: string[], max: number) =>
  fc.oneof(str(max), fc.tuple(fc.constantFrom(...starts), str(2)).map(([a, b]) => a + b));

const event = fc.record({
  method: fc.option(fc.constantFrom('GET', 'POST', '\u0007', 'gET', ''), { nil: undefined }),
  path: fc.option(near(['/ab', '/a\u0161', '/a\u0162', '/aa', '/p/b', '/p/\u0162', '/'], 5), { nil: undefined }),
  message: fc.option(near(['订a', '订', '\u0162', 'a', '\u0161'], 4), { nil: undefined }),
});

function ev(f: { method?: string | undefined; path?: string | undefined; message?: string | undefined }): LogEvent {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(f)) if (v !== undefined) fields[k] = v;
  return { format: 'f', file: 'x', line: 1, lineEnd: 1, offset: 0, tsMs: 0, tzOffsetMin: 0, fields };
}

/** What the first matching rule is, by the rules' own tests alone, with no index. */
function firstMatch(f: { method?: string | undefined; path?: string | undefined; message?: string | undefined }): string | null {
  for (const { rule } of rules) {
    const m = rule.match;
    if (m.method !== undefined && f.method !== m.method) continue;
    if (m.path !== undefined && !new RegExp(m.path).test(f.path ?? '')) continue;
    if (m.message !== undefined && !new RegExp(m.message).test(f.message ?? '')) continue;
    return rule.id;
  }
  return null;
}

test('rule index: a warm engine picks the same rule as a fresh one, and as the rules alone', () => {
  const clock = new ZoneClock('UTC');
  const warm = new RuleEngine(rules, { clock });
  fc.assert(
    fc.property(fc.array(event, { minLength: 1, maxLength: 20 }), (events) => {
      for (const f of events) {
        const fresh = new RuleEngine(rules, { clock }).apply(ev(f), 'f')?.rule ?? null;
        assert.equal(warm.apply(ev(f), 'f')?.rule ?? null, fresh, JSON.stringify(f));
        assert.equal(fresh, firstMatch(f), JSON.stringify(f));
      }
    }),
    { numRuns: 500 },
  );
});

test('rule index: the first rule in pack order still wins', () => {
  const engine = new RuleEngine(rules, { clock: new ZoneClock('UTC') });
  assert.equal(engine.apply(ev({ method: 'GET', path: '/ab' }), 'f')?.rule, 'r1');
  assert.equal(engine.apply(ev({ method: 'POST', path: '/p/b' }), 'f')?.rule, 'r3');
  assert.equal(engine.apply(ev({ method: 'POST', path: '/ab' }), 'f')?.rule, 'r4');
  assert.equal(engine.apply(ev({ path: '/zb' }), 'f')?.rule, 'r7');
  assert.equal(engine.apply(ev({ message: '订a' }), 'f')?.rule, 'r5');
  assert.equal(engine.apply(ev({ method: '\u0007' }), 'f')?.rule, 'r8');
});
