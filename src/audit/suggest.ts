import { STEP_KIND } from '../../rules/engine/shape';
import type { EvidenceKind, LogEvent } from '../model/types';
import { Drain, tokenize, WILDCARD, type DrainOptions } from './drain';
import { escapeRegExp, maskSample, maskValues } from './tokens';
import { auditText } from './noise-mentions';
import { lifecycleWords, type AuditVocabulary, type LifecycleStep } from './vocabulary';
import { unsafeRegexReason } from '../../rules/engine/safe-regex';

// `salvage rules suggest`, the library part: application-log lines that no rule read are mined
// into message templates (src/audit/drain.ts), and each template that carries an order number
// becomes a draft rule: an anchored message regex from the template with the order number as a
// named group, the context keys mapped to salvage fields through rules/shape/vocabulary.yaml,
// and an `emit` guessed from the wording. The draft is YAML for a person to check: every guess
// says so in a comment.

/** Values kept per template position to check against the known orders at the end. */
const VALUES_PER_POSITION = 500;
/** Context keys followed per template. */
const KEYS_PER_TEMPLATE = 200;
const SAMPLES = 3;
/** Templates followed; lines of further templates are counted in `skipped` only. */
export const MAX_MINED_TEMPLATES = 2_000;
/** Share of a template's lines whose value at a position (or under a context key) must look like
 *  an order number for that position to be taken as the order number. */
const ORDER_SHARE = 0.8;
/** Share of a template's lines a context key must appear in to be extracted. */
const KEY_SHARE = 0.5;

interface Position {
  orderShaped: number;
  values: Set<string>;
}

interface Mined {
  family: string;
  lines: number;
  /** Per token position of the message. */
  positions: Position[];
  keys: Map<string, { lines: number; orderShaped: number; values: Set<string> }>;
  samples: { file: string; line: number; text: string }[];
  files: Set<string>;
}

/** Collects the unread lines of application logs, per parser family, into templates. */
export class TemplateCollector {
  private readonly drains = new Map<string, Drain>();
  private readonly mined = new Map<string, Mined>();
  /** Lines of templates past MAX_MINED_TEMPLATES. */
  skipped = 0;

  constructor(private readonly vocab: AuditVocabulary, private readonly drainOpts: Partial<DrainOptions> = {}) {}

  /** An event no rule matched, from a file of this family; false when it is not an
   *  application-log message (an access-log request, an empty message). */
  add(ev: LogEvent, family: string, file: string): boolean {
    const message = ev.fields.message;
    if (message === undefined || ev.fields.method !== undefined) return false;
    const tokens = tokenize(maskValues(message));
    const raw = tokenize(message);
    if (tokens.length === 0 || tokens.length !== raw.length) return false;
    let drain = this.drains.get(family);
    if (drain === undefined) this.drains.set(family, (drain = new Drain(this.drainOpts)));
    const c = drain.add(tokens);
    const id = `${family}\u0000${c.id}`;
    let m = this.mined.get(id);
    if (m === undefined) {
      if (this.mined.size >= MAX_MINED_TEMPLATES) {
        this.skipped++;
        return true;
      }
      this.mined.set(id, (m = { family, lines: 0, positions: tokens.map(() => ({ orderShaped: 0, values: new Set() })), keys: new Map(), samples: [], files: new Set() }));
    }
    m.lines++;
    m.files.add(file);
    const pattern = this.vocab.orderIdPattern;
    for (let i = 0; i < raw.length; i++) {
      const v = valueOf(tokens[i]!, raw[i]!);
      if (v === undefined) continue;
      const p = m.positions[i]!;
      if (pattern.test(v)) p.orderShaped++;
      if (p.values.size < VALUES_PER_POSITION) p.values.add(v);
    }
    for (const [k, v] of Object.entries(ev.params ?? {})) {
      let s = m.keys.get(k);
      if (s === undefined) {
        if (m.keys.size >= KEYS_PER_TEMPLATE) continue;
        m.keys.set(k, (s = { lines: 0, orderShaped: 0, values: new Set() }));
      }
      s.lines++;
      if (pattern.test(v)) s.orderShaped++;
      if (s.values.size < VALUES_PER_POSITION) s.values.add(v);
    }
    if (m.samples.length < SAMPLES) m.samples.push({ file, line: ev.line, text: auditText(ev).text });
    return true;
  }

