// report.html from a hand-made run: log text is inert (escaped, and the page's CSP admits only
// its own script), contacts are masked, tables keep their top rows with totals, and the CSV
// reader gives back what the CSV writer wrote.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { ReportBuilder, LIMITS } from '../../src/sinks/report-html/model';
import { renderPage } from '../../src/sinks/report-html/page';
import { CsvRows, unguard } from '../../src/sinks/report-html/csv-rows';
import { pickLang } from '../../src/sinks/report-html/lang';
import { maskContacts } from '../../src/sinks/report-html/escape';
import { csvCell } from '../../src/sinks/csv';
import { emptyFileReport } from '../../src/model/file-report';
import type { RunReport } from '../../src/sinks/report';
import type { Transaction } from '../../src/model/types';

const EVIL = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">"\'&';
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-21T00:00:00+08:00');

function runReport(files = 2): RunReport {
  const inputs = Array.from({ length: files }, (_, i) => ({
    ...emptyFileReport(`logs/${i === 0 ? EVIL : `web${i}`}/access.log`), format: 'nginx-combined', lines_total: 10 + i, parsed: 9 + i, rejected: 1, evidence_lines: 5, noise: 4 + i,
    damaged: i === 0, errors: i === 0 ? [`gzip ${EVIL}`] : [], per_hour: { [T0]: 3, [T0 + 2 * HOUR]: 2 },
  }));
  return {
    tool: { name: 'salvage', version: '0.1.0' }, generated_at: '2026-11-22T00:00:00Z',
    settings: { tz: 'Asia/Shanghai', rule_dirs: [], keys_given: true, workers: 1, max_line_bytes: 1 << 20 },
    inputs, input_problems: [{ input: EVIL, message: `cannot read ${EVIL}` }],
    totals: { files, bytes: 0, lines_total: 0, parsed: 0, rejected: 0, evidence_lines: 0, noise: 0, evidence_items: 0 },
    accounting: { ok: true, problems: [] },
    records: { total: 2, by_status: { paid: 1, [EVIL]: 1 }, by_channel: { [EVIL]: 2 }, by_confidence: {}, flagged: {} },
    unjoined: { count: 0, by_reason: {}, sample: [] },
    mentions_audit: [{ file: EVIL, noise_lines_mentioning_known_orders: 3, noise: 9, needs_attention: true, untracked_lines: 0, templates: [{ template: `order ${EVIL} by a@b.cn`, count: 3, sample_line: { line: 1, offset: 0, text: EVIL } }] }],
    fuzzy_joins: 0, duplicate_evidence_copies: 0, spilled_evidence: 0,
    checks: {
      coverage: { sources: [], gaps: [{ source: `nginx-combined@logs/${EVIL}`, from: '2026-11-21T01:00:00+08:00', to: '2026-11-21T02:00:00+08:00', hours: 1, others_wrote: 40 }] },
      relations: { counts: { bad_signature: 1 }, findings: [{ check: 'bad_signature', order_ids: ['ORD1'], detail: `forged ${EVIL}` }] },
      balances: { merchants: 1, changes: 2, breaks: [{ merchant_id: EVIL, from: null, to: null, expected_before: 1, found_before: 2, missing_amount: 1, at: { file: EVIL, line: 4 }, candidates: [] }], inconsistent: [] },
      clocks: [{ source: EVIL, reference: 'laravel@x', pairs: 10, median_offset_s: 97, corrected: true }],
      sequence: { basis: null, numbers: 0, range: null, missing: [], missing_count: 0, note: '' },
    },
    outputs: { 'review.csv': { rows: 1, high: 1, medium: 0, low: 0 }, card_keys: 'masked' },
    exit_code: 1,
  } as unknown as RunReport;
}

function record(over: Partial<Transaction>): Transaction {
  return {
    order_id: 'ORD1', status: 'paid', amount: 12.5, currency: 'CNY', channel: 'epay', created_at: '2026-11-21T00:10:00+08:00', paid_at: '2026-11-21T00:11:00+08:00',
    buyer_email: 'buyer@example.com', goods_id: '1', trade_no: null, confidence: 0.95, reasons: [EVIL], flags: [], conflicts: [], provenance: {},
    evidence: [{ source: 'nginx', file: EVIL, line: 7, offset: 1234, rule: 'r', kind: 'payment_notified', ts: null }],
    ...over,
  };
}

function page(): string {
  const b = new ReportBuilder(runReport());
  b.record(record({ flags: ['bad_signature'] }));
  b.record(record({ order_id: EVIL, status: EVIL as Transaction['status'], channel: EVIL, flags: [EVIL], conflicts: [{ field: 'amount', values: [{ value: EVIL, rule: 'r', file: EVIL, line: 1 }] }] }));
  b.reject({ reason: `bad ${EVIL}` });
  b.reviewRow({ priority: 'high', order_id: EVIL, status: 'paid', confidence: '0.5', amount: '1', why: `buyer 13812345678 ${EVIL}`, missing: EVIL, contact: 'buyer someone.long@qq.com' });
  const model = b.build({ lang: 'zh', outDir: `/out/${EVIL}`, formatTime: (ms) => new Date(ms).toISOString() });
  return renderPage(model, (ms) => `${ms}${EVIL}`);
}

