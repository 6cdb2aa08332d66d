// Reading with real worker threads: files of the same hours move through time together (a file
// that runs ahead waits), nothing deadlocks, and every file is read to its end.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { runFiles, type FileTask } from '../../src/pipeline/run-files';
import { loadRules } from '../../rules/engine/load-packs';
import { Watermark, holdBack } from '../../src/correlate/watermark';
import { peekStart } from '../../src/pipeline/peek-start';
import { withTempDir } from '../support/temp-dir';

const T0 = Date.parse('2026-11-21T00:00:00+08:00');
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function clf(ms: number): string {
  const d = new Date(ms + 8 * 3600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MON[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0800`;
}

/** An access log over `hours`, with `lines` requests spread evenly: dense logs have more bytes per hour. */
function accessLog(path: string, hours: number, lines: number): void {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const t = T0 + Math.floor((i * hours * 3600_000) / lines);
    out.push(`10.0.0.${i % 250} - - [${clf(t)}] "GET /bill/R${String(i).padStart(15, '0')} HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) test-agent"`);
  }
  writeFileSync(path, out.join('\n') + '\n');
}

for (const workers of [2, 1]) test(`files of the same hours are read together (${workers === 1 ? 'one thread' : 'worker threads'}): the one ahead waits, and all finish`, async () => {
  await withTempDir('salvage-paced-', async (dir) => {
    // Same six hours, very different sizes: unpaced, the small file would race hours ahead.
    accessLog(join(dir, 'dense.log'), 6, 120_000);
    accessLog(join(dir, 'sparse.log'), 6, 24_000);
    const tasks: FileTask[] = [];
    for (const name of ['dense.log', 'sparse.log']) {
      const path = join(dir, name);
      tasks.push({ path, display: name, startMs: await peekStart(path, { tz: 'Asia/Shanghai' }) });
    }
    assert.equal(tasks[0]!.startMs, T0);

    const marks = new Watermark();
    for (const t of tasks) marks.expect(t.display, t.startMs ?? null);
    const leadMs = 10 * 60_000;
    let holds = 0;
    let worstLead = 0;
    let evidenceItems = 0;
    const reports = await runFiles(tasks, { rules: loadRules([]), keys: {}, tz: 'Asia/Shanghai', maxLineBytes: 1 << 20, revealCardKeys: false }, workers, {
      evidence: (b) => { evidenceItems += b.json.length; },
      reject: () => {},
      reached: (file, ms) => {
        marks.reached(file, ms);
        const others = [...['dense.log', 'sparse.log']].filter((f) => f !== file).map((f) => marks.position(f)).filter((x): x is number => x !== undefined);
        for (const o of others) worstLead = Math.max(worstLead, ms - o);
      },
      fileDone: (r) => marks.done(r.file),
      holdBack: (running) => {
        const h = holdBack(marks, running, leadMs);
        holds += h.size;
        return h;
      },
    });
    assert.deepEqual(reports.map((r) => r.lines_total), [120_000, 24_000], 'every line of both files was read');
    assert.ok(evidenceItems > 0);
    assert.ok(holds > 0, 'the sparse file was held back at least once');
    // Positions are known a read chunk (256 KiB) at a time, a file stops only at the end of the
    // chunk it is reading, and the word to stop takes a message: so the lead stays within the
    // allowed lead plus a few chunks of each file's log time (about 2.2 h here), while an
    // unpaced read runs about four hours ahead on this machine.
    const chunkMs = (name: string) => (256 * 1024 * 6 * 3600_000) / statSync(join(dir, name)).size;
    const bound = leadMs + 4 * (chunkMs('sparse.log') + chunkMs('dense.log'));
    assert.ok(worstLead < bound, `worst lead ${Math.round(worstLead / 60_000)} min, bound ${Math.round(bound / 60_000)} min`);
    assert.ok(bound < 2.5 * 3600_000);
  });
});

// Issue 10: `--workers 1` on a 3-day shop ended silently after 2 s. A gzip file held back is
// asked to wait once per inflated piece as well as per compressed chunk; each ask replaced the
// last, so letting it go woke only the newest, the inflater stayed paused, and nothing was left
// to wait for. Every ask must be answered.
test('one thread: a gzip file held back several times is let go, and every file is read to its end', async () => {
  await withTempDir('salvage-paced-gz-', async (dir) => {
    // Small when compressed (one read), large when inflated (many pieces, each asking to wait).
    const line = `10.0.0.1 - - [${clf(T0)}] "GET /static/app.css HTTP/1.1" 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) test-agent"\n`;
    writeFileSync(join(dir, 'dense.log.gz'), gzipSync(Buffer.from(line.repeat(25_000))));
    assert.ok(statSync(join(dir, 'dense.log.gz')).size < 16 * 1024);
    accessLog(join(dir, 'sparse.log'), 6, 24_000);
    const tasks: FileTask[] = [];
    for (const name of ['dense.log.gz', 'sparse.log']) {
      const path = join(dir, name);
      tasks.push({ path, display: name, startMs: await peekStart(path, { tz: 'Asia/Shanghai' }) });
    }
    let holds = 0;
    // Hold the gzip file for as long as the plain one is being read: the harshest pacing.
    const reports = await runFiles(tasks, { rules: loadRules([]), keys: {}, tz: 'Asia/Shanghai', maxLineBytes: 1 << 20, revealCardKeys: false }, 1, {
      evidence: () => {},
      reject: () => {},
      holdBack: (running) => {
        const h = running.has('sparse.log') ? new Set(['dense.log.gz']) : new Set<string>();
        holds += h.size;
        return h;
      },
    });
    assert.ok(holds > 0);
    assert.deepEqual(reports.map((r) => r.lines_total), [25_000, 24_000]);
  });
});
