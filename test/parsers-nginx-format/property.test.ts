// Property: for a format made of variables and literal separators, a line written the way nginx
// writes it under escape=default (quoted values escaped as \xHH, unquoted values without spaces
// or separator characters) parses back to the values that were written.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compileLogFormat, fieldNameOf } from '../../parsers/nginx/log-format';
import { ZoneClock } from '../../parsers/time';

/** nginx escape=default: `"`, `\`, bytes below 0x20 and from 0x7F up as \xHH. */
function nginxEscape(v: string): string {
  let out = '';
  for (const b of Buffer.from(v, 'utf8')) {
    out += b === 0x22 || b === 0x5c || b < 0x20 || b >= 0x7f ? '\\x' + b.toString(16).toUpperCase().padStart(2, '0') : String.fromCharCode(b);
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** The wall-clock fields of an instant at an offset. */
function wall(ms: number, offMin: number) {
  const d = new Date(ms + offMin * 60000);
  const a = Math.abs(offMin);
  return { d, sign: offMin < 0 ? '-' : '+', oh: p2(Math.floor(a / 60)), om: p2(a % 60) };
}
const timeLocal = (ms: number, off: number) => {
  const { d, sign, oh, om } = wall(ms, off);
  return `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${sign}${oh}${om}`;
};
const timeIso = (ms: number, off: number) => {
  const { d, sign, oh, om } = wall(ms, off);
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}${sign}${oh}${om.length ? ':' + om : ''}`;
};

type Kind = 'token' | 'text' | 'status' | 'count' | 'time_local' | 'time_iso8601' | 'msec';

const POOL: { name: string; kind: Kind }[] = [
  { name: 'remote_addr', kind: 'token' },
  { name: 'remote_user', kind: 'token' },
  { name: 'host', kind: 'token' },
  { name: 'request_time', kind: 'token' },
  { name: 'cookie_sid', kind: 'token' },
  { name: 'custom_a', kind: 'token' },
  { name: 'custom_b', kind: 'token' },
  { name: 'status', kind: 'status' },
  { name: 'body_bytes_sent', kind: 'count' },
  { name: 'request_length', kind: 'count' },
  { name: 'request', kind: 'text' },
  { name: 'http_user_agent', kind: 'text' },
  { name: 'http_referer', kind: 'text' },
  { name: 'request_body', kind: 'text' },
  { name: 'http_x_custom', kind: 'text' },
  { name: 'custom_c', kind: 'text' },
  { name: 'time_local', kind: 'time_local' },
  { name: 'time_iso8601', kind: 'time_iso8601' },
  { name: 'msec', kind: 'msec' },
];

const SEPARATORS = [' ', ' - ', ' | ', '|', ',', '\t', ' :: ', ' ; '];
// Unquoted values: no whitespace, no quote or backslash, none of the separators' characters.
const TOKEN_CHARS = [...'abcXYZ0189._~/=&%+-!*()@\'?#$'];

const instant = fc.integer({ min: 0, max: 4102444799 }).map((s) => s * 1000); // 1970 … 2099
const offset = fc.integer({ min: -14 * 60, max: 14 * 60 });
const quotedText = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary-ascii', maxLength: 40 }));

interface Field {
  name: string;
  kind: Kind;
  quoted: boolean;
  written: string;
  /** The field value expected back (for time variables, the instant in ms). */
  expect: string | number;
}

const fieldArb = (v: { name: string; kind: Kind }): fc.Arbitrary<Field> => {
  const f = (quoted: boolean, written: string, expect: string | number): Field => ({ name: v.name, kind: v.kind, quoted, written, expect });
  switch (v.kind) {
    case 'status':
      return fc.tuple(fc.boolean(), fc.integer({ min: 100, max: 599 })).map(([q, n]) => f(q, String(n), String(n)));
    case 'count':
      return fc.tuple(fc.boolean(), fc.oneof(fc.nat().map(String), fc.constant('-'))).map(([q, n]) => f(q, n, n));
    case 'time_local':
      return fc.tuple(fc.boolean(), instant, offset).map(([q, ms, off]) => f(q, timeLocal(ms, off), ms));
    case 'time_iso8601':
      return fc.tuple(fc.boolean(), instant, offset).map(([q, ms, off]) => f(q, timeIso(ms, off), ms));
    case 'msec':
      return fc.tuple(fc.boolean(), instant, fc.integer({ min: 0, max: 999 })).map(([q, ms, frac]) => f(q, `${ms / 1000}.${String(frac).padStart(3, '0')}`, ms + frac));
    case 'text':
      return quotedText.map((t) => f(true, nginxEscape(t), t));
    case 'token':
      return fc.oneof(
        fc.string({ unit: fc.constantFrom(...TOKEN_CHARS), maxLength: 20 }).map((t) => f(false, t, t)),
        quotedText.map((t) => f(true, nginxEscape(t), t)),
      );
  }
};

/** 1–8 distinct variables (at most one of the time variables), each with a value and a separator before it. */
const caseArb = fc
  .uniqueArray(fc.constantFrom(...POOL), { minLength: 1, maxLength: 8, selector: (v) => v.name })
  .filter((vs) => vs.filter((v) => v.kind.startsWith('time') || v.kind === 'msec').length <= 1)
  .chain((vs) => fc.tuple(fc.tuple(...vs.map(fieldArb)), fc.array(fc.constantFrom(...SEPARATORS), { minLength: vs.length, maxLength: vs.length })));

test('property: a line nginx writes for a generated format parses back to the values written', () => {
  const clock = new ZoneClock('Asia/Shanghai');
  fc.assert(
    fc.property(caseArb, ([fields, seps]) => {
      let format = '';
      let line = '';
      fields.forEach((f, i) => {
        const sep = i === 0 ? '' : seps[i]!;
        const q = f.quoted ? '"' : '';
        format += `${sep}${q}$${f.name}${q}`;
        line += `${sep}${q}${f.written}${q}`;
      });
      const c = compileLogFormat(`log_format p '${format}';`);
      const r = c.reader('p', clock)(line);
      if (typeof r === 'string') assert.fail(`${r}\nformat ${format}\nline   ${line}\nregex  ${c.regex.source}`);
      for (const f of fields) {
        if (typeof f.expect === 'number') assert.equal(r.tsMs, f.expect, `${f.name} ${f.written}`);
        else assert.equal(r.fields[fieldNameOf(f.name)], f.expect, `${f.name} in ${JSON.stringify(line)} / ${format}`);
      }
    }),
    { numRuns: 1000 },
  );
});
