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

export interface Tally {
  lines: number;
  tuples: Map<string, [number, number, number]>;
  samples: NoiseTemplateTally['samples'];
}

/** Access-log paths whose template is remembered: noise requests repeat the same few paths
 *  (static files, crawlers), and masking each again was a large share of reading such a log. */
const PATH_TEMPLATES = 4096;
const METHODS_REMEMBERED = 16;

/** The text an audit reads of an event: the request for access logs, the message and its
 *  context for application logs. */
export function auditText(ev: LogEvent): { template: string; text: string; scan: string[] } {
  const f = ev.fields;
  const scan = isRequest(f) ? [requestOf(f), f.request_body ?? ''] : [f.message ?? '', contextOf(ev), bodyOf(f)];
  return { template: templateOf(ev), text: sampleOf(ev), scan };
}

/** The candidate tokens of the texts `auditText(ev).scan` names, in the same order, without
 *  building the template or the sample (most noise lines need neither). */
export function scanForTokens(ev: LogEvent, into: string[]): void {
  const f = ev.fields;
  if (isRequest(f)) {
    candidateTokens(requestOf(f), into);
    if (f.request_body) candidateTokens(f.request_body, into);
    return;
  }
  if (f.message) candidateTokens(f.message, into);
  const context = contextOf(ev);
  if (context) candidateTokens(context, into);
  const body = bodyOf(f);
  if (body) candidateTokens(body, into);
}

function isRequest(f: LogEvent['fields']): f is LogEvent['fields'] & { method: string; path: string } {
  return f.method !== undefined && f.path !== undefined;
}

function requestOf(f: LogEvent['fields'] & { method: string; path: string }): string {
  return `${f.method} ${f.path}${f.query ? '?' + f.query : ''}`;
}

function contextOf(ev: LogEvent): string {
  const params = ev.params;
  return params !== undefined && Object.keys(params).length > 0 ? JSON.stringify(params) : '';
}

function bodyOf(f: LogEvent['fields']): string {
  return (f.body ?? '').slice(0, BODY_CHARS);
}

/** The line with its values masked: what lines that say the same thing have in common. */
function templateOf(ev: LogEvent): string {
  const f = ev.fields;
  if (isRequest(f)) return `${f.method} ${maskValues(f.path.slice(0, MASKED_CHARS))}`;
  return maskValues((f.message ?? '').slice(0, MASKED_CHARS));
}

function cut(template: string): string {
  return template.length > TEMPLATE_CHARS ? template.slice(0, TEMPLATE_CHARS) + '…' : template;
}

/** The line as a sample shows it. */
function sampleOf(ev: LogEvent): string {
  const f = ev.fields;
  if (isRequest(f)) return `${requestOf(f)}${f.status !== undefined ? ' → ' + f.status : ''}`;
  const context = contextOf(ev);
  return `${f.level ? `${f.level}: ` : ''}${f.message ?? ''}${context ? ' ' + context : ''}`;
}

export class NoiseMentionTally {
  private readonly byTemplate = new Map<string, Tally>();
  private tuples = 0;
  private untracked = 0;
  private readonly tokens: string[] = [];
  /** Method → path → template. */
  private readonly pathTemplates = new Map<string, Map<string, string>>();

  /** A noise event of `span` physical lines. */
  add(ev: LogEvent, span: number): void {
    this.tally(ev, span);
  }

  /**
   * One request's share of the tally, for access-log lines counted as noise without being
   * parsed (src/pipeline/noise-gate.ts). Its lines are tallied exactly as add() tallies an event
   * with these fields; what add() would find again for each (no tokens, or the counters they
   * go to) is found once.
   */
  request(method: string, path: string, query: string): RequestMentions {
    return new RequestMentions(this, method, path, query);
  }

  /** add(), saying where the line went: nowhere (no candidate tokens), to these counters
   *  (which the same line would go to again), or to the untracked count. */
  tally(ev: LogEvent, span: number): 'none' | { t: Tally; tuple: [number, number, number] } | 'untracked' {
    const tokens = this.tokens;
    tokens.length = 0;
    scanForTokens(ev, tokens);
    if (tokens.length === 0) return 'none';
    const template = this.templateFor(ev);
    let t = this.byTemplate.get(template);
    if (t === undefined) {
      if (this.byTemplate.size >= MAX_TEMPLATES_PER_FILE) {
        this.untracked += span;
        return 'untracked';
      }
      this.byTemplate.set(template, (t = { lines: 0, tuples: new Map(), samples: [] }));
    }
    t.lines += span;
    const key = tokens.length === 1 ? tokens[0]! : [...tokens].sort().join(' ');
    const seen = t.tuples.get(key);
    if (seen !== undefined) {
      seen[0] += span;
      return { t, tuple: seen };
    }
    if (this.tuples >= MAX_TUPLES_PER_FILE) {
      this.untracked += span;
      return 'untracked';
    }
    const tuple: [number, number, number] = [span, ev.line, ev.offset];
    t.tuples.set(key, tuple);
    this.tuples++;
    if (t.samples.length < SAMPLES_PER_TEMPLATE) {
      const text = sampleOf(ev);
      t.samples.push({ tokens: key, line: ev.line, offset: ev.offset, text: text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) + '…' : text });
    }
    return { t, tuple };
  }

  /** The template of a line, cut to TEMPLATE_CHARS; for requests remembered by method and path,
   *  as the very string used before, so the lookup that follows hashes nothing new. */
  private templateFor(ev: LogEvent): string {
    const f = ev.fields;
    if (!isRequest(f)) return cut(templateOf(ev));
    let byPath = this.pathTemplates.get(f.method);
    if (byPath === undefined) {
      // Junk lines can name any method: the outer map is bounded too.
      if (this.pathTemplates.size >= METHODS_REMEMBERED) this.pathTemplates.clear();
      this.pathTemplates.set(f.method, (byPath = new Map()));
    }
    let template = byPath.get(f.path);
    if (template === undefined) {
      if (byPath.size >= PATH_TEMPLATES) byPath.clear();
      template = cut(templateOf(ev));
      byPath.set(f.path, template);
    }
    return template;
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

/** A request's share of a NoiseMentionTally (see its request()). Counters, once the request has
 *  reached them, are never dropped from the tally, so adding to them directly is what add()
 *  would do; a request with no candidate tokens never will have any. */
export class RequestMentions {
  private none = false;
  private counters: { t: Tally; tuple: [number, number, number] } | undefined;

  constructor(
    private readonly tally: NoiseMentionTally,
    private readonly method: string,
    private readonly path: string,
    private readonly query: string,
  ) {}

  /** A noise line of this request: its number and offset, and its status, which is the three
   *  characters at `statusAt` in `text` (made a string only for a sample). */
  add(line: number, offset: number, text: string, statusAt: number, span: number): void {
    if (this.none) return;
    const c = this.counters;
    if (c !== undefined) {
      c.t.lines += span;
      c.tuple[0] += span;
      return;
    }
    const status = text.slice(statusAt, statusAt + 3);
    const ev = { line, offset, fields: { method: this.method, path: this.path, query: this.query, status } } as unknown as LogEvent;
    const went = this.tally.tally(ev, span);
    if (went === 'none') this.none = true;
    else if (went !== 'untracked') this.counters = went;
  }
}
