import { createHash } from 'node:crypto';
import type { Evidence, EvidenceFields, LogEvent, SignatureState } from '../../src/model/types';
import { decodeQuery } from '../../parsers/params';
import { isoWithOffset, wallMsFromYmdHis, type ZoneClock } from '../../parsers/time';
import { GATEWAYS } from '../../parsers/gateways/registry';
import type { GatewayDefinition, GatewayPayment, GatewayReading, KeyRing } from '../../parsers/gateways/gateway';
import { extractTarget, type ExtractSpec, type ExtractTarget, type SourcedRule, type Transform } from './pack';
import { findCandidates, type Candidate } from './payload-finder';
import { ShapeRecogniser, STEP_KIND } from './shape';
import type { VocabularyData } from './vocabulary-data';
import { unescapeNginx } from '../../parsers/params';

// The engine applies compiled rules to events. Everything that can be done once — regexes,
// literal path prefixes used as a cheap pre-filter, status sets, extractor closures — is done
// when the engine is built, so the per-event work is comparisons and the matches themselves.

export interface EngineOptions {
  keys?: KeyRing;
  clock: ZoneClock;
  /** Keep card keys in evidence as they were logged. Off by default: they are secrets. */
  revealCardKeys?: boolean;
  /** The shape vocabulary: with it, entries no rule matched are recognised by what they carry
   *  (gateway payloads, order numbers with order fields). Without it, only rules apply. */
  vocabulary?: VocabularyData;
}

/** Weights of evidence found by shape. A gateway payload is what it is, whatever the line says,
 *  so it weighs as a rule reading the same payload would; wording is a guess and weighs less. */
const SHAPE_WEIGHT = { gateway: 0.8, inferred: 0.5, mentioned: 0.3 } as const;


interface MatchState {
  ev: LogEvent;
  pathMatch: RegExpExecArray | null;
  messageMatch: RegExpExecArray | null;
  gateway: GatewayPayment | undefined;
}

/** A rule's reading of an event: everything its evidence says, before provenance and fingerprint. */
export interface Match {
  readonly ev: LogEvent;
  readonly rule: string;
  readonly emit: Evidence['kind'];
  readonly weight: number;
  readonly fields: EvidenceFields;
  readonly signature: SignatureState | undefined;
  /** The time the payload itself gives, for an entry that carries none of its own (a dump in a
   *  developer's notes): epoch ms and the offset it was read in. */
  readonly payloadTime?: { ms: number; offsetMin: number };
}

type Getter = (s: MatchState) => string | undefined;
type Extractor = { get: Getter; target: ExtractTarget };

interface CompiledRule {
  id: string;
  family: string;
  emit: Evidence['kind'];
  weight: number;
  method?: string;
  pathPrefix: string;
  pathRe?: RegExp;
  statusOk?: (status: string) => boolean;
  bytes?: Set<string>;
  level?: string;
  messageRe?: RegExp;
  messagePrefix: string;
  params: string[];
  equals: { get: Getter; value: string }[];
  gateway?: GatewayDefinition;
  extractors: Extractor[];
}

