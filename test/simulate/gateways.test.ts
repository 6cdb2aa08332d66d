// Gateway signatures, checked with independent node:crypto code and the documented WeChat example.
import assert from 'node:assert/strict';
import { createDecipheriv, createHash, createHmac, createVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { alipaySign, alipaySignContent } from '../../src/simulate/gateways/alipay';
import { buildEpayNotify, epaySign } from '../../src/simulate/gateways/epay';
import { buildEpusdtNotify, epusdtJson, epusdtSign } from '../../src/simulate/gateways/epusdt';
import { seededRsaKey } from '../../src/simulate/gateways/rsa';
import { buildWxV3Body, signWxV2Fields, wxV2ParseXml, wxV2Sign, wxV2Xml } from '../../src/simulate/gateways/wechatpay';
import { nextRetryDelay, isAcknowledged } from '../../src/simulate/gateways/retry';
import { Rng } from '../../src/simulate/prng';

const SHARED = process.env.SALVAGE_SHARED_DIR ?? join(__dirname, '..', '..', '..', '..', 'shared');

function md5(s: string): string {
  return createHash('md5').update(s, 'utf8').digest('hex');
}

test('wechat v2: reproduces the documented MD5 and HMAC-SHA256 signatures', () => {
  let file = join(SHARED, 'realdata', 'gateway-vectors', 'wechatpay-v2-sign-doc-example.json');
  try {
    readFileSync(file);
  } catch {
    file = '/work/shared/realdata/gateway-vectors/wechatpay-v2-sign-doc-example.json';
  }
  const v = JSON.parse(readFileSync(file, 'utf8')) as { params: Record<string, string>; key: string; expect: { sign_MD5: string; sign_HMAC_SHA256: string } };
  assert.equal(wxV2Sign(v.params, v.key, 'MD5'), v.expect.sign_MD5);
  assert.equal(wxV2Sign(v.params, v.key, 'HMAC-SHA256'), v.expect.sign_HMAC_SHA256);
});

test('wechat v2: signed notify XML verifies independently (sign_type included for HMAC)', () => {
  const key = 'k'.repeat(32);
  for (const type of ['MD5', 'HMAC-SHA256'] as const) {
    const f = signWxV2Fields({ appid: 'wx1', mch_id: '1600000001', out_trade_no: 'ABC', total_fee: '990', nonce_str: 'n', result_code: 'SUCCESS', return_code: 'SUCCESS', attach: '' }, key, type);
    const parsed = wxV2ParseXml(wxV2Xml(f));
    const str =
      Object.keys(parsed)
        .filter((k) => k !== 'sign' && parsed[k] !== '')
        .sort()
        .map((k) => `${k}=${parsed[k]}`)
        .join('&') + `&key=${key}`;
    const expect = type === 'MD5' ? md5(str).toUpperCase() : createHmac('sha256', key).update(str).digest('hex').toUpperCase();
    assert.equal(parsed.sign, expect);
  }
});

test('epay: sign is md5 of sorted non-empty params + key, and ignores parameter order (property)', () => {
  const n = buildEpayNotify({ pid: '1001', tradeNo: '2026112114040212345', outTradeNo: 'K3J9QX2M7PLA0B1C', type: 'alipay', name: '测试 x 1', money: '9.90' }, 'KEY');
  assert.equal(n.params.sign, md5('money=9.90&name=测试 x 1&out_trade_no=K3J9QX2M7PLA0B1C&pid=1001&trade_no=2026112114040212345&trade_status=TRADE_SUCCESS&type=alipayKEY'));
  assert.ok(n.query.endsWith(`&sign=${n.params.sign}&sign_type=MD5`));
  assert.ok(n.query.startsWith('money=9.90&name=%E6%B5%8B%E8%AF%95+x+1&out_trade_no='));
  fc.assert(
    fc.property(
      fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string({ maxLength: 12 }), { minKeys: 1, maxKeys: 8 }),
      fc.string({ minLength: 1, maxLength: 32 }),
      fc.integer(),
      (params, key, salt) => {
        const keys = Object.keys(params);
        const r = Rng.root(salt);
        const shuffled: Record<string, string> = {};
        for (const k of r.shuffle(keys)) shuffled[k] = params[k]!;
        assert.equal(epaySign(shuffled, key), epaySign(params, key));
        assert.equal(epaySign({ ...params, sign: 'x', sign_type: 'MD5' }, key), epaySign(params, key));
      },
    ),
  );
});

