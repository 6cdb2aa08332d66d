// End to end: `salvage reconstruct <dir> --keys keys.json` on a hand-made laravel.log holding the
// operator callback lines of docs/log-shapes.md: a genuine Alipay notify (the real one signed by
// Alipay), a forged one (its signature reused for another order), WeChat Pay v2 and v3, epusdt.

import assert from 'node:assert/strict';
import { createCipheriv, createHash, createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Transaction } from '../../src/model/types';
import { readRealdata } from '../support/realdata';
import { runCli } from '../support/run-cli';

const root = mkdtempSync(join(tmpdir(), 'salvage-gw-e2e-'));
after(() => rmSync(root, { recursive: true, force: true }));

const real = JSON.parse(readRealdata('gateway-vectors', 'alipay-notify-rsa2.json').toString('utf8')) as {
  params: Record<string, string>;
  alipay_public_key_pem: string;
};
const ORDER_ALIPAY = real.params.out_trade_no!;
const ORDER_FORGED = 'FORGEDFORGED0001';
const ORDER_WX2 = 'WXV2ORDER0000001';
const ORDER_WX3 = 'WXV3ORDER0000001';
const ORDER_USDT = 'USDTORDER0000001';

const WX_MCH = '1900000109';
const WX_KEY = 'b3f1c2d4e5a6978812345678abcdefAB';
const WX_APIV3 = 'Q7w9E2r4T6y8U0i1O3p5A7s9D2f4G6h8';
const USDT_TOKEN = 'epusdt-token-1';

function line(time: string, message: string, ctx: unknown): string {
  return `[${time}] local.INFO: ${message} ${JSON.stringify(ctx)}`;
}
const created = (time: string, sn: string, price: string) =>
  line(time, '创建订单', { order_sn: sn, goods_id: 3, email: 'buyer@example.com', actual_price: price, pay_id: 1, buy_ip: '203.0.113.7' });

function wxV2Xml(): string {
  const f: Record<string, string> = {
    appid: 'wx2421b1c4370ec43b',
    mch_id: WX_MCH,
    nonce_str: 'ibuaiVcKdpRxkhJA',
    openid: 'oUpF8uMEb4qRXf22hE3X68TekukE',
    out_trade_no: ORDER_WX2,
    result_code: 'SUCCESS',
    return_code: 'SUCCESS',
    sign_type: 'HMAC-SHA256',
    time_end: '20261121140402',
    total_fee: '999',
    transaction_id: '4200001234202611211234567890',
  };
  const a = Object.keys(f).sort().map((k) => `${k}=${f[k]}`).join('&') + `&key=${WX_KEY}`;
  const sign = createHmac('sha256', WX_KEY).update(a).digest('hex').toUpperCase();
  let x = '<xml>';
  for (const [k, v] of Object.entries({ ...f, sign })) x += k === 'total_fee' ? `<${k}>${v}</${k}>` : `<${k}><![CDATA[${v}]]></${k}>`;
  return x + '</xml>';
}

function wxV3Body(): unknown {
  const nonce = 'fdasflkja484';
  const plain = JSON.stringify({ mchid: WX_MCH, out_trade_no: ORDER_WX3, transaction_id: '4200009999', trade_state: 'SUCCESS', success_time: '2026-11-21T14:06:02+08:00', amount: { total: 1 }, payer: { openid: 'o3' } });
  const c = createCipheriv('aes-256-gcm', Buffer.from(WX_APIV3), Buffer.from(nonce));
  c.setAAD(Buffer.from('transaction'));
  const ciphertext = Buffer.concat([c.update(plain, 'utf8'), c.final(), c.getAuthTag()]).toString('base64');
  return { id: 'EV-1', event_type: 'TRANSACTION.SUCCESS', resource: { algorithm: 'AEAD_AES_256_GCM', ciphertext, nonce, associated_data: 'transaction' } };
}

function usdtBody(): Record<string, unknown> {
  const s = `actual_amount=0.7808&amount=5.7&block_transaction_id=ab12&order_id=${ORDER_USDT}&status=2&token=TUNz11hDfDjDsDydpafPuvBYUTQjPeHhwJ&trade_id=20261121001303180759`;
  const signature = createHash('md5').update(s + USDT_TOKEN).digest('hex');
  return { trade_id: '20261121001303180759', order_id: ORDER_USDT, amount: 5.7, actual_amount: 0.7808, token: 'TUNz11hDfDjDsDydpafPuvBYUTQjPeHhwJ', block_transaction_id: 'ab12', signature, status: 2 };
}