/** The literal text a regex must start with (after ^), usable as a startsWith pre-filter. */
export function literalPrefix(source: string): string {
  if (!source.startsWith('^')) return '';
  let out = '';
  for (let i = 1; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      const n = source[i + 1];
      if (n !== undefined && /[/.\-?*+()[\]{}|^$\\]/.test(n)) {
        // A quantifier right after would make this character optional.
        if (/[?*{]/.test(source[i + 2] ?? '')) return out;
        out += n;
        i++;
        continue;
      }
      return out;
    }
    if (/[.?*+()[\]{}|^$]/.test(c)) return out;
    if (/[?*{]/.test(source[i + 1] ?? '')) return out;
    out += c;
  }
  return out;
}

function statusMatcher(spec: string): (status: string) => boolean {
  const parts = spec.split(',');
  const exact = new Set(parts.filter((p) => !p.endsWith('xx')));
  const classes = new Set(parts.filter((p) => p.endsWith('xx')).map((p) => p[0]!));
  return (s) => exact.has(s) || classes.has(s[0]!);
}

/** Parameters of an event: its own (app-log context), else its decoded query string. Memoised on the event. */
/** Formats that record a request without its answer, and the `copy` their evidence is marked with. */
const UNANSWERED_COPY: Readonly<Record<string, string>> = { 'nginx-error': 'error_log', 'acg-faka-request': 'request_log' };

export function paramsOf(ev: LogEvent): Record<string, string> {
  if (ev.params) return ev.params;
  const q = ev.fields.query;
  const body = ev.fields.request_body;
  const p = q ? decodeQuery(q) : {};
  if (body && body !== '-') Object.assign(p, decodeQuery(body), p);
  ev.params = p;
  return p;
}

function getter(src: string): Getter {
  if (src === 'ts') return (s) => (Number.isNaN(s.ev.tsMs) ? undefined : isoWithOffset(s.ev.tsMs, s.ev.tzOffsetMin));
  const dot = src.indexOf('.');
  const kind = src.slice(0, dot);
  const name = src.slice(dot + 1);
  switch (kind) {
    case 'field':
      return (s) => s.ev.fields[name];
    case 'param':
      return (s) => paramsOf(s.ev)[name];
    case 'path':
      return (s) => s.pathMatch?.groups?.[name];
    case 'message':
      return (s) => s.messageMatch?.groups?.[name];
    case 'gateway':
      return (s) => {
        const v = s.gateway?.[name as keyof GatewayPayment];
        return v === undefined ? undefined : String(v);
      };
    default:
      throw new Error(`unknown value source ${src}`);
  }
}

function compileExtractor(name: string, spec: ExtractSpec): Extractor {
  const as: Transform = typeof spec === 'string' ? 'text' : spec.as ?? 'text';
  const target = extractTarget(name, as);
  // Packs are checked when loaded (load-packs.ts says which file and rule); this is for rules
  // handed to the engine some other way.
  if ('refused' in target) throw new Error(`extract.${name}: ${target.refused}`);
  if (typeof spec === 'string') return { get: getter(spec), target };
  if (spec.value !== undefined) {
    const v = String(spec.value);
    return { get: () => v, target };
  }
  return { get: getter(spec.from!), target };
}

function compileRule(s: SourcedRule): CompiledRule {
  const r = s.rule;
  const c: CompiledRule = {
    id: r.id,
    family: r.match.family,
    emit: r.emit,
    weight: r.weight,
    pathPrefix: r.match.path ? literalPrefix(r.match.path) : '',
    messagePrefix: r.match.message ? literalPrefix(r.match.message) : '',
    params: r.match.params ?? [],
    equals: Object.entries(r.match.equals ?? {}).map(([src, value]) => ({ get: getter(src), value })),
    extractors: Object.entries(r.extract ?? {}).map(([name, spec]) => compileExtractor(name, spec)),
  };
  if (r.match.method) c.method = r.match.method.toUpperCase();
  if (r.match.path) c.pathRe = new RegExp(r.match.path);
  if (r.match.status) c.statusOk = statusMatcher(r.match.status);
  if (r.match.bytes) c.bytes = new Set(r.match.bytes.split(','));
  if (r.match.level) c.level = r.match.level.toUpperCase();
  if (r.match.message) c.messageRe = new RegExp(r.match.message);
  if (r.payload) c.gateway = GATEWAYS[r.payload];
  return c;
}

/** Same time, same format, same content → same fingerprint, whichever file the line sits in. */
/**
 * Identifies an evidence line across files: a copy of a line (a duplicated rotation, a
 * copytruncate overlap) has the same time, rule and extracted fields. Hashing those few short
 * values (FNV-1a, not cryptographic) costs far less than hashing the whole line, and lines
 * that agree on all of them say the same thing as evidence anyway. The raw text's length is
 * mixed in so that lines differing only in what no rule extracted still differ.
 */
export function fingerprintOf(ev: LogEvent, rule: string, fields: EvidenceFields): string {
  let h = fnv(rule, 0x811c9dc5);
  h = fnv(ev.format, h);
  const f = ev.fields;
  const textLength = (f.request ?? f.message ?? '').length * 65599 + (f.body ?? '').length;
  let h2 = Math.imul((ev.tsMs | 0) ^ textLength, 0x5bd1e995) ^ ev.lineEnd - ev.line;
  for (const v of Object.values(fields)) {
    if (v === undefined) continue;
    h = fnv(typeof v === 'number' ? String(v) : v, h);
    h2 = Math.imul(h2 ^ h, 0x5bd1e995);
  }
  return (h >>> 0).toString(36) + '.' + ((h2 ^ Math.floor(ev.tsMs / 4294967296)) >>> 0).toString(36);
}

function fnv(s: string, h: number): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0x1f, 0x01000193);
}

