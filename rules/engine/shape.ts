import type { EvidenceKind } from '../../src/model/types';
import type { Candidate } from './payload-finder';
import { isShapeField, LIFECYCLE_STEPS, type FieldCheck, type GatewayShape, type LifecycleStep, type ShapeField, type VocabularyData } from './vocabulary-data';

// Recognition by shape: what a payload or an order mention IS, decided from its keys and values,
// and what happened, decided from the wording through a bilingual lexicon. Pure and compiled
// once from the vocabulary data; the engine calls it only for entries no explicit rule matched.

/** What each lifecycle step of the lexicon is, as evidence. */
export const STEP_KIND: Readonly<Record<LifecycleStep, EvidenceKind>> = {
  created: 'order_created',
  paid: 'payment_confirmed',
  delivered: 'card_delivered',
  failed: 'order_failed',
  expired: 'order_expired',
  refunded: 'refunded',
};

export interface GatewayFinding {
  payload: string;
  candidate: Candidate;
}

export interface OrderFinding {
  orderId: string;
  /** The key that named the order (`order_sn`, `out_trade_no`, …). */
  orderKey: string;
  fields: Partial<Record<ShapeField, string>>;
}

export type Wording =
  | { step: LifecycleStep; words: string[] }
  | { step: null; ambiguous: true; words: string[] }
  | null;

interface CompiledField {
  name: ShapeField;
  keys: Set<string>;
  check: (v: string) => boolean;
}

const CHECKS: Record<FieldCheck, (v: string) => boolean> = {
  email: (v) => v.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
  id: (v) => /^[A-Za-z0-9_.:-]{1,64}$/.test(v),
  amount: (v) => /^\d{1,9}(?:\.\d{1,8})?$/.test(v),
  ip: (v) => /^(?:\d{1,3}\.){3}\d{1,3}$/.test(v) || (/^[0-9a-fA-F:]+$/.test(v) && v.includes(':')),
  text: (v) => v.trim().length > 0,
};

