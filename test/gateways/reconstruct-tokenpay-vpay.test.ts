// End to end: `salvage reconstruct <dir> --keys keys.json` on a tiny nginx access log (main +
// "$request_body") of a dujiaoka shop taking TokenPay and V免签, and a laravel.log with operator
// callback lines: the tokenpay and vpay packs fire on the notify routes and on the operator lines,
// genuine callbacks make paid records, a tampered one is flagged.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Transaction } from '../../src/model/types';
import { runCli } from '../support/run-cli';

const root = mkdtempSync(join(tmpdir(), 'salvage-tp-vpay-'));
after(() => rmSync(root, { recursive: true, force: true }));

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
const TP_TOKEN = 'tokenpay-api-token';
const VPAY_KEY = 'vpay-key-123';
const SN_TP = 'TPORDER000000001';
const SN_TP_FORGED = 'TPORDER000000002';
const SN_VPAY = 'VPORDER000000001';
const SN_TP_APP = 'TPORDER000000003';
const SN_VPAY_APP = 'VPORDER000000002';

/** TokenPay's order Id (a Guid) for one of our orders. */
const tokenpayId = (sn: string) => '6324ddd2-4677-7914-0010-7028060000' + sn.slice(-2);

/** A TokenPay notify body, signed as TokenPay signs (sorted non-empty `k=v&…` + ApiToken). */
function tokenpayBody(sn: string, actual: string, token: string): string {
  const f: Record<string, string | number> = {
    ActualAmount: actual,
    Amount: '1.3900',
    BaseCurrency: 'CNY',
    BlockChainName: 'TRON',
    BlockTransactionId: 'c0ffee' + sn.toLowerCase(),
    Currency: 'USDT_TRC20',
    CurrencyName: 'USDT',
    FromAddress: 'TYYjzt6AWhe9hAg9DrhiYXEWKDksyohgQa',
    Id: tokenpayId(sn),
    IsDynamicAmount: 0,
    OrderUserKey: 'buyer@example.com',
    OutOrderId: sn,
    PayTime: '2026-11-21 14:05:30',
    Status: 1,
    ToAddress: 'TKGTx4pCKiKQbk8evXHTborfZn754TGViP',
  };
  const s = Object.keys(f).sort().map((k) => `${k}=${f[k]}`).join('&');
  return JSON.stringify({ ...f, Signature: md5(s + token) });
}

/** nginx escape=default writes `"` in a logged body as \x22. */
const escaped = (body: string) => body.replace(/"/g, '\\x22');

function nginx(time: string, ip: string, request: string, status: number, bytes: number, ua: string, body = '-'): string {
  return `${ip} - - [21/Nov/2026:${time} +0800] "${request} HTTP/1.1" ${status} ${bytes} "-" "${ua}" "-" "${body}"`;
}

const BROWSER = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)';
const TOKENPAY_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/113.0.0.0 Safari/537.36 TokenPay/1.0';
const VMQ_UA = 'Mozilla/5.0 (iPhone; CPU iPhone OS 11_2_1 like Mac OS X) AppleWebKit/604.4.7 (KHTML, like Gecko) Mobile/15C153 MicroMessenger/6.6.1 NetType/WIFI Language/zh_CN';

function makeShop(): { dir: string; keys: string } {
  const dir = join(root, 'logs');
  mkdirSync(dir, { recursive: true });
  const vp = { payId: '2026112114030112345', param: SN_VPAY, type: '2', price: '9.99', reallyPrice: '9.98' };
  const vsign = md5(vp.payId + vp.param + vp.type + vp.price + vp.reallyPrice + VPAY_KEY);
  const vq = `payId=${vp.payId}&param=${vp.param}&type=${vp.type}&price=${vp.price}&reallyPrice=${vp.reallyPrice}&sign=${vsign}`;
  const lines = [
    nginx('14:01:00', '203.0.113.7', `GET /bill/${SN_TP}`, 200, 5100, BROWSER),
    nginx('14:01:05', '203.0.113.7', `GET /pay/tokenpay/tokenpay-usdt-trc/${SN_TP}`, 302, 400, BROWSER),
    nginx('14:02:00', '203.0.113.8', `GET /bill/${SN_TP_FORGED}`, 200, 5100, BROWSER),
    nginx('14:02:05', '203.0.113.8', `GET /pay/tokenpay/tokenpay-usdt-trc/${SN_TP_FORGED}`, 302, 400, BROWSER),
    nginx('14:03:00', '203.0.113.9', `GET /bill/${SN_VPAY}`, 200, 5100, BROWSER),
    nginx('14:03:01', '203.0.113.9', `GET /pay/vpay/vzfb/${SN_VPAY}`, 302, 400, BROWSER),
    nginx('14:05:31', '198.51.100.20', 'POST /pay/tokenpay/notify_url', 200, 2, TOKENPAY_UA, escaped(tokenpayBody(SN_TP, '10.00', TP_TOKEN))),
    // Someone replays a TokenPay body for the other order with a higher amount, signed without the token.
    nginx('14:06:10', '192.0.2.66', 'POST /pay/tokenpay/notify_url', 200, 2, TOKENPAY_UA, escaped(tokenpayBody(SN_TP_FORGED, '10.00', 'guess').replace('"10.00"', '"100.00"'))),
    // A notify logged without its body: noise, not evidence.
    nginx('14:06:40', '198.51.100.20', 'POST /pay/tokenpay/notify_url', 200, 2, TOKENPAY_UA),
    nginx('14:07:00', '198.51.100.30', `GET /pay/vpay/notify_url?${vq}`, 200, 7, VMQ_UA),
    nginx('14:07:02', '203.0.113.9', `GET /pay/vpay/return_url?order_id=${SN_VPAY}${vq}`, 302, 400, BROWSER),
  ];
  writeFileSync(join(dir, 'shop.access.log'), lines.join('\n') + '\n');
  // The same callbacks as an operator logged them in laravel.log (docs/log-shapes.md operator lines).
  const vp2 = { ...vp, payId: '2026112114100154321', param: SN_VPAY_APP, type: '1', price: '5.00', reallyPrice: '5.01' };
  const vsign2 = md5(vp2.payId + vp2.param + vp2.type + vp2.price + vp2.reallyPrice + VPAY_KEY);
  const app = [
    `[2026-11-21 14:09:00] local.INFO: tokenpay回调 ${tokenpayBody(SN_TP_APP, '20.00', TP_TOKEN)}`,
    `[2026-11-21 14:10:02] local.INFO: V免签回调 ${JSON.stringify({ ...vp2, sign: vsign2 })}`,
  ];
  writeFileSync(join(dir, 'laravel.log'), app.join('\n') + '\n');
  const keys = join(root, 'keys.json');
  writeFileSync(keys, JSON.stringify({ tokenpay: { shop: TP_TOKEN }, vpay: { vmq: VPAY_KEY } }));
  return { dir, keys };
}