const CARD_KEY_MASK_KEEP = 4;

export function maskSecret(v: string): string {
  if (v.length <= CARD_KEY_MASK_KEEP * 2) return '*'.repeat(v.length);
  return v.slice(0, CARD_KEY_MASK_KEEP) + '*'.repeat(Math.min(8, v.length - CARD_KEY_MASK_KEEP * 2)) + v.slice(-CARD_KEY_MASK_KEEP);
}

/**
 * A few characters of an event folded into one small integer: the method's first, the path's
 * second and third (the first is nearly always `/`), the message's first. Folding (masking the
 * character codes) only ever makes two events share a key, so a rule list made for a key must
 * keep every rule that agrees with the key's folded characters, never fewer.
 */
function eventKey(method: string, path: string, message: string): number {
  return ((method.charCodeAt(0) & 0x3f) << 24) | ((path.charCodeAt(1) & 0xff) << 16) | ((path.charCodeAt(2) & 0xff) << 8) | (message.charCodeAt(0) & 0xff);
}

/** Could a rule match an event with this key? False only when its method, path prefix or
 *  message prefix disagrees with a folded character (a missing character folds to 0, which can
 *  only keep more rules). */
function mayMatch(r: CompiledRule, key: number): boolean {
  if (r.method !== undefined && (r.method.charCodeAt(0) & 0x3f) !== ((key >>> 24) & 0x3f)) return false;
  if (r.pathRe !== undefined) {
    const x = r.pathPrefix;
    if (x.length > 1 && (x.charCodeAt(1) & 0xff) !== ((key >>> 16) & 0xff)) return false;
    if (x.length > 2 && (x.charCodeAt(2) & 0xff) !== ((key >>> 8) & 0xff)) return false;
  }
  if (r.messageRe !== undefined && r.messagePrefix.length > 0 && (r.messagePrefix.charCodeAt(0) & 0xff) !== (key & 0xff)) return false;
  return true;
}

/**
 * A family's rules, with the ones worth trying for an event key listed once and kept: most
 * events would otherwise be tested against every rule's method and prefixes in turn. The lists
 * keep the rules' order (the first match wins) and only leave out rules that could not match;
 * the rules' own tests still run on what is left.
 */
class RuleIndex {
  private readonly lists = new Map<number, CompiledRule[]>();

  constructor(readonly rules: readonly CompiledRule[]) {}

  candidates(f: Record<string, string>): CompiledRule[] {
    const key = eventKey(f.method ?? '', f.path ?? '', f.message ?? '');
    let list = this.lists.get(key);
    if (list === undefined) {
      // Bounded: hostile paths could spread over many keys.
      if (this.lists.size >= 4096) this.lists.clear();
      list = this.rules.filter((r) => mayMatch(r, key));
      this.lists.set(key, list);
    }
    return list;
  }
}

/** requestMayMatch() for one rule: match()'s tests on the request, the others taken to pass. */
function requestMayMatchRule(r: CompiledRule, method: string, path: string, query: string): boolean {
  if (r.method !== undefined && method !== r.method) return false;
  if (r.pathRe !== undefined) {
    if (r.pathPrefix && !path.startsWith(r.pathPrefix)) return false;
    if (!r.pathRe.test(path)) return false;
  }
  // No level on such an event, and its message is empty.
  if (r.level !== undefined) return false;
  if (r.messageRe !== undefined && (r.messagePrefix !== '' || !r.messageRe.test(''))) return false;
  // Without a body, match() takes the parameters from the query alone, and only when each
  // required name appears there followed by `=`.
  if (r.params.length > 0) {
    if (query === '') return false;
    for (const k of r.params) if (query.indexOf(k + '=') < 0) return false;
  }
  return true;
}

