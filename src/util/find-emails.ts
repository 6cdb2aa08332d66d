// E-mail addresses found in a line, for masking. It finds what the regex
// /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g finds, but in one pass: that regex
// retries from every start inside a long run of address characters with no '@' after it,
// which took seconds on a 20 KB run of a damaged line.

export interface EmailSpan {
  start: number;
  /** Index of the '@'. */
  at: number;
  end: number;
}

function isLocal(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}

function isDomain(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 45;
}

function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * Where the domain part after an '@' ends, or -1: the longest stretch of domain characters
 * that ends in a dot and two or more letters, with something before that dot.
 */
function domainEnd(text: string, from: number): number {
  let runEnd = from;
  while (runEnd < text.length && isDomain(text.charCodeAt(runEnd))) runEnd++;
  for (let dot = runEnd - 1; dot > from; dot--) {
    if (text.charCodeAt(dot) !== 46) continue;
    let e = dot + 1;
    while (e < runEnd && isLetter(text.charCodeAt(e))) e++;
    if (e - dot - 1 >= 2) return e;
  }
  return -1;
}

export function findEmails(text: string): EmailSpan[] {
  const spans: EmailSpan[] = [];
  let lastEnd = 0;
  for (let at = text.indexOf('@'); at >= 0; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > lastEnd && isLocal(text.charCodeAt(start - 1))) start--;
    if (start === at) continue;
    const end = domainEnd(text, at + 1);
    if (end < 0) continue;
    spans.push({ start, at, end });
    lastEnd = end;
  }
  return spans;
}

/** `text` with each address replaced by what `mask` makes of it. */
export function replaceEmails(text: string, mask: (local: string, domain: string) => string): string {
  const spans = findEmails(text);
  if (spans.length === 0) return text;
  let out = '';
  let from = 0;
  for (const s of spans) {
    out += text.slice(from, s.start) + mask(text.slice(s.start, s.at), text.slice(s.at + 1, s.end));
    from = s.end;
  }
  return out + text.slice(from);
}
