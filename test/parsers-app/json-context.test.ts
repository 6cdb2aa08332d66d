import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cannotBeJson, parseJson, splitMessageContext } from '../../parsers/app/json-context';

// cannotBeJson lets the parser skip a JSON.parse that would throw. It may only ever say "cannot"
// when JSON.parse really throws: a wrong "cannot" would silently lose a log entry's context.

const throws = (s: string): boolean => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
};

const jsonText = fc.tuple(fc.jsonValue(), fc.constantFrom(undefined, 1, 2, '\t'), fc.constantFrom('', ' ', '\n', ' \r\n\t')).map(
  ([v, indent, tail]) => JSON.stringify(v, null, indent) + tail,
);

test('cannotBeJson: never says so of JSON text', () => {
  fc.assert(fc.property(jsonText, (s) => !cannotBeJson(s)), { numRuns: 2000 });
});

test('cannotBeJson: when it says so, JSON.parse throws', () => {
  const pieces = fc.constantFrom('{', '}', '[', ']', '"', '\\', ':', ',', ' ', '\n', '\t', 'a', '1', 'null', '\u0001', '"x"', '\\"');
  const text = fc.oneof(fc.array(pieces, { maxLength: 30 }).map((a) => a.join('')), fc.string({ maxLength: 40 }), jsonText.map((s) => s + ' x'));
  fc.assert(fc.property(text, (s) => !cannotBeJson(s) || throws(s)), { numRuns: 5000 });
});

test('cannotBeJson: a stack trace inside a quoted message, and text after the outer value', () => {
  assert.equal(cannotBeJson('{"exception":"[object] (E at a.php:1)\n[stacktrace]\n#0 {main}\n"}'), true);
  assert.equal(cannotBeJson('[2002] Connection refused'), true);
  assert.equal(cannotBeJson('{"a":1} []'), true);
  assert.equal(cannotBeJson('{"a":"\\n"}\n'), false);
  assert.equal(parseJson('{"a":1} []'), undefined);
  assert.deepEqual(parseJson('{"a":[1]}'), { a: [1] });
});

test('splitMessageContext: Monolog context, context plus extra, and a multi-line exception', () => {
  assert.deepEqual(splitMessageContext('创建订单 {"order_sn":"X1"} '), { message: '创建订单', context: { order_sn: 'X1' } });
  assert.deepEqual(splitMessageContext('paid {"order_sn":"X1"} []'), { message: 'paid', context: { order_sn: 'X1' } });
  const trace = '订单已经处理 {"exception":"[object] (E(code: 400): x at a.php:412)\n[stacktrace]\n#0 [internal function]: A->b()\n#1 {main}\n"} ';
  assert.deepEqual(splitMessageContext(trace), { message: trace.trimEnd(), context: undefined });
});
