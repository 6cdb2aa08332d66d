// Runs a parser over bytes the way the pipeline does (LineSplitter → decodeLine → parser), so
// CRLF, GBK and a missing last newline go through the real code, and records what came out.

import assert from 'node:assert/strict';
import type { LogEvent } from '../../src/model/types';
import type { ParserDefinition } from '../../parsers/parser';
import { ZoneClock } from '../../parsers/time';
import { LineSplitter } from '../../src/sources/line-splitter';
import { decodeLine } from '../../src/sources/decode-line';

export type Item =
  | { t: 'event'; ev: LogEvent }
  | { t: 'reject'; line: number; offset: number; reason: string; text: string }
  | { t: 'blank'; line: number };

export interface Run {
  items: Item[];
  events: LogEvent[];
  rejects: { line: number; offset: number; reason: string; text: string }[];
  blanks: number[];
  lines: number;
}

export function runParser(def: ParserDefinition, input: string | Buffer, tz = 'Asia/Shanghai', maxLineBytes = 1 << 20): Run {
  const items: Item[] = [];
  const parser = def.create(
    { file: 'test.log', clock: new ZoneClock(tz) },
    {
      event: (ev) => items.push({ t: 'event', ev }),
      reject: (line, offset, reason, text) => items.push({ t: 'reject', line, offset, reason, text }),
      blank: (line) => items.push({ t: 'blank', line }),
    },
  );
  const splitter = new LineSplitter(
    {
      line(buf, start, end, lineNo, offset) {
        const d = decodeLine(buf, start, end);
        if (!d.ok) items.push({ t: 'reject', line: lineNo, offset, reason: d.reason, text: '' });
        else parser.line(d.text, lineNo, offset);
      },
      overlong(_head, length, lineNo, offset) {
        items.push({ t: 'reject', line: lineNo, offset, reason: `overlong ${length}`, text: '' });
      },
    },
    maxLineBytes,
  );
  splitter.push(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  const stats = splitter.end();
  parser.end();
  return {
    items,
    events: items.flatMap((i) => (i.t === 'event' ? [i.ev] : [])),
    rejects: items.flatMap((i) => (i.t === 'reject' ? [{ line: i.line, offset: i.offset, reason: i.reason, text: i.text }] : [])),
    blanks: items.flatMap((i) => (i.t === 'blank' ? [i.line] : [])),
    lines: stats.lines,
  };
}

/**
 * Every physical line ends as exactly one of: a line an event consumed, a reject, a blank. An
 * event consumes the lines of its span line..lineEnd that were not rejected before reaching the
 * parser (undecodable, overlong), and says how many in `lines` when that is fewer than the span.
 */
export function assertCovered(run: Run): void {
  const owner = new Array<string | undefined>(run.lines + 1);
  const claim = (line: number, who: string) => {
    assert.ok(line >= 1 && line <= run.lines, `${who} names line ${line} outside 1..${run.lines}`);
    assert.equal(owner[line], undefined, `line ${line} is claimed by ${owner[line]} and by ${who}`);
    owner[line] = who;
  };
  for (const i of run.items) {
    if (i.t === 'reject') claim(i.line, `reject ${i.line}`);
    else if (i.t === 'blank') claim(i.line, `blank ${i.line}`);
  }
  for (const i of run.items) {
    if (i.t !== 'event') continue;
    const ev = i.ev;
    assert.ok(ev.lineEnd >= ev.line, `event at ${ev.line} ends before it starts`);
    assert.equal(owner[ev.line], undefined, `event ${ev.line} starts on a line claimed by ${owner[ev.line]}`);
    let consumed = 0;
    for (let l = ev.line; l <= ev.lineEnd; l++) {
      if (owner[l]?.startsWith('reject')) continue;
      claim(l, `event ${ev.line}-${ev.lineEnd}`);
      consumed++;
    }
    assert.equal(ev.lines ?? ev.lineEnd - ev.line + 1, consumed, `event ${ev.line}-${ev.lineEnd} says it consumed ${ev.lines} lines`);
  }
  for (let l = 1; l <= run.lines; l++) assert.notEqual(owner[l], undefined, `line ${l} is accounted for by nothing`);
}

/** Byte offset of the start of 1-based line `n` in `text` (LF separated). */
export function offsetOfLine(text: string | Buffer, n: number): number {
  const b = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let off = 0;
  for (let i = 1; i < n; i++) off = b.indexOf(0x0a, off) + 1;
  return off;
}

/** Epoch ms of an ISO string, for readable expectations. */
export const at = (iso: string): number => Date.parse(iso);
