// The noise gate (src/pipeline/noise-gate.ts) counts access-log lines as noise without parsing
// them. It may only ever do so for lines the parser and the rules would call noise, and it must
// count them exactly as they would: these properties check both, on lines made from the rule
// packs' own paths and parameters (so that many of them are evidence) and on lines of every shape
// the combined parser reads differently or rejects.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import fc from 'fast-check';
import type { Evidence, LogEvent, Reject } from '../../src/model/types';
import { processFile } from '../../src/pipeline/process-file';
import { RuleEngine, literalPrefix } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { loadVocabulary } from '../../rules/engine/vocabulary';
import { ZoneClock, TimeLocalCache } from '../../parsers/time';
import { parseCombined, splitRequest } from '../../parsers/nginx/combined';
import { scanPlainCombined, SCAN } from '../../parsers/nginx/combined-scan';

const root = mkdtempSync(join(tmpdir(), 'salvage-noise-gate-'));
after(() => rmSync(root, { recursive: true, force: true }));

const rules = loadRules([]);
const keys = { epay: { '1001': 'k8s7d6f5g4h3j2k1' } };
const engine = new RuleEngine(rules, { keys, clock: new ZoneClock('Asia/Shanghai'), vocabulary: loadVocabulary() });
const bare = new RuleEngine(rules, { keys, clock: new ZoneClock('Asia/Shanghai') });

// Paths and parameter names the packs' web-server rules look for, and some no rule wants.
const nginxRules = rules.map((s) => s.rule).filter((r) => r.match.family === 'nginx');
const prefixes = [...new Set(nginxRules.map((r) => (r.match.path ? literalPrefix(r.match.path) : '/')))];
const paramNames = [...new Set(nginxRules.flatMap((r) => r.match.params ?? [])), 'sign', 'sign_type', 'pid', 'type', 'name', 'x'];
const word = fc.string({ unit: fc.constantFrom(...'aZ09_-.x7'), minLength: 0, maxLength: 20 });
const orderNo = fc.oneof(fc.stringMatching(/^[0-9]{18}$/), fc.stringMatching(/^[A-Z0-9]{16}$/));
const path = fc.oneof(
  fc.tuple(fc.constantFrom(...prefixes), fc.oneof(word, orderNo, fc.constant(''))).map(([p, s]) => p + s),
  fc.constantFrom(
    '/',
    '/downloads/product_1',
    '/favicon.ico',
    '/check-order-status/PFZYGZE75VNCLWYQ',
    '/user/pay/order.123261121140311456.1',
    '/pay/yipay/notify_url',
    '/pay/yipay/return_url',
    '/user/index/query',
    '/user/api/order/callback.Epay',
    '/bill/PFZYGZE75VNCLWYQ',
    '/assets/a b.css',
    '/p?',
  ),
  fc.tuple(fc.constant('/'), word, fc.constant('/'), orderNo).map((a) => a.join('')),
);
const query = fc.oneof(
  fc.constant(''),
  fc
    .array(fc.tuple(fc.constantFrom(...paramNames), fc.oneof(word, orderNo, fc.constantFrom('1.00', 'TRADE_SUCCESS', '0123456789abcdef0123456789abcdef'))), { maxLength: 6 })
    .map((kv) => kv.map(([k, v]) => `${k}=${v}`).join('&')),
);
const request = fc
  .tuple(fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'get', ''), path, query, fc.constantFrom(' HTTP/1.1', ' HTTP/2.0', '', ' X Y'))
  .map(([m, p, q, proto]) => (m === '' ? p : `${m} ${p}${q ? '?' + q : ''}${proto}`));
