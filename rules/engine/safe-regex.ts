// User-supplied regular expressions run on every line, so one with nested quantifiers such as
// (a+)+ could hang a run on a hostile or unlucky line. Such patterns are refused when a pack is
// loaded; matching is also bounded by the line length limit.

/** Returns a reason when the pattern risks catastrophic backtracking, else undefined. */
export function unsafeRegexReason(source: string): string | undefined {
  // Stack of groups: does the group's body contain a quantifier?
  const stack: { quantified: boolean; alternation: boolean }[] = [];
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      continue;
    }
    if (c === '(') {
      stack.push({ quantified: false, alternation: false });
      continue;
    }
    if (c === '|' && stack.length > 0) stack[stack.length - 1]!.alternation = true;
    const isQuant = c === '*' || c === '+' || (c === '{' && /^\{\d+,\d*\}/.test(source.slice(i)));
    if (c === ')') {
      const g = stack.pop();
      const next = source[i + 1];
      const nextQuant = next === '*' || next === '+' || (next === '{' && /^\{\d+,\d*\}/.test(source.slice(i + 1)));
      if (g && nextQuant && (g.quantified || g.alternation)) {
        return `nested quantifier at position ${i + 1}: a repeated group that itself repeats or alternates can backtrack catastrophically`;
      }
      if (g && g.quantified && stack.length > 0) stack[stack.length - 1]!.quantified = true;
      continue;
    }
    if (isQuant && stack.length > 0) stack[stack.length - 1]!.quantified = true;
  }
  return undefined;
}
