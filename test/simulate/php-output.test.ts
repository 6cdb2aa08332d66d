// The PHP dump writers of `simulate --vocabulary`: exact bytes for known arrays (PHP's own output), and
// round trips through readers that do not share code with the writers (the project's php-dump reader
// for print_r and var_export, a small var_dump reader here, JSON.parse, the form decoder).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { flattenContext } from '../../parsers/app/json-context';
import { readDump } from '../../parsers/app/php-dump';
import { formDecode } from '../../src/simulate/gateways/encode';
import { httpBuildQueryFlat, phpJsonEncode, printR, varDump, varExport, type PhpArray } from '../../src/simulate/vocabulary/php-output';
import { asArrays, asStrings, readVarDump } from './php-readers';

test('print_r: four-space steps, nested Array indented eight, a blank line after a nested )', () => {
  assert.equal(
    printR({ a: '1', n: 7, b: { x: '支付', y: ['p'] } }),
    'Array\n(\n    [a] => 1\n    [n] => 7\n    [b] => Array\n        (\n            [x] => 支付\n            [y] => Array\n                (\n                    [0] => p\n                )\n\n        )\n\n)\n',
  );
  assert.equal(printR({ t: true, f: false, z: null, d: 9.9 }), 'Array\n(\n    [t] => 1\n    [f] => \n    [z] => \n    [d] => 9.9\n)\n');
});

test("var_export: two-space steps, `'k' => ` with a trailing space before a nested array, no final newline", () => {
  assert.equal(
    varExport({ a: "it's", p: 'C:\\x', n: 3, f: 9.9, z: null, b: { x: 1 } }),
    "array (\n  'a' => 'it\\'s',\n  'p' => 'C:\\\\x',\n  'n' => 3,\n  'f' => 9.9,\n  'z' => NULL,\n  'b' => \n  array (\n    'x' => 1,\n  ),\n)",
  );
  assert.equal(varExport(['x', 'y']), "array (\n  0 => 'x',\n  1 => 'y',\n)");
});

test('var_dump: string(N) counts bytes, not characters', () => {
  assert.equal(
    varDump({ k: '支付', n: 2, f: 0.5, b: true, z: null, l: ['x'] }),
    'array(6) {\n  ["k"]=>\n  string(6) "支付"\n  ["n"]=>\n  int(2)\n  ["f"]=>\n  float(0.5)\n  ["b"]=>\n  bool(true)\n  ["z"]=>\n  NULL\n  ["l"]=>\n  array(1) {\n    [0]=>\n    string(1) "x"\n  }\n}\n',
  );
});

test('json_encode without flags escapes slashes and non-ASCII', () => {
  assert.equal(phpJsonEncode({ u: 'https://a.b/c', s: '支付', q: 'a"b\\c', n: 10, l: [1, 'x'] }), '{"u":"https:\\/\\/a.b\\/c","s":"\\u652f\\u4ed8","q":"a\\"b\\\\c","n":10,"l":[1,"x"]}');
});

test('http_build_query: urlencode, nulls dropped, bools as 1/0', () => {
  assert.equal(httpBuildQueryFlat({ email: 'a@qq.com', name: '会员 月卡', z: null, t: true, n: 5 }), 'email=a%40qq.com&name=%E4%BC%9A%E5%91%98+%E6%9C%88%E5%8D%A1&t=1&n=5');
});

// ---- round trips ---------------------------------------------------------------------------------

const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,11}$/);
// values as payloads carry them: no line breaks, no surrounding blanks, never the word a dump opens with
const text = fc
  .string({ unit: fc.constantFrom(...'abcXYZ019 -_.:/@=&+%\'"\\支付订单卡密'.split('')), maxLength: 24 })
  .filter((s) => s === s.trim() && s !== 'Array' && s !== 'array (' && !/ Object$/.test(s));
const scalar = fc.oneof(text, fc.integer({ min: -1_000_000, max: 1_000_000 }));
const flat = fc.dictionary(key, scalar, { minKeys: 1, maxKeys: 8 });
const nested = fc.dictionary(key, fc.oneof(scalar, flat), { minKeys: 1, maxKeys: 6 });

function withMessage(dump: string, message: string): string[] {
  const lines = dump.replace(/\n$/, '').split('\n');
  lines[0] = `${message} ${lines[0]}`;
  return lines;
}

test('print_r and var_export read back to the same data (the project reader)', () => {
  fc.assert(
    fc.property(nested, (a) => {
      const expected = flattenContext(asStrings(a));
      assert.deepEqual(readDump(withMessage(printR(a), 'notify'))?.params, expected);
      assert.deepEqual(readDump(withMessage(varExport(a), 'notify'))?.params, expected);
    }),
    { numRuns: 300 },
  );
});

test('var_dump, json_encode and http_build_query read back to the same data', () => {
  fc.assert(
    fc.property(nested, flat, (a, f) => {
      assert.deepEqual(readVarDump(varDump(a)), asArrays(a));
      assert.deepEqual(JSON.parse(phpJsonEncode(a)), asArrays(a));
      assert.deepEqual(formDecode(httpBuildQueryFlat(f as PhpArray)), asStrings(f));
    }),
    { numRuns: 300 },
  );
});
