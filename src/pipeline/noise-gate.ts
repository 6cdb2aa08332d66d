import type { LineParser } from '../../parsers/parser';
import { scanPlainCombined, SCAN } from '../../parsers/nginx/combined-scan';
import { splitRequest } from '../../parsers/nginx/combined';
import { TimeLocalCache } from '../../parsers/time';
import type { RuleEngine } from '../../rules/engine/engine';
import type { RequestMentions } from '../audit/noise-mentions';
import type { FileEvidence } from './file-evidence';

// Most lines of an access log are noise to a shop: pages, assets, crawlers. Parsing each into an
// event only for the rules to turn it down was most of the cost of reading such a log. The gate
// sits in front of the parser and decides those lines from their request text: it finds the
// fields by offset (parsers/nginx/combined-scan.ts), and asks the rule engine once per distinct
// request whether any rule could make evidence of it (RuleEngine.requestMayMatch, compiled from
// the packs). A line it is not sure of, or whose request some rule might want, goes to the parser
// as before, and so at once does a line whose path starts with a rule's literal prefix (mostly
// evidence, often one request per order, not worth deciding and remembering). A line it decides is counted exactly as the parser and the rules would have counted
// it: noise, parsed, its time, and its part of the mentions audit (test/pipeline/noise-gate.test.ts).

/** Distinct requests remembered per file; junk requests could be all different. */
const REQUESTS = 4096;

/** Requests compared in place before a lookup. */
const RECENT = 8;

/** What the gate knows of one request text. */
interface Request {
  text: string;
  /** No rule could make evidence of it. */
  noise: boolean;
  mentions: RequestMentions | undefined;
}

export class NoiseGate implements LineParser {
  private readonly at = new Int32Array(5);
  private readonly requests = new Map<string, Request>();
  private readonly times = new TimeLocalCache();
  private readonly recent: (Request | undefined)[] = new Array<Request | undefined>(RECENT).fill(undefined);
  private next = 0;
  private readonly routes = new Map<number, { method: string | undefined; prefix: string }[]>();

  constructor(
    private readonly parser: LineParser,
    private readonly evidence: FileEvidence,
    private readonly engine: RuleEngine,
    private readonly family: string,
  ) {
    // By the prefix's character after the leading `/`.
    for (const r of engine.pathPrefixes(family)) {
      const c = r.prefix.charCodeAt(1);
      let list = this.routes.get(c);
      if (list === undefined) this.routes.set(c, (list = []));
      if (!list.some((x) => x.prefix === r.prefix && x.method === r.method)) list.push(r);
    }
  }

  line(text: string, lineNo: number, offset: number): void {
    const at = this.at;
    // The request is in the first quotes of a line the gate can read, which is checked after.
    if (this.routed(text, text.indexOf('"') + 1) || !scanPlainCombined(text, at)) return this.parser.line(text, lineNo, offset);
    const request = this.request(text, at[SCAN.REQUEST_START]!, at[SCAN.REQUEST_END]!);
    if (!request.noise) return this.parser.line(text, lineNo, offset);
    const t = this.times.parseIn(text, at[SCAN.TIME_START]!, at[SCAN.TIME_END]!);
    // A bad time is the parser's to reject, with its reason.
    if (Number.isNaN(t.ms)) return this.parser.line(text, lineNo, offset);
    this.evidence.gatedNoise(lineNo, offset, t.ms, t.offsetMin, request.mentions!, text, at[SCAN.STATUS]!);
  }

  /** True when the request starting at `start` (if it does) goes to a path some rule names by its prefix:
   *  such lines are mostly evidence, and often each names its own order, so deciding and
   *  remembering them one by one would cost more than it saves. Read in place. */
  private routed(line: string, start: number): boolean {
    const space = line.indexOf(' ', start);
    const routes = this.routes.get(line.charCodeAt(space + 2));
    if (routes === undefined) return false;
    for (const r of routes) {
      if (line.startsWith(r.prefix, space + 1) && (r.method === undefined || (space - start === r.method.length && line.startsWith(r.method, start)))) return true;
    }
    return false;
  }

  end(): void {
    this.parser.end();
  }

  /** What is known of the request at [start, end) of the line. Lines of a log repeat a few
   *  requests: the last few are compared in place before a string is made for the lookup. */
  private request(line: string, start: number, end: number): Request {
    const len = end - start;
    const recent = this.recent;
    for (let i = 0; i < RECENT; i++) {
      const r = recent[i];
      if (r !== undefined && r.text.length === len && line.startsWith(r.text, start)) return r;
    }
    const text = line.slice(start, end);
    let r = this.requests.get(text);
    if (r === undefined) {
      if (this.requests.size >= REQUESTS) this.requests.clear();
      // The parts the parser would give the event (the text has no escapes to undo).
      const q = splitRequest(text);
      const noise = !this.engine.requestMayMatch(this.family, q.method, q.path, q.query);
      r = { text, noise, mentions: noise ? this.evidence.requestMentions(q.method, q.path, q.query) : undefined };
      this.requests.set(text, r);
    }
    recent[this.next] = r;
    this.next = (this.next + 1) % RECENT;
    return r;
  }
}