  /** The templates mined, each with its current Drain template. */
  templates(): MinedTemplate[] {
    const out: MinedTemplate[] = [];
    for (const [id, m] of this.mined) {
      const [family, n] = id.split('\u0000') as [string, string];
      const cluster = this.drains.get(family)!.clusters()[Number(n)]!;
      out.push({ ...m, template: [...cluster.template] });
    }
    return out;
  }
}

export interface MinedTemplate extends Mined {
  template: string[];
}

/** The value a raw token holds where its masked form has one wildcard: `ref=K3J9…` → `K3J9…`. */
function valueOf(masked: string, raw: string): string | undefined {
  const at = masked.indexOf(WILDCARD);
  if (at < 0 || masked.indexOf(WILDCARD, at + 1) >= 0) return undefined;
  const head = masked.slice(0, at);
  const tail = masked.slice(at + WILDCARD.length);
  if (!raw.startsWith(head) || !raw.endsWith(tail) || raw.length < head.length + tail.length) return undefined;
  return raw.slice(head.length, raw.length - tail.length);
}

export interface DraftRule {
  id: string;
  family: string;
  template: string;
  message: string;
  params: string[];
  /** Context keys with one value on every line of the template (`{param.to: "3"}`): the
   *  rule asks for it, so it does not read other lines of the same wording. */
  equals: [string, string][];
  emit: EvidenceKind;
  weight: number;
  /** Why the emit is a guess, when it is one. */
  emitTodo?: string;
  extract: [string, string | { from: string; as: string }][];
  /** Where the order number comes from, said in words, with a note when it is a guess. */
  orderFrom: string;
  orderTodo?: string;
  lines: number;
  knownOrders: number;
  samples: { file: string; line: number; text: string }[];
}

/** Steps of one lifecycle, in order: when words of several are found, the furthest is taken. */
const LIFECYCLE: LifecycleStep[] = ['created', 'paid', 'delivered'];

const SOURCE_NAME = /^[A-Za-z0-9_.-]+$/;
const ORDER_GROUP = '(?<order_id>[A-Za-z0-9_-]{6,40})';

/** The draft rules of the mined templates that carry an order number, most lines first. */
export function draftRules(mined: readonly MinedTemplate[], vocab: AuditVocabulary, known: ReadonlySet<string>, minLines: number): DraftRule[] {
  const drafts: DraftRule[] = [];
  const ranked = [...mined].filter((m) => m.lines >= minLines);
  for (const m of ranked) {
    const d = draftOne(m, vocab, known);
    if (d !== undefined) drafts.push(d);
  }
  drafts.sort((a, b) => b.knownOrders - a.knownOrders || b.lines - a.lines || (a.template < b.template ? -1 : 1));
  const perFamily = new Map<string, number>();
  for (const d of drafts) {
    const n = (perFamily.get(d.family) ?? 0) + 1;
    perFamily.set(d.family, n);
    d.id = `suggested.${d.family}.t${String(n).padStart(2, '0')}`;
  }
  return drafts;
}

function keyIn(list: readonly string[], key: string): number {
  const last = key.slice(key.lastIndexOf('.') + 1).toLowerCase();
  return list.findIndex((k) => k.toLowerCase() === last);
}