function records(out: string): Map<string, Transaction> {
  const text = readFileSync(join(out, 'transactions.ndjson'), 'utf8');
  const txs = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Transaction);
  return new Map(txs.map((t) => [t.order_id, t]));
}

describe('reconstruct with --keys: TokenPay and V免签 notifies in an nginx log', () => {
  const shop = makeShop();

  test('genuine callbacks make paid records through the tokenpay and vpay packs; the tampered one is flagged', async () => {
    const out = join(root, 'out');
    const r = await runCli(['reconstruct', shop.dir, '--keys', shop.keys, '--out', out], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr + r.stdout);
    const tx = records(out);

    const t = tx.get(SN_TP)!;
    assert.ok(t, [...tx.keys()].join(','));
    assert.equal(t.status, 'paid');
    assert.equal(t.channel, 'usdt');
    assert.equal(t.amount, 10);
    assert.equal(t.trade_no, tokenpayId(SN_TP));
    assert.equal(t.paid_at, '2026-11-21T14:05:30+08:00');
    assert.ok(t.evidence.some((e) => e.rule === 'tokenpay.nginx.notify-body'), JSON.stringify(t.evidence.map((e) => e.rule)));
    assert.ok(!t.flags.includes('bad_signature'));

    const f = tx.get(SN_TP_FORGED)!;
    assert.notEqual(f.status, 'paid');
    assert.ok(f.flags.includes('bad_signature'), f.flags.join(','));

    const v = tx.get(SN_VPAY)!;
    assert.equal(v.status, 'paid');
    assert.equal(v.channel, 'alipay');
    assert.equal(v.amount, 9.99);
    assert.equal(v.trade_no, '2026112114030112345');
    const rules = v.evidence.map((e) => e.rule);
    assert.ok(rules.includes('vpay.nginx.notify'), rules.join(','));
    assert.ok(rules.includes('vpay.nginx.return'), rules.join(','));

    const ta = tx.get(SN_TP_APP)!;
    assert.equal(ta.status, 'paid');
    assert.equal(ta.amount, 20);
    assert.ok(ta.evidence.some((e) => e.rule === 'tokenpay.app.notify'));
    const va = tx.get(SN_VPAY_APP)!;
    assert.equal(va.status, 'paid');
    assert.equal(va.channel, 'wxpay');
    assert.equal(va.amount, 5);
    assert.ok(va.evidence.some((e) => e.rule === 'vpay.app.notify'));

    // Every line is accounted for; the bodiless notify is noise.
    const text = readFileSync(join(out, 'report.json'), 'utf8');
    const report = JSON.parse(text) as { inputs: { format: string; lines_total: number; parsed: number; rejected: number; evidence_lines: number; noise: number; by_rule: Record<string, number> }[] };
    const file = report.inputs.find((f) => f.format === 'nginx-body')!;
    assert.equal(file.format, 'nginx-body');
    assert.equal(file.lines_total, 11);
    assert.equal(file.parsed + file.rejected, file.lines_total);
    assert.equal(file.evidence_lines + file.noise, file.parsed);
    assert.equal(file.noise, 1);
    assert.equal(file.by_rule['tokenpay.nginx.notify-body'], 2);
    assert.equal(file.by_rule['vpay.nginx.notify'], 1);
    assert.equal(file.by_rule['vpay.nginx.return'], 1);
    assert.ok(!/tokenpay-api-token|vpay-key-123/.test(text), 'keys must not reach the report');
    assert.ok(!/tokenpay-api-token|vpay-key-123/.test(readFileSync(join(out, 'transactions.ndjson'), 'utf8')));
  });

  test('without --keys every callback is unverifiable and no record is flagged', async () => {
    const out = join(root, 'out-nokeys');
    const r = await runCli(['reconstruct', shop.dir, '--out', out], root);
    assert.ok(r.code === 0 || r.code === 1, r.stderr + r.stdout);
    const tx = records(out);
    for (const sn of [SN_TP, SN_TP_FORGED, SN_VPAY, SN_TP_APP, SN_VPAY_APP]) assert.ok(!tx.get(sn)!.flags.includes('bad_signature'), sn);
    assert.ok(tx.get(SN_TP)!.confidence < records(join(root, 'out')).get(SN_TP)!.confidence);
  });
});
