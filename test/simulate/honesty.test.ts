// `recoverable` must be honest: an order is recoverable exactly when a surviving line proves its payment.
// This re-derives that from the written files with independent checks (default logging: nginx only).
import assert from 'node:assert/strict';
import { createHash, createVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { constants, gunzipSync } from 'node:zlib';
import { resolveOptions } from '../../src/simulate/options';
import { simulate } from '../../src/simulate/simulate';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function decompress(b: Buffer): Buffer {
  const attempt = (len: number): Buffer | null => {
    try {
      return gunzipSync(b.subarray(0, len), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return null;
    }
  };
  const whole = attempt(b.length);
  if (whole) return whole;
  let lo = 10;
  let hi = b.length;
  let best = attempt(lo) ?? Buffer.alloc(0);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    const out = attempt(mid);
    if (out) {
      lo = mid;
      best = out;
    } else hi = mid;
  }
  return best;
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

for (const damage of ['typical', 'severe'] as const) {
  test(`recoverable ⇔ a surviving nginx line proves the payment (default logging, ${damage} damage)`, async () => {
    const out = mkdtempSync(join(tmpdir(), 'salvage-sim-honest-'));
    dirs.push(out);
    await simulate(resolveOptions({ out, orders: 500, days: 2, seed: damage === 'typical' ? '71' : '72', damage, logging: 'default' }));
    const meta = JSON.parse(readFileSync(join(out, 'truth/meta.json'), 'utf8')) as { files: { path: string; source: string }[] };
    const keys = JSON.parse(readFileSync(join(out, 'keys.json'), 'utf8'));
    const pem = Object.values(keys.alipay as Record<string, string>)[0]!;
    const dmg = JSON.parse(readFileSync(join(out, 'truth/damage.json'), 'utf8')) as { actions: { type: string; locations?: { file: string; line: number }[] }[] };
    const forged = new Set<string>();
    for (const a of dmg.actions) for (const l of a.locations ?? []) forged.add(`${l.file}:${l.line}`);
    const proven = new Set<string>();
    for (const f of meta.files.filter((x) => x.source.startsWith('nginx/'))) {
      const raw = readFileSync(join(out, f.path));
      const text = (f.path.endsWith('.gz') ? decompress(raw) : raw).toString('utf8').split('\n');
      text.forEach((l, i) => {
        if (forged.has(`${f.path}:${i + 1}`)) return;
        const epay = /"GET \/pay\/yipay\/(?:notify_url|return_url)\?(\S+) HTTP\/1\.1" \d{3} /.exec(l);
        if (epay) {
          const q = new URLSearchParams(epay[1]!);
          const ks = [...q.keys()].filter((k) => !['sign', 'sign_type', 'order_id'].includes(k) && q.get(k) !== '').sort();
          if (md5(ks.map((k) => `${k}=${q.get(k)}`).join('&') + keys.epay[q.get('pid')!]) === q.get('sign')) proven.add(q.get('out_trade_no')!);
        }
        const ali = /"GET \/detail-order-sn\/[A-Z0-9]{16}\?(\S+) HTTP\/1\.1" 200 /.exec(l);
        if (ali) {
          const q = new URLSearchParams(ali[1]!);
          const content = [...q.keys()].filter((k) => k !== 'sign' && k !== 'sign_type' && q.get(k) !== '').sort().map((k) => `${k}=${q.get(k)}`).join('&');
          if (createVerify('RSA-SHA256').update(content, 'utf8').verify(pem, q.get('sign')!, 'base64')) proven.add(q.get('out_trade_no')!);
        }
        const poll = /"GET \/check-order-status\/([A-Z0-9]{16}) HTTP\/1\.1" 200 28 /.exec(l);
        if (poll) proven.add(poll[1]!);
      });
    }
    const rows = readFileSync(join(out, 'truth/recoverable.ndjson'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { order_id: string; paid: boolean; recoverable: boolean });
    let paid = 0;
    let lost = 0;
    for (const r of rows) {
      if (!r.paid) {
        assert.equal(r.recoverable, false);
        continue;
      }
      paid++;
      if (!r.recoverable) lost++;
      assert.equal(r.recoverable, proven.has(r.order_id), `${r.order_id}: truth says recoverable=${r.recoverable}`);
    }
    assert.ok(paid > 150);
    assert.ok(lost > 0, 'default logging and damage leave some paid orders without proof');
  });
}
