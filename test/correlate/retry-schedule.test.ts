// A gateway's own retries are always explained by its schedule; a copy sent when the schedule
// sends none is not (the replays the simulator plants land there).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { offSchedule, schedulesForRule } from '../../src/correlate/retry-schedule';
import { scoreRecord } from '../../src/score/score';

const [EPAY] = schedulesForRule('epay.app.notify');
const T0 = Date.parse('2026-11-21T14:04:02+08:00');

/** epay's attempts as its cron sends them: each up to a minute after it is due. */
const epayRun = fc.record({
  attempts: fc.integer({ min: 1, max: 6 }),
  jitter: fc.array(fc.integer({ min: 0, max: 59 }), { minLength: 5, maxLength: 5 }),
  // each attempt logged in the app log on arrival and in the access log up to 25 s later
  answerS: fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 6, maxLength: 6 }),
  lost: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
});

function epayTimes(r: { attempts: number; jitter: number[]; answerS: number[]; lost: boolean[] }): number[] {
  const times: number[] = [];
  let at = T0;
  for (let k = 0; k < r.attempts; k++) {
    if (k > 0) at += (EPAY!.delaysS[k - 1]! + r.jitter[k - 1]!) * 1000;
    if (!r.lost[2 * k]) times.push(at);
    if (!r.lost[2 * k + 1]) times.push(at + r.answerS[k]! * 1000);
  }
  return times;
}

test('every copy of epay retries, with any copies lost, is on the schedule', () => {
  fc.assert(fc.property(epayRun, (r) => offSchedule(epayTimes(r), EPAY!).length === 0), { numRuns: 500 });
});

test('a copy long after epay gives up is off the schedule', () => {
  fc.assert(
    fc.property(epayRun, fc.integer({ min: 3 * 3600, max: 40 * 3600 }), (r, afterS) => {
      const times = epayTimes({ ...r, lost: r.lost.map((l, i) => (i === 0 ? false : l)) });
      const replay = Math.max(...times) + afterS * 1000;
      return offSchedule([...times, replay], EPAY!).includes(replay);
    }),
    { numRuns: 300 },
  );
});

test('a copy between two epay attempts is off the schedule (the drill\'s 7-minute replay)', () => {
  // first attempt acknowledged at 23:24:55, the same notify again at 23:31:48 (413 s later)
  assert.deepEqual(offSchedule([T0, T0 + 413_000], EPAY!), [T0 + 413_000]);
  // and 6,549 s later, between the fifth and sixth attempt
  assert.deepEqual(offSchedule([T0, T0 + 6_549_000], EPAY!), [T0 + 6_549_000]);
  // two copies of one attempt, 15 s apart, are not
  assert.deepEqual(offSchedule([T0, T0 + 15_000], EPAY!), []);
});

test('gateways whose schedule is not known are not judged', () => {
  assert.deepEqual(schedulesForRule('epusdt.app.notify'), []);
  assert.deepEqual(schedulesForRule('tokenpay.nginx.notify-body'), []);
  assert.equal(schedulesForRule('acg-faka.nginx.callback-post-epay').length, 1);
  assert.equal(schedulesForRule('wechatpay.app.notify').length, 2);
});

test('a record whose callback came again off the schedule is flagged replayed_notify, with the line named', async () => {
  const { buildTransaction } = await import('../../src/correlate/build-transaction');
  const { evidenceFactory } = await import('../support/evidence');
  const ev = evidenceFactory('laravel.log');
  const notify = (ts: string) => ev('payment_notified', ts, { order_id: 'A1', trade_no: 'T1', amount: 9.9, channel: 'epay', gateway_success: 'yes' }, { signature: 'verified', rule: 'epay.app.notify', format: 'laravel' });
  const created = ev('order_created', '2026-11-23T23:23:41+08:00', { order_id: 'A1', amount: 9.9 }, { format: 'laravel' });
  const genuine = buildTransaction('A1', [created, notify('2026-11-23T23:24:55+08:00'), notify('2026-11-23T23:25:58+08:00')], scoreRecord);
  assert.ok(!genuine.flags.includes('replayed_notify'), genuine.reasons.join('\n'));
  const replayed = buildTransaction('A1', [created, notify('2026-11-23T23:24:55+08:00'), notify('2026-11-23T23:31:48+08:00')], scoreRecord);
  assert.ok(replayed.flags.includes('replayed_notify'));
  assert.ok(replayed.reasons.some((r) => r.includes('retry schedule') && r.includes('laravel.log:')), replayed.reasons.join('\n'));
});
