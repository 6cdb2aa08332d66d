// The small text tools the mentions audit and the template miner share: which tokens of a
// line could be an order number, gateway trade number or card-key hash; how a line becomes a
// template (values masked); and how a sample line is shown without its secrets.

import { replaceEmails } from '../util/find-emails';

/** What an order number looks like (rules/shape/vocabulary.yaml `order_id_pattern`): 6 to 40
 *  letters, digits, `_` or `-`, at least one digit. Hashes (64 hex) are candidates too. A run
 *  of these characters longer than 64 is taken in pieces of 64, as a global `/[A-Za-z0-9_-]{6,64}/`
 *  match would take it, and a last piece shorter than 6 is dropped. */
const MIN_TOKEN = 6;
const MAX_PIECE = 64;
const MAX_ORDER_LIKE = 40;

/** Tokens per line kept as candidates: a line naming more is a dump, and its first few suffice. */
export const MAX_TOKENS_PER_LINE = 8;

/** Kind of each char code below 128: 0 none, 1 token character, 2 digit, 3 hex letter. */
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (c >= 48 && c <= 57) CLASS[c] = 2;
  else if (/[a-fA-F]/.test(ch)) CLASS[c] = 3;
  else if (/[A-Za-z_-]/.test(ch)) CLASS[c] = 1;
}

/**
 * Candidate tokens of a text, distinct, in order of first appearance, at most `limit`. Every
 * noise line of every file passes through here (the mentions audit), so the text is walked
 * once by character code rather than by a regex and a test per match.
 */
export function candidateTokens(text: string, into: string[] = [], limit = MAX_TOKENS_PER_LINE): string[] {
  const n = text.length;
  let i = 0;
  while (i < n && into.length < limit) {
    const c = text.charCodeAt(i);
    if (c >= 128 || CLASS[c] === 0) {
      i++;
      continue;
    }
    let end = i + 1;
    while (end < n) {
      const d = text.charCodeAt(end);
      if (d >= 128 || CLASS[d] === 0) break;
      end++;
    }
    // The run [i, end) in pieces of at most MAX_PIECE.
    for (let at = i; end - at >= MIN_TOKEN && into.length < limit; ) {
      const stop = Math.min(at + MAX_PIECE, end);
      let digit = false;
      let hex = true;
      for (let k = at; k < stop; k++) {
        const kind = CLASS[text.charCodeAt(k)]!;
        if (kind === 2) digit = true;
        else if (kind !== 3) hex = false;
      }
      const len = stop - at;
      if (digit && (len <= MAX_ORDER_LIKE || (len === MAX_PIECE && hex))) {
        const t = text.slice(at, stop);
        if (!into.includes(t)) into.push(t);
      }
      at = stop;
    }
    i = end;
  }
  return into;
}

/** A value token: a run of these characters holding a digit (ids, amounts, times, counters)
 *  or an `@` (e-mail addresses). Runs are matched whole and tested after: the one-regex form
 *  `[…]*[0-9@][…]*` backtracks over every start of a run with no digit, quadratic in its
 *  length, and a 256 KiB such run held a read for minutes (issue 10, fuzz seed 2). */
const WORD_RUN = /[A-Za-z0-9_.:+@-]+/g;
const VALUE_MARK = /[0-9@]/;

/**
 * The line with its values masked as `<*>`, so lines that differ only in their values share a
 * template: `处理中 ref=K3J9QX2M7PLA0B1C node=3` → `处理中 ref=<*> node=<*>`. Keys before `=` or `:`
 * stay when they hold no digit (`ref=` is kept; the value after it is masked).
 */
export function maskValues(text: string): string {
  return text.replace(WORD_RUN, (run) => {
    if (!VALUE_MARK.test(run)) return run;
    // Keep a leading `key=` / `key:` whose key has no digit.
    const m = /^([A-Za-z_][A-Za-z_.-]*[=:])(.+)$/.exec(run);
    if (m && !/[0-9@]/.test(m[1]!)) return m[1]! + '<*>';
    return '<*>';
  });
}

/**
 * A sample line as it may be shown: e-mail addresses masked, and the values of card-key keys
 * (`cardKeys`, compared case-insensitively, as `key=value`, `"key":"value"` or `key => value`)
 * masked. Masks keep neither the value's characters nor its length beyond a short prefix.
 */
export function maskSample(text: string, cardKeys: readonly string[]): string {
  let out = replaceEmails(text, () => '***@***');
  if (cardKeys.length > 0) {
    const keys = cardKeys.map(escapeRegExp).join('|');
    // "key":"value" (JSON), key=value, 'key' => 'value' (var_export), [key] => value (print_r)
    const re = new RegExp(`((?:"|'|\\[)?(?:${keys})(?:"|'|\\])?\\s*(?:=>|:|=)\\s*)("[^"\\\\]*(?:\\\\.[^"\\\\]*)*"|'[^']*'|[^\\s,;&}\\]]+)`, 'gi');
    out = out.replace(re, (_m, head: string, value: string) => {
      const q = value.startsWith('"') || value.startsWith("'") ? value[0]! : '';
      return `${head}${q}***${q}`;
    });
  }
  return out;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
