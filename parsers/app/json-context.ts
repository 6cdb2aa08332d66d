// Laravel/Monolog writes `message {context}` on one line. The context is JSON, but the message
// may itself contain braces, so we try the candidate start positions from the left, a bounded
// number of times, and keep the first one that parses as a whole.

const MAX_TRIES = 4;
/** A context longer than this is left as text: read as JSON, a value of many megabytes becomes
 *  an object graph several times its size, and flattened, more again (issue 10). Payment
 *  callbacks and order contexts are a few kilobytes. */
export const MAX_JSON_CHARS = 1 << 20;
/** Nesting deeper than this is not a log context; reading it would recurse (JSON.stringify). */
const MAX_JSON_DEPTH = 64;

export interface SplitMessage {
  message: string;
  context: unknown;
}

export function splitMessageContext(text: string): SplitMessage {
  let from = 0;
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const brace = indexOfContextStart(text, from);
    if (brace < 0) break;
    const candidate = text.slice(brace).trimEnd();
    const last = candidate.charCodeAt(candidate.length - 1);
    if (last === 125 /* } */ || last === 93 /* ] */) {
      const context = parseJson(candidate);
      if (context !== undefined) return { message: text.slice(0, brace).trimEnd(), context };
      // Monolog appends `{extra}` after `{context}` when extra is not empty: try splitting once.
      const split = splitTwoJson(candidate);
      if (split !== undefined) return { message: text.slice(0, brace).trimEnd(), context: split };
    }
    from = brace + 1;
  }
  return { message: text.trimEnd(), context: undefined };
}

function indexOfContextStart(text: string, from: number): number {
  const a = text.indexOf(' {', from);
  const b = text.indexOf(' [', from);
  const i = a < 0 ? b : b < 0 ? a : Math.min(a, b);
  return i < 0 ? -1 : i + 1;
}

function splitTwoJson(s: string): unknown {
  const sep = s.lastIndexOf(' [');
  const sep2 = s.lastIndexOf(' {');
  const cut = Math.max(sep, sep2);
  if (cut <= 0) return undefined;
  return parseJson(s.slice(0, cut));
}

/** JSON.parse, or undefined when the text is not JSON (text that is JSON never parses to
 *  undefined). Text that cannot be JSON is told apart first, without the cost of a throw. */
export function parseJson(text: string): unknown {
  if (text.length > MAX_JSON_CHARS || cannotBeJson(text)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * True when JSON.parse would certainly throw on this text; false means it may parse. Only text
 * that opens with `{` or `[` is judged: it fails when a string in it holds a raw control
 * character (a stack trace's newlines inside a quoted message), or when something other than
 * whitespace follows the closing bracket of the outermost value (`[2002] Connection refused`).
 * The thrown SyntaxError, not the scan, is what costs: entries such as stack traces offer
 * several candidate starts, each failing. Text nesting deeper than MAX_JSON_DEPTH counts as not
 * JSON too: no log context does, and what reads it after would recurse that deep.
 */
export function cannotBeJson(text: string): boolean {
  const first = text.charCodeAt(0);
  if (first !== 123 /* { */ && first !== 91 /* [ */) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
      else if (c < 0x20) return true;
    } else if (depth === 0 && i > 0) {
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) return true;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** Flatten a JSON context into string parameters: scalars as text, nested values also as `a.b` keys. */
export function flattenContext(ctx: unknown, out: Record<string, string> = {}, prefix = '', depth = 0): Record<string, string> {
  if (ctx === null || ctx === undefined) return out;
  if (typeof ctx !== 'object') {
    if (prefix) out[prefix] = String(ctx);
    return out;
  }
  if (depth > 4) {
    if (prefix) out[prefix] = JSON.stringify(ctx);
    return out;
  }
  if (prefix) out[prefix] = JSON.stringify(ctx);
  for (const [k, v] of Object.entries(ctx as Record<string, unknown>)) {
    const key = prefix ? prefix + '.' + k : k;
    if (v !== null && typeof v === 'object') flattenContext(v, out, key, depth + 1);
    else out[key] = v === null ? '' : String(v);
  }
  return out;
}
