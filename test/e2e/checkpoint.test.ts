// --checkpoint (issue 14): the real CLI, killed with SIGKILL at several points (mid-file, and
// after 1, 2, … files are finished), started again with the same checkpoint until it ends,
// writes exactly what an uninterrupted run writes; finished files are not read again; a file
// that changed is read again and the run says so; a checkpoint among the inputs, or written for
// other settings, is refused.

import assert from 'node:assert/strict';
import { appendFileSync, createWriteStream, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, closeSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../support/run-cli';
import { spawnCli, type Spawned } from '../support/spawn-cli';
import { lockHolderAlive } from '../../src/sinks/process-liveness';
import { HEAD_BYTES } from '../../src/sources/checkpoint/identity';
import type { RunReport } from '../../src/sinks/report';

const BYTE_IDENTICAL = ['transactions.ndjson', 'transactions.csv', 'rejects.ndjson', 'review.csv', 'restore.sql', 'unjoined.ndjson'];
const root = mkdtempSync(join(tmpdir(), 'salvage-checkpoint-'));
after(() => rmSync(root, { recursive: true, force: true }));

const ck = join(root, 'run.ckpt');
const args = (out: string, ...more: string[]) => ['reconstruct', 'shop/logs', '--keys', 'shop/keys.json', '--out', out, '--workers', '2', ...more];

interface Entry { identity: { size: number }; read: { bytes: number; lines: number }; finished?: unknown }
function entries(): Record<string, Entry> {
  try {
    return (JSON.parse(readFileSync(ck, 'utf8')) as { files: Record<string, Entry> }).files;
  } catch {
    return {}; // not written yet
  }
}
const finished = () => Object.entries(entries()).filter(([, e]) => e.finished).map(([f]) => f).sort();
const partlyRead = () => Object.entries(entries()).filter(([, e]) => !e.finished && e.read.bytes > 0).map(([f]) => f);

function report(dir: string): RunReport {
  return JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
}

/** The outputs differ from `ref`'s: the names of those that do. */
function differences(dir: string, ref: string): string[] {
  const diff = BYTE_IDENTICAL.filter((n) => readFileSync(join(dir, n), 'utf8') !== readFileSync(join(ref, n), 'utf8'));
  const stable = (d: string) => {
    const r = report(d) as Partial<RunReport>;
    delete r.run;
    return JSON.stringify(r);
  };
  if (stable(dir) !== stable(ref)) diff.push('report.json (outside run)');
  return diff;
}

async function kill(run: Spawned, out: string): Promise<void> {
  // The whole process group (the launcher re-executes itself), as a power cut would.
  try {
    process.kill(-run.child.pid!, 'SIGKILL');
  } catch { /* already ended */ }
  await run.exit;
  // The killed child may take a moment more to be gone: wait until its lock on --out is stale.
  const deadline = Date.now() + 10_000;
  for (;;) {
    let held: { pid: number; start_ticks?: string } | null = null;
    try {
      held = JSON.parse(readFileSync(join(out, '.salvage-lock'), 'utf8')) as { pid: number; start_ticks?: string };
    } catch { /* no lock */ }
    if (!held || !lockHolderAlive(held.pid, held.start_ticks)) return;
    assert.ok(Date.now() < deadline, `pid ${held.pid} still holds the lock 10 s after SIGKILL`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts the CLI and kills it once `when` holds of the checkpoint; false if the run ended first. */
async function runUntil(out: string, when: () => boolean): Promise<boolean> {
  const run = spawnCli([...args(out, '--checkpoint', ck), '-q'], root, { detached: true });
  let ended = false;
  void run.exit.then(() => { ended = true; });
  while (!ended && !when()) await new Promise((r) => setTimeout(r, 5));
  if (ended) {
    const end = await run.exit;
    assert.ok(end.code === 0 || end.code === 1, `exit ${end.code}: ${run.stderr()}`);
    return false;
  }
  await kill(run, out);
  return true;
}

describe('checkpoint: killed and resumed runs end as an uninterrupted run', () => {
  const ref = join(root, 'ref');
  let files = 0;
  before(async () => {
    const sim = await runCli(['simulate', '--out', join(root, 'shop'), '--orders', '600', '--days', '2', '--seed', '5', '--damage', 'typical'], root);
    assert.equal(sim.code, 0, sim.stderr);
    const r = await runCli([...args(ref), '-q'], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    files = report(ref).inputs.length;
    assert.ok(files >= 5, `${files} input files`);
  });

  test('SIGKILL mid-file and after 1, 2, … finished files; each start resumes; the end is byte-identical', { timeout: 240_000 }, async () => {
    const out = join(root, 'out');
    // Mid-file: a file has been read part of the way.
    assert.ok(await runUntil(out, () => partlyRead().length > 0), 'the first run ended before it could be killed mid-file');
    const cut = partlyRead();
    assert.ok(cut.length > 0, `killed mid-file: partly read ${cut.join(', ')}; finished ${finished().join(', ')}`);
    const killsAfter: number[] = [];
    let done = finished();
    // Killed after 1, 2 and 3 finished files (or more, when several finish between looks),
    // then left to end.
    for (let round = 0; round < files + 2; round++) {
      const target = done.length < 3 ? done.length + 1 : Infinity;
      const killed = await runUntil(out, () => finished().length >= target);
      const now = finished();
      // What a run finished stays finished: nothing is lost across kills.
      for (const f of done) assert.ok(now.includes(f), `${f} was finished before the kill and is not after`);
      if (!killed) {
        const run = report(out).run.checkpoint!;
        assert.equal(run.files_resumed, done.length, 'the last run fed every file finished before it from the checkpoint');
        assert.equal(run.files_read, files - done.length, 'and read only the others');
        break;
      }
      killsAfter.push(now.length);
      done = now;
    }
    assert.ok(existsSync(join(out, 'report.json')), 'the runs came to an end');
    // Kills landed at several points between the first finished file and the last.
    assert.ok(killsAfter.length >= 2 && killsAfter[0]! < files, `kills after ${killsAfter.join(', ')} finished file(s) of ${files}`);
    assert.deepEqual(differences(out, ref), []);
    process.stdout.write(`# killed mid-file (${cut.join(', ')}), then after ${killsAfter.join(', ')} finished file(s) of ${files}\n`);
  });

  test('a finished file is not read again: past its first MiB it can be anything', { timeout: 120_000 }, async () => {
    // Only the first MiB (and the size) of a finished file is read on resuming. Overwrite the
    // rest of the largest log with other bytes of the same length: a run that read it again
    // would write other outputs (checked below), a resumed one writes the first run's.
    const logs = report(ref).inputs.filter((i) => !i.compressed).sort((a, b) => b.bytes - a.bytes);
    const big = join(root, logs[0]!.file);
    const size = statSync(big).size;
    assert.ok(size > HEAD_BYTES + 10_000, `${big}: ${size} bytes, not past the first MiB`);
    assert.equal(finished().length, files, 'the checkpoint holds every file as finished');
    const fd = openSync(big, 'r+');
    const tail = readFileSync(big).subarray(HEAD_BYTES);
    writeSync(fd, Buffer.from(tail.toString('latin1').replace(/[^\n]/g, 'Z'), 'latin1'), 0, tail.length, HEAD_BYTES);
    closeSync(fd);
    assert.equal(statSync(big).size, size);

    const resumed = join(root, 'resumed');
    const r = await runCli([...args(resumed, '--checkpoint', ck), '-q'], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.deepEqual(report(resumed).run.checkpoint, { checkpoint: ck, files_resumed: files, files_read: 0, files_changed: 0 });
    assert.deepEqual(differences(resumed, ref), [], 'resumed from the checkpoint: the outputs of the first reading');
    const reread = join(root, 'reread');
    const plain = await runCli([...args(reread), '-q'], root);
    assert.ok(plain.code === 0 || plain.code === 1, plain.stderr);
    assert.ok(differences(reread, ref).length > 0, 'read again, the overwritten tail would have changed the outputs');
  });

  test('a file that changed since the checkpoint is read again, and the run says so', { timeout: 120_000 }, async () => {
    const changed = report(ref).inputs.find((i) => !i.compressed && i.file.includes('laravel'))!.file;
    appendFileSync(join(root, changed), '[2026-11-22 23:59:59] production.INFO: one more line\n');
    const out = join(root, 'changed');
    const r = await runCli([...args(out, '--checkpoint', ck), '-q'], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.match(r.stderr, new RegExp(`warning: ${changed.replace(/[.]/g, '\\.')} has changed since the checkpoint was written \\(size \\d+ → \\d+[^)]*\\): read again from its start / 检查点写入后此文件已改变`));
    assert.deepEqual(report(out).run.checkpoint, { checkpoint: ck, files_resumed: files - 1, files_read: 1, files_changed: 1 });
    // The same inputs read without a checkpoint (the overwritten tail included: read, it changes
    // results, so the resumed run must have kept that file's stored results).
    const fresh = join(root, 'changed-fresh');
    await runCli([...args(fresh), '-q'], root);
    assert.ok(differences(out, fresh).length > 0, 'the big file was fed from the checkpoint, not read');
    // And the changed file's new results are now in the checkpoint: the next run reads nothing.
    const again = join(root, 'changed-again');
    await runCli([...args(again, '--checkpoint', ck), '-q'], root);
    assert.deepEqual(report(again).run.checkpoint, { checkpoint: ck, files_resumed: files, files_read: 0, files_changed: 0 });
    assert.deepEqual(differences(again, out), []);
  });

  test('the checkpoint is private and holds no credentials', () => {
    assert.equal(statSync(ck).mode & 0o777, 0o600);
    assert.equal(statSync(`${ck}.files`).mode & 0o777, 0o700);
    const stored = readdirSync(`${ck}.files`);
    assert.equal(stored.length, files, stored.join(', '));
    // Every secret-sized string in keys.json (of a PEM key, its longest line).
    const leaves = (v: unknown): string[] => (typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(leaves) : []);
    const secrets = leaves(JSON.parse(readFileSync(join(root, 'shop', 'keys.json'), 'utf8')))
      .map((s) => s.split('\n').sort((a, b) => b.length - a.length)[0]!)
      .filter((s) => s.length >= 16);
    assert.ok(secrets.length > 0);
    for (const f of [ck, ...stored.map((n) => join(`${ck}.files`, n))]) {
      if (f !== ck) assert.equal(statSync(f).mode & 0o777, 0o600, f);
      const text = readFileSync(f, 'utf8');
      for (const s of secrets) assert.ok(!text.includes(s), `${f} holds a merchant key`);
    }
  });

  test('refused (exit 2) among the inputs and for other settings; the checkpoint is left as it was', async () => {
    const kept = readFileSync(ck);
    const refused = async (argv: string[], re: RegExp) => {
      const r = await runCli(argv, root);
      assert.equal(r.code, 2, `${argv.join(' ')}: exit ${r.code}\n${r.stderr}`);
      assert.match(r.stderr, re);
      assert.match(r.stderr, /[\u4e00-\u9fff]/, 'the message has its Chinese half');
    };
    await refused(args(join(root, 'x1'), '--checkpoint', 'shop/logs/app/run.ckpt'), /--checkpoint .* is inside the input folder shop\/logs/);
    assert.ok(!existsSync(join(root, 'shop/logs/app/run.ckpt')) && !existsSync(join(root, 'shop/logs/app/run.ckpt.files')), 'nothing written among the inputs');
    await refused(['reconstruct', 'shop/logs/*/*.log', '--keys', 'shop/keys.json', '--out', join(root, 'x2'), '--checkpoint', 'shop/logs/run.ckpt'], /the folder the pattern shop\/logs\/\*\/\*\.log looks into/);
    await refused(args(join(root, 'x3'), '--checkpoint', 'shop/logs/app/laravel-2026-11-21.log'), /is the input|inside the input folder/);
    await refused(args(join(root, 'x4'), '--checkpoint', ck, '--tz', 'UTC'), /was written for other settings .*\(--tz\)/);
    await refused(args(join(root, 'x5'), '--checkpoint', ck, '--max-line-bytes', '4096'), /other settings .*--max-line-bytes/);
    // Other merchant keys change which callbacks verify: the digest tells, without keeping them.
    const keys = JSON.parse(readFileSync(join(root, 'shop', 'keys.json'), 'utf8')) as { epay: Record<string, string> };
    const pid = Object.keys(keys.epay)[0]!;
    keys.epay[pid] = 'x' + keys.epay[pid]!.slice(1);
    writeFileSync(join(root, 'other-keys.json'), JSON.stringify(keys));
    await refused(['reconstruct', 'shop/logs', '--keys', 'other-keys.json', '--out', join(root, 'x6'), '--checkpoint', ck], /other settings .*\(the merchant keys\)/);
    // One run at a time: a live holder refuses the run, a dead one's lock is taken over.
    writeFileSync(`${ck}.lock`, JSON.stringify({ pid: process.pid }));
    await refused(args(join(root, 'x7'), '--checkpoint', ck), /is in use by another run \(pid \d+\)/);
    assert.ok(existsSync(`${ck}.lock`), "a refused run leaves the holder's lock");
    assert.ok(readFileSync(ck).equals(kept), 'refused runs left the checkpoint alone');
    writeFileSync(`${ck}.lock`, JSON.stringify({ pid: 2 ** 22 + 1 }));
    // Key order in keys.json is no change.
    const reordered = Object.fromEntries(Object.entries(JSON.parse(readFileSync(join(root, 'shop', 'keys.json'), 'utf8')) as object).reverse());
    writeFileSync(join(root, 'reordered-keys.json'), JSON.stringify(reordered));
    const same = await runCli(['reconstruct', 'shop/logs', '--keys', 'reordered-keys.json', '--out', join(root, 'x8'), '--workers', '2', '--checkpoint', ck, '-q'], root);
    assert.ok(same.code === 0 || same.code === 1, same.stderr);
    assert.equal(report(join(root, 'x8')).run.checkpoint!.files_resumed, files);
    assert.ok(!existsSync(`${ck}.lock`), 'the stale lock was taken over, and let go at the end');
  });
});

describe('checkpoint: members of a tar.gz bundle', () => {
  const filesUnder = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)])).sort();
  const makeTarGz = async (out: string, top: string, change?: (name: string, bytes: Buffer) => Buffer) => {
    const p = pack();
    const done = pipeline(p, createGzip(), createWriteStream(out));
    for (const f of filesUnder(top)) {
      const name = relative(join(top, '..'), f);
      p.entry({ name }, change ? change(name, readFileSync(f)) : readFileSync(f));
    }
    p.finalize();
    await done;
  };
  const bck = join(root, 'bundle.ckpt');
  const run = async (out: string, ...more: string[]) => {
    const r = await runCli(['reconstruct', 'logs.tar.gz', '--keys', 'shop/keys.json', '--out', join(root, out), '--workers', '2', '-q', ...more], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    return r;
  };

  test('finished members are resumed; a changed bundle is read again', { timeout: 120_000 }, async () => {
    if (!existsSync(join(root, 'shop'))) {
      const sim = await runCli(['simulate', '--out', join(root, 'shop'), '--orders', '600', '--days', '2', '--seed', '5', '--damage', 'typical'], root);
      assert.equal(sim.code, 0, sim.stderr);
    }
    await makeTarGz(join(root, 'logs.tar.gz'), join(root, 'shop', 'logs'));
    // The first run reads everything: what it writes is an uninterrupted run's (see above).
    await run('b-first', '--checkpoint', bck);
    const members = report(join(root, 'b-first')).inputs.length;
    assert.ok(members >= 5 && report(join(root, 'b-first')).inputs.every((i) => i.file.includes('logs.tar.gz!/')));
    assert.deepEqual(report(join(root, 'b-first')).run.checkpoint, { checkpoint: bck, files_resumed: 0, files_read: members, files_changed: 0 });
    await run('b-resumed', '--checkpoint', bck);
    assert.deepEqual(report(join(root, 'b-resumed')).run.checkpoint, { checkpoint: bck, files_resumed: members, files_read: 0, files_changed: 0 });
    assert.deepEqual(differences(join(root, 'b-resumed'), join(root, 'b-first')), []);
    // The bundle packed again with one member one line longer: a member is known by its bundle
    // (whose size may by chance stay the same; its first MiB does not).
    await makeTarGz(join(root, 'logs.tar.gz'), join(root, 'shop', 'logs'), (name, bytes) =>
      name.endsWith('laravel-2026-11-21.log') ? Buffer.concat([bytes, Buffer.from('[2026-11-21 23:59:59] production.INFO: one more line\n')]) : bytes);
    const changed = await run('b-changed', '--checkpoint', bck);
    assert.match(changed.stderr, /warning: logs\.tar\.gz!\/logs\/app\/laravel-2026-11-21\.log has changed since the checkpoint was written \([^)]*bundle member content\)/);
    assert.deepEqual(report(join(root, 'b-changed')).run.checkpoint, { checkpoint: bck, files_resumed: 0, files_read: members, files_changed: members });
  });
});