const quoted = fc.oneof(fc.constantFrom('-', 'Mozilla/5.0 (X11; Linux x86_64)', 'https://shop.example/bill/PFZYGZE75VNCLWYQ'), fc.string({ maxLength: 12 }));
const time = fc.oneof(
  fc.tuple(fc.integer({ min: 20, max: 22 }), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(
    ([d, h, s]) => `${d}/Nov/2026:${String(h).padStart(2, '0')}:03:${String(s).padStart(2, '0')} +0800`,
  ),
  fc.constantFrom('21/Nov/2026:25:03:00 +0800', '31/Foo/2026:10:00:00 +0800', '2026-11-21T10:00:00+08:00', '21/Nov/2026:10:00:00'),
);
const plainLine = fc
  .record({
    addr: fc.constantFrom('10.0.0.2', '203.0.113.7', 'host.example', '10.0.0.2,', 'é1'),
    user: fc.constantFrom('-', 'bob'),
    time,
    request,
    status: fc.constantFrom('200', '302', '304', '404', '500', '20', '2000'),
    size: fc.constantFrom('0', '28', '32', '37', '16439', '-', '', 'x'),
    referrer: quoted,
    ua: quoted,
    xff: fc.option(fc.constantFrom('117.77.25.220', '-', '1.2.3.4, 5.6.7.8'), { nil: undefined }),
  })
  .map((f) => `${f.addr} - ${f.user} [${f.time}] "${f.request}" ${f.status} ${f.size} "${f.referrer}" "${f.ua}"${f.xff !== undefined ? ` "${f.xff}"` : ''}`);
/** Plain lines, and the same lines changed in the ways the gate must leave to the parser. */
const line = fc.oneof(
  { weight: 6, arbitrary: plainLine },
  {
    weight: 4,
    arbitrary: fc.tuple(plainLine, fc.constantFrom('trailing', 'tab', 'escape', 'prefix', 'cut', 'append', 'blank', 'nbsp', 'unicode')).map(([l, how]) => {
      switch (how) {
        case 'trailing':
          return l + ' ';
        case 'tab':
          return l.replace(' ', '\t');
        case 'escape':
          return l.replace('?', '?x=\\x22&');
        case 'prefix':
          return 'shop.example ' + l;
        case 'cut':
          return l.slice(0, Math.max(0, l.length - 5));
        case 'append':
          return l + ' "extra" 0.004';
        case 'blank':
          return '';
        case 'nbsp':
          return l.replace(' - ', '\u00a0- ');
        default:
          return l.replace('/', '/订单');
      }
    }),
  },
);

interface Outcome {
  report: unknown;
  evidence: Evidence[];
  rejects: Reject[];
}

let fileNo = 0;
async function run(lines: string[], noiseGate: boolean, format: string | undefined): Promise<Outcome> {
  const file = join(root, `f${fileNo++}.log`);
  writeFileSync(file, lines.join('\n') + '\n');
  const evidence: Evidence[] = [];
  const rejects: Reject[] = [];
  const report = await processFile(file, 'access.log', engine, { evidence: (e) => evidence.push(e), reject: (r) => rejects.push(r) }, {
    tz: 'Asia/Shanghai',
    maxLineBytes: 1 << 20,
    noiseGate,
    ...(format !== undefined ? { format } : {}),
  });
  return { report, evidence, rejects };
}

test('a file reads the same with and without the noise gate: report (noise, parsed, times, mentions audit), evidence and rejects', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 40 }), fc.constantFrom(undefined, 'nginx-combined'), async (lines, format) => {
      const gated = await run(lines, true, format);
      const full = await run(lines, false, format);
      assert.deepEqual(gated, full);
    }),
    { numRuns: 150 },
  );
});

test('a line the gate calls noise is an event the parser reads with the same request, status and time, and no rule makes evidence of it', () => {
  const at = new Int32Array(5);
  const times = new TimeLocalCache();
  let gated = 0;
  let passed = 0;
  for (const e of [engine, bare]) {
    fc.assert(
      fc.property(line, (text) => {
        if (!scanPlainCombined(text, at)) return void passed++;
        const req = splitRequest(text.slice(at[SCAN.REQUEST_START]!, at[SCAN.REQUEST_END]!));
        if (e.requestMayMatch('nginx', req.method, req.path, req.query)) return void passed++;
        const t = times.parse(text.slice(at[SCAN.TIME_START]!, at[SCAN.TIME_END]!));
        if (Number.isNaN(t.ms)) return void passed++;
        gated++;
        const parsed = parseCombined(text);
        assert.notEqual(typeof parsed, 'string', `the parser rejects ${text}: ${String(parsed)}`);
        const ev = { ...(parsed as Exclude<typeof parsed, string>), file: 'f', line: 1, lineEnd: 1, offset: 0 } as LogEvent;
        assert.equal(ev.fields.method, req.method);
        assert.equal(ev.fields.path, req.path);
        assert.equal(ev.fields.query, req.query);
        assert.equal(ev.fields.status, text.slice(at[SCAN.STATUS]!, at[SCAN.STATUS]! + 3));
        assert.equal(ev.fields.request_body, undefined);
        assert.equal(ev.tsMs, t.ms);
        assert.equal(ev.tzOffsetMin, t.offsetMin);
        assert.equal(e.match(ev, 'nginx'), null, `a rule matches ${text}`);
      }),
      { numRuns: 4000 },
    );
  }
  // Both sides of the gate were exercised (the generators make evidence and noise alike).
  assert.ok(gated > 500 && passed > 500, `gated ${gated}, passed on ${passed}`);
});

test('the gate asks about rules, not routes: a pack rule for a path makes its lines pass to the parser', () => {
  const poll = { method: 'GET', path: '/check-order-status/PFZYGZE75VNCLWYQ', query: '' };
  assert.equal(engine.requestMayMatch('nginx', poll.method, poll.path, poll.query), true);
  const withoutDujiaoka = new RuleEngine(rules.filter((s) => !s.rule.id.startsWith('dujiaoka.')), { keys, clock: new ZoneClock('Asia/Shanghai') });
  assert.equal(withoutDujiaoka.requestMayMatch('nginx', poll.method, poll.path, poll.query), false);
  // A signed query might be a gateway payload found by shape, whatever the path.
  assert.equal(engine.requestMayMatch('nginx', 'GET', '/downloads/product_1', 'a=1&sign=x'), true);
  assert.equal(bare.requestMayMatch('nginx', 'GET', '/downloads/product_1', 'a=1&sign=x'), false);
});
