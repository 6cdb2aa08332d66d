// A line the decoder rejects (neither UTF-8 nor GBK) never reaches the parser. When it sits inside
// a multi-line entry, the entry's span covers it but the entry must not count it: `lines` says
// how many lines the entry consumed, so the file's accounting adds up.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acgFakaRuntime } from '../../parsers/app/acg-faka-runtime';
import { thinkphp } from '../../parsers/app/thinkphp';
import { generic } from '../../parsers/app/generic';
import type { ParserDefinition } from '../../parsers/parser';
import { assertCovered, runParser } from './support';

const BAD = Buffer.from([0x20, 0x20, 0xff, 0xfe, 0x80, 0x0a]); // "  \xff\xfe\x80\n": no text encoding

function withBadLine(lines: string[], badAfter: number): Buffer {
  const head = Buffer.from(lines.slice(0, badAfter).join('\n') + '\n');
  const tail = Buffer.from(lines.slice(badAfter).join('\n') + '\n');
  return Buffer.concat([head, BAD, tail]);
}

// [parser, lines (the bad line goes after line `badAfter`), expected span end and lines consumed]
const CASES: [ParserDefinition, string[], number, number, number][] = [
  // 1 header, 2 "(", 3 bad, 4 "[pid] => 1001", 5 ")", 6 next header: the entry is 1-5 and consumed 4.
  [acgFakaRuntime, ['[NOTIFY][2026-11-21 14:03:12]:Array', '(', '    [pid] => 1001', ')', '[CALLBACK][2026-11-21 14:03:13]:签名验证失败'], 2, 5, 4],
  // 1 header, 2 'pid', 3 bad, 4 ")", 5 next: 1-4, consumed 3.
  [thinkphp, ['[2026-11-21T14:03:11+08:00][error] array (', "  'pid' => '1001',", ')', '[2026-11-21T14:03:12+08:00][info] next'], 2, 4, 3],
  // 1 header, 2 "at a", 3 bad, 4 "at b", 5 next: 1-4, consumed 3.
  [generic, ['2026-11-21 14:03:11 ERROR boom', '\tat a', '\tat b', '2026-11-21 14:03:12 INFO next'], 2, 4, 3],
];

for (const [def, lines, badAfter, lineEnd, consumed] of CASES) {
  test(`${def.id}: an undecodable line inside an entry is a reject, and the entry does not count it`, () => {
    const r = runParser(def, withBadLine(lines, badAfter));
    assertCovered(r);
    assert.deepEqual(r.rejects.map((x) => x.line), [badAfter + 1]);
    assert.match(r.rejects[0]!.reason, /neither UTF-8 nor GBK/);
    assert.equal(r.events.length, 2);
    const first = r.events[0]!;
    assert.deepEqual([first.line, first.lineEnd, first.lines], [1, lineEnd, consumed]);
    assert.equal(r.events[1]!.line, lineEnd + 1);
    assert.equal(r.events[1]!.lines, 1);
  });
}
