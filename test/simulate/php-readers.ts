// Readers for the PHP dumps the simulator writes, written against PHP's output format and nothing else
// (no code shared with src/simulate/vocabulary/php-output.ts), for round-trip tests.
import assert from 'node:assert/strict';
import type { PhpValue } from '../../src/simulate/vocabulary/php-output';

/** A small var_dump reader, written against the format description and nothing else. */
export function readVarDump(text: string): PhpValue {
  const lines = text.split('\n');
  let i = 0;
  const value = (): PhpValue => {
    const t = lines[i++]!.trim();
    let m = /^string\((\d+)\) "([\s\S]*)"$/.exec(t);
    if (m) {
      assert.equal(Buffer.byteLength(m[2]!, 'utf8'), Number(m[1]), `byte length of ${m[2]}`);
      return m[2]!;
    }
    if ((m = /^int\((-?\d+)\)$/.exec(t))) return Number(m[1]);
    if ((m = /^float\((.+)\)$/.exec(t))) return Number(m[1]);
    if ((m = /^bool\((true|false)\)$/.exec(t))) return m[1] === 'true';
    if (t === 'NULL') return null;
    m = /^array\((\d+)\) \{$/.exec(t);
    assert.ok(m, `unexpected var_dump line ${JSON.stringify(t)}`);
    const out: Record<string, PhpValue> = {};
    for (let k = 0; k < Number(m[1]); k++) {
      const key = /^\[(?:"(.*)"|(-?\d+))\]=>$/.exec(lines[i++]!.trim());
      assert.ok(key);
      out[key[1] ?? key[2]!] = value();
    }
    assert.equal(lines[i++]!.trim(), '}');
    return out;
  };
  return value();
}

/** PHP's string cast of every scalar (what print_r and var_export readers give back). */
export function asStrings(v: PhpValue): unknown {
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asStrings(x as PhpValue)]));
  return v === null ? '' : String(v);
}

/** Lists become objects keyed 0..n-1, as PHP arrays are. */
export function asArrays(v: PhpValue): unknown {
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asArrays(x as PhpValue)]));
  return v;
}

