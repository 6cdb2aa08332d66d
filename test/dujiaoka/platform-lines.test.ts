// What dujiaoka itself writes (docs/log-shapes.md): completedOrder exceptions with PHP trace
// frames, and the queue worker's output. Lines written here from the source facts:
// assimon/dujiaoka 2.0.6 / master 9f5467a (OrderProcessService.php:436, YipayController.php:90),
// v1.8.2 (OrderService::successOrder), php-src _build_trace_args, laravel WorkCommand::writeStatus.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { ZoneClock } from '../../parsers/time';
import { laravel } from '../../parsers/app/laravel';
import { laravelQueue } from '../../parsers/app/laravel-queue';
import { readTraceArgs, readTraceFrame } from '../../parsers/app/php-trace';
import { detectFormat } from '../../parsers/registry';
import { phpTraceFloat, phpTraceString } from '../../src/simulate/platforms/dujiaoka';
import type { Evidence } from '../../src/model/types';
import { runParser } from '../parsers-app/support';

const engine = new RuleEngine(loadRules([]), { clock: new ZoneClock('Asia/Shanghai') });

function exceptionEntry(message: string, frame0: string, code = 400, cls = 'App\\\\Exceptions\\\\RuleValidationException', at = 'app/Service/OrderProcessService.php:436'): string {
  return [
    `[2026-11-21 14:03:11] local.ERROR: ${message} {"exception":"[object] (${cls}(code: ${code}): ${message} at /www/wwwroot/shop/${at})`,
    '[stacktrace]',
    `#0 ${frame0}`,
    '#1 [internal function]: App\\\\Http\\\\Controllers\\\\Pay\\\\YipayController->notifyUrl(Object(Illuminate\\\\Http\\\\Request))',
    '#2 /www/wwwroot/shop/vendor/laravel/framework/src/Illuminate/Routing/Controller.php(54): call_user_func_array(Array, Array)',
    '#3 {main}',
    '"} ',
    '',
  ].join('\n');
}

const YIPAY = '/www/wwwroot/shop/app/Http/Controllers/Pay/YipayController.php(90): App\\\\Service\\\\OrderProcessService->completedOrder';

function evidenceOf(text: string): (Evidence | null)[] {
  const run = runParser(laravel, text);
  assert.equal(run.rejects.length, 0);
  return run.events.map((ev) => engine.apply(ev, 'laravel'));
}

test('trace frame: cut strings keep their 15 characters as a prefix, floats stay bare, internal frames have no file', () => {
  const f = readTraceFrame(`#0 ${YIPAY}('K3J9QX2M7PLA0AB...', 9.9, '202611211403051...')`)!;
  assert.equal(f.index, 0);
  assert.equal(f.call, 'App\\Service\\OrderProcessService->completedOrder');
  assert.equal(f.line, '90');
  assert.deepEqual(f.args, [
    { kind: 'string', value: 'K3J9QX2M7PLA0AB', cut: true },
    { kind: 'number', value: '9.9' },
    { kind: 'string', value: '202611211403051', cut: true },
  ]);
  const internal = readTraceFrame('#1 [internal function]: App\\\\X->notifyUrl(Object(Illuminate\\\\Http\\\\Request))')!;
  assert.equal(internal.file, null);
  assert.deepEqual(internal.args, [{ kind: 'other', text: 'Object(Illuminate\\Http\\Request)' }]);
  // exception_ignore_args = On: no arguments at all.
  assert.equal(readTraceFrame(`#0 ${YIPAY}()`)!.args, null);
  assert.deepEqual(readTraceArgs("'a, b', NULL, 'x'"), [{ kind: 'string', value: 'a, b', cut: false }, { kind: 'other', text: 'NULL' }, { kind: 'string', value: 'x', cut: false }]);
});

test('property: the simulator writes trace arguments the way the reader reads them back', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Z0-9]{1,40}$/), fc.integer({ min: 1, max: 10_000_000 }), (s, fen) => {
      const [a, b] = readTraceArgs(`${phpTraceString(s)}, ${phpTraceFloat(fen)}`);
      assert.ok(a?.kind === 'string' && b?.kind === 'number');
      assert.equal(a.cut, s.length > 15);
      assert.equal(a.value, s.slice(0, 15));
      assert.equal(Number(b.value), fen / 100);
    }),
  );
});

test('2.x 订单已经处理: payment confirmed, order number as a prefix, channel from the controller, not a paid time', () => {
  const [e] = evidenceOf(exceptionEntry('订单已经处理', `${YIPAY}('K3J9QX2M7PLA0AB...', 9.9, '202611211403051...')`));
  assert.ok(e);
  assert.equal(e.rule, 'dujiaoka.app.exception.already-completed');
  assert.equal(e.kind, 'payment_confirmed');
  assert.equal(e.fields.order_id, undefined);
  assert.equal(e.fields.order_id_prefix, 'K3J9QX2M7PLA0AB');
  assert.equal(e.fields.amount, 9.9);
  assert.equal(e.fields.trade_no, undefined);
  assert.equal(e.fields.trade_no_prefix, '202611211403051');
  assert.equal(e.fields.pay_handler, 'yipay');
  assert.equal(e.fields.already_paid, 'yes');
  // A short (uncut) order number is a whole one.
  const [whole] = evidenceOf(exceptionEntry('订单已经处理', `${YIPAY}('ABC123', 10, 'T1')`));
  assert.equal(whole?.fields.order_id, 'ABC123');
  assert.equal(whole?.fields.trade_no, 'T1');
});

