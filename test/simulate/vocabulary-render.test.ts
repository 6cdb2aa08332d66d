// Every encoding an operator line can take under `--vocabulary` keeps what the line carries: a gateway
// payload read back from the rendered entry is the payload that was signed, and an order line gives
// back its fields under the style's keys. Readers here share no code with the writers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flattenContext } from '../../parsers/app/json-context';
import { readDump } from '../../parsers/app/php-dump';
import { formDecode } from '../../src/simulate/gateways/encode';
import type { PhpArray } from '../../src/simulate/vocabulary/php-output';
import { renderCallbackLine, renderOrderLine, type CallbackLine, type OrderLine } from '../../src/simulate/vocabulary/render';
import { operatorStyle, type CallbackEncoding, type OperatorStyle, type OrderEncoding } from '../../src/simulate/vocabulary/style';
import { asArrays, asStrings, readVarDump } from './php-readers';

const TS = Date.parse('2026-11-21T14:03:11+08:00');
const HEADER = /^\[2026-11-21 14:03:11\] [a-z]+\.(?:INFO|DEBUG|NOTICE): /;

const EPAY: CallbackLine = {
  gateway: 'epay',
  orderId: 'K3J9QX2M7PLA0B1C',
  fields: { pid: '1001', trade_no: '2026112114040212345', out_trade_no: 'K3J9QX2M7PLA0B1C', type: 'alipay', name: 'ChatGPT Plus 月卡 代充 x 1', money: '9.90', trade_status: 'TRADE_SUCCESS', sign: 'a'.repeat(32), sign_type: 'MD5' },
  raw: 'pid=1001&trade_no=2026112114040212345&out_trade_no=K3J9QX2M7PLA0B1C&type=alipay&name=ChatGPT+Plus+%E6%9C%88%E5%8D%A1&money=9.90',
};
const V3: CallbackLine = {
  gateway: 'wxpay-v3',
  orderId: 'K3J9QX2M7PLA0B1C',
  fields: { id: 'EV-1', summary: '支付成功', resource: { algorithm: 'AEAD_AES_256_GCM', ciphertext: 'm/kT+ck==', nonce: 'abc' } } as PhpArray,
  raw: '{"id":"EV-1","summary":"支付成功","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"m/kT+ck==","nonce":"abc"}}',
};

function asLines(r: string | string[]): string[] {
  return typeof r === 'string' ? [r] : r;
}

/** The Monolog context of a one-line entry (the JSON after the message). */
function context(line: string): Record<string, unknown> {
  const body = line.replace(HEADER, '');
  return JSON.parse(body.slice(body.indexOf('{')).trimEnd()) as Record<string, unknown>;
}