export class RuleEngine {
  private readonly byFamily = new Map<string, RuleIndex>();

  private readonly shape: ShapeRecogniser | undefined;

  constructor(rules: SourcedRule[], private readonly opts: EngineOptions) {
    this.shape = opts.vocabulary !== undefined ? new ShapeRecogniser(opts.vocabulary) : undefined;
    const lists = new Map<string, CompiledRule[]>();
    for (const s of rules) {
      if (s.rule.repeat === 'first') this.firstOnly.add(s.rule.id);
      const c = compileRule(s);
      let list = lists.get(c.family);
      if (!list) lists.set(c.family, (list = []));
      list.push(c);
    }
    for (const [family, list] of lists) this.byFamily.set(family, new RuleIndex(list));
  }

  /**
   * False when no event of this family with this request could be evidence, whatever its status,
   * size and other fields, so that a reader may count it as noise without parsing it (the noise
   * gate, src/pipeline/noise-gate.ts). It is asked about access-log entries only: an event with
   * `method`, `path` and `query`, without a request body, level or message, that is not an error-log
   * entry. It mirrors match() and may only ever say true where match() could find something:
   * every rule is checked by the parts of its match that read the request (method, path,
   * parameters named in the query), the parts that read anything else are taken to agree, and
   * the shape recogniser's own first test on web-server lines is applied as it is.
   */
  requestMayMatch(family: string, method: string, path: string, query: string): boolean {
    const index = this.byFamily.get(family);
    if (index !== undefined) for (const r of index.rules) if (requestMayMatchRule(r, method, path, query)) return true;
    if (this.shape === undefined) return false;
    // matchShape() reads a web-server line only when its query or body names a signature, and
    // such an event has no body.
    return family !== 'nginx' || query.indexOf('ign') >= 0;
  }

  /**
   * The literal path prefixes (longer than `/`) of this family's rules, with their methods: a
   * request whose path starts with one is likely evidence, and a reader that looks for noise need
   * not spend more on it (the noise gate hands such lines straight to the parser).
   */
  pathPrefixes(family: string): { method: string | undefined; prefix: string }[] {
    const index = this.byFamily.get(family);
    if (index === undefined) return [];
    return index.rules.filter((r) => r.pathRe !== undefined && r.pathPrefix.length > 1).map((r) => ({ method: r.method, prefix: r.pathPrefix }));
  }

  /** Rules whose repeated matches for one order are counted but not emitted again (`repeat: first`). */
  readonly firstOnly = new Set<string>();

  /** True when some rule could match events of this parser family (or shapes are recognised). */
  hasRulesFor(family: string): boolean {
    return this.byFamily.has(family) || this.shape !== undefined;
  }

  /** The evidence the first matching rule makes of this event, or null when the event is noise. */
  apply(ev: LogEvent, family: string): Evidence | null {
    const m = this.match(ev, family);
    return m === null ? null : this.evidence(m);
  }

