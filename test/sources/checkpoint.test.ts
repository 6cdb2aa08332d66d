// The checkpoint's pieces on their own: where it may be written, what counts as the same file,
// which settings it is good for, and that what it says is finished is whole on disk.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkpointPlaceProblems, globBase } from '../../src/sources/checkpoint/place';
import { HEAD_BYTES, identityChanges, identityOf } from '../../src/sources/checkpoint/identity';
import { clearSettings, settingsChanges, settingsDigest, type ResultSettings } from '../../src/sources/checkpoint/settings';
import { CheckpointError, CheckpointStore } from '../../src/sources/checkpoint/checkpoint-store';

const root = mkdtempSync(join(tmpdir(), 'salvage-ckpt-unit-'));
after(() => rmSync(root, { recursive: true, force: true }));

const settings: ResultSettings = {
  version: '0.1.0', tz: 'Asia/Shanghai', maxLineBytes: 1 << 20, revealCardKeys: false, formats: [], nginxFormat: null,
  rules: [{ rule: { id: 'r1' } }], vocabulary: {}, keys: { epay: { '1001': 'secret-key-0123456789' } },
};

test('globBase: the folder a pattern looks into', () => {
  assert.equal(globBase('logs/*/*.log', '/w'), '/w/logs');
  assert.equal(globBase('*.log', '/w'), '/w');
  assert.equal(globBase('/var/log/nginx/*.gz', '/w'), '/var/log/nginx');
});