test('alipay: RSA2 signatures from the seeded key verify with crypto.createVerify and the exported PEM', () => {
  const key = seededRsaKey(Rng.root('t').fork('alipay-rsa'));
  assert.equal(key.privateKey.asymmetricKeyDetails?.modulusLength, 2048);
  const again = seededRsaKey(Rng.root('t').fork('alipay-rsa'));
  assert.equal(again.publicPem, key.publicPem, 'key generation is deterministic');
  const fields = { out_trade_no: 'ABC', total_amount: '9.90', trade_status: 'TRADE_SUCCESS', sign_type: 'RSA2', subject: '商品', empty: '' };
  const sign = alipaySign(fields, key.privateKey);
  assert.equal(alipaySign(fields, key.privateKey), sign, 'PKCS#1 v1.5 is deterministic');
  const content = 'out_trade_no=ABC&subject=商品&total_amount=9.90&trade_status=TRADE_SUCCESS';
  assert.equal(alipaySignContent(fields), content);
  assert.ok(createVerify('RSA-SHA256').update(content, 'utf8').verify(key.publicPem, sign, 'base64'));
  assert.ok(!createVerify('RSA-SHA256').update(content.replace('9.90', '0.01'), 'utf8').verify(key.publicPem, sign, 'base64'));
});

test('wechat v3: resource decrypts with the APIv3 key (AES-256-GCM)', () => {
  const apiv3 = 'A'.repeat(32);
  const tx = {
    appid: 'wx1', mchid: '16', out_trade_no: 'ABC', transaction_id: '4200', trade_type: 'NATIVE', trade_state: 'SUCCESS', trade_state_desc: '支付成功',
    bank_type: 'OTHERS', attach: '', success_time: '2026-11-21T14:03:11+08:00', payer: { openid: 'o1' }, amount: { total: 990, payer_total: 990, currency: 'CNY', payer_currency: 'CNY' },
  };
  const body = buildWxV3Body('EV-1', '2026-11-21T14:03:12+08:00', tx, apiv3, 'abcdefghijkl');
  const raw = Buffer.from(body.resource.ciphertext, 'base64');
  const d = createDecipheriv('aes-256-gcm', Buffer.from(apiv3), Buffer.from(body.resource.nonce));
  d.setAAD(Buffer.from(body.resource.associated_data));
  d.setAuthTag(raw.subarray(raw.length - 16));
  const plain = Buffer.concat([d.update(raw.subarray(0, raw.length - 16)), d.final()]).toString('utf8');
  assert.deepEqual(JSON.parse(plain), tx);
});

test('epusdt: md5 over sorted k=v without signature/empty values, Go float formatting', () => {
  const n = buildEpusdtNotify({ trade_id: 'T1', order_id: 'ABC', amount: 42, actual_amount: 5.8333, token: 'TWallet', block_transaction_id: 'ff', status: 2 }, 'tok');
  assert.equal(n.signature, md5('actual_amount=5.8333&amount=42&block_transaction_id=ff&order_id=ABC&status=2&token=TWallet&trade_id=T1tok'));
  assert.equal(epusdtSign({ ...n, extra: '' }, 'tok'), n.signature);
  assert.match(epusdtJson(n), /"amount":42,"actual_amount":5\.8333,/);
});

test('retry schedules: epay gives up after 6 attempts; acknowledgements per gateway', () => {
  const r = Rng.root('retry');
  let attempts = 1;
  while (nextRetryDelay('epay', attempts - 1, r) !== null) attempts++;
  assert.equal(attempts, 6);
  attempts = 1;
  while (nextRetryDelay('alipay', attempts - 1, r) !== null) attempts++;
  assert.equal(attempts, 8);
  assert.ok(isAcknowledged('epay', 200, 'success'));
  assert.ok(!isAcknowledged('epay', 500, ''));
  assert.ok(!isAcknowledged('alipay', 200, 'fail'));
  assert.ok(isAcknowledged('wxpay-v3', 204, ''));
  assert.ok(!isAcknowledged('epusdt', 200, 'success'));
});
