import { createHash } from 'node:crypto';
import type { FileReport, MentionsAuditEntry } from '../model/types';
import { maskSample } from './tokens';

// Main-thread side of the mentions audit: once the run knows which orders it recovered, the
// token sets the workers tallied (src/audit/noise-mentions.ts) are checked against them, and
// each file gets the number of noise lines that name a known order, with its top templates.
// A file past the threshold means the logs say something about those orders that no rule
// read: the run finishes with exit 1 ("needs attention") and the summary points to
// `salvage rules suggest`.

/** A file needs attention when at least this many of its noise lines name known orders … */
export const ATTENTION_MIN_LINES = 20;
/** … and they are at least this share of its noise lines (1%). */
export const ATTENTION_MIN_SHARE = 0.01;
/** Templates listed per file in report.json and the summary. */
export const TOP_TEMPLATES = 10;
/** Card-key hashes remembered from evidence for the audit; beyond this, further ones are not
 *  (a run delivering more card keys than this still audits orders and trade numbers exactly). */
export const MAX_CARD_HASHES = 200_000;

export function needsAttention(lines: number, noise: number): boolean {
  return lines >= ATTENTION_MIN_LINES && lines >= ATTENTION_MIN_SHARE * noise;
}

/**
 * The tokens that name something the run recovered. Built in three steps, so that memory is
 * bounded by the workers' tallies rather than by the number of orders: the tokens the tallies
 * hold (`candidates`), then each recovered record's order number and trade number checked
 * against them, then card-key hashes seen in evidence.
 */
export class KnownTokens {
  private readonly candidates = new Set<string>();
  private readonly known = new Set<string>();
  private readonly cardHashes = new Set<string>();

  /** Every token of every tally: call once all files have been read. */
  addCandidates(reports: readonly FileReport[]): void {
    for (const r of reports) {
      for (const t of r.noise_mentions?.templates ?? []) {
        for (const [tokens] of t.tuples) for (const tok of tokens.split(' ')) this.candidates.add(tok);
      }
    }
  }

  /** A recovered record's order number and gateway trade number. */
  noteRecord(orderId: string | null | undefined, tradeNo: string | null | undefined): void {
    if (orderId && this.candidates.has(orderId)) this.known.add(orderId);
    if (tradeNo && this.candidates.has(tradeNo)) this.known.add(tradeNo);
  }

  /** A card-key hash from evidence (the `card:` link key), remembered up to MAX_CARD_HASHES. */
  noteCardHash(hash: string): void {
    if (this.cardHashes.size < MAX_CARD_HASHES) this.cardHashes.add(hash.toLowerCase());
  }

  /** Resolves card keys among the candidates: a token that is a known hash, or whose SHA-256 is. */
  resolveCardKeys(): void {
    if (this.cardHashes.size === 0) return;
    for (const tok of this.candidates) {
      if (this.cardHashes.has(tok.toLowerCase()) || this.cardHashes.has(createHash('sha256').update(tok).digest('hex'))) this.known.add(tok);
    }
  }

  has(token: string): boolean {
    return this.known.has(token);
  }

  get size(): number {
    return this.known.size;
  }
}

/** The audit of each file whose noise names known orders (files with none are left out). */
export function auditMentions(reports: readonly FileReport[], known: KnownTokens, cardKeys: readonly string[]): MentionsAuditEntry[] {
  const out: MentionsAuditEntry[] = [];
  for (const r of reports) {
    const nm = r.noise_mentions;
    if (nm === undefined) continue;
    let total = 0;
    const templates: MentionsAuditEntry['templates'] = [];
    for (const t of nm.templates) {
      let count = 0;
      let first: { line: number; offset: number } | undefined;
      for (const [tokens, lines, line, offset] of t.tuples) {
        if (!tokens.split(' ').some((tok) => known.has(tok))) continue;
        count += lines;
        if (first === undefined || line < first.line) first = { line, offset };
      }
      if (count === 0) continue;
      total += count;
      // The sample shown is a kept line that names a known order, else the first such line's
      // position (its text was not kept: only the first few lines of a template are).
      const s = t.samples.find((x) => x.tokens.split(' ').some((tok) => known.has(tok)));
      const sample = s !== undefined ? { line: s.line, offset: s.offset, text: maskSample(s.text, cardKeys) } : { line: first!.line, offset: first!.offset, text: '' };
      templates.push({ template: t.template, count, sample_line: sample });
    }
    if (total === 0) continue;
    templates.sort((a, b) => b.count - a.count || (a.template < b.template ? -1 : 1));
    out.push({
      file: r.file,
      noise_lines_mentioning_known_orders: total,
      noise: r.noise,
      needs_attention: needsAttention(total, r.noise),
      untracked_lines: nm.untracked_lines,
      templates: templates.slice(0, TOP_TEMPLATES),
    });
  }
  return out;
}

/** The FileReport as report.json shows it: without the tally, which the audit replaces. */
export function withoutTally(r: FileReport): FileReport {
  if (r.noise_mentions === undefined) return r;
  const { noise_mentions: _tally, ...rest } = r;
  return rest;
}