  /**
   * The first matching rule's reading of this event (its fields), or null when the event is
   * noise. Finishing it into evidence is a separate step, because a caller that drops repeats
   * of a `repeat: first` rule can decide from the rule and the fields alone.
   */
  match(ev: LogEvent, family: string): Match | null {
    const index = this.byFamily.get(family);
    if (!index) return this.matchShape(ev, family);
    const f = ev.fields;
    const rules = index.candidates(f);
    const st: MatchState = { ev, pathMatch: null, messageMatch: null, gateway: undefined };
    for (const r of rules) {
      if (r.method !== undefined && f.method !== r.method) continue;
      st.pathMatch = null;
      st.messageMatch = null;
      if (r.pathRe !== undefined) {
        const path = f.path ?? '';
        if (r.pathPrefix && !path.startsWith(r.pathPrefix)) continue;
        st.pathMatch = r.pathRe.exec(path);
        if (st.pathMatch === null) continue;
      }
      if (r.statusOk !== undefined && !r.statusOk(f.status ?? '')) continue;
      if (r.bytes !== undefined && !r.bytes.has(f.bytes ?? '')) continue;
      if (r.level !== undefined && f.level !== r.level) continue;
      if (r.messageRe !== undefined) {
        const msg = f.message ?? '';
        if (r.messagePrefix && !msg.startsWith(r.messagePrefix)) continue;
        st.messageMatch = r.messageRe.exec(msg);
        if (st.messageMatch === null) continue;
      }
      if (r.params.length > 0) {
        // Cheap pre-filter before decoding: a required parameter's name must appear in the raw
        // query (or body). Most lines have no such query, and decoding every one would dominate.
        if (ev.params === undefined && f.request_body === undefined) {
          const q = f.query;
          if (q === undefined || q === '') continue;
          let present = true;
          for (const k of r.params) if (q.indexOf(k + '=') < 0) { present = false; break; }
          if (!present) continue;
        }
        const p = paramsOf(ev);
        let all = true;
        for (const k of r.params) if (!p[k]) { all = false; break; }
        if (!all) continue;
      }
      let eq = true;
      for (const e of r.equals) if (e.get(st) !== e.value) { eq = false; break; }
      if (!eq) continue;
      return this.read(r, st);
    }
    return this.matchShape(ev, family);
  }

  /**
   * An entry no rule matched, read for what it carries: a gateway payload by its parameter set
   * (any family), else, in application logs, an order number by key with order fields, and what
   * happened from the wording. Null when it carries neither: the entry is noise.
   */
  private matchShape(ev: LogEvent, family: string): Match | null {
    const shape = this.shape;
    if (shape === undefined) return null;
    if (family === 'nginx') {
      // Most web-server lines carry no payload: every gateway's signs its fields, so a line whose
      // query and body never say "sign" (or hold no ciphertext) is skipped before any decoding.
      const q = ev.fields.query ?? '';
      const b = ev.fields.request_body ?? '';
      // An error-log entry names the page the request came from (`referrer:`): a signed return
      // URL there is the buyer's copy of a payment. Access-log referrers are left alone: every
      // page after a return would repeat it.
      const r = ev.format === 'nginx-error' ? ev.fields.referrer ?? '' : '';
      const refQuery = r.indexOf('?') >= 0 && r.indexOf('ign') >= 0 ? r.slice(r.indexOf('?') + 1) : '';
      if (q.indexOf('ign') < 0 && b.indexOf('ign') < 0 && b.indexOf('ciphertext') < 0 && refQuery === '') return null;
      const body = b !== '' && b !== '-' ? (b.indexOf('\\x') >= 0 ? unescapeNginx(b) : b) : undefined;
      let found = shape.findGateway(findCandidates(paramsOf(ev), body !== undefined ? [body] : []));
      let fromReferrer = false;
      if (found === null && refQuery !== '') {
        found = shape.findGateway(findCandidates(undefined, [refQuery]));
        fromReferrer = found !== null;
      }
      if (found === null) return null;
      const m = this.gatewayMatch(ev, found.payload, found.candidate);
      if (m === null) return null;
      if (ev.fields.client_ip !== undefined) m.fields.client_ip = ev.fields.client_ip;
      // The buyer's browser brings a copy back on the return URL, answered with a redirect.
      if (fromReferrer || /return/i.test(ev.fields.path ?? '') || (ev.fields.status ?? '').startsWith('3')) m.fields.copy = 'return';
      if (fromReferrer) m.fields.found_in = 'referrer';
      return m;
    }
    // The message and the lines below it are one text: a dump or an XML document often opens
    // on the message line and goes on below.
    const msg = ev.fields.message ?? '';
    const text = ev.fields.body ? msg + '\n' + ev.fields.body : msg;
    const cands = findCandidates(ev.params, text === '' ? [] : [text]);
    const gw = shape.findGateway(cands);
    if (gw !== null) {
      const m = this.gatewayMatch(ev, gw.payload, gw.candidate);
      if (m !== null) return m;
    }
    const order = shape.findOrder(cands);
    if (order === null) return null;
    const wording = shape.wording(ev.fields.message ?? '');
    const hasFields = Object.keys(order.fields).length > 0;
    const fields: EvidenceFields = { order_id: order.orderId };
    const f = order.fields;
    if (f.buyer_email !== undefined) fields.buyer_email = f.buyer_email.toLowerCase();
    if (f.goods_id !== undefined) fields.goods_id = f.goods_id;
    if (f.amount !== undefined) this.assign(fields, { field: 'amount', as: 'yuan' }, f.amount);
    if (f.pay_id !== undefined) fields.pay_id = f.pay_id;
    if (f.client_ip !== undefined) fields.client_ip = f.client_ip;
    if (f.trade_no !== undefined) fields.trade_no = f.trade_no;
    if (f.card_key !== undefined) this.assign(fields, { as: 'card_key' }, f.card_key);
    fields.order_key = order.orderKey;
    if (wording !== null && wording.step !== null) {
      fields.inferred = wording.words.join(' + ');
      return { ev, rule: `shape.order.${wording.step}`, emit: STEP_KIND[wording.step], weight: SHAPE_WEIGHT.inferred, fields, signature: undefined, ...this.payloadTimeOf(ev, cands[0]) };
    }
    // The order and its fields are shown, but not what happened (the wording is unknown, or
    // says contradictory things): evidence of the fields only.
    if (!hasFields) return null;
    if (wording !== null) fields.wording_ambiguous = wording.words.join(' + ');
    return { ev, rule: 'shape.order.mentioned', emit: 'order_mentioned', weight: SHAPE_WEIGHT.mentioned, fields, signature: undefined, ...this.payloadTimeOf(ev, cands[0]) };
  }