function draftOne(m: MinedTemplate, vocab: AuditVocabulary, known: ReadonlySet<string>): DraftRule | undefined {
  const frequent = [...m.keys].filter(([k, s]) => s.lines >= KEY_SHARE * m.lines && SOURCE_NAME.test(k));
  // The order number: a context key that names it (vocabulary order_keys, most specific first) …
  let orderKey: string | undefined;
  let best = Infinity;
  for (const [k, s] of frequent) {
    const i = keyIn(vocab.orderKeys, k);
    if (i >= 0 && i < best && s.orderShaped >= ORDER_SHARE * m.lines) {
      best = i;
      orderKey = k;
    }
  }
  const fallbackKey = frequent.find(([k, s]) => keyIn(vocab.orderKeysFallback, k) >= 0 && s.orderShaped >= ORDER_SHARE * m.lines)?.[0];
  // … else a position of the message whose values look like order numbers, those naming orders
  // this run knows first.
  let orderPos = -1;
  let posKnown = 0;
  if (orderKey === undefined) {
    let bestScore = -1;
    m.template.forEach((tok, i) => {
      const p = m.positions[i]!;
      if (!tok.includes(WILDCARD) || tok.indexOf(WILDCARD) !== tok.lastIndexOf(WILDCARD)) return;
      if (p.orderShaped < ORDER_SHARE * m.lines) return;
      const k = [...p.values].filter((v) => known.has(v)).length;
      const score = k * 1e6 + p.orderShaped;
      if (score > bestScore) {
        bestScore = score;
        orderPos = i;
        posKnown = k;
      }
    });
  }
  let orderFrom: string;
  let orderTodo: string | undefined;
  const extract: DraftRule['extract'] = [];
  const params: string[] = [];
  let knownOrders = 0;
  if (orderKey !== undefined) {
    extract.push(['order_id', `param.${orderKey}`]);
    params.push(orderKey);
    orderFrom = `context key ${orderKey}`;
    knownOrders = [...m.keys.get(orderKey)!.values].filter((v) => known.has(v)).length;
  } else if (orderPos >= 0) {
    extract.push(['order_id', 'message.order_id']);
    orderFrom = `message word ${orderPos + 1} (${m.template[orderPos]})`;
    knownOrders = posKnown;
    if (posKnown === 0) orderTodo = 'no value here named an order the other logs know: check this is the order number / 此处的值未在其他日志中出现，请确认是订单号';
  } else if (fallbackKey !== undefined) {
    extract.push(['order_id', `param.${fallbackKey}`]);
    params.push(fallbackKey);
    orderFrom = `context key ${fallbackKey}`;
    orderTodo = `${fallbackKey} names the gateway's number in some shops: check / 部分系统中该键为网关单号，请核对`;
    knownOrders = [...m.keys.get(fallbackKey)!.values].filter((v) => known.has(v)).length;
  } else {
    return undefined;
  }
  // Other fields, from context keys the vocabulary knows.
  const taken = new Set(['order_id']);
  for (const [k] of frequent) {
    if (k === orderKey || (k === fallbackKey && orderKey === undefined && orderPos < 0)) continue;
    if (keyIn(vocab.orderKeysFallback, k) >= 0 && !taken.has('trade_no')) {
      taken.add('trade_no');
      extract.push(['trade_no', `param.${k}`]);
      continue;
    }
    for (const [field, keys] of Object.entries(vocab.fields)) {
      if (taken.has(field) || keyIn(keys, k) < 0) continue;
      taken.add(field);
      if (field === 'amount') extract.push(['amount', { from: `param.${k}`, as: 'yuan' }]);
      else if (field === 'buyer_email') extract.push(['buyer_email', { from: `param.${k}`, as: 'lower' }]);
      else if (field === 'card_key') extract.push(['card_key', { from: `param.${k}`, as: 'card_key' }]);
      else extract.push([field, `param.${k}`]);
      break;
    }
  }
  // A context key with one and the same short value on every line, used by no extractor: the
  // built-in rules of the same wording often differ only there (dujiaoka 订单状态变更 by `to`).
  const used = new Set(extract.map(([, src]) => (typeof src === 'string' ? src : src.from)));
  const equals: [string, string][] = [];
  for (const [k, st] of m.keys) {
    if (st.lines !== m.lines || st.values.size !== 1 || used.has(`param.${k}`) || !SOURCE_NAME.test(k)) continue;
    const v = [...st.values][0]!;
    if (v.length <= 16 && !vocab.orderIdPattern.test(v) && equals.length < 3) equals.push([`param.${k}`, v]);
  }
  const message = templateRegex(m.template, orderKey === undefined ? orderPos : -1);
  if (unsafeRegexReason(message) !== undefined) return undefined;
  const wording = m.template.filter((t) => t !== WILDCARD).map((t) => t.split(WILDCARD).join(' ')).join(' ');
  const { emit, todo } = emitFor(lifecycleWords(wording, vocab));
  return {
    id: '',
    family: m.family,
    template: m.template.join(' '),
    message,
    params,
    equals,
    emit,
    weight: todo === undefined ? 0.6 : 0.3,
    ...(todo !== undefined ? { emitTodo: todo } : {}),
    extract,
    orderFrom,
    ...(orderTodo !== undefined ? { orderTodo } : {}),
    lines: m.lines,
    knownOrders,
    samples: m.samples,
  };
}