function makeShop(): { dir: string; keys: string } {
  const dir = join(root, 'logs');
  mkdirSync(dir, { recursive: true });
  // The forger replays Alipay's signature with another order number and trade number.
  const forged = { ...real.params, out_trade_no: ORDER_FORGED, trade_no: '2019081522001468450599999999' };
  const log = [
    created('2026-11-21 14:00:00', ORDER_ALIPAY, '0.10'),
    created('2026-11-21 14:00:10', ORDER_FORGED, '0.10'),
    created('2026-11-21 14:00:20', ORDER_WX2, '9.99'),
    created('2026-11-21 14:00:30', ORDER_WX3, '0.01'),
    created('2026-11-21 14:00:40', ORDER_USDT, '5.70'),
    line('2026-11-21 14:01:00', '支付宝回调', real.params),
    line('2026-11-21 14:01:30', '支付宝回调', forged),
    line('2026-11-21 14:04:03', '微信支付回调', { xml: wxV2Xml() }),
    line('2026-11-21 14:06:03', '微信支付回调', { body: wxV3Body() }),
    line('2026-11-21 14:07:03', 'epusdt回调', usdtBody()),
    line('2026-11-21 14:08:00', '微信支付回调', { xml: '<xml><out_trade_no>' }),
  ].join('\n') + '\n';
  writeFileSync(join(dir, 'laravel.log'), log);
  const keys = join(root, 'keys.json');
  writeFileSync(
    keys,
    JSON.stringify({
      alipay: { [real.params.app_id!]: real.alipay_public_key_pem },
      wechatpay: { [WX_MCH]: { key: WX_KEY, apiv3_key: WX_APIV3 } },
      epusdt: { shop: USDT_TOKEN },
    }),
  );
  return { dir, keys };
}

function records(out: string): Map<string, Transaction> {
  const text = readFileSync(join(out, 'transactions.ndjson'), 'utf8');
  const txs = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Transaction);
  return new Map(txs.map((t) => [t.order_id, t]));
}

describe('reconstruct with --keys: gateway callbacks in laravel.log', () => {
  const shop = makeShop();

  test('genuine callbacks make paid records; the forged Alipay notify is flagged and does not', async () => {
    const out = join(root, 'out');
    const r = await runCli(['reconstruct', shop.dir, '--keys', shop.keys, '--out', out], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr + r.stdout);
    const tx = records(out);

    const a = tx.get(ORDER_ALIPAY)!;
    assert.equal(a.status, 'paid');
    assert.equal(a.channel, 'alipay');
    assert.equal(a.amount, 0.1);
    assert.equal(a.trade_no, real.params.trade_no);
    assert.ok(!a.flags.includes('bad_signature'));
    assert.ok(a.reasons.some((x) => /verified signature/.test(x)), a.reasons.join('; '));

    const f = tx.get(ORDER_FORGED)!;
    assert.notEqual(f.status, 'paid');
    assert.ok(f.flags.includes('bad_signature'), f.flags.join(','));
    assert.equal(f.trade_no, null);
    assert.ok(f.evidence.some((e) => e.rule === 'alipay.app.notify'));

    const w2 = tx.get(ORDER_WX2)!;
    assert.equal(w2.status, 'paid');
    assert.equal(w2.channel, 'wxpay');
    assert.equal(w2.amount, 9.99);
    assert.equal(w2.trade_no, '4200001234202611211234567890');
    assert.equal(w2.paid_at, '2026-11-21T14:04:02+08:00');

    const w3 = tx.get(ORDER_WX3)!;
    assert.equal(w3.status, 'paid');
    assert.equal(w3.amount, 0.01);
    assert.equal(w3.paid_at, '2026-11-21T14:06:02+08:00');

    const u = tx.get(ORDER_USDT)!;
    assert.equal(u.status, 'paid');
    assert.equal(u.channel, 'usdt');
    assert.equal(u.amount, 5.7);

    // The malformed XML callback is evidence of nothing joinable: it makes no record, and the
    // report lists it among the evidence that joined no order.
    assert.equal(tx.size, 5);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { unjoined: { sample: { rule: string; line: number; why: string }[] } };
    const lost = report.unjoined.sample.filter((u) => u.rule === 'wechatpay.app.notify');
    assert.deepEqual(lost.map((u) => u.line), [11], JSON.stringify(report.unjoined));
  });

  test('without --keys the forged notify cannot be told apart: every callback is unverifiable', async () => {
    const out = join(root, 'out-nokeys');
    const r = await runCli(['reconstruct', shop.dir, '--out', out], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr + r.stdout);
    const tx = records(out);
    assert.equal(tx.get(ORDER_FORGED)!.status, 'paid');
    assert.ok(!tx.get(ORDER_FORGED)!.flags.includes('bad_signature'));
    const withKeys = records(join(root, 'out'));
    assert.ok(tx.get(ORDER_ALIPAY)!.confidence < withKeys.get(ORDER_ALIPAY)!.confidence);
  });
});
