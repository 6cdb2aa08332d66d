// Where a sharded run puts things: every process must reach the same answers from the same
// names, every file must go to exactly one shard, and every key bucket to exactly one partition.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { bucketOf, bucketsOfPartition, KEY_BUCKETS, parseSlice, shardOfFile, stableHash, UNKEYED_BUCKET } from '../../src/distributed/placement';
import { batchOf } from '../../src/model/evidence-batch';
import { evidenceDoc, pushDoc } from '../../src/distributed/evidence-docs';
import { emptyBatch } from '../../src/model/evidence-batch';
import type { Evidence } from '../../src/model/types';

test('the hash is FNV-1a over UTF-8: known values, and unsigned 32-bit', () => {
  // Published FNV-1a 32 test vectors: the hash must not drift between versions, or shards of
  // one run started from two salvage builds would deal the files differently.
  assert.equal(stableHash(''), 0x811c9dc5);
  assert.equal(stableHash('a'), 0xe40c292c);
  assert.equal(stableHash('foobar'), 0xbf9cf968);
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => {
    const h = stableHash(s);
    return Number.isInteger(h) && h >= 0 && h < 2 ** 32 && h === stableHash(s);
  }));
});

test('each file goes to exactly one shard below n', () => {
  fc.assert(fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 1, max: 64 }), (name, n) => {
    const s = shardOfFile(name, n);
    return Number.isInteger(s) && s >= 0 && s < n;
  }));
});

test('the partitions of m take every key bucket exactly once', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: KEY_BUCKETS }), (m) => {
    const all = Array.from({ length: m }, (_, j) => bucketsOfPartition(j, m)).flat().sort((a, b) => a - b);
    assert.deepEqual(all, Array.from({ length: KEY_BUCKETS }, (_, b) => b));
  }));
});

test('an order number has one bucket; no order number, the unkeyed one', () => {
  fc.assert(fc.property(fc.string({ minLength: 1 }), (id) => {
    const b = bucketOf(id);
    return b >= 0 && b < KEY_BUCKETS && b === bucketOf(id);
  }));
  assert.equal(bucketOf(null), UNKEYED_BUCKET);
  assert.equal(bucketOf(''), UNKEYED_BUCKET);
});

test('--shard and --partition take i/n with 0 ≤ i < n, nothing else', () => {
  assert.deepEqual(parseSlice('0/2'), { i: 0, n: 2 });
  assert.deepEqual(parseSlice(' 3/4 '), { i: 3, n: 4 });
  for (const bad of ['2/2', '1/0', '-1/2', '1', '1/2/3', 'a/b', '0.5/2', '']) assert.equal(parseSlice(bad), null, bad);
  fc.assert(fc.property(fc.nat(999), fc.nat(999), (i, n) => {
    const p = parseSlice(`${i}/${n}`);
    return i < n ? p !== null && p.i === i && p.n === n : p === null;
  }));
});

test('an evidence document puts its batch item back as it was (an unknown time included)', () => {
  const ev = (over: Partial<Evidence>): Evidence => ({
    kind: 'order_viewed', rule: 'r', ts: null, tsMs: NaN, fingerprint: 'f', signature: 'none',
    source: { file: 'a.log', line: 3, offset: 10 }, fields: { order_id: 'X1', client_ip: '1.2.3.4', user_agent: 'ua', amount: 5 }, ...over,
  }) as Evidence;
  const b = batchOf([ev({}), ev({ tsMs: 1700000000000, fields: { trade_no: 'T9' } }), ev({ signature: 'bad_signature' } as Partial<Evidence>)]);
  const back = emptyBatch();
  for (let i = 0; i < b.json.length; i++) {
    const d = JSON.parse(JSON.stringify(evidenceDoc(b, i, { shard: 0, rank: 0, seq: i, file: 'a.log' })));
    pushDoc(back, d);
  }
  assert.deepEqual(back, b);
  assert.ok(Number.isNaN(back.tsMs[0]));
  assert.equal(evidenceDoc(b, 1, { shard: 0, rank: 0, seq: 1, file: 'a.log' }).bucket, UNKEYED_BUCKET);
});