test('text from the logs is escaped everywhere: the only script is the page\'s own, allowed by its hash', () => {
  const html = page();
  assert.equal(html.match(/<script/gi)?.length, 1, 'one <script> element: the language switch');
  assert.ok(!/<img/i.test(html), 'no planted element survives');
  assert.ok(!html.includes('onerror="'), 'no planted attribute survives');
  assert.ok(html.includes('&lt;script&gt;window.__pwned=1&lt;/script&gt;'), 'the planted text is shown, escaped');
  const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
  const hash = createHash('sha256').update(script).digest('base64');
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!.replace(/&#39;/g, "'");
  assert.ok(csp.includes(`'sha256-${hash}'`), 'the CSP admits exactly the page script');
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline'[^;]*script|script-src[^;]*unsafe/);
});

test('contacts are masked and the page says so; Chinese opens first when asked', () => {
  const html = page();
  assert.ok(!html.includes('someone.long@qq.com') && html.includes('s***@qq.com'));
  assert.ok(!html.includes('13812345678') && html.includes('138****5678'));
  assert.match(html, /id="masking"/);
  assert.match(html, /<html class="lang-zh" lang="zh-CN">/);
  assert.equal(maskContacts('a@b.cn and 15900001111'), 'a***@b.cn and 159****1111');
});

test('large runs: tables keep their top rows, totals count everything', () => {
  const b = new ReportBuilder(runReport(LIMITS.files + 25));
  for (let i = 0; i < LIMITS.findingsPerKind + 30; i++) b.record(record({ order_id: `O${i}`, flags: ['paid_not_delivered'] }));
  const m = b.build({ lang: 'en', outDir: '/o', formatTime: String });
  assert.equal(m.files.rows.length, LIMITS.files);
  assert.equal(m.files.total, LIMITS.files + 25);
  assert.ok(m.files.rows[0]!.damaged, 'damaged files first');
  assert.equal(m.findings.rows.filter((r) => r.kind === 'paid_not_delivered').length, LIMITS.findingsPerKind);
  assert.equal(m.findings.counts.find(([k]) => k === 'paid_not_delivered')![1], LIMITS.findingsPerKind + 30);
  assert.equal(m.confidence.reduce((a, c) => a + c, 0), LIMITS.findingsPerKind + 30);
  assert.equal(m.orders.counts.flat().reduce((a, c) => a + c, 0), LIMITS.findingsPerKind + 30);
});

test('findings link each record to its evidence: file, line and byte offset, payment lines first', () => {
  const b = new ReportBuilder(runReport());
  b.record(record({ flags: ['bad_signature'], evidence: [
    { source: 'laravel', file: 'app.log', line: 1, offset: 0, rule: 'c', kind: 'order_created', ts: null },
    { source: 'nginx', file: 'access.log', line: 90, offset: 4567, rule: 'n', kind: 'payment_notified', ts: null },
  ] }));
  const row = b.build({ lang: 'en', outDir: '/o', formatTime: String }).findings.rows.find((r) => r.kind === 'bad_signature')!;
  assert.deepEqual(row.evidence[0], { file: 'access.log', line: 90, offset: 4567, kind: 'payment_notified' });
  assert.equal(row.category, 'forged');
  assert.match(row.detail, /^forged /, "the check's own wording");
});

test('the CSV reader gives back the cells csvCell wrote, in chunks of any size', () => {
  const cell = fc.string({ unit: fc.constantFrom('a', 'b', ',', '"', '\n', '\r', '=', "'", '-', '中', ' '), maxLength: 12 });
  fc.assert(fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 17 }), (rows, size) => {
    const text = rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
    const reader = new CsvRows();
    const got: string[][] = [];
    for (let i = 0; i < text.length; i += size) got.push(...reader.push(text.slice(i, i + size)));
    got.push(...reader.end());
    // A cell the user began with ' before a formula character reads back without it (the guard is ambiguous there).
    fc.pre(rows.every((r) => r.every((c) => !/^'[=+\-@\t\r]/.test(c))));
    assert.deepEqual(got.map((r) => r.map(unguard)), rows);
  }));
});

test('the page opens in Chinese with --lang zh or a Chinese locale, else English', () => {
  assert.equal(pickLang('zh', {}), 'zh');
  assert.equal(pickLang('en', { LANG: 'zh_CN.UTF-8' }), 'en');
  assert.equal(pickLang(undefined, { LANG: 'zh_CN.UTF-8' }), 'zh');
  assert.equal(pickLang(undefined, { LC_ALL: 'en_US.UTF-8', LANG: 'zh_CN.UTF-8' }), 'en');
  assert.equal(pickLang(undefined, { LC_ALL: 'zh_TW.UTF-8' }), 'zh');
  assert.equal(pickLang(undefined, { LANG: 'C.UTF-8' }), 'en');
});
