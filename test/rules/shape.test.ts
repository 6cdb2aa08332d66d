// Recognition by shape: a payload keeps being found whatever encoding the operator's code logged
// it in and whatever words surround it; an order number with order fields is read by its keys;
// the wording decides the lifecycle step only when it is unambiguous.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { loadVocabulary } from '../../rules/engine/vocabulary';
import { ShapeRecogniser } from '../../rules/engine/shape';
import { findCandidates } from '../../rules/engine/payload-finder';
import { ZoneClock } from '../../parsers/time';
import { laravel } from '../../parsers/app/laravel';
import { generic } from '../../parsers/app/generic';
import { fragments } from '../../parsers/app/fragments';
import { nginxError } from '../../parsers/nginx/error-log';
import type { ParserDefinition } from '../../parsers/parser';
import type { LogEvent } from '../../src/model/types';
import { runParser } from '../support/run-parser';
import { printR, varDump, varExport } from '../support/php-encode';
import { realdataPath } from '../support/realdata';

const vocabulary = loadVocabulary();
const shape = new ShapeRecogniser(vocabulary);
const EPAY_KEY = 'k8s7d6f5g4h3j2k1';
const alipayVector = JSON.parse(readFileSync(realdataPath('gateway-vectors', 'alipay-notify-rsa2.json'), 'utf8')) as {
  params: Record<string, string>;
  alipay_public_key_pem: string;
};
const keys = { epay: { '1001': EPAY_KEY }, alipay: { [alipayVector.params.app_id!]: alipayVector.alipay_public_key_pem } };
// No rule pack here: every match must come from shape, whatever the built-in packs know.
const engine = new RuleEngine([], { keys, clock: new ZoneClock('Asia/Shanghai'), vocabulary });
const withPacks = new RuleEngine(loadRules(), { keys, clock: new ZoneClock('Asia/Shanghai'), vocabulary });

/** An epay notify signed the documented way: ksort, skip sign/sign_type/empty, k=v&…, + key, md5. */
function epayNotify(order: string, money: string, trade: string): Record<string, string> {
  const p: Record<string, string> = { pid: '1001', trade_no: trade, out_trade_no: order, type: 'alipay', name: 'VIP', money, trade_status: 'TRADE_SUCCESS' };
  const s = Object.keys(p).sort().filter((k) => p[k] !== '').map((k) => `${k}=${p[k]}`).join('&');
  return { ...p, sign: createHash('md5').update(s + EPAY_KEY).digest('hex'), sign_type: 'MD5' };
}

const ENCODINGS = ['json-context', 'nested-context', 'json-string', 'print_r', 'var_export', 'var_dump', 'query', 'key=value'] as const;
type Encoding = (typeof ENCODINGS)[number];