test('the checkpoint may not be an input, nor sit among the inputs, nor hold one', () => {
  const logs = join(root, 'logs');
  mkdirSync(join(logs, 'app'), { recursive: true });
  writeFileSync(join(logs, 'app', 'a.log'), 'x\n');
  const named = [{ path: logs, given: 'logs', isDir: true }];
  assert.deepEqual(checkpointPlaceProblems(join(root, 'run.ckpt'), named, []), []);
  assert.match(checkpointPlaceProblems(join(logs, 'app', 'run.ckpt'), named, [])[0]!, /inside the input folder logs/);
  assert.match(checkpointPlaceProblems(join(logs, 'app', 'a.log'), [{ path: join(logs, 'app', 'a.log'), given: 'a.log', isDir: false }], [])[0]!, /is the input a\.log itself/);
  // An input inside the results folder FILE.files.
  assert.match(checkpointPlaceProblems(join(root, 'c'), [{ path: join(root, 'c.files', 'x.log'), given: 'x.log', isDir: false }], [])[0]!, /inside the checkpoint's results folder/);
  assert.match(checkpointPlaceProblems(join(logs, 'c'), [], [{ base: logs, given: 'logs/*.log' }])[0]!, /the pattern logs\/\*\.log looks into/);
  assert.deepEqual(checkpointPlaceProblems(join(root, 'c'), [], [{ base: logs, given: 'logs/*.log' }]), []);
});

test('identity: size and the first MiB; a change past it that keeps the size is not seen', () => {
  const f = join(root, 'big.log');
  const bytes = Buffer.alloc(HEAD_BYTES + 100, 'a');
  writeFileSync(f, bytes);
  const was = identityOf(f, new Map())!;
  assert.deepEqual(identityChanges(was, identityOf(f, new Map())!), []);
  bytes[HEAD_BYTES + 50] = 'b'.charCodeAt(0);
  writeFileSync(f, bytes);
  assert.deepEqual(identityChanges(was, identityOf(f, new Map())!), []);
  bytes[10] = 'b'.charCodeAt(0);
  writeFileSync(f, bytes);
  assert.deepEqual(identityChanges(was, identityOf(f, new Map())!), ['first MiB']);
  writeFileSync(f, Buffer.concat([bytes, Buffer.from('more\n')]));
  assert.deepEqual(identityChanges(was, identityOf(f, new Map())!), [`size ${HEAD_BYTES + 100} → ${HEAD_BYTES + 105}`, 'first MiB']);
  assert.equal(identityOf(join(root, 'missing.log'), new Map()), null);
});

test('identity of a bundle member: the bundle, the member name and its digest', () => {
  const tar = join(root, 'b.tar');
  writeFileSync(tar, 'not really a tar');
  const member = `${tar}!/logs/a.log`;
  const was = identityOf(member, new Map([[member, { bytes: 10, sha256: 'aa' }]]))!;
  assert.equal(was.path, tar);
  assert.equal(was.member, 'logs/a.log');
  assert.deepEqual(identityChanges(was, identityOf(member, new Map([[member, { bytes: 10, sha256: 'bb' }]]))!), ['bundle member content']);
  assert.deepEqual(identityChanges(was, identityOf(`${tar}!/logs/b.log`, new Map([[`${tar}!/logs/b.log`, { bytes: 10, sha256: 'aa' }]]))!), ['path']);
});

test('settings: the digest covers the keys without holding them; key order is no change', () => {
  const d = settingsDigest(settings);
  assert.ok(!JSON.stringify({ clear: clearSettings(settings), d }).includes('secret-key'));
  assert.equal(settingsDigest({ ...settings, keys: { epay: { '1001': 'secret-key-0123456789' } } }, d.salt).scrypt, d.scrypt);
  assert.notEqual(settingsDigest({ ...settings, keys: { epay: { '1001': 'secret-key-0123456780' } } }, d.salt).scrypt, d.scrypt);
  const two = { ...settings, keys: { a: { x: '1' }, b: { y: '2' } } };
  const swapped = { ...settings, keys: { b: { y: '2' }, a: { x: '1' } } };
  assert.equal(settingsDigest(swapped, d.salt).scrypt, settingsDigest(two, d.salt).scrypt);
  assert.deepEqual(settingsChanges(clearSettings(settings), clearSettings({ ...settings, tz: 'UTC', rules: [] })), ['--tz', 'rule packs (--rules)']);
});

test('store: results are whole on disk once finished; a damaged or half-written one is not used', async () => {
  const path = join(root, 'store.ckpt');
  const store = CheckpointStore.open(path, settings);
  const id = identityOf(join(root, 'big.log'), new Map())!;
  const w = store.startFile('big.log', id, null);
  w.append({ ev: 1 });
  // Killed here: only a .part file, and nothing finished in the JSON.
  store.save();
  assert.deepEqual(readdirSync(`${path}.files`).map((n) => n.replace(/^\w+/, 'X')), ['X.ndjson.part']);
  assert.equal(CheckpointStore.open(path, settings).entry('big.log')!.finished, undefined);
  assert.deepEqual(readdirSync(`${path}.files`), [], 'the half-written results of a killed run are removed');

  const again = CheckpointStore.open(path, settings);
  const w2 = again.startFile('big.log', id, null);
  w2.append({ ev: 1 });
  w2.append({ report: { file: 'big.log' } });
  again.finishFile('big.log', w2, { bytes: 5, lines: 1 });
  const reopened = CheckpointStore.open(path, settings);
  const e = reopened.entry('big.log')!;
  assert.ok(reopened.resultsIntact(e));
  const items: unknown[] = [];
  for await (const x of reopened.results(e)) items.push(x);
  assert.deepEqual(items, [{ ev: 1 }, { report: { file: 'big.log' } }]);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(`${path}.files`).mode & 0o777, 0o700);
  const stored = join(`${path}.files`, e.finished!.results);
  assert.equal(statSync(stored).mode & 0o777, 0o600);
  writeFileSync(stored, readFileSync(stored, 'utf8').replace('ev', 'EV'));
  assert.ok(!reopened.resultsIntact(e), 'a stored file that changed is not used');

  assert.throws(() => CheckpointStore.open(path, { ...settings, tz: 'UTC' }), (err: Error) => err instanceof CheckpointError && /other settings .*--tz/.test(err.message));
  writeFileSync(join(root, 'junk'), '{"not":"a checkpoint"}');
  assert.throws(() => CheckpointStore.open(join(root, 'junk'), settings), /is not a salvage checkpoint/);
});