test('2.x 订单金额不一致 and 订单不存在: refused callbacks; zh_TW wording too', () => {
  const [m] = evidenceOf(exceptionEntry('订单金额不一致', `${YIPAY}('K3J9QX2M7PLA0AB...', 0.01, '202611211403051...')`));
  assert.equal(m?.rule, 'dujiaoka.app.exception.amount-mismatch');
  assert.equal(m?.kind, 'payment_rejected');
  assert.equal(m?.fields.reject_reason, 'amount_mismatch');
  assert.equal(m?.fields.notified_amount, 0.01);
  assert.equal(m?.fields.amount, undefined);
  const [u] = evidenceOf(exceptionEntry('訂單不存在', `${YIPAY}('NOPE', 1, 'T')`));
  assert.equal(u?.rule, 'dujiaoka.app.exception.unknown-order');
  assert.equal(u?.fields.order_id, 'NOPE');
  // Another function's exception with the same words is not completedOrder's.
  const [other] = evidenceOf(exceptionEntry('订单不存在', '/www/wwwroot/shop/app/Http/Controllers/Home/OrderController.php(60): App\\\\Service\\\\OrderService->detailOrderSN(\'X\')'));
  assert.equal(other, null);
});

test('exception_ignore_args: the rule still names the event, with no order to join', () => {
  const [e] = evidenceOf(exceptionEntry('订单已经处理', `${YIPAY}()`));
  assert.equal(e?.rule, 'dujiaoka.app.exception.already-completed');
  assert.equal(e?.fields.order_id, undefined);
  assert.equal(e?.fields.order_id_prefix, undefined);
});

test('1.x: 订单不存在:{sn} carries the whole number; the debug amount line has none', () => {
  const text =
    exceptionEntry('订单不存在:2020112114031112', "/www/wwwroot/shop/app/Http/Controllers/Pay/YipayController.php(79): App\\\\Services\\\\OrderService->successOrder('202011211403111...', '202011211403222...', 9.9)", 0, 'App\\\\Exceptions\\\\AppException', 'app/Services/OrderService.php:176') +
    '[2026-11-21 14:03:12] local.DEBUG: 异常订单！实际付款与订单总金额不一致！0.01  \n';
  const [a, b] = evidenceOf(text);
  assert.equal(a?.rule, 'dujiaoka1.app.exception.not-pending');
  assert.equal(a?.fields.order_id, '2020112114031112');
  assert.equal(b?.rule, 'dujiaoka1.app.amount-differs');
  assert.equal(b?.fields.notified_amount, 0.01);
  assert.equal(b?.fields.order_id, undefined);
});

const QUEUE = [
  '[2026-11-21 14:03:11][0R34jMgl7WN9MfvoEkI11GZC9xtZSjNL] Processing: App\\Jobs\\OrderExpired',
  '[2026-11-21 14:03:11][0R34jMgl7WN9MfvoEkI11GZC9xtZSjNL] Processed:  App\\Jobs\\OrderExpired',
  '[2026-11-21 14:03:12][1234] Processing: App\\Jobs\\SendMails',
  '[2026-11-21 14:03:42][1234] Failed:     App\\Jobs\\SendMails',
];

test('queue:work output: detected by vote, one event per line, fields job/status/job_id; no rule makes evidence of it', () => {
  const d = detectFormat(QUEUE);
  assert.equal(d.parser?.id, 'laravel-queue');
  const run = runParser(laravelQueue, QUEUE.join('\n') + '\nPHP Warning:  something\n');
  assert.equal(run.events.length, 4);
  assert.equal(run.rejects.length, 1);
  const [p, done, , failed] = run.events;
  assert.deepEqual(p!.fields, { job_id: '0R34jMgl7WN9MfvoEkI11GZC9xtZSjNL', status: 'Processing', job: 'App\\Jobs\\OrderExpired', message: 'Processing: App\\Jobs\\OrderExpired' });
  assert.equal(p!.tsMs, Date.parse('2026-11-21T06:03:11Z'));
  assert.equal(done!.fields.status, 'Processed');
  assert.equal(failed!.fields.status, 'Failed');
  // The lines name no order: they are noise (docs/log-shapes.md says what they can tell).
  for (const ev of run.events) assert.equal(engine.apply(ev, 'laravel-queue'), null);
  // A laravel.log is not taken for a queue log, nor the other way round.
  assert.equal(detectFormat(['[2026-11-21 14:03:11] local.ERROR: x']).parser?.id, 'laravel');
});
