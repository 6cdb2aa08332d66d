// Laravel/Monolog writes `message {context}` on one line. The context is JSON, but the message
// may itself contain braces, so we try the candidate start positions from the left, a bounded
// number of times, and keep the first one that parses as a whole.

const MAX_TRIES = 4;

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
      try {
        const context = JSON.parse(candidate) as unknown;
        return { message: text.slice(0, brace).trimEnd(), context };
      } catch {
        // Monolog appends `{extra}` after `{context}` when extra is not empty: try splitting once.
        const split = splitTwoJson(candidate);
        if (split !== undefined) return { message: text.slice(0, brace).trimEnd(), context: split };
      }
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
  try {
    return JSON.parse(s.slice(0, cut));
  } catch {
    return undefined;
  }
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