  /** A gateway payload found by shape, read as the rule packs' `payload:` would read it. */
  private gatewayMatch(ev: LogEvent, payload: string, c: Candidate): (Match & { fields: EvidenceFields }) | null {
    const def = GATEWAYS[payload]!;
    // WeChat Pay v2 signs the XML's fields: a dump of them (print_r of the parsed array) is
    // turned back into XML, which carries exactly the same fields and values.
    const params = c.xml !== undefined ? { xml: c.xml } : payload === 'wechatpay-v2' ? { xml: flatXml(c.map) } : c.map;
    const st: MatchState = { ev, pathMatch: null, messageMatch: null, gateway: undefined };
    const fields: EvidenceFields = {};
    const reading = def.read(params, this.opts.keys ?? {}, undefined);
    if (reading.absent) return null;
    const signature = this.applyGateway(fields, reading, st);
    fields.found_in = c.via;
    if (ev.fields.status !== undefined && ev.format.startsWith('nginx')) fields.http_status = ev.fields.status;
    markUnansweredCopy(ev, fields);
    return { ev, rule: `shape.gateway.${payload}`, emit: 'payment_notified', weight: SHAPE_WEIGHT.gateway, fields, signature, ...this.payloadTimeOf(ev, c, st.gateway?.paid_time) };
  }

  /** For an entry without a time of its own: the time its payload gives, if any. */
  private payloadTimeOf(ev: LogEvent, c: Candidate | undefined, paidTime?: string): { payloadTime?: { ms: number; offsetMin: number } } {
    if (!Number.isNaN(ev.tsMs) || this.shape === undefined) return {};
    const texts: string[] = [];
    if (paidTime !== undefined) texts.push(paidTime);
    if (c !== undefined) for (const k of this.shape.payloadTimeKeys) if (c.map[k]) texts.push(c.map[k]!);
    for (const t of texts) {
      const iso = this.localTime(t);
      if (iso === undefined) continue;
      const ms = Date.parse(iso);
      if (Number.isNaN(ms)) continue;
      const off = /([+-])(\d{2}):(\d{2})$/.exec(iso);
      const offsetMin = off === null ? 0 : (off[1] === '-' ? -1 : 1) * (Number(off[2]) * 60 + Number(off[3]));
      return { payloadTime: { ms, offsetMin } };
    }
    return {};
  }

