// Pure pieces of the simulator: PRNG, money, id formats, encodings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { Rng } from '../../src/simulate/prng';
import { fenToYuan, fenToYuanString, goFormatFloat, yuanToFen } from '../../src/simulate/money';
import { acgTradeNo, dujiaokaOrderSn, epayTradeNo } from '../../src/simulate/ids';
import { phpRawurlencode, phpUrlencode } from '../../src/simulate/gateways/encode';
import { nginxTime, parseNginxTime, isoLocal, ymdHis } from '../../src/simulate/time';
import { shopPriceFen } from '../../src/simulate/catalogue';
import { scanOrderIds } from '../../src/simulate/truth';
import { nginxEscape } from '../../src/simulate/nginx';

test('prng: same seed and label give the same stream; forks do not depend on draws made before', () => {
  const a = Rng.root(42);
  const b = Rng.root(42);
  const xs = Array.from({ length: 50 }, () => a.u32());
  const ys = Array.from({ length: 50 }, () => b.u32());
  assert.deepEqual(xs, ys);
  const c = Rng.root(42);
  const before = c.fork('x').u32();
  for (let i = 0; i < 10; i++) c.u32();
  assert.equal(c.fork('x').u32(), before);
  assert.notEqual(Rng.root(43).u32(), Rng.root(42).u32());
});

test('prng: int() stays in range and covers it', () => {
  const r = Rng.root('range');
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const v = r.int(3, 9);
    assert.ok(v >= 3 && v <= 9);
    seen.add(v);
  }
  assert.equal(seen.size, 7);
});

test('money: fen → yuan string → fen round-trips (property)', () => {
  fc.assert(
    fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (fen) => {
      assert.equal(yuanToFen(fenToYuanString(fen)), fen);
      assert.equal(Math.round(fenToYuan(fen) * 100), fen);
    }),
  );
  assert.equal(fenToYuanString(990), '9.90');
  assert.equal(fenToYuanString(5), '0.05');
  assert.equal(yuanToFen('10'), 1000);
  assert.throws(() => yuanToFen('9.999'));
});

test('money: Go FormatFloat(f, f, -1) never uses exponents', () => {
  assert.equal(goFormatFloat(42), '42');
  assert.equal(goFormatFloat(9.9), '9.9');
  assert.equal(goFormatFloat(1.3755), '1.3755');
  assert.equal(goFormatFloat(1e-7), '0.0000001');
  assert.equal(goFormatFloat(1e21), '1000000000000000000000');
  fc.assert(fc.property(fc.double({ min: 1e-9, max: 1e22, noNaN: true }), (x) => assert.equal(Number(goFormatFloat(x)), x)));
});

test('prices are between 0.50 and 999.00 yuan', () => {
  const r = Rng.root('prices');
  for (let i = 0; i < 5000; i++) {
    const p = shopPriceFen(r);
    assert.ok(p >= 50 && p <= 99900, String(p));
  }
});

test('id formats: dujiaoka order_sn, acg-faka trade_no with embedded time, epay trade_no', () => {
  const r = Rng.root('ids');
  const ms = Date.parse('2026-11-21T14:03:11+08:00');
  for (let i = 0; i < 100; i++) {
    assert.match(dujiaokaOrderSn(r), /^[A-Z0-9]{16}$/);
    const tn = acgTradeNo(r, ms);
    assert.match(tn, /^\d{3}261121140311\d{3}$/);
    assert.match(epayTradeNo(r, ms), /^20261121140311\d{5}$/);
  }
});

test('time: nginx $time_local and Laravel dates are Asia/Shanghai', () => {
  const ms = Date.parse('2026-11-21T06:03:11Z');
  assert.equal(nginxTime(ms), '21/Nov/2026:14:03:11 +0800');
  assert.equal(ymdHis(ms), '2026-11-21 14:03:11');
  assert.equal(isoLocal(ms), '2026-11-21T14:03:11+08:00');
  assert.equal(parseNginxTime(nginxTime(ms)), ms);
});

test('encoding: PHP urlencode / rawurlencode, and nginx escaping', () => {
  assert.equal(phpUrlencode('a b/中'), 'a+b%2F%E4%B8%AD');
  assert.equal(phpRawurlencode(phpUrlencode('/pay/yipay')), '%252Fpay%252Fyipay');
  assert.equal(phpRawurlencode(phpUrlencode('pay/epusdt')), 'pay%252Fepusdt');
  assert.equal(nginxEscape('a"b\\c\x16\xe4'), 'a\\x22b\\x5Cc\\x16\\xE4');
});

test('order id scanner: exact-length tokens only', () => {
  const found: string[] = [];
  scanOrderIds('dujiaoka', 'GET /bill/K3J9QX2M7PLA0B1C?x=ABCDEFGHIJKLMNOPQ&y=abcDEFGHIJKLMNOP&z=2026112114040212345', (id) => found.push(id));
  assert.deepEqual(found, ['K3J9QX2M7PLA0B1C']);
  const acg: string[] = [];
  scanOrderIds('acg-faka', '/user/api/order/callback.123261121140311456?trade_no=2026112114040212345&n=1234567890123456789', (id) => acg.push(id));
  assert.deepEqual(acg, ['123261121140311456']);
});