function emitFor(steps: LifecycleStep[]): { emit: EvidenceKind; todo?: string } {
  if (steps.length === 1) return { emit: STEP_KIND[steps[0]!] };
  if (steps.length > 1 && steps.every((s) => LIFECYCLE.includes(s))) {
    const furthest = steps.reduce((a, b) => (LIFECYCLE.indexOf(b) > LIFECYCLE.indexOf(a) ? b : a));
    return { emit: STEP_KIND[furthest] };
  }
  if (steps.length > 1) return { emit: 'order_viewed', todo: `the wording names steps that cannot all be true (${steps.join(', ')}) / 措辞包含相互矛盾的阶段` };
  return { emit: 'order_viewed', todo: 'the wording names no lifecycle step: order_viewed only says the order existed / 措辞未表明订单阶段' };
}

/** Template words a rule's regex spells out; a longer message (an exception with its trace
 *  folded in) is matched on its start, up to a word boundary, which is enough to tell it apart. */
export const REGEX_WORDS = 12;

/** `^…$` from the template: literal text escaped, the order position as a named group, other
 *  wildcards as `\S+`, white space as `\s+`. A template longer than REGEX_WORDS words (and
 *  two past the order number) is matched on its first words only. */
export function templateRegex(template: readonly string[], orderPos: number): string {
  const keep = Math.min(template.length, Math.max(REGEX_WORDS, orderPos + 3));
  const parts = template.slice(0, keep).map((tok, i) =>
    tok
      .split(WILDCARD)
      .map(escapeRegExp)
      .join(i === orderPos ? ORDER_GROUP : '\\S+'),
  );
  return `^${parts.join('\\s+')}${keep < template.length ? '(?:\\s|$)' : '$'}`;
}

export interface PackMeta {
  /** Input files, as given. */
  inputs: string[];
  /** Card-key keys, masked in the sample comments. */
  cardKeys: readonly string[];
}

/** The draft pack as YAML text, with the counts and masked samples as comments. */
export function renderPack(drafts: readonly DraftRule[], meta: PackMeta): string {
  const q = (s: string) => JSON.stringify(s); // a JSON string is a valid YAML double-quoted scalar
  const comment = (s: string) => s.replace(/[\r\n]+/g, ' ');
  const out: string[] = [];
  out.push('# Draft rule pack written by `salvage rules suggest` — check every rule before use.');
  out.push('# 由 `salvage rules suggest` 生成的规则包草稿：使用前请逐条核对。');
  out.push(`# From: ${comment(meta.inputs.join(', '))}`);
  out.push('# Try it:  salvage rules test <this file> <sample log>');
  out.push('# Use it:  put it in a folder and run  salvage reconstruct <logs> --rules <folder>');
  out.push('pack: suggested');
  out.push(`description: ${q('Draft rules for wording the built-in packs do not know / 内置规则包未识别措辞的规则草稿')}`);
  if (drafts.length === 0) {
    out.push('rules: []');
    return out.join('\n') + '\n';
  }
  out.push('rules:');
  for (const d of drafts) {
    out.push('');
    out.push(`  # ${d.lines} unread entr${d.lines === 1 ? 'y' : 'ies'}${d.knownOrders > 0 ? `, naming ${d.knownOrders} order(s) the other logs know` : ''} / ${d.lines} 条未被读取的日志`);
    out.push(`  # template: ${comment(d.template).slice(0, 300)}`);
    out.push(`  # order number from ${comment(d.orderFrom)}`);
    for (const s of d.samples) out.push(`  #   ${comment(s.file)}:${s.line}  ${comment(maskSample(s.text, meta.cardKeys)).slice(0, 200)}`);
    out.push(`  - id: ${d.id}`);
    out.push('    match:');
    out.push(`      family: ${d.family}`);
    out.push(`      message: ${q(d.message)}`);
    if (d.params.length > 0) out.push(`      params: [${d.params.map(q).join(', ')}]`);
    if (d.equals.length > 0) out.push(`      equals: { ${d.equals.map(([k, v]) => `${k}: ${q(v)}`).join(', ')} }`);
    out.push(`    emit: ${d.emit}${d.emitTodo ? `  # TODO: check — ${comment(d.emitTodo)}` : ''}`);
    out.push(`    weight: ${d.weight}${d.emitTodo ? '  # TODO: check — low while the emit is a guess / 猜测的证据类型，权重较低' : ''}`);
    out.push('    extract:');
    for (const [name, src] of d.extract) {
      const todo = name === 'order_id' && d.orderTodo ? `  # TODO: check — ${comment(d.orderTodo)}` : '';
      out.push(typeof src === 'string' ? `      ${name}: ${src}${todo}` : `      ${name}: { from: ${src.from}, as: ${src.as} }${todo}`);
    }
  }
  return out.join('\n') + '\n';
}
