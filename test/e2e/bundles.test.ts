// Bundles (issue 14): a shop's logs packed as tar and tar.gz (with a gzip member and members
// that are not logs) give the same records as the same logs read as plain files; members are
// named `bundle!/member` everywhere; a truncated tar.gz gives up what it holds and says so.

import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
    plainOut = join(root, 'plain');
    const r = await runCli(['reconstruct', 'shop/logs', '--keys', 'shop/keys.json', '--out', plainOut, '-q'], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
  });

  for (const [bundle, workers] of [['b.tar.gz', '1'], ['b.tar.gz', '2'], ['b.tar', '2']] as const) {
    test(`${bundle} with --workers ${workers}: same records, members named bundle!/member`, async () => {
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
});
