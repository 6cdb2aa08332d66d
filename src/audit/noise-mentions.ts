import type { LogEvent, NoiseMentions, NoiseTemplateTally } from '../model/types';
import { candidateTokens, maskValues } from './tokens';

// Worker side of the mentions audit. Which order numbers the run recovers is only known at
// its end, after every file has been read, so while a file is read each noise line that holds
// order-number-shaped tokens is tallied by its template and its set of tokens; the main thread
// later keeps the sets that name a recovered order. Nothing is read twice, and memory is
// bounded by the budgets below.

/** Distinct token sets tallied per file. One set per order per template is the common case, so
 *  this covers a file naming 50,000 orders in unread lines; beyond it lines are counted as
 *  untracked and the audit reports a lower bound. */
export const MAX_TUPLES_PER_FILE = 50_000;
/** Templates per file: a file with more distinct unread wordings than this is not a log of one
 *  application; lines of further templates are counted as untracked. */
export const MAX_TEMPLATES_PER_FILE = 2_000;
/** Sample lines kept per template, the first ones read. */
export const SAMPLES_PER_TEMPLATE = 8;
const SAMPLE_CHARS = 400;
const TEMPLATE_CHARS = 240;
/** Characters of a message masked for its template: the template keeps only its first
 *  TEMPLATE_CHARS, and masking a message of many megabytes whole cost memory for nothing. */
const MASKED_CHARS = 64 * 1024;
/** Characters of an entry's continuation lines searched for tokens (stack traces can be long). */
const BODY_CHARS = 2_000;

interface Tally {
  lines: number;
  tuples: Map<string, [number, number, number]>;
  samples: NoiseTemplateTally['samples'];
}

/** The text an audit reads of an event: the request for access logs, the message and its
 *  context for application logs. */
export function auditText(ev: LogEvent): { template: string; text: string; scan: string[] } {
  const f = ev.fields;
  if (f.method !== undefined && f.path !== undefined) {
    const request = `${f.method} ${f.path}${f.query ? '?' + f.query : ''}`;
    return {
      template: `${f.method} ${maskValues(f.path.slice(0, MASKED_CHARS))}`,
      text: `${request}${f.status !== undefined ? ' → ' + f.status : ''}`,
      scan: [request, f.request_body ?? ''],
    };
  }
  const message = f.message ?? '';
  const params = ev.params;
  let context = '';
  if (params !== undefined) {
    const keys = Object.keys(params);
    if (keys.length > 0) context = JSON.stringify(params);
  }
  const head = f.level ? `${f.level}: ` : '';
  return {
    template: maskValues(message.slice(0, MASKED_CHARS)),
    text: `${head}${message}${context ? ' ' + context : ''}`,
    scan: [message, context, (f.body ?? '').slice(0, BODY_CHARS)],
  };
}

export class NoiseMentionTally {
  private readonly byTemplate = new Map<string, Tally>();
  private tuples = 0;
  private untracked = 0;
  private readonly tokens: string[] = [];

  /** A noise event of `span` physical lines. */
  add(ev: LogEvent, span: number): void {
    const a = auditText(ev);
    const tokens = this.tokens;
    tokens.length = 0;
    for (const s of a.scan) if (s) candidateTokens(s, tokens);
    if (tokens.length === 0) return;
    const template = a.template.length > TEMPLATE_CHARS ? a.template.slice(0, TEMPLATE_CHARS) + '…' : a.template;
    let t = this.byTemplate.get(template);
    if (t === undefined) {
      if (this.byTemplate.size >= MAX_TEMPLATES_PER_FILE) {
        this.untracked += span;
        return;
      }
      this.byTemplate.set(template, (t = { lines: 0, tuples: new Map(), samples: [] }));
    }
    t.lines += span;
    const key = [...tokens].sort().join(' ');
    const seen = t.tuples.get(key);
    if (seen !== undefined) seen[0] += span;
    else if (this.tuples >= MAX_TUPLES_PER_FILE) this.untracked += span;
    else {
      t.tuples.set(key, [span, ev.line, ev.offset]);
      this.tuples++;
      if (t.samples.length < SAMPLES_PER_TEMPLATE) {
        t.samples.push({ tokens: key, line: ev.line, offset: ev.offset, text: a.text.length > SAMPLE_CHARS ? a.text.slice(0, SAMPLE_CHARS) + '…' : a.text });
      }
    }
  }

  /** What was tallied, as plain data for the FileReport; undefined when no noise line had a candidate. */
  result(): NoiseMentions | undefined {
    if (this.byTemplate.size === 0 && this.untracked === 0) return undefined;
    const templates: NoiseTemplateTally[] = [];
    for (const [template, t] of this.byTemplate) {
      templates.push({ template, lines: t.lines, tuples: [...t.tuples].map(([k, v]) => [k, v[0], v[1], v[2]]), samples: t.samples });
    }
    return { templates, untracked_lines: this.untracked };
  }
}