/** One application-log entry (laravel or generic header) holding the payload in an encoding. */
function entry(format: 'laravel' | 'generic', enc: Encoding, words: string, p: Record<string, string>): string {
  const head = format === 'laravel' ? '[2026-11-21 14:03:11] production.INFO: ' : '2026-11-21 14:03:11 INFO ';
  const q = Object.entries(p).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  switch (enc) {
    case 'json-context':
      return `${head}${words} ${JSON.stringify(p)}\n`;
    case 'nested-context':
      return `${head}${words} ${JSON.stringify({ request: { params: p }, ip: '1.2.3.4' })}\n`;
    case 'json-string':
      return `${head}${words} ${JSON.stringify({ data: JSON.stringify(p) })}\n`;
    case 'print_r':
      return `${head}${words}\n${printR(p)}\n`;
    case 'var_export':
      return `${head}${words}\n${varExport(p)}\n`;
    case 'var_dump':
      return `${head}${words}\n${varDump(p)}\n`;
    case 'query':
      return `${head}${words} ${q}\n`;
    case 'key=value':
      // logfmt quotes a value holding spaces or quotes, escaping quotes and backslashes.
      return `${head}${words} ${Object.entries(p).map(([k, v]) => `${k}=${/[\s"\\]/.test(v) ? `"${v.replace(/[\\"]/g, '\\$&')}"` : v}`).join(' ')}\n`;
  }
}

function events(def: ParserDefinition, text: string): LogEvent[] {
  const r = runParser(def, Buffer.from(text, 'utf8'));
  assert.equal(r.rejects.size, 0, [...r.rejects.values()].map((x) => x.reason).join('; '));
  return [...r.events.values()];
}

/** Words an operator might surround a payload with: anything printable, but no braces (a
 *  brace in the message is a different test: the laravel parser's own context split). */
const words = fc.string({ unit: fc.constantFrom(...'abcXYZ 支付回调通知数据日志：:-_#@!?.,()0123456789'.split('')), minLength: 0, maxLength: 30 }).map((s) => s.trim() || 'x');

describe('gateway payloads are found by their parameter set, in any encoding', () => {
  test('epay: every encoding, any surrounding words, laravel and generic logs (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ENCODINGS),
        fc.constantFrom('laravel' as const, 'generic' as const),
        words,
        fc.stringMatching(/^[A-Z0-9]{16}$/),
        fc.integer({ min: 1, max: 99999 }).map((c) => (c / 100).toFixed(2)),
        fc.stringMatching(/^20\d{17}$/),
        (enc, format, w, order, money, trade) => {
          const p = epayNotify(order, money, trade);
          const evs = events(format === 'laravel' ? laravel : generic, entry(format, enc, w, p));
          assert.equal(evs.length, 1);
          const m = engine.match(evs[0]!, format);
          assert.ok(m !== null, `${enc}: not recognised`);
          assert.equal(m.rule, 'shape.gateway.epay');
          assert.equal(m.emit, 'payment_notified');
          assert.equal(m.fields.order_id, order);
          assert.equal(m.fields.amount, Number(money));
          assert.equal(m.signature, 'verified', String(m.fields.signature_note));
        },
      ),
      { numRuns: 300, seed: 20261205 },
    );
  });

  test('a real Alipay notify (RSA2, from alipay-sdk-nodejs-all) in every encoding verifies with its public key', () => {
    for (const enc of ENCODINGS) {
      const evs = events(laravel, entry('laravel', enc, 'async notify', alipayVector.params));
      const m = engine.match(evs[0]!, 'laravel');
      assert.ok(m !== null, enc);
      assert.equal(m.rule, 'shape.gateway.alipay', enc);
      assert.equal(m.fields.order_id, '20190815155618536-564-57', enc);
      assert.equal(m.signature, 'verified', `${enc}: ${m.fields.signature_note}`);
    }
  });

  test('a payload changed after signing is flagged, not believed', () => {
    const p = { ...alipayVector.params, total_amount: '100.00' };
    const m = engine.match(events(laravel, entry('laravel', 'print_r', 'notify', p))[0]!, 'laravel');
    assert.equal(m?.signature, 'bad_signature');
  });

  test('an explicit rule still wins over shape', () => {
    const p = epayNotify('K3J9QX2M7PLA0B1C', '9.90', '2026112114040212345');
    const m = withPacks.match(events(laravel, entry('laravel', 'json-context', '易支付回调', p))[0]!, 'laravel');
    assert.equal(m?.rule, 'epay.app.notify');
  });

  test('in nginx, a signed query on a path no pack knows is a callback; a buyer redirect is marked as the return copy', () => {
    const p = epayNotify('K3J9QX2M7PLA0B1C', '9.90', '2026112114040212345');
    const q = Object.entries(p).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    const ev = (path: string, status: string): LogEvent => ({ format: 'nginx-combined', file: 'a.log', line: 1, lineEnd: 1, offset: 0, tsMs: Date.UTC(2026, 10, 21, 6), tzOffsetMin: 480, fields: { method: 'GET', path, query: q, status, client_ip: '1.2.3.4' } });
    const notify = engine.match(ev('/api/v2/epay/cb', '200'), 'nginx');
    assert.equal(notify?.rule, 'shape.gateway.epay');
    assert.equal(notify?.fields.copy, undefined);
    assert.equal(engine.match(ev('/shop/return', '302'), 'nginx')?.fields.copy, 'return');
    // No "sign" anywhere: skipped before any decoding.
    assert.equal(engine.match({ ...ev('/x', '200'), fields: { method: 'GET', path: '/x', query: 'out_trade_no=A&money=1', status: '200' } }, 'nginx'), null);
  });
});

describe('nginx error.log: the request and the referrer', () => {
  const p = epayNotify('K3J9QX2M7PLA0B1C', '9.90', '2026112114040212345');
  const q = Object.entries(p).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  const line = (request: string, referrer: string) =>
    `2026/11/21 14:04:02 [error] 1234#0: *5678 FastCGI sent in stderr: "PHP message: PHP Warning:  boom" while reading response header from upstream, client: 203.0.113.7, server: shop.example, request: "${request}", upstream: "fastcgi://unix:/tmp/php-cgi-74.sock:", host: "shop.example", referrer: "${referrer}"\n`;

  test('a signed notify in the request: is a callback copy whose answer the error log does not show', () => {
    const evs = events(nginxError, line(`GET /api/notify/epay?${q} HTTP/1.1`, 'https://shop.example/'));
    const m = engine.match(evs[0]!, 'nginx');
    assert.equal(m?.rule, 'shape.gateway.epay');
    assert.equal(m?.signature, 'verified');
    assert.equal(m?.fields.copy, 'error_log');
  });

  test("a signed return URL in the referrer: is the buyer's copy", () => {
    const evs = events(nginxError, line('GET /detail HTTP/1.1', `https://shop.example/pay/return?${q}`));
    const m = engine.match(evs[0]!, 'nginx');
    assert.equal(m?.rule, 'shape.gateway.epay');
    assert.equal(m?.fields.copy, 'return');
    assert.equal(m?.fields.found_in, 'referrer');
    assert.equal(m?.fields.order_id, 'K3J9QX2M7PLA0B1C');
  });
});

describe('orders by key, lifecycle by wording', () => {
  const ctx = (keysAndValues: Record<string, string>, message: string) => events(laravel, `[2026-11-21 14:03:11] local.INFO: ${message} ${JSON.stringify(keysAndValues)}\n`)[0]!;

  test('order keys and field keys from the vocabulary, whatever the message', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('order_sn', 'orderSn', 'order_no', 'out_trade_no', 'order_id'),
        fc.constantFrom('email', 'buyer_email', 'contact', 'mail'),
        fc.constantFrom('goods_id', 'gid', 'goodsId', 'item_id'),
        fc.constantFrom('actual_price', 'total_price', 'money', 'amount'),
        fc.stringMatching(/^[A-Z0-9]{16}$/),
        (ok, ek, gk, ak, order) => {
          const m = engine.match(ctx({ [ok]: order, [ek]: 'Buyer@Example.com', [gk]: '7', [ak]: '19.90' }, 'something the packs never saw'), 'laravel');
          assert.ok(m !== null);
          assert.equal(m.rule, 'shape.order.mentioned');
          assert.equal(m.emit, 'order_mentioned');
          assert.equal(m.fields.order_id, order);
          assert.equal(m.fields.buyer_email, 'buyer@example.com');
          assert.equal(m.fields.goods_id, '7');
          assert.equal(m.fields.amount, 19.9);
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });

  test('an order number alone, with no fields and no telling words, is noise (left to the mentions audit)', () => {
    assert.equal(engine.match(ctx({ order_sn: 'K3J9QX2M7PLA0B1C', node: '3' }, '处理中'), 'laravel'), null);
  });

  test('wording decides the step, naming the words; contradictions decide nothing', () => {
    const cases: [string, string | null][] = [
      ['用户下单成功', 'created'],
      ['订单支付成功', 'paid'],
      ['Payment received for order', 'paid'],
      ['卡密已发送 发货完成', 'delivered'],
      ['订单已支付，开始发货', 'delivered'],
      ['订单过期自动关闭', 'expired'],
      ['退款完成', 'refunded'],
      ['订单未支付', null],
      ['order not paid yet', null],
      ['unpaid order reminder', null],
      ['支付成功但发货失败', 'ambiguous'],
      ['创建订单失败', 'ambiguous'],
      ['callback data', null],
    ];
    for (const [text, want] of cases) {
      const w = shape.wording(text);
      const got = w === null ? null : w.step ?? 'ambiguous';
      assert.equal(got, want, text);
    }
    const m = engine.match(ctx({ orderNo: 'K3J9QX2M7PLA0B1C', money: '9.90' }, '[pay] 订单支付成功'), 'laravel');
    assert.equal(m?.emit, 'payment_confirmed');
    assert.equal(m?.fields.inferred, '支付成功');
    assert.ok((m?.weight ?? 1) < 0.7, 'an inference weighs less than an explicit rule');
    const amb = engine.match(ctx({ orderNo: 'K3J9QX2M7PLA0B1C', money: '9.90' }, '支付成功但发货失败'), 'laravel');
    assert.equal(amb?.emit, 'order_mentioned');
  });

  test('text without any lexicon word never decides a step (property)', () => {
    const lexiconWords = Object.values(vocabulary.lexicon).flatMap((b) => [...b!.zh, ...b!.en.map((w) => w.toLowerCase())]);
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'qwxyz0123 #:-订号数据回调通知'.split('')), maxLength: 40 }), (t) => {
        fc.pre(!lexiconWords.some((w) => t.toLowerCase().includes(w)));
        assert.equal(shape.wording(t), null);
      }),
      { numRuns: 200, seed: 3 },
    );
  });

  test('findCandidates is bounded on hostile text', () => {
    const hostile = '{'.repeat(5000) + 'a=b&'.repeat(5000) + '<xml>'.repeat(100);
    const t0 = process.hrtime.bigint();
    const c = findCandidates(undefined, [hostile]);
    assert.ok(c.length <= 24);
    // Generous: this guards against quadratic blow-ups, not for speed.
    assert.ok(Number(process.hrtime.bigint() - t0) / 1e6 < 2000);
  });
});

describe('fragments: saved payloads without any log timestamp', () => {
  test("a print_r dump of a real Alipay notify is verified and dated by the payload's own gmt_payment", () => {
    const text = `支付宝回调数据（开发机备份）\n${printR(alipayVector.params)}\n\nsome other note\n`;
    const evs = events(fragments, text);
    const hits = evs.map((e) => engine.match(e, 'fragments')).filter((m) => m !== null);
    assert.equal(hits.length, 1);
    const e = engine.evidence(hits[0]!);
    assert.equal(e.signature, 'verified');
    assert.equal(e.ts, '2019-08-15T15:56:24+08:00');
    assert.equal(e.fields.dated_by, 'payload');
  });
});
