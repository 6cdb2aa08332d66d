// report.html in a real browser: Debian's chromium (installed by scripts/browser/ensure-chromium.sh,
// which `npm test` runs first), driven by playwright-core. The page of a simulated damaged shop
// with forged callbacks is opened from file:// and must load nothing, log no error, draw what
// report.json says, switch language, and list every forged callback the simulator planted.
//
// The screenshot goes to the test's temp folder; with SALVAGE_UPDATE_SCREENSHOT=1 it also
// replaces docs/report-screenshot.png (the one the README shows).

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, test } from 'node:test';
import { chromium } from 'playwright-core';
import { runCli } from '../support/run-cli';
import type { RunReport } from '../../src/sinks/report';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const REPO = join(__dirname, '..', '..', '..');
const root = mkdtempSync(join(tmpdir(), 'salvage-report-browser-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A file name and a log line an attacker could plant: both reach the page. */
const PLANTED_NAME = '<img src=x onerror=window.__pwned=1>.log';
const PLANTED_LINE = '203.0.113.9 - - [21/Nov/2026:10:00:00 +0800] "GET /<script>window.__pwned=2</script> HTTP/1.1" 200 1 "-" "<script>window.__pwned=3</script>"';

test('report.html of a damaged shop with forged callbacks, in headless chromium', { timeout: 180_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/browser/ensure-chromium.sh (npm test does) / 缺少 chromium`);
  const sim = join(root, 'sim');
  const made = await runCli(['simulate', '--out', sim, '--orders', '400', '--days', '2', '--damage', 'severe', '--seed', '7'], root);
  assert.equal(made.code, 0, made.stderr);
  const out = join(root, 'out');
  const run = await runCli(['reconstruct', join(sim, 'logs'), '--keys', join(sim, 'keys.json'), '--out', out, '--workers', '1'], root);
  assert.equal(run.code, 1, `a damaged shop finishes with exit 1: ${run.stderr}`);
  // The same shop with planted markup, in a run of its own (so the screenshot shows a real run).
  writeFileSync(join(sim, 'logs', 'nginx', 'web1', PLANTED_NAME), `${PLANTED_LINE}\n<script>window.__pwned=4</script> not a log line\n`);
  const planted = join(root, 'planted');
  const plantedRun = await runCli(['reconstruct', join(sim, 'logs'), '--keys', join(sim, 'keys.json'), '--out', planted, '--workers', '1'], root);
  assert.equal(plantedRun.code, 1, plantedRun.stderr);
  assert.ok(existsSync(join(out, 'report.html')), 'reconstruct writes report.html');
  assert.match(run.stdout, new RegExp(`report 报告: ${join(out, 'report.html').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
  // Rebuilt from the finished run, with the calibration against the simulator's truth.
  const rebuilt = await runCli(['report', out, '--truth', join(sim, 'truth'), '--lang', 'zh'], root);
  assert.equal(rebuilt.code, 0, rebuilt.stderr);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
  const evaluation = JSON.parse((await runCli(['evaluate', '--truth', join(sim, 'truth'), '--recovered', out, '--json'], root)).stdout) as { calibration: { claims: number; mean_confidence: number | null; fraction_correct: number | null }[] };
  const forged = (JSON.parse(readFileSync(join(sim, 'truth', 'damage.json'), 'utf8')) as { actions: { type: string; order_id?: string; survived?: boolean }[] }).actions
    .filter((a) => a.type === 'forged_callback' && a.survived);
  assert.ok(forged.length >= 5, `the simulator planted ${forged.length} forged callbacks that reached the logs`);

  const profile = mkdtempSync(join(root, 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1200, height: 1600 } });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const url = pathToFileURL(join(out, 'report.html')).href;
    const requests: string[] = [];
    const errors: string[] = [];
    context.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(url, { waitUntil: 'load' });

    assert.deepEqual(errors, [] as string[], 'no console errors or warnings');
    assert.deepEqual([...new Set(requests)], [url], 'the page itself is the only request');

    // Language: Chinese first (--lang zh), English on a click, and back.
    assert.equal(await page.locator('h1 .zh').innerText(), '交易恢复报告');
    assert.equal(await page.locator('h1 .en').isVisible(), false);
    await page.click('#lang-en');
    assert.equal(await page.locator('h1 .en').innerText(), 'Recovery report');
    assert.equal(await page.locator('h1 .zh').isVisible(), false);
    assert.equal(await page.evaluate('document.documentElement.lang'), 'en');

    // Charts: drawn (non-empty boxes), with data points that add up to report.json.
    const points = async (chart: string) => page.$$eval(`svg[data-chart="${chart}"] .pt`, (els) => els.map((e) => ({ series: e.getAttribute('data-series')!, x: Number(e.getAttribute('data-x')), v: Number(e.getAttribute('data-v')), w: (e as unknown as { getBBox(): { width: number } }).getBBox().width })));
    for (const chart of ['coverage', 'orders', 'amounts', 'confidence', 'calibration']) {
      const box = await page.locator(`svg[data-chart="${chart}"]`).boundingBox();
      assert.ok(box && box.width > 200 && box.height > 100, `${chart} chart has a size`);
    }
    const coverage = await points('coverage');
    assert.ok(coverage.every((p) => p.w > 0));
    for (const s of report.checks.coverage.sources) {
      assert.equal(coverage.filter((p) => p.series === s.source).reduce((a, p) => a + p.v, 0), s.entries, `coverage lane ${s.source}`);
    }
    assert.equal(await page.locator('svg[data-chart="coverage"] rect.hole').count(), report.checks.coverage.gaps.length, 'each hole is drawn');
    const conf = await points('confidence');
    assert.equal(conf.reduce((a, p) => a + p.v, 0), report.records.total);
    assert.equal(conf.filter((p) => p.x >= 0.9).reduce((a, p) => a + p.v, 0), report.records.by_confidence['>=0.99']! + report.records.by_confidence['0.9-0.99']!);
    const paid = ['paid', 'delivered', 'refunded'].reduce((a, s) => a + (report.records.by_status[s] ?? 0), 0);
    assert.equal((await points('orders')).reduce((a, p) => a + p.v, 0), paid, 'paid orders per hour add up to the paid records');
    const cal = await points('calibration');
    const bins = evaluation.calibration.filter((b) => b.claims > 0 && b.mean_confidence !== null);
    assert.equal(cal.length, bins.length);
    for (const b of bins) assert.ok(cal.some((p) => Math.abs(p.x - b.mean_confidence!) < 1e-3 && Math.abs(p.v - b.fraction_correct!) < 1e-3), `calibration point ${JSON.stringify(b)}`);

    // Findings: every forged callback the simulator planted, linked to its evidence.
    for (const f of forged) {
      const row = page.locator(`#findings-table tr.finding[data-category="forged"][data-order="${f.order_id}"]`);
      assert.ok((await row.count()) >= 1, `forged callback for ${f.order_id} is listed`);
      const ev = row.first().locator('.ev').first();
      assert.ok(Number(await ev.getAttribute('data-line')) >= 1 && (await ev.getAttribute('data-file'))!.length > 0);
      assert.ok(Number(await ev.getAttribute('data-offset')) >= 0);
    }

    // The review worklist shows no contact in full.
    const reviewText = await page.locator('#review').innerText();
    assert.doesNotMatch(reviewText, /[A-Za-z0-9._%+-]{2,}@/, 'contacts are masked');

    const shot = join(root, 'report-screenshot.png');
    await page.screenshot({ path: shot, fullPage: true, clip: { x: 0, y: 0, width: 1200, height: 2700 } });
    if (process.env.SALVAGE_UPDATE_SCREENSHOT === '1') copyFileSync(shot, join(REPO, 'docs', 'report-screenshot.png'));

    // Markup planted in a file name and in log lines is shown as text and never runs.
    const evil = await context.newPage();
    const evilUrl = pathToFileURL(join(planted, 'report.html')).href;
    evil.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`); });
    evil.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await evil.goto(evilUrl, { waitUntil: 'load' });
    assert.deepEqual(errors, [] as string[], 'no console errors (a blocked script or image would log one)');
    assert.deepEqual([...new Set(requests)], [url, evilUrl], 'still no request but the pages');
    assert.equal(await evil.evaluate('window.__pwned'), undefined, 'planted markup did not run');
    assert.equal(await evil.locator('#files-table img').count(), 0, 'no planted element in the accounting table');
    assert.ok((await evil.locator('#files-table').innerText()).includes(PLANTED_NAME), 'the planted file name is shown as text');
  } finally {
    await context.close();
  }
});