  /** The evidence of a match: its time as text, its provenance and its fingerprint. */
  evidence(m: Match): Evidence {
    const ev = m.ev;
    const tsMs = m.payloadTime?.ms ?? ev.tsMs;
    const offsetMin = m.payloadTime?.offsetMin ?? ev.tzOffsetMin;
    const e: Evidence = {
      kind: m.emit,
      rule: m.rule,
      weight: m.weight,
      format: ev.format,
      ts: Number.isNaN(tsMs) ? null : this.isoOf(tsMs, offsetMin),
      tsMs,
      source: { file: ev.file, line: ev.line, lineEnd: ev.lineEnd, offset: ev.offset },
      fields: m.fields,
      fingerprint: '',
    };
    if (m.signature !== undefined) e.signature = m.signature;
    if (m.payloadTime !== undefined) e.fields.dated_by = 'payload';
    e.fingerprint = fingerprintOf(ev, m.rule, m.fields);
    return e;
  }

  /** Neighbouring lines mostly share their second, so the last text made is kept. */
  private isoOf(ms: number, offsetMin: number): string {
    if (ms !== this.lastIsoMs || offsetMin !== this.lastIsoOffset) {
      this.lastIso = isoWithOffset(ms, offsetMin);
      this.lastIsoMs = ms;
      this.lastIsoOffset = offsetMin;
    }
    return this.lastIso;
  }

  private lastIsoMs = NaN;
  private lastIsoOffset = 0;
  private lastIso = '';

  /** The fields a matched rule reads from its event; null only when a gateway rule's line
   *  carries no callback payload at all (a POST logged without its body), which is noise. */
  private read(r: CompiledRule, st: MatchState): Match | null {
    const ev = st.ev;
    let signature: SignatureState | undefined;
    const fields: EvidenceFields = {};
    if (r.gateway) {
      const read = r.gateway.read(paramsOf(ev), this.opts.keys ?? {}, ev.fields.request_body);
      if (read.absent) return null;
      signature = this.applyGateway(fields, read, st);
    }
    for (const x of r.extractors) {
      const raw = x.get(st);
      if (raw === undefined || raw === '' || raw === '-') continue;
      this.assign(fields, x.target, raw);
    }
    // The note goes last, as it always has: fields' order is part of the fingerprint.
    if (r.gateway && fields.signature_note !== undefined) {
      const note = fields.signature_note;
      delete fields.signature_note;
      fields.signature_note = note;
    }
    if (ev.fields.status !== undefined && ev.format.startsWith('nginx')) fields.http_status = ev.fields.status;
    markUnansweredCopy(ev, fields);
    return { ev, rule: r.id, emit: r.emit, weight: r.weight, fields, signature };
  }

  /** A gateway reading's payment, copied into evidence fields; returns its signature state. */
  private applyGateway(fields: EvidenceFields, read: GatewayReading, st: MatchState): SignatureState {
    st.gateway = read.payment;
    if (read.problem !== undefined) fields.payload_problem = read.problem;
    // An unreadable payload proves no payment, whatever the rule extracts besides.
    if (read.payment === undefined) fields.gateway_success = 'no';
    const g = read.payment;
    if (g !== undefined) {
      if (g.order_id !== undefined) fields.order_id = g.order_id;
      if (g.trade_no !== undefined) fields.trade_no = g.trade_no;
      if (g.amount !== undefined) fields.amount = g.amount;
      fields.channel = g.channel;
      fields.currency = 'CNY';
      if (g.merchant_id !== undefined) fields.merchant_id = g.merchant_id;
      if (g.status !== undefined) fields.gateway_status = g.status;
      fields.gateway_success = g.success ? 'yes' : 'no';
      if (g.paid_time !== undefined) {
        const t = this.localTime(g.paid_time);
        if (t !== undefined) fields.paid_at = t;
      }
      if (g.buyer !== undefined) fields.buyer_account = g.buyer;
      if (g.refund_amount !== undefined) fields.refund_amount = g.refund_amount;
    }
    // A log that masked some parameters (acg-faka's request log writes "***" for keys that look
    // secret, e.g. epusdt's `token`) cannot show a signature is wrong: the signed text is gone.
    const masked = st.ev.fields.masked;
    if (read.signature === 'bad_signature' && masked !== undefined) {
      fields.signature_note = `the log masked ${masked} (***), so the signature cannot be checked`;
      return 'unverifiable';
    }
    fields.signature_note = read.why;
    return read.signature;
  }

