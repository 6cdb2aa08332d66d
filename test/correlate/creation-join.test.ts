// The creation-line join on its own: it parks the lines it is given and reads them back itself
// when the end of the run walks again, so nothing outside it keeps or rebuilds its lines.

import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { CreationJoin } from '../../src/correlate/creation-join';
import { Names } from '../../src/correlate/names';
import { OrderKeys } from '../../src/correlate/order-keys';
import type { JoinSink } from '../../src/correlate/parked-line';
import { evidenceFactory } from '../support/evidence';
import { withTempDir } from '../support/temp-dir';

const T0 = Date.parse('2026-11-21T10:00:00+08:00');
const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');
const CLIENT = { client_ip: '10.0.0.1', user_agent: 'UA' };

/** A sink that writes down what it is told, in order. */
function recorder(): JoinSink & { said: string[] } {
  const said: string[] = [];
  const note = (what: string) => (oid: string, json: string) => said.push(`${what} ${oid} ${String(JSON.parse(json).joinedBy)}`);
  return { said, add: note('add'), addLate: note('addLate'), retract: note('retract') };
}

test('a creation line joins the order first seen from its client in the window, decided while reading', () =>
  withTempDir('salvage-creation-', (dir) => {
    const keys = new OrderKeys();
    const names = new Names();
    const join = new CreationJoin(keys, names, 30_000, dir);
    const web = evidenceFactory('web.log');
    const line = web('order_created', iso(T0), { ...CLIENT, amount: 9.9 });
    join.add(line, JSON.stringify(line));
    const a = keys.row('A1');
    keys.noteAmount(a, T0 + 5_000, 9.9);
    join.sighting(a, `${CLIENT.client_ip}|${CLIENT.user_agent}`, T0 + 5_000, names.sourceCode('nginx:web'));
    const sink = recorder();
    join.joinSoFar(T0 + 1, sink);
    assert.deepEqual(sink.said, ['add A1 client 10.0.0.1 and user agent within 5 s, amount 9.9 agrees']);
    const missed: string[] = [];
    assert.equal(join.finish(sink, (l, why) => missed.push(`${l.file}:${l.line} ${why}`)), 1);
    assert.equal(join.walkedAgain, false);
    assert.deepEqual(missed, []);
    assert.equal(sink.said.length, 1, 'a settled walk is not done again');
  }));

test('a sighting that arrives after the walk passed its time: the end walks again over the lines the join parked itself', () =>
  withTempDir('salvage-creation-', (dir) => {
    const keys = new OrderKeys();
    const names = new Names();
    const join = new CreationJoin(keys, names, 30_000, dir);
    const web = evidenceFactory('web.log');
    const client = `${CLIENT.client_ip}|${CLIENT.user_agent}`;
    const lines = [web('order_created', iso(T0), CLIENT), web('order_created', iso(T0 + 60_000), { client_ip: '10.0.0.2', user_agent: 'UA' })];
    for (const l of lines) join.add(l, JSON.stringify(l));
    join.sighting(keys.row('B2'), client, T0 + 20_000, names.sourceCode('nginx:web'));
    const sink = recorder();
    join.joinSoFar(T0 + 1, sink);
    assert.deepEqual(sink.said, ['add B2 client 10.0.0.1 and user agent within 20 s']);
    // An earlier sighting from the same client, read late (another file was behind).
    join.sighting(keys.row('C3'), client, T0 + 5_000, names.sourceCode('nginx:web'));
    const missed: string[] = [];
    assert.equal(join.finish(sink, (l, why, json) => missed.push(`${l.file}:${l.line} ${JSON.parse(json).ts} ${why.slice(0, 40)}`)), 1);
    assert.equal(join.walkedAgain, true);
    assert.deepEqual(sink.said.slice(1), ['retract B2 client 10.0.0.1 and user agent within 20 s', 'addLate C3 client 10.0.0.1 and user agent within 5 s']);
    // The second line (another client, no order) is reported with its time, read back from disk.
    assert.deepEqual(missed, [`web.log:2 ${iso(T0 + 60_000)} order creation with no order number, and`]);
    // The join removes its own files.
    assert.deepEqual(readdirSync(dir), []);
  }));
