// Two lines of one order at the same second in two files: which of them the correlator keeps
// (first sighting, pay handler, first "paid" poll) must not depend on which file came first;
// with worker threads that is timing (issue 10, determinism).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Correlator } from '../../src/correlate/correlator';
import type { Evidence } from '../../src/model/types';
import { evidenceFactory } from '../support/evidence';
import { scoreRecord } from '../../src/score/score';

const web1 = evidenceFactory('logs/nginx/web1/shop.log');
const web2 = evidenceFactory('logs/nginx/web2/shop.log');
const app = evidenceFactory('logs/app/laravel.log');

function outcome(items: Evidence[]): { records: string; unjoined: string; fuzzy: number } {
  const c = new Correlator(scoreRecord);
  for (const e of items) c.add([e], e.source.file);
  const r = c.finish();
  const records = JSON.stringify([...r.records.sorted()]);
  r.records.dispose();
  return { records, unjoined: JSON.stringify(r.unjoined), fuzzy: r.fuzzyJoins };
}

/** The same lines, with each file's lines first in turn. */
function bothWays(items: Evidence[]): [ReturnType<typeof outcome>, ReturnType<typeof outcome>] {
  const w1 = items.filter((e) => e.source.file.includes('web1'));
  const rest = items.filter((e) => !e.source.file.includes('web1'));
  return [outcome([...w1, ...rest]), outcome([...rest, ...w1])];
}

test('an order first seen at the same second from two clients: a creation line joins it or not, whichever file is read first', () => {
  const [a, b] = bothWays([
    web1('order_viewed', '2026-11-21T10:00:05+08:00', { order_id: 'O1', client_ip: '10.0.0.9', user_agent: 'UA-b' }),
    web2('order_viewed', '2026-11-21T10:00:05+08:00', { order_id: 'O1', client_ip: '10.0.0.1', user_agent: 'UA-a' }),
    web2('order_created', '2026-11-21T10:00:03+08:00', { client_ip: '10.0.0.1', user_agent: 'UA-a' }),
  ]);
  assert.deepEqual(a, b);
});

test('two pay handlers started at the same second: an unlogged callback dates the payment or not, whichever file is read first', () => {
  const [a, b] = bothWays([
    web1('payment_started', '2026-11-21T10:00:00+08:00', { order_id: 'O2', pay_handler: 'epay' }),
    web2('payment_started', '2026-11-21T10:00:00+08:00', { order_id: 'O2', pay_handler: 'alipay' }),
    app('payment_observed', '2026-11-21T10:01:05+08:00', { order_id: 'O2' }, { format: 'laravel' }),
    app('callback_seen', '2026-11-21T10:01:02+08:00', { pay_handler: 'epay' }, { format: 'laravel' }),
  ]);
  assert.deepEqual(a, b);
});

test('the earliest payment start names the handler, not the first one read', () => {
  const items = [
    web1('payment_started', '2026-11-21T10:00:09+08:00', { order_id: 'O3', pay_handler: 'alipay' }),
    web2('payment_started', '2026-11-21T10:00:00+08:00', { order_id: 'O3', pay_handler: 'epay' }),
    app('payment_observed', '2026-11-21T10:01:05+08:00', { order_id: 'O3' }, { format: 'laravel' }),
    app('callback_seen', '2026-11-21T10:01:02+08:00', { pay_handler: 'epay' }, { format: 'laravel' }),
  ];
  const [a, b] = bothWays(items);
  assert.deepEqual(a, b);
  const rec = (JSON.parse(a.records) as { order_id: string; paid_at: string | null }[])[0]!;
  assert.equal(rec.paid_at, '2026-11-21T10:01:02+08:00', 'the epay callback dates the payment of the order started with epay first');
});
