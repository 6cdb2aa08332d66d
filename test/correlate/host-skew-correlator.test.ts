// The host-to-host clock estimate inside the correlator: two nginx hosts and no application log.
// It is reported in checks.clocks with its basis, and the fast host's times are corrected.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Correlator } from '../../src/correlate/correlator';
import type { Evidence } from '../../src/model/types';
import { evidenceFactory } from '../support/evidence';
import { scoreRecord } from '../../src/score/score';

const T0 = Date.parse('2026-11-21T10:00:00+08:00');
const SKEW_S = 97;

/** Second-resolution ISO time as nginx writes it, on a host `skewS` fast. */
const at = (trueMs: number, skewS: number) => new Date(Math.floor((trueMs + skewS * 1000) / 1000) * 1000).toISOString().replace('Z', '+00:00');

/** `orders` buyer flows; buyers stick to one host, and every fifth request of theirs goes to the
 *  other; callbacks land on either. web1 is SKEW_S fast; web1 has fewer lines (every third buyer). */
function flows(orders: number): Evidence[] {
  const web1 = evidenceFactory('logs/nginx/web1/shop.log');
  const web2 = evidenceFactory('logs/nginx/web2/shop.log');
  const out: Evidence[] = [];
  let req = 0;
  for (let i = 0; i < orders; i++) {
    const id = `ORDER${String(i).padStart(6, '0')}`;
    const sticky = i % 3 === 0 ? 1 : 2;
    const host = (forced?: 1 | 2) => forced ?? (++req % 5 === 0 ? (sticky === 1 ? 2 : 1) : sticky);
    const line = (kind: Evidence['kind'], trueMs: number, fields: Record<string, string> = {}, forced?: 1 | 2) => {
      const h = host(forced);
      out.push((h === 1 ? web1 : web2)(kind, at(trueMs, h === 1 ? SKEW_S : 0), { order_id: id, ...fields }));
    };
    const t = T0 + i * 120_000;
    line('order_viewed', t);
    line('payment_started', t + 9_000, { pay_id: '1' });
    line('payment_started', t + 10_000, { pay_id: '1', pay_handler: 'epay' });
    const notify = t + 31_000 + (i % 4) * 1000;
    line('payment_notified', notify, { channel: 'epay', gateway_success: 'yes' }, i % 2 === 0 ? 1 : 2);
    for (let p = t + 5_000; p < notify + 12_000; p += 5_000) line(p < notify ? 'status_polled' : 'payment_observed', p);
  }
  return out.sort((a, b) => a.tsMs - b.tsMs);
}

test('two nginx hosts, no application log: web1 is found 97 s fast against web2 and corrected', () => {
  const c = new Correlator(scoreRecord);
  c.add(flows(200));
  const r = c.finish();
  try {
    assert.equal(r.clockSkew.length, 1);
    const k = r.clockSkew[0]!;
    assert.equal(k.source, 'nginx-combined@logs/nginx/web1');
    assert.equal(k.reference, 'nginx-combined@logs/nginx/web2');
    assert.ok(Math.abs(k.median_offset_s - SKEW_S) <= 2, `estimated ${k.median_offset_s}`);
    assert.equal(k.corrected, true);
    assert.match(k.basis!, /order of buyer requests split across hosts: \d+ orders.*reference has more lines/);
    // Records built from web1 lines say so, and their times are on web2's clock.
    const recs = [...r.records.sorted()];
    assert.equal(recs.length, 200);
    const withWeb1 = recs.filter((t) => t.reasons.some((x) => x.includes('web1') && x.includes(`corrected by -${k.median_offset_s} s`)));
    assert.ok(withWeb1.length > 50, `${withWeb1.length} records corrected`);
  } finally {
    r.records.dispose();
  }
});

test('too few orders split across hosts: no estimate, nothing corrected', () => {
  const c = new Correlator(scoreRecord);
  c.add(flows(8));
  const r = c.finish();
  try {
    assert.deepEqual(r.clockSkew, []);
  } finally {
    r.records.dispose();
  }
});

/** Noisy flows on two hosts (seeded): buyers switch hosts at random and lines carry up to
 *  `jitterMs` of delay either way, so some bounds disagree and several offsets fit about as well. */
function noisyFlows(seed: number, orders: number, skewS: number, jitterMs: number): Evidence[] {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const web1 = evidenceFactory('logs/nginx/web1/shop.log');
  const web2 = evidenceFactory('logs/nginx/web2/shop.log');
  const out: Evidence[] = [];
  for (let i = 0; i < orders; i++) {
    const id = `ORDER${String(i).padStart(6, '0')}`;
    const sticky = rnd() < 0.5 ? 1 : 2;
    const line = (kind: Evidence['kind'], trueMs: number, fields: Record<string, string> = {}, forced?: 1 | 2) => {
      const h = forced ?? (rnd() < 0.3 ? 3 - sticky : sticky);
      out.push((h === 1 ? web1 : web2)(kind, at(trueMs + (rnd() * 2 - 1) * jitterMs, h === 1 ? skewS : 0), { order_id: id, ...fields }));
    };
    const t = T0 + i * 120_000;
    line('order_viewed', t);
    line('payment_started', t + 9_000, { pay_id: '1' });
    line('payment_started', t + 10_000, { pay_id: '1', pay_handler: 'epay' });
    const notify = t + 31_000 + (i % 4) * 1000;
    line('payment_notified', notify, { channel: 'epay', gateway_success: 'yes' }, rnd() < 0.5 ? 1 : 2);
    for (let p = t + 5_000; p < notify + 12_000; p += 5_000) line(p < notify ? 'status_polled' : 'payment_observed', p);
  }
  return out.sort((a, b) => a.tsMs - b.tsMs);
}

// Sources are numbered as first seen; with worker threads that is whichever file a worker
// reached first. The estimate (and so every corrected time) must not depend on it (issue 10).
test('the host-to-host estimate and the records are the same whichever host is read first', () => {
  const outcome = (items: Evidence[]) => {
    const c = new Correlator(scoreRecord);
    c.add(items);
    const r = c.finish();
    const text = JSON.stringify({ clocks: r.clockSkew, records: [...r.records.sorted()] });
    r.records.dispose();
    return text;
  };
  let estimated = 0;
  for (let k = 0; k < 40; k++) {
    const all = noisyFlows(k + 1, 40, 20 + (k % 30), 1000 + (k % 5) * 1500);
    const web1 = all.filter((e) => e.source.file.includes('web1'));
    const web2 = all.filter((e) => e.source.file.includes('web2'));
    const first1 = outcome([...web1, ...web2]);
    assert.equal(outcome([...web2, ...web1]), first1, `seed ${k + 1}: reading web2 first changed the result`);
    if ((JSON.parse(first1) as { clocks: unknown[] }).clocks.length > 0) estimated++;
  }
  assert.ok(estimated >= 30, `an estimate was made in ${estimated} of 40 cases`);
});
