// End-to-end checks of `salvage simulate` output: determinism, real signatures, truth that matches the
// files after damage, damage that is really there, and usage errors.
import assert from 'node:assert/strict';
import { createDecipheriv, createHash, createHmac, createVerify } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, test } from 'node:test';
import { constants, gunzipSync } from 'node:zlib';
import { PassThrough } from 'node:stream';
import * as iconv from 'iconv-lite';
import { main } from '../../src/cli/main';
import { UsageError } from '../../src/cli/command';
import { resolveOptions, type RawSimulateOptions } from '../../src/simulate/options';
import { runSimulation, simulate } from '../../src/simulate/simulate';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'salvage-sim-test-'));
  dirs.push(d);
  return d;
}

async function run(over: RawSimulateOptions): Promise<string> {
  const out = tmp();
  await simulate(resolveOptions({ out, orders: 300, days: 2, seed: '5', ...over }));
  return out;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out.sort();
}

function hashes(dir: string): Map<string, string> {
  return new Map(walk(dir).map((p) => [relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex')]));
}

/** Decompresses whatever a decoder can get out of a (possibly damaged) gzip, independently of the simulator's code. */
function gunzipWhatYouCan(b: Buffer): Buffer {
  const attempt = (len: number): Buffer | null => {
    try {
      return gunzipSync(b.subarray(0, len), { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return null;
    }
  };
  const whole = attempt(b.length);
  if (whole) return whole;
  // the longest input prefix the decoder accepts (it fails from the first bad byte on)
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

interface Meta {
  files: { path: string; encoding: string; gzip: boolean; lines: number; source: string }[];
  hosts: { name: string; clock_offset_seconds: number }[];
  platform: string;
}

function rawLines(dir: string, rel: string): Buffer[] {
  const b = readFileSync(join(dir, rel));
  const data = rel.endsWith('.gz') ? gunzipWhatYouCan(b) : b;
  const out: Buffer[] = [];
  let s = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === 0x0a) {
      out.push(data.subarray(s, i));
      s = i + 1;
    }
  }
  if (s < data.length) out.push(data.subarray(s));
  return out;
}

function textLines(dir: string, rel: string, meta: Meta): string[] {
  const enc = meta.files.find((f) => f.path === rel)?.encoding ?? 'utf8';
  return rawLines(dir, rel).map((l) => (enc === 'gbk' ? iconv.decode(l, 'gbk') : l.toString('utf8')));
}

function ndjson<T>(p: string): T[] {
  return readFileSync(p, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

interface Row {
  order_id: string;
  status: string;
  paid: boolean;
  amount: number;
  channel: string;
  created_at: string;
  paid_at: string | null;
  trade_no: string | null;
  recoverable: boolean;
  lines: { file: string; line: number }[];
}

interface Action {
  type: string;
  file: string | null;
  lines: number[];
  [k: string]: unknown;
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

function epayOk(q: URLSearchParams, key: string): boolean {
  const keys = [...q.keys()].filter((k) => k !== 'sign' && k !== 'sign_type' && k !== 'order_id' && q.get(k) !== '').sort();
  return md5(keys.map((k) => `${k}=${q.get(k)}`).join('&') + key) === q.get('sign');
}

test('same seed gives byte-identical output (gzip included); another seed differs', async () => {
  const a = await run({ seed: '11', damage: 'severe' });
  const b = await run({ seed: '11', damage: 'severe' });
  const c = await run({ seed: '12', damage: 'severe' });
  const ha = hashes(a);
  assert.ok(ha.size >= 8);
  assert.deepEqual(hashes(b), ha);
  const hc = hashes(c);
  assert.ok([...ha].some(([k, v]) => hc.get(k) !== v), 'a different seed must change the output');
  assert.notEqual(hc.get('keys.json'), ha.get('keys.json'));
});

test('layout: BT rotation names, plain current file, truth and keys beside the logs', async () => {
  const d = await run({ damage: 'none' });
  const files = walk(d).map((p) => relative(d, p));
  assert.ok(files.includes('keys.json'));
  for (const t of ['orders.ndjson', 'recoverable.ndjson', 'meta.json', 'damage.json']) assert.ok(files.includes(`truth/${t}`), t);
  assert.ok(files.includes('logs/nginx/web1/shop.example.log'));
  assert.ok(files.includes('logs/nginx/web2/history_backups/shop.example/shop.example_access_2026-11-22_000001.log.gz'));
  assert.ok(files.includes('logs/app/laravel-2026-11-21.log'));
  const meta = JSON.parse(readFileSync(join(d, 'truth/meta.json'), 'utf8'));
  assert.equal(meta.tz, 'Asia/Shanghai');
  assert.equal(meta.pays['14'].handleroute, '/pay/yipay');
  assert.equal(meta.pays['14'].channel, 'epay');
  const damage = JSON.parse(readFileSync(join(d, 'truth/damage.json'), 'utf8'));
  assert.deepEqual(damage, { profile: 'none', actions: [] });
  // nginx `main`: the proxy as remote_addr, the client in the trailing XFF field
  const line = textLines(d, 'logs/nginx/web1/shop.example.log', meta).find((l) => l.includes('GET /bill/'))!;
  assert.match(line, /^10\.0\.0\.2 - - \[\d{2}\/Nov\/2026:\d{2}:\d{2}:\d{2} \+0800\] "GET \/bill\/[A-Z0-9]{16} HTTP\/1\.1" 200 \d+ "[^"]*" "[^"]*" "\d+\.\d+\.\d+\.\d+(, [\d.]+)?"$/);
});

test('truth: every paid order had a genuine notify; with no damage and operator logging every paid order is recoverable', () => {
  const m = runSimulation(resolveOptions({ out: tmp(), orders: 300, days: 1, seed: '9', damage: 'none' }));
  const paid = m.ctx.orders.filter((o) => o.paidMs !== null);
  assert.ok(paid.length > 100);
  for (const o of paid) assert.ok(o.genuineNotifies >= 1, `${o.orderId} paid without a notify`);
  for (const o of m.ctx.orders) if (o.paidMs === null) assert.ok(o.status === 1 || o.status === -1, `${o.orderId} unpaid but status ${o.status}`);
  assert.equal(m.truth.stats.recoverable, m.truth.stats.paid);
});

test('truth: default logging keeps only exceptions in laravel.log; epay notifies are in nginx with the full signed query', async () => {
  const d = await run({ damage: 'none', logging: 'default', seed: '21' });
  const meta = JSON.parse(readFileSync(join(d, 'truth/meta.json'), 'utf8')) as Meta;
  const keys = JSON.parse(readFileSync(join(d, 'keys.json'), 'utf8'));
  const app = textLines(d, 'logs/app/laravel.log', meta);
  assert.ok(app.length > 0);
  assert.ok(!app.some((l) => / local\.INFO: /.test(l)), 'no INFO lines without operator logging');
  const notified = new Set<string>();
  for (const f of meta.files.filter((x) => x.source.startsWith('nginx/'))) {
    for (const l of textLines(d, f.path, meta)) {
      const m = /"GET \/pay\/yipay\/notify_url\?(\S+) HTTP/.exec(l);
      if (!m) continue;
      const q = new URLSearchParams(m[1]!);
      assert.ok(epayOk(q, keys.epay[q.get('pid')!]), 'epay notify signature');
      notified.add(q.get('out_trade_no')!);
    }
  }
  const rows = ndjson<Row>(join(d, 'truth/recoverable.ndjson'));
  const paidEpay = rows.filter((r) => r.paid && r.channel === 'epay');
  assert.ok(paidEpay.length > 20);
  for (const r of paidEpay) assert.ok(notified.has(r.order_id), `no notify line for ${r.order_id}`);
  const orders = ndjson<Record<string, unknown>>(join(d, 'truth/orders.ndjson'));
  assert.equal(orders.length, rows.length);
  orders.forEach((o, i) => {
    const r = rows[i]!;
    assert.equal(o.order_sn, r.order_id);
    assert.equal(r.paid, o.trade_no !== '');
    const st = o.status as number;
    const expect = st === 4 ? 'delivered' : st === 2 || st === 3 ? 'paid' : st === 1 || st === -1 ? 'created' : null;
    if (expect && r.status !== 'refunded') assert.equal(r.status, expect);
  });
});

test('signatures in the generated logs verify with keys.json; forged ones do not', async () => {
  const d = await run({ damage: 'typical', seed: '31', orders: 500 });
  const meta = JSON.parse(readFileSync(join(d, 'truth/meta.json'), 'utf8')) as Meta;
  const keys = JSON.parse(readFileSync(join(d, 'keys.json'), 'utf8'));
  const damage = JSON.parse(readFileSync(join(d, 'truth/damage.json'), 'utf8')) as { actions: Action[] };
  const forgedAt = new Map<string, string>();
  for (const a of damage.actions.filter((x) => x.type === 'forged_callback')) {
    for (const l of a.locations as { file: string; line: number }[]) forgedAt.set(`${l.file}:${l.line}`, a.forgery as string);
  }
  const cutAt = new Set<string>();
  for (const a of damage.actions.filter((x) => x.type === 'cut_line')) for (const n of a.lines) cutAt.add(`${a.file}:${n}`);
  const counts: Record<string, number> = {};
  const bump = (k: string): void => void (counts[k] = (counts[k] ?? 0) + 1);
  const [appId, pem] = Object.entries(keys.alipay as Record<string, string>)[0]!;
  const [mchId, wx] = Object.entries(keys.wechatpay as Record<string, { key: string; apiv3_key: string }>)[0]!;
  for (const f of meta.files) {
    textLines(d, f.path, meta).forEach((l, i) => {
      const at = `${f.path}:${i + 1}`;
      if (cutAt.has(at)) return;
      const forged = forgedAt.get(at);
      const nq = /"GET \/pay\/yipay\/notify_url\?(\S+) HTTP/.exec(l);
      if (nq) {
        const q = new URLSearchParams(nq[1]!);
        const ok = epayOk(q, keys.epay[q.get('pid')!]);
        assert.equal(ok, forged !== 'bad_signature', at);
        bump(ok ? 'epay ok' : 'epay bad');
      }
      const m = /^\[[^\]]+\] local\.INFO: (\S+) (\{.*\}) $/.exec(l);
      if (!m) return;
      const ctx = JSON.parse(m[2]!);
      if (m[1] === '支付宝回调') {
        const content = Object.keys(ctx)
          .filter((k) => k !== 'sign' && k !== 'sign_type' && ctx[k] !== '')
          .sort()
          .map((k) => `${k}=${ctx[k]}`)
          .join('&');
        assert.equal(ctx.app_id, appId);
        const ok = createVerify('RSA-SHA256').update(content, 'utf8').verify(pem, ctx.sign, 'base64');
        assert.equal(ok, forged === undefined || forged === 'replay', at);
        bump(ok ? 'alipay ok' : 'alipay bad');
      } else if (m[1] === '微信支付回调' && ctx.xml) {
        const fields: Record<string, string> = {};
        for (const x of (ctx.xml as string).matchAll(/<([a-z_]+)>(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))<\/\1>/g)) fields[x[1]!] = x[2] ?? x[3] ?? '';
        assert.equal(fields.mch_id, mchId);
        const str = Object.keys(fields).filter((k) => k !== 'sign' && fields[k] !== '').sort().map((k) => `${k}=${fields[k]}`).join('&') + `&key=${wx.key}`;
        const sign = fields.sign_type === 'HMAC-SHA256' ? createHmac('sha256', wx.key).update(str).digest('hex').toUpperCase() : md5(str).toUpperCase();
        assert.equal(sign === fields.sign, forged !== 'bad_signature', at);
        bump('wxv2');
      } else if (m[1] === '微信支付回调' && ctx.body) {
        const r = ctx.body.resource;
        const raw = Buffer.from(r.ciphertext, 'base64');
        const dec = createDecipheriv('aes-256-gcm', Buffer.from(wx.apiv3_key), Buffer.from(r.nonce));
        dec.setAAD(Buffer.from(r.associated_data));
        dec.setAuthTag(raw.subarray(raw.length - 16));
        let plain: { out_trade_no: string; mchid: string } | null = null;
        try {
          plain = JSON.parse(Buffer.concat([dec.update(raw.subarray(0, raw.length - 16)), dec.final()]).toString('utf8'));
        } catch {
          plain = null;
        }
        assert.equal(plain !== null, forged !== 'bad_signature', at);
        if (plain) assert.equal(plain.mchid, mchId);
        bump('wxv3');
      } else if (m[1] === 'epusdt回调') {
        const token = Object.values(keys.epusdt as Record<string, string>)[0]!;
        const str = Object.keys(ctx).filter((k) => k !== 'signature' && ctx[k] !== '' && ctx[k] !== null).sort().map((k) => `${k}=${ctx[k]}`).join('&');
        assert.equal(md5(str + token) === ctx.signature, forged !== 'bad_signature', at);
        bump('epusdt');
      } else if (m[1] === '易支付回调') {
        const q = new URLSearchParams(ctx);
        assert.equal(epayOk(q, keys.epay[ctx.pid]), forged !== 'bad_signature', at);
      }
    });
  }
  for (const k of ['epay ok', 'alipay ok', 'wxv2', 'wxv3', 'epusdt']) assert.ok((counts[k] ?? 0) > 0, `no ${k} callbacks seen: ${JSON.stringify(counts)}`);
});

for (const [platform, logging, seed] of [
  ['dujiaoka', 'operator', '41'],
  ['dujiaoka', 'default', '42'],
  ['acg-faka', 'operator', '43'],
] as const) {
  test(`after severe damage, every truth line reference points at a surviving line that names the order (${platform}, ${logging})`, async () => {
    const d = await run({ damage: 'severe', seed, orders: 400, platform, logging });
    const meta = JSON.parse(readFileSync(join(d, 'truth/meta.json'), 'utf8')) as Meta;
    const cache = new Map<string, string[]>();
    const lines = (f: string): string[] => cache.get(f) ?? cache.set(f, textLines(d, f, meta)).get(f)!;
    const rows = ndjson<Row>(join(d, 'truth/recoverable.ndjson'));
    let refs = 0;
    for (const r of rows) {
      for (const ref of r.lines) {
        const l = lines(ref.file)[ref.line - 1];
        assert.ok(l !== undefined && l.includes(r.order_id), `${ref.file}:${ref.line} does not mention ${r.order_id}`);
        refs++;
      }
      if (r.recoverable) assert.ok(r.paid);
      if (r.paid) assert.ok(r.paid_at !== null && r.trade_no !== null);
    }
    assert.ok(refs > 1000);
    for (const f of meta.files) assert.equal(lines(f.path).length, f.lines, `line count of ${f.path}`);
    const paid = rows.filter((r) => r.paid);
    assert.ok(paid.filter((r) => r.recoverable).length > paid.length / 2);
  });
}

test('damage.json describes damage that is really in the files', async () => {
  const d = await run({ damage: 'severe', seed: '43', orders: 400, days: 3 });
  const meta = JSON.parse(readFileSync(join(d, 'truth/meta.json'), 'utf8')) as Meta;
  const damage = JSON.parse(readFileSync(join(d, 'truth/damage.json'), 'utf8')) as { profile: string; actions: Action[] };
  assert.equal(damage.profile, 'severe');
  const types = new Set(damage.actions.map((a) => a.type));
  for (const t of ['truncated_gz', 'corrupted_gz', 'missing_hours', 'duplicate_file', 'copytruncate_overlap', 'clock_skew', 'garbage_bytes', 'cut_line', 'gbk_encoding', 'forged_callback']) {
    assert.ok(types.has(t), `severe must include ${t}`);
  }
  const rows = new Map(ndjson<Row>(join(d, 'truth/recoverable.ndjson')).map((r) => [r.order_id, r]));
  const createdAt = new Set([...rows.values()].map((r) => Date.parse(r.created_at)));
  let skewChecked = 0;
  for (const a of damage.actions) {
    const file = a.file ? join(d, a.file) : null;
    switch (a.type) {
      case 'truncated_gz':
      case 'corrupted_gz':
        assert.throws(() => gunzipSync(readFileSync(file!)), a.type);
        assert.ok((a.intact_lines as number) < (a.original_lines as number));
        break;
      case 'duplicate_file': {
        const src = readFileSync(join(d, a.source as string));
        const copy = readFileSync(file!);
        assert.ok(gunzipSync(copy).length > 0, 'the copy is a whole gzip file');
        if (src.equals(copy)) assert.ok(true);
        else assert.ok(gunzipSync(copy).subarray(0, 100).equals(gunzipWhatYouCan(src).subarray(0, 100)));
        break;
      }
      case 'garbage_bytes':
        for (const n of a.lines) assert.match(rawLines(d, a.file!)[n - 1]!.toString('latin1'), /[\x00-\x08\x0e-\x1f\x7f-\xff]/);
        break;
      case 'cut_line':
        for (const n of a.lines) {
          const l = textLines(d, a.file!, meta)[n - 1]!;
          assert.doesNotMatch(l, /"[^"]*" "[^"]*" "[^"]*"$|\} $|^#\d+ |^\[stacktrace\]$|^"\} $/, `${a.file}:${n} looks complete`);
        }
        break;
      case 'gbk_encoding': {
        const raw = readFileSync(file!);
        assert.throws(() => new TextDecoder('utf-8', { fatal: true }).decode(raw));
        assert.ok(iconv.decode(raw, 'gbk').includes('订单'));
        break;
      }
      case 'copytruncate_overlap': {
        const k = a.repeated_lines as number;
        assert.deepEqual(a.lines, Array.from({ length: k }, (_, i) => i + 1));
        const head = textLines(d, a.file!, meta).slice(0, k);
        const src = a.source as string;
        const srcMeta = meta.files.find((f) => f.path === src)!;
        const srcLines = textLines(d, src, meta);
        if (srcLines.length === srcMeta.lines && !damage.actions.some((x) => x.file === src && (x.type === 'truncated_gz' || x.type === 'corrupted_gz' || x.type === 'garbage_bytes' || x.type === 'cut_line'))) {
          assert.deepEqual(head, srcLines.slice(srcLines.length - k));
        }
        break;
      }
      case 'missing_hours': {
        const from = Date.parse(a.from as string);
        const to = Date.parse(a.to as string);
        const sink = a.sink as string;
        if (!sink.startsWith('nginx/')) break;
        const host = meta.hosts.find((h) => `nginx/${h.name}` === sink)!;
        for (const f of meta.files.filter((x) => x.source === sink)) {
          for (const l of textLines(d, f.path, meta)) {
            const m = /\[(\d{2})\/Nov\/2026:(\d{2}):(\d{2}):(\d{2}) \+0800\]/.exec(l);
            if (!m) continue;
            const t = Date.parse(`2026-11-${m[1]}T${m[2]}:${m[3]}:${m[4]}+08:00`) - host.clock_offset_seconds * 1000;
            assert.ok(t < from || t >= to, `line inside the missing hours: ${l.slice(0, 80)}`);
          }
        }
        break;
      }
      case 'clock_skew': {
        // every create-order line on the skewed host sits exactly offset seconds after a true creation time
        const off = a.offset_seconds as number;
        for (const l of textLines(d, a.file!, meta)) {
          const m = /\[(\d{2})\/Nov\/2026:(\d{2}):(\d{2}):(\d{2}) \+0800\] "POST \/create-order/.exec(l);
          if (!m) continue;
          const t = Date.parse(`2026-11-${m[1]}T${m[2]}:${m[3]}:${m[4]}+08:00`);
          assert.ok(createdAt.has(t - off * 1000), `create-order at ${m[0]} is not ${off}s after a creation time`);
          skewChecked++;
        }
        break;
      }
      case 'forged_callback': {
        const r = rows.get(a.order_id as string)!;
        if (a.forgery !== 'replay') assert.equal(r.paid, false, 'a forged callback never makes an order paid');
        else assert.equal(r.paid, true);
        if (a.survived && a.lines.length > 0) assert.ok(textLines(d, a.file!, meta)[a.lines[0]! - 1]!.length > 0);
        break;
      }
    }
  }
  assert.ok(skewChecked > 10, 'clock skew was checked on create-order lines');
});

test('merchant balance lines form a consistent before/after chain per merchant', async () => {
  const d = await run({ damage: 'none', seed: '51', days: 2 });
  const meta = JSON.parse(readFileSync(join(d, 'truth/meta.json'), 'utf8')) as Meta;
  const last = new Map<string, string>();
  let n = 0;
  for (const f of meta.files.filter((x) => x.source === 'app/laravel').map((x) => x.path).sort()) {
    for (const l of textLines(d, f, meta)) {
      const m = /local\.INFO: 商户余额变动 (\{.*\}) $/.exec(l);
      if (!m) continue;
      const c = JSON.parse(m[1]!) as { merchant_id: string; change: string; before: string; after: string };
      const prev = last.get(c.merchant_id);
      if (prev !== undefined) assert.equal(c.before, prev);
      assert.equal(Math.round(Number(c.before) * 100) + Math.round(Number(c.change) * 100), Math.round(Number(c.after) * 100));
      last.set(c.merchant_id, c.after);
      n++;
    }
  }
  assert.ok(n > 50 && last.size >= 3);
});

test('acg-faka: trade numbers, callback route, plugin runtime.log and the order table columns', async () => {
  const d = await run({ platform: 'acg-faka', damage: 'typical', seed: '61' });
  const meta = JSON.parse(readFileSync(join(d, 'truth/meta.json'), 'utf8')) as Meta;
  const keys = JSON.parse(readFileSync(join(d, 'keys.json'), 'utf8'));
  const orders = ndjson<Record<string, unknown>>(join(d, 'truth/orders.ndjson'));
  for (const col of ['trade_no', 'amount', 'commodity_id', 'pay_id', 'create_time', 'create_ip', 'pay_time', 'status', 'secret', 'password', 'contact', 'delivery_status']) {
    assert.ok(col in orders[0]!, col);
  }
  for (const o of orders) {
    const tn = o.trade_no as string;
    assert.match(tn, /^\d{18}$/);
    const ct = (o.create_time as string).replace(/\D/g, '').slice(2);
    assert.equal(tn.slice(3, 15), ct, 'the trade number embeds the creation time');
  }
  let callbacks = 0;
  for (const f of meta.files.filter((x) => x.source.startsWith('nginx/'))) {
    for (const l of textLines(d, f.path, meta)) {
      const m = /"GET \/user\/api\/order\/callback\.(\d{18})\?(\S+) HTTP/.exec(l);
      if (!m) continue;
      const q = new URLSearchParams(m[2]!);
      assert.equal(q.get('out_trade_no'), m[1]);
      if (epayOk(q, keys.epay[q.get('pid')!])) callbacks++;
    }
  }
  assert.ok(callbacks > 20);
  const runtime = meta.files.filter((f) => f.path.endsWith('runtime.log'));
  assert.ok(runtime.length > 0);
  for (const f of runtime) for (const l of textLines(d, f.path, meta)) if (!/[\x00-\x08]/.test(l)) assert.match(l, /^\[CALLBACK\]\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\]:/);
});

test('usage errors are UsageError (exit 2) with English and Chinese text', async () => {
  const out = tmp();
  const bad: RawSimulateOptions[] = [
    { out, orders: 0 },
    { out, orders: -3 },
    { out, orders: 'abc' },
    { out, days: 0 },
    { out, damage: 'extreme' },
    { out, platform: 'shopify' },
    { out, logging: 'verbose' },
    { out, start: 'yesterday' },
    {},
  ];
  for (const b of bad) assert.throws(() => resolveOptions(b), (e: unknown) => e instanceof UsageError && /[\u4e00-\u9fff]/.test((e as Error).message), JSON.stringify(b));
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c) => (err += c));
  const code = await main(['simulate', '--out', out, '--orders', '-5'], { stdout: new PassThrough(), stderr, env: {}, cwd: process.cwd() });
  assert.equal(code, 2);
  assert.match(err, /positive/);
  assert.match(err, /正整数/);
  assert.ok(!existsSync(join(out, 'truth')), 'nothing written on a usage error');
});