  private localTime(s: string): string | undefined {
    const compact = /^\d{14}$/.test(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)} ${s.slice(8, 10)}:${s.slice(10, 12)}:${s.slice(12, 14)}` : s;
    if (/[+-]\d{2}:\d{2}$|Z$/.test(compact)) {
      const ms = Date.parse(compact);
      return Number.isNaN(ms) ? undefined : compact;
    }
    const wall = wallMsFromYmdHis(compact);
    if (Number.isNaN(wall)) return undefined;
    const r = this.opts.clock.resolveWall(wall);
    return isoWithOffset(r.ms, r.offsetMin);
  }

  private assign(fields: EvidenceFields, target: ExtractTarget, raw: string): void {
    switch (target.as) {
      case 'yuan': {
        const n = Number(raw);
        if (Number.isFinite(n)) fields[target.field] = Math.round(n * 100) / 100;
        return;
      }
      case 'fen_to_yuan': {
        const n = Number(raw);
        if (Number.isFinite(n)) fields[target.field] = Math.round(n) / 100;
        return;
      }
      case 'int': {
        const n = Number.parseInt(raw, 10);
        if (Number.isFinite(n)) fields[target.field] = n;
        return;
      }
      case 'lower':
        fields[target.field] = raw.toLowerCase();
        return;
      case 'upper':
        fields[target.field] = raw.toUpperCase();
        return;
      case 'trim':
        fields[target.field] = raw.trim();
        return;
      case 'time': {
        const t = this.localTime(raw);
        if (t !== undefined) fields[target.field] = t;
        return;
      }
      case 'card_key': {
        // Secrets stop here: downstream stages see a hash (for joins and duplicate checks) and a mask.
        fields.card_key_hash = createHash('sha256').update(raw).digest('hex');
        fields.card_key_masked = maskSecret(raw);
        if (this.opts.revealCardKeys) fields.card_key = raw;
        return;
      }
      case 'php_controller': {
        // `/www/app/Http/Controllers/Pay/YipayController.php` → `yipay`: dujiaoka names each
        // pay controller after its route (routes/common/pay.php), as a trace frame shows it.
        const m = /([A-Za-z0-9]+)Controller\.php$/.exec(raw);
        if (m) fields[target.field] = m[1]!.toLowerCase();
        return;
      }
      case 'text':
        fields[target.field] = raw;
    }
  }
}

/** Flat fields as the XML WeChat Pay v2 posts (CDATA keeps any text as it is). */
function flatXml(m: Record<string, string>): string {
  const parts = ['<xml>'];
  for (const [k, v] of Object.entries(m)) if (/^[A-Za-z_][\w]*$/.test(k)) parts.push(`<${k}><![CDATA[${v.replace(/]]>/g, ']]]]><![CDATA[>')}]]></${k}>`);
  parts.push('</xml>');
  return parts.join('');
}

/**
 * nginx's error log and acg-faka's request log show that a request reached the shop, not how it
 * was answered (no status): the correlator must not take such a copy of a callback for an
 * acknowledged one. A PHP fatal error means the script died on it: an error answer.
 */
function markUnansweredCopy(ev: LogEvent, fields: EvidenceFields): void {
  const copy = UNANSWERED_COPY[ev.format];
  if (copy !== undefined && fields.copy === undefined) fields.copy = copy;
  if (ev.format === 'nginx-error' && ev.fields.php_fatal === 'yes') fields.shop_failed = 'yes';
}
