// Bundles (issue 14): a shop's logs packed as tar and tar.gz (with a gzip member and members
// that are not logs) give the same records as the same logs read as plain files; members are
// named `bundle!/member` everywhere; a truncated tar.gz gives up what it holds and says so.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, createWriteStream, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { pack } from 'tar-stream';
import { runCli } from '../support/run-cli';
import type { Reject } from '../../src/model/types';
import type { RunReport } from '../../src/sinks/report';

const hasZip = (() => { try { execFileSync('zip', ['-v'], { stdio: 'ignore' }); return true; } catch { return false; } })();
const root = mkdtempSync(join(tmpdir(), 'salvage-bundles-'));
after(() => rmSync(root, { recursive: true, force: true }));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)])).sort();
}

/** Packs `dir`'s files (names relative to `dir`'s parent) plus extra members into a tar, gzipped or not. */
async function makeBundle(out: string, dir: string, extra: { name: string; body: Buffer }[], gzip: boolean): Promise<void> {
  const p = pack();
  const done = gzip ? pipeline(p, createGzip(), createWriteStream(out)) : pipeline(p, createWriteStream(out));
  for (const f of filesUnder(dir)) p.entry({ name: relative(join(dir, '..'), f) }, readFileSync(f));
  for (const x of extra) p.entry({ name: x.name }, x.body);
  p.finalize();
  await done;
}

// zip is built with python3's zipfile (the zip command may be missing); `corrupt` names a member
// whose compressed bytes are then spoiled in the middle.
const ZIP_PY = `
import sys, os, zipfile, json
out, top, extra, corrupt = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for d, _, fs in sorted(os.walk(top)):
        for f in sorted(fs):
            full = os.path.join(d, f)
            z.write(full, os.path.relpath(full, os.path.dirname(top)))
    for x in extra:
        z.writestr(x['name'], bytes(x['body']))
if corrupt:
    i = zipfile.ZipFile(out).getinfo(corrupt)
    with open(out, 'r+b') as fh:
        fh.seek(i.header_offset + 26)
        n, m = int.from_bytes(fh.read(2), 'little'), int.from_bytes(fh.read(2), 'little')
        fh.seek(i.header_offset + 30 + n + m + i.compress_size // 2)
        fh.write(bytes(64))
`;
function makeZip(out: string, dir: string, extra: { name: string; body: Buffer }[], corrupt = ''): void {
  const x = JSON.stringify(extra.map((e) => ({ name: e.name, body: [...e.body] })));
  execFileSync('python3', ['-c', ZIP_PY, out, dir, x, corrupt]);
}

interface Tx { order_id: string; status: string; amount: number | null }
const records = (dir: string) => readFileSync(join(dir, 'transactions.ndjson'), 'utf8').split('\n').filter(Boolean)
  .map((l) => JSON.parse(l) as Tx).map((t) => `${t.order_id} ${t.status} ${t.amount}`).sort();
