import type { Block } from './block-file';
import type { Evidence, EvidenceKind } from '../model/types';
import { sourceOf } from './clock-skew';
import type { Names } from './names';

// A line with no order number and no link key. Its evidence waits on disk for the joins that
// can place it (a creation line by its client, an unlogged callback by its time); what those
// joins need of it stays here, in a fixed small shape.

export class ParkedLine {
  /** The evidence text, held only while a creation line waits for its join while reading. */
  json: string | undefined = undefined;

  constructor(
    readonly kind: EvidenceKind,
    readonly rule: string,
    readonly tsMs: number,
    readonly file: string,
    readonly line: number,
    /** Creation lines: `ip|user agent`, the shared copy. */
    readonly client: string | null,
    /** Callbacks: the pay handler they were posted to. */
    readonly handler: string | null,
    /** The amount the line names, NaN when none. */
    readonly amount: number,
    /** Where it was logged (a source number, from 1): for clock correction. */
    readonly source: number,
    /** Where the evidence text is parked (BlockFile position and length). */
    readonly pos: number,
    readonly len: number,
  ) {}

  get at(): Block {
    return { pos: this.pos, len: this.len };
  }
}

/** What a join keeps of a line parked at `at`: `client` for a creation line, `handler` for a callback. */
export function parkedLine(e: Evidence, names: Names, at: Block, client: string | null, handler: string | null): ParkedLine {
  const f = e.fields;
  const amount = typeof f.amount === 'number' && Number.isFinite(f.amount) ? f.amount : NaN;
  return new ParkedLine(e.kind, names.name(e.rule), e.tsMs, names.name(e.source.file), e.source.line, client, handler, amount, names.sourceCode(sourceOf(e)), at.pos, at.len);
}

/** Time order, then file and line: the order every end-of-run join walks lines in. */
export function byTimeThenPlace(a: ParkedLine, b: ParkedLine): number {
  return a.tsMs - b.tsMs || (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line);
}

/** Evidence JSON with a `joinedBy` note added last, as `{ ...e, joinedBy }` would put it, without parsing it. */
export function withJoinedBy(json: string, how: string): string {
  return `${json.slice(0, -1)},"joinedBy":${JSON.stringify(how)}}`;
}

export interface JoinSink {
  /** While reading: the order may still be open. */
  add(oid: string, json: string, tsMs: number): void;
  /** At the end of the run. */
  addLate(oid: string, json: string): void;
  /** Takes back a join made while reading. */
  retract(oid: string, json: string): void;
}

/** Milliseconds to take off times logged by a source (its clock correction), by source number. */
export type ClockShift = (source: number) => number;

/** A line no join could place: reported with its evidence text (for the time it was logged at). */
export type Miss = (l: ParkedLine, why: string, json: string) => void;