/** Steps of one lifecycle, in order: wording naming several of them means the furthest. */
const PROGRESSION: readonly LifecycleStep[] = ['created', 'paid', 'delivered', 'refunded'];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class ShapeRecogniser {
  private readonly orderKeys: string[];
  private readonly fallbackKeys: string[];
  private readonly orderIdRe: RegExp;
  private readonly fields: CompiledField[];
  private readonly gateways: GatewayShape[];
  private readonly zh: { step: LifecycleStep; word: string }[] = [];
  private readonly en: { step: LifecycleStep; re: RegExp }[] = [];
  private readonly zhNegators: string[];
  private readonly enNegators: Set<string>;
  /** Every key any gateway shape requires first: a cheap test before the full shape check. */
  private readonly firstKeys: string[];
  readonly payloadTimeKeys: string[];

  constructor(v: VocabularyData) {
    this.orderKeys = v.order_keys;
    this.fallbackKeys = v.order_keys_fallback;
    this.orderIdRe = new RegExp(v.order_id_pattern);
    // In the file's order: a key listed under two fields goes to the first.
    this.fields = Object.keys(v.fields).filter(isShapeField).map((name) => ({
      name,
      keys: new Set(v.fields[name]!.keys.map((k) => k.toLowerCase())),
      check: CHECKS[v.fields[name]!.check],
    }));
    this.gateways = v.gateways;
    this.firstKeys = [...new Set(v.gateways.map((g) => g.all[0]!))];
    for (const step of LIFECYCLE_STEPS) {
      const words = v.lexicon[step];
      if (!words) continue;
      for (const w of words.zh) this.zh.push({ step, word: w });
      for (const w of words.en) this.en.push({ step, re: new RegExp(`(?<![A-Za-z])${w.split(/\s+/).map(escapeRe).join('\\s+')}(?![A-Za-z])`, 'gi') });
    }
    // Longer negators first, so that 尚未 is seen as one.
    this.zhNegators = [...v.negators.zh].sort((a, b) => b.length - a.length);
    this.enNegators = new Set(v.negators.en.map((w) => w.toLowerCase()));
    this.payloadTimeKeys = v.payload_time_keys;
  }

  /** The gateway whose parameter set this candidate has, or null. */
  gateway(c: Candidate): string | null {
    const m = c.map;
    let any = false;
    for (const k of this.firstKeys) if (nonEmpty(m[k])) { any = true; break; }
    if (!any) return null;
    for (const g of this.gateways) if (hasShape(m, g)) return g.payload;
    return null;
  }

  /** The first candidate that is a gateway payload. */
  findGateway(cands: readonly Candidate[]): GatewayFinding | null {
    for (const c of cands) {
      const p = this.gateway(c);
      if (p !== null) return { payload: p, candidate: c };
    }
    return null;
  }

  /** An order number named by key, with the order fields beside it in the same map. */
  findOrder(cands: readonly Candidate[]): OrderFinding | null {
    for (const c of cands) {
      const f = this.orderIn(c.map);
      if (f !== null) return f;
    }
    return null;
  }

  private orderIn(m: Record<string, string>): OrderFinding | null {
    let orderKey: string | undefined;
    for (const k of this.orderKeys) if (this.isOrderId(m[k])) { orderKey = k; break; }
    if (orderKey === undefined) for (const k of this.fallbackKeys) if (this.isOrderId(m[k])) { orderKey = k; break; }
    if (orderKey === undefined) return null;
    const fields: OrderFinding['fields'] = {};
    for (const key of Object.keys(m)) {
      if (key === orderKey) continue;
      const dot = key.lastIndexOf('.');
      const last = (dot >= 0 ? key.slice(dot + 1) : key).toLowerCase();
      const value = m[key]!;
      if (value === '' || value.length > 512) continue;
      for (const f of this.fields) {
        if (fields[f.name] !== undefined || !f.keys.has(last) || !f.check(value)) continue;
        fields[f.name] = value;
        break;
      }
    }
    return { orderId: m[orderKey]!, orderKey, fields };
  }

  private isOrderId(v: string | undefined): v is string {
    return v !== undefined && this.orderIdRe.test(v);
  }

  /**
   * What the wording says happened. Chinese words match anywhere, English words as whole
   * words; a word right after a negator does not count. Steps of one lifecycle give the
   * furthest; anything else together (paid and failed, created and expired) is ambiguous.
   */
  wording(text: string): Wording {
    const found = this.stepsNamed(text);
    if (found.size === 0) return null;
    const words = [...found.values()];
    const steps = [...found.keys()];
    if (steps.every((s) => PROGRESSION.includes(s))) {
      let best: LifecycleStep = steps[0]!;
      for (const s of steps) if (PROGRESSION.indexOf(s) > PROGRESSION.indexOf(best)) best = s;
      return { step: best, words };
    }
    if (steps.length === 1) return { step: steps[0]!, words };
    return { step: null, ambiguous: true, words };
  }

  /** Every step whose words the text holds (not after a negator), with the first word found. */
  stepsNamed(text: string): Map<LifecycleStep, string> {
    const found = new Map<LifecycleStep, string>();
    if (text.length === 0) return found;
    for (const { step, word } of this.zh) {
      for (let i = text.indexOf(word); i >= 0; i = text.indexOf(word, i + 1)) {
        if (this.negatedZh(text, i)) continue;
        if (!found.has(step)) found.set(step, word);
        break;
      }
    }
    for (const { step, re } of this.en) {
      re.lastIndex = 0;
      for (let m = re.exec(text); m !== null; m = re.exec(text)) {
        if (this.negatedEn(text, m.index)) continue;
        if (!found.has(step)) found.set(step, m[0]);
        break;
      }
    }
    return found;
  }

  private negatedZh(text: string, at: number): boolean {
    const before = text.slice(Math.max(0, at - 3), at);
    return this.zhNegators.some((n) => before.endsWith(n) || before.slice(0, -1).endsWith(n));
  }

  private negatedEn(text: string, at: number): boolean {
    const m = /([A-Za-z]+)\W+$/.exec(text.slice(Math.max(0, at - 24), at));
    return m !== null && this.enNegators.has(m[1]!.toLowerCase());
  }
}

function nonEmpty(v: string | undefined): boolean {
  return v !== undefined && v !== '';
}

function hasShape(m: Record<string, string>, g: GatewayShape): boolean {
  for (const k of g.all) if (!nonEmpty(m[k])) return false;
  if (g.any !== undefined && !g.any.some((k) => nonEmpty(m[k]))) return false;
  if (g.require_one_of !== undefined && !g.require_one_of.some((k) => nonEmpty(m[k]))) return false;
  return true;
}
