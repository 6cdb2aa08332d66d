// `salvage simulate --tokenpay`: a dujiaoka shop with a TokenPay row whose notifies are signed the
// way TokenPay signs them (checked here with md5 written from LightCountry/TokenPay's docs), sent
// at most 3 times a minute or more apart, and absent from the default shop.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UsageError } from '../../src/cli/command';
import { resolveOptions } from '../../src/simulate/options';
import { simulate } from '../../src/simulate/simulate';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function run(tokenpay: boolean): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'salvage-sim-tokenpay-'));
  dirs.push(out);
  await simulate(resolveOptions({ out, orders: 400, days: 1, seed: '11', damage: 'none', logging: 'operator', tokenpay }));
  return out;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

test('--tokenpay: notifies in the operator log carry a genuine TokenPay signature, in key order, Signature included', async () => {
  const out = await run(true);
  const keys = JSON.parse(readFileSync(join(out, 'keys.json'), 'utf8')) as { tokenpay?: Record<string, string> };
  const token = Object.values(keys.tokenpay ?? {})[0];
  assert.ok(token, 'keys.json names a tokenpay token');
  const meta = JSON.parse(readFileSync(join(out, 'truth', 'meta.json'), 'utf8')) as { pays: Record<string, { gateway: string; handleroute: string }> };
  assert.deepEqual(meta.pays['25'], { ...meta.pays['25'], gateway: 'tokenpay', handleroute: 'pay/tokenpay' });

  const lines = files(join(out, 'logs', 'app')).flatMap((f) => readFileSync(f, 'utf8').split('\n')).filter((l) => l.includes(' tokenpay回调 '));
  assert.ok(lines.length > 0, 'some TokenPay notifies were logged');
  const byOrder = new Map<string, number[]>();
  let genuine = 0;
  for (const l of lines) {
    const ts = Date.parse(l.slice(1, 20).replace(' ', 'T') + '+08:00');
    const body = JSON.parse(l.slice(l.indexOf('{'))) as Record<string, string | number>;
    const keysInOrder = Object.keys(body);
    assert.deepEqual(keysInOrder, [...keysInOrder].sort(), 'SortedDictionary order, Signature among the rest');
    const signed = keysInOrder.filter((k) => k !== 'Signature' && body[k] !== '').map((k) => `${k}=${body[k]}`).join('&');
    const ok = md5(signed + token) === body.Signature;
    if (ok) genuine++;
    assert.equal(body.Status, 1);
    assert.match(String(body.PayTime), /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.match(String(body.ActualAmount), /^\d+(\.\d{1,2})?$/);
    const id = String(body.OutOrderId);
    if (ok) byOrder.set(id, [...(byOrder.get(id) ?? []), ts]);
  }
  // Forged notifies (damage) are allowed to fail; the genuine ones are most of them.
  assert.ok(genuine >= lines.length - 3, `${genuine} of ${lines.length} verify`);
  // OrderNotifyService: CallbackNum < 3, and LastNotifyTime over a minute old.
  for (const [id, times] of byOrder) {
    assert.ok(times.length <= 3, `${id}: ${times.length} notifies`);
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! - times[i - 1]! >= 60_000, `${id}: retried after ${times[i]! - times[i - 1]!} ms`);
  }
  assert.ok([...byOrder.values()].some((t) => t.length > 1), 'some notify was retried');
});

test('the default shop has no TokenPay row and no tokenpay key', async () => {
  const out = await run(false);
  const keys = JSON.parse(readFileSync(join(out, 'keys.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(keys.tokenpay, undefined);
  const meta = JSON.parse(readFileSync(join(out, 'truth', 'meta.json'), 'utf8')) as { pays: Record<string, { gateway: string }> };
  assert.ok(!Object.values(meta.pays).some((p) => p.gateway === 'tokenpay'));
});

test('--tokenpay on acg-faka is a usage error, in English and Chinese', () => {
  assert.throws(
    () => resolveOptions({ out: '/tmp/x', platform: 'acg-faka', tokenpay: true }),
    (e: unknown) => e instanceof UsageError && /--tokenpay needs --platform dujiaoka/.test(e.message) && /[\u4e00-\u9fff]/.test(e.message),
  );
});
