// The dump writers against PHP itself, when a `php` binary is on PATH (skipped otherwise): print_r,
// var_export, var_dump (captured with ob_start), json_encode and http_build_query of random arrays must
// be byte for byte what PHP writes. Checked with PHP 8.2 when the writers were made.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import fc from 'fast-check';
import { httpBuildQueryFlat, phpJsonEncode, printR, varDump, varExport, type PhpArray, type PhpValue } from '../../src/simulate/vocabulary/php-output';

const hasPhp = spawnSync('php', ['-v']).status === 0;

const SCRIPT = `
$cases = json_decode(file_get_contents('php://stdin'), true);
$out = [];
foreach ($cases as $c) {
  ob_start(); var_dump($c); $vd = ob_get_clean();
  $flat = array_filter($c, function ($v) { return !is_array($v); });
  $out[] = [print_r($c, true), var_export($c, true), $vd, json_encode($c), http_build_query($flat)];
}
echo json_encode($out);
`;

const key = fc.stringMatching(/^[a-z_][a-z0-9_]{0,9}$/);
const text = fc.string({ unit: fc.constantFrom(...'abcXYZ019 -_.:/@=&+%\'"\\支付订单卡密'.split('')), maxLength: 20 });
const scalar = fc.oneof(text, fc.integer({ min: -99999, max: 99999 }), fc.integer({ min: 1, max: 99999 }).map((n) => n / 100 + 0.001));
const flat = fc.dictionary(key, scalar, { minKeys: 1, maxKeys: 6, noNullPrototype: true });
const nested = fc.dictionary(key, fc.oneof(scalar, flat, fc.array(text, { minLength: 1, maxLength: 3 })), { minKeys: 1, maxKeys: 6, noNullPrototype: true });

test('print_r, var_export, var_dump, json_encode and http_build_query match PHP byte for byte', { skip: !hasPhp && 'no php on PATH' }, () => {
  const cases = fc.sample(nested, { numRuns: 200, seed: 42 }) as PhpArray[];
  const php = JSON.parse(execFileSync('php', ['-r', SCRIPT], { input: JSON.stringify(cases) }).toString()) as string[][];
  cases.forEach((c, i) => {
    const flatPart = Object.fromEntries(Object.entries(c).filter(([, v]) => v === null || typeof v !== 'object')) as Record<string, PhpValue>;
    const mine = [printR(c), varExport(c), varDump(c), phpJsonEncode(c), httpBuildQueryFlat(flatPart as PhpArray)];
    assert.deepEqual(mine, php[i], JSON.stringify(c));
  });
});