/** A print_r / var_export dump in the entry, with whatever words stood before it. */
function dumpParams(lines: string[]): Record<string, string> | undefined {
  const i = lines.findIndex((l) => /(?:Array|array \()$/.test(l));
  assert.ok(i >= 0, lines.join('\n'));
  return readDump([lines[i]!.endsWith('Array') ? 'm Array' : 'm array (', ...lines.slice(i + 1)])?.params;
}

function varDumpOf(lines: string[]): unknown {
  const i = lines.findIndex((l) => /array\(\d+\) \{$/.test(l));
  assert.ok(i >= 0);
  return readVarDump(['array' + lines[i]!.split('array').pop(), ...lines.slice(i + 1)].join('\n'));
}

function styleWith(base: OperatorStyle, over: Partial<OperatorStyle>): OperatorStyle {
  return { ...base, ...over };
}

const CALLBACK_ENCODINGS: CallbackEncoding[] = ['json', 'json_string', 'raw_context', 'raw', 'json_message', 'print_r', 'var_export', 'var_dump'];

test('a gateway payload survives every callback encoding, separator and wrapper', () => {
  for (const n of [0, 1, 2, 3, 4, 5]) {
    const base = operatorStyle(n);
    for (const line of [EPAY, V3]) {
      for (const encoding of CALLBACK_ENCODINGS) {
        for (const separator of [' ', ':', '：', '\n', '']) {
          const cs = { ...base.callbacks[line.gateway], encoding };
          const style = styleWith(base, { separator, callbacks: { ...base.callbacks, [line.gateway]: cs } });
          const lines = asLines(renderCallbackLine(style, TS, line, null));
          const what = `vocabulary ${n} ${line.gateway} ${encoding} ${JSON.stringify(separator)}`;
          assert.match(lines[0]!, /^\[2026-11-21 14:03:11\] /, what);
          const all = lines.join('\n');
          switch (encoding) {
            case 'json': {
              const c = context(lines[0]!);
              assert.deepEqual(cs.wrapper ? c[cs.wrapper] : c, line.fields, what);
              break;
            }
            case 'json_string':
              assert.deepEqual(JSON.parse(context(lines[0]!)[cs.rawKey] as string), line.fields, what);
              break;
            case 'raw_context':
              assert.equal(context(lines[0]!)[cs.rawKey], line.raw, what);
              break;
            case 'raw':
              assert.ok(all.includes(line.raw), what);
              break;
            case 'json_message':
              assert.deepEqual(JSON.parse(all.slice(all.indexOf('{')).trimEnd()), line.fields, what);
              break;
            case 'print_r':
            case 'var_export':
              assert.deepEqual(dumpParams(lines), flattenContext(asStrings(line.fields)), what);
              break;
            case 'var_dump':
              assert.deepEqual(varDumpOf(lines), asArrays(line.fields), what);
              break;
          }
          // Monolog with no context: the entry ends with the two spaces of the empty context and extra
          if (!['json', 'json_string', 'raw_context'].includes(encoding)) assert.ok(lines[lines.length - 1]!.endsWith('  '), what);
        }
      }
    }
  }
});

const ORDER_ENCODINGS: OrderEncoding[] = ['json', 'json_message', 'print_r', 'var_export', 'var_dump', 'query'];

test('an order line keeps its fields under the style keys in every encoding', () => {
  const line: OrderLine = {
    event: 'order_created',
    orderId: 'K3J9QX2M7PLA0B1C',
    fields: [
      ['order_sn', 'K3J9QX2M7PLA0B1C'],
      ['goods_id', 3],
      ['email', 'buyer+1@qq.com'],
      ['actual_price', '9.90'],
      ['pay_id', 14],
      ['buy_ip', '203.0.113.7'],
    ],
  };
  for (const n of [0, 1, 2, 3, 4, 5, 6, 7]) {
    const base = operatorStyle(n);
    for (const enc of ORDER_ENCODINGS) {
      const style = styleWith(base, { encodings: { ...base.encodings, order_created: enc } });
      const r = renderOrderLine(style, TS, line, n % 2 === 0 ? '5f3a9c1e' : null);
      assert.equal(r.logged, 3, 'carries buyer email and goods');
      const lines = asLines(r.text);
      const expected: Record<string, unknown> = {};
      for (const [k, v] of line.fields) expected[base.keys[k]] = v;
      const what = `vocabulary ${n} ${enc}`;
      const all = lines.join('\n');
      let got: unknown;
      switch (enc) {
        case 'json': {
          const c = context(lines[0]!);
          got = base.orderWrapper ? c[base.orderWrapper] : c;
          break;
        }
        case 'json_message':
          got = JSON.parse(all.slice(all.indexOf('{')).trimEnd());
          break;
        case 'print_r':
        case 'var_export':
          assert.deepEqual(dumpParams(lines), flattenContext(asStrings(expected as PhpArray)), what);
          continue;
        case 'var_dump':
          got = varDumpOf(lines);
          break;
        case 'query': {
          const q = all.slice(all.lastIndexOf(`${encodeURIComponent(base.keys.order_sn)}=`)).trimEnd();
          assert.deepEqual(formDecode(q), asStrings(expected as PhpArray), what);
          continue;
        }
      }
      assert.deepEqual(got, expected, what);
    }
  }
});