const report = (dir: string) => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
const rejects = (dir: string) => readFileSync(join(dir, 'rejects.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Reject);

describe('bundles: tar and tar.gz read in place', () => {
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), Buffer.alloc(500, 7)]);
  const extra = [
    { name: 'logs/site/logo.png', body: png },
    { name: 'logs/backup/shop.sql', body: Buffer.from('INSERT INTO orders VALUES (1);\n') },
    { name: 'logs/bin/blob', body: Buffer.from([1, 2, 0, 3, 0, 4]) },
  ];
  let plainOut = '';
  before(async () => {
    const sim = await runCli(['simulate', '--out', join(root, 'shop'), '--orders', '300', '--days', '1', '--seed', '3'], root);
    assert.equal(sim.code, 0, sim.stderr);
    assert.ok(filesUnder(join(root, 'shop/logs')).some((f) => f.endsWith('.log.gz')), 'the shop has a gzip log, to be a gzip member');
    await makeBundle(join(root, 'b.tar.gz'), join(root, 'shop/logs'), extra, true);
    await makeBundle(join(root, 'b.tar'), join(root, 'shop/logs'), extra, false);
    makeZip(join(root, 'b.zip'), join(root, 'shop/logs'), extra);
    // zip: built by the system's zip tool from a staged copy (Node has no zip writer).
    if (hasZip) {
      const stage = join(root, 'stage');
      cpSync(join(root, 'shop/logs'), join(stage, 'logs'), { recursive: true });
      for (const x of extra) {
        mkdirSync(join(stage, x.name, '..'), { recursive: true });
        writeFileSync(join(stage, x.name), x.body);
      }
      execFileSync('zip', ['-qr', join(root, 'b.zip'), 'logs'], { cwd: stage });
      rmSync(stage, { recursive: true });
    }
    plainOut = join(root, 'plain');
    const r = await runCli(['reconstruct', 'shop/logs', '--keys', 'shop/keys.json', '--out', plainOut, '-q'], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
  });

  for (const [bundle, workers] of [['b.tar.gz', '1'], ['b.tar.gz', '2'], ['b.tar', '2'], ['b.zip', '2']] as const) {
    test(`${bundle} with --workers ${workers}: same records, members named bundle!/member`, { skip: bundle === 'b.zip' && !hasZip ? 'no zip tool on this machine' : false }, async () => {
      const out = join(root, `out-${bundle}-${workers}`);
      const before = readdirSync(root).sort();
      const r = await runCli(['reconstruct', bundle, '--keys', 'shop/keys.json', '--out', out, '--workers', workers, '-q'], root);
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      // Nothing unpacked next to the inputs: the only new entry is --out.
      assert.deepEqual(readdirSync(root).sort(), [...before, `out-${bundle}-${workers}`].sort());
      const got = records(out);
      assert.ok(got.length >= 250, `${got.length} records`);
      assert.deepEqual(got, records(plainOut));

      const rep = report(out);
      const logs = filesUnder(join(root, 'shop/logs'));
      assert.deepEqual(rep.inputs.map((i) => i.file).sort(), logs.map((f) => `${bundle}!/logs/${relative(join(root, 'shop/logs'), f)}`).sort());
      for (const i of rep.inputs) {
        const plain = readFileSync(join(root, 'shop', i.file.slice(`${bundle}!/`.length)));
        assert.equal(i.bytes, plain.length, i.file);
        assert.equal(i.sha256, createHash('sha256').update(plain).digest('hex'), i.file);
      }
      assert.ok(rep.inputs.some((i) => i.compressed && i.file.endsWith('.log.gz')), 'the gzip member is read as gzip');
      const skipped = (rep.input_skipped ?? []).map((k) => k.path.slice(root.length + 1)).sort();
      assert.deepEqual(skipped, extra.map((x) => `${bundle}!/${x.name}`).sort());
      // Rejects point into the member, at the same line and byte offset as in the plain file.
      const plainRej = rejects(plainOut).map((x) => `${x.file} ${x.line} ${x.offset}`).sort();
      const bundleRej = rejects(out).map((x) => `${x.file.replace(`${bundle}!/`, 'shop/')} ${x.line} ${x.offset}`).sort();
      assert.ok(plainRej.length > 0);
      assert.deepEqual(bundleRej, plainRej);
      const provenance = readFileSync(join(out, 'transactions.ndjson'), 'utf8');
      assert.match(provenance, new RegExp(`"file":"${bundle.replace('.', '\\.')}!/logs/`));
    });
  }

  test('a second copy of a bundle is read once, and said so', async () => {
    cpSync(join(root, 'b.tar.gz'), join(root, 'again.tar.gz'));
    const out = join(root, 'out-again');
    const r = await runCli(['reconstruct', 'b.tar.gz', 'again.tar.gz', '--keys', 'shop/keys.json', '--out', out, '-q'], root);
    rmSync(join(root, 'again.tar.gz'));
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.deepEqual(records(out), records(plainOut));
    const rep = report(out);
    // Inputs are taken in sorted order: again.tar.gz is the one read, b.tar.gz the copy.
    assert.ok(rep.inputs.every((i) => i.file.startsWith('again.tar.gz!/')));
    assert.equal(rep.inputs.length, filesUnder(join(root, 'shop/logs')).length);
    assert.ok((rep.input_skipped ?? []).some((k) => k.kind === 'repeat-bundle' && k.path.endsWith('/b.tar.gz')));
  });

  test('byte-identical members are read once, as copies of a file are', async () => {
    const logs = filesUnder(join(root, 'shop/logs'));
    const app = logs.find((f) => f.endsWith('.log') && !f.includes('nginx'))!;
    const twin = { name: 'logs/copy/' + relative(join(root, 'shop/logs'), app), body: readFileSync(app) };
    await makeBundle(join(root, 'twins.tar.gz'), join(root, 'shop/logs'), [twin], true);
    const out = join(root, 'out-twins');
    const r = await runCli(['reconstruct', 'twins.tar.gz', '--keys', 'shop/keys.json', '--out', out, '--workers', '2', '-q'], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.deepEqual(records(out), records(plainOut));
    const rep = report(out);
    assert.equal(rep.accounting.ok, true, JSON.stringify(rep.accounting));
    const copy = rep.inputs.find((i) => i.file === `twins.tar.gz!/${twin.name}`);
    assert.equal(copy?.copy_of, `twins.tar.gz!/${relative(join(root, 'shop'), app)}`);
    assert.equal(copy.parsed, 0);
    assert.equal(rep.totals.lines_total, report(plainOut).totals.lines_total, 'the copy\'s lines are counted once');
  });

  test('a truncated tar.gz gives up its readable members and reports the rest', async () => {
    const whole = readFileSync(join(root, 'b.tar.gz'));
    writeFileSync(join(root, 'cut.tar.gz'), whole.subarray(0, Math.floor(whole.length / 2)));
    const out = join(root, 'out-cut');
    const r = await runCli(['reconstruct', 'cut.tar.gz', '--keys', 'shop/keys.json', '--out', out], root);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /bundle cut\.tar\.gz is damaged .* 归档包已损坏/);
    const rep = report(out);
    assert.equal(rep.accounting.ok, true, JSON.stringify(rep.accounting));
    assert.ok(rep.input_problems.some((p) => p.input === 'cut.tar.gz'));
    assert.ok(rep.inputs.length >= 1 && rep.inputs.length < filesUnder(join(root, 'shop/logs')).length, `${rep.inputs.length} members read`);
    const last = rep.inputs.find((i) => i.errors.some((e) => e.startsWith('bundle damaged')));
    assert.ok(last?.damaged, 'the member the cut falls in is read as far as it goes and marked damaged');
    assert.ok(records(out).length > 0);
    assert.ok(statSync(join(root, 'cut.tar.gz')).size === Math.floor(whole.length / 2), 'the input is untouched');
  });

  test('a zip with a corrupt member gives up the other members and reports the damage', async () => {
    const logs = filesUnder(join(root, 'shop/logs'));
    const victim = relative(join(root, 'shop'), logs.reduce((a, b) => (statSync(a).size >= statSync(b).size ? a : b)));
    makeZip(join(root, 'bad.zip'), join(root, 'shop/logs'), extra, victim);
    const out = join(root, 'out-bad-zip');
    const r = await runCli(['reconstruct', 'bad.zip', '--keys', 'shop/keys.json', '--out', out], root);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /bad\.zip.*damaged.*损坏/s);
    const rep = report(out);
    assert.equal(rep.accounting.ok, true, JSON.stringify(rep.accounting));
    assert.ok(rep.input_problems.some((p) => p.input.startsWith('bad.zip')), JSON.stringify(rep.input_problems));
    // Every member is read; all but the spoilt one end as they do as plain files (the simulated
    // shop has damage of its own), and the spoilt one is marked with the bundle's damage.
    const state = (i: RunReport['inputs'][number]) => `${i.file} ${Boolean(i.damaged)}`;
    const plain = report(plainOut).inputs.map((i) => ({ ...i, file: i.file.replace(/^shop\//, 'bad.zip!/') }));
    const fromZip = rep.inputs.filter((i) => i.file !== `bad.zip!/${victim}`);
    assert.deepEqual(fromZip.map(state).sort(), plain.filter((i) => i.file !== `bad.zip!/${victim}`).map(state).sort());
    const spoilt = rep.inputs.find((i) => i.file === `bad.zip!/${victim}`);
    assert.ok(spoilt?.damaged && spoilt.errors.some((e) => e.startsWith('bundle damaged')), JSON.stringify(spoilt));
    assert.ok(records(out).length > 0);
  });

  test('a zip cut short (its index lost) is reported, not a crash', async () => {
    const whole = readFileSync(join(root, 'b.zip'));
    writeFileSync(join(root, 'cut.zip'), whole.subarray(0, Math.floor(whole.length / 2)));
    const out = join(root, 'out-cut-zip');
    const r = await runCli(['reconstruct', 'cut.zip', '--keys', 'shop/keys.json', '--out', out], root);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /cut\.zip.*damaged.*损坏/s);
    assert.equal(report(out).accounting.ok, true);
  });
});
