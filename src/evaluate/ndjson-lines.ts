import { createReadStream } from 'node:fs';
import split2 from 'split2';
import { EvaluateInputError } from './types';

/** Longest line accepted (a record with a long evidence list stays far below this). */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

export interface NdjsonLine {
  /** 1-based physical line number. */
  line: number;
  text: string;
}

/**
 * Stream the non-blank lines of a text file, one at a time, with their 1-based line numbers.
 * A UTF-8 BOM on the first line is dropped. Blank (whitespace-only) lines are skipped but counted.
 */
export async function* ndjsonLines(file: string): AsyncGenerator<NdjsonLine> {
  const source = createReadStream(file);
  const lines = split2(/\r?\n/, { maxLength: MAX_LINE_CHARS });
  source.on('error', (e) => lines.destroy(e));
  source.pipe(lines);
  let n = 0;
  try {
    for await (const chunk of lines) {
      n++;
      let text = chunk as string;
      if (n === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (text.trim() === '') continue;
      yield { line: n, text };
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.message === 'maximum buffer reached') {
      throw new EvaluateInputError(`${file} line ${n + 1}: line longer than ${MAX_LINE_CHARS} characters; is this an NDJSON file?`);
    }
    throw new EvaluateInputError(`cannot read ${file}: ${err.message}`);
  } finally {
    source.destroy();
    lines.destroy();
  }
}

/** Collects the first few line errors of a file, counts the rest, and throws them together. */
export class LineErrors {
  private readonly shown: string[] = [];
  private total = 0;
  constructor(
    private readonly file: string,
    private readonly what: string,
    private readonly hint: string,
    private readonly maxShown = 20,
  ) {}

  add(line: number, message: string): void {
    this.total++;
    if (this.shown.length < this.maxShown) this.shown.push(`${this.file} line ${line}: ${message}`);
  }

  get count(): number {
    return this.total;
  }

  throwIfAny(): void {
    if (this.total === 0) return;
    if (this.total === 1) throw new EvaluateInputError(`${this.shown[0]}\n${this.hint}`);
    const more = this.total > this.shown.length ? `\n  ... and ${this.total - this.shown.length} more` : '';
    throw new EvaluateInputError(
      `${this.total} broken lines in ${this.what} ${this.file}:\n  ${this.shown.join('\n  ')}${more}\n${this.hint}`,
    );
  }
}
