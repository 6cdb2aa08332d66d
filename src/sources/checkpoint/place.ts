import { isAbsolute, join, relative } from 'node:path';
import { realPathOf } from '../protect-evidence';

// The inputs may be the only copy of the evidence: the checkpoint, like --out, is never written
// among them. It may not be an input, nor sit in a folder named as an input, nor in the folder
// a pattern (glob) looks into: a later run of the same command would read it back as a log.

/** Globs: everything up to the first segment with a wildcard is the folder the pattern looks into. */
export function globBase(pattern: string, cwd: string): string {
  const segments = pattern.split('/');
  const fixed: string[] = [];
  for (const s of segments) {
    if (/[*?[]/.test(s)) break;
    fixed.push(s);
  }
  const base = fixed.join('/') || (pattern.startsWith('/') ? '/' : '.');
  return isAbsolute(base) ? base : join(cwd, base);
}

function within(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/**
 * One message per way the checkpoint (and its results folder beside it) would be written among
 * the inputs; empty when it is not. `inputs` are inputs named directly; `patterns` the globs.
 */
export function checkpointPlaceProblems(checkpoint: string, inputs: { path: string; given: string; isDir: boolean }[], patterns: { base: string; given: string }[]): string[] {
  const problems: string[] = [];
  const spots = [checkpoint, `${checkpoint}.files`].map(realPathOf);
  for (const i of inputs) {
    const real = realPathOf(i.path);
    if (spots.some((s) => s === real)) problems.push(`--checkpoint ${checkpoint} is the input ${i.given} itself / 检查点文件就是输入 ${i.given}`);
    else if (i.isDir && spots.some((s) => within(s, real))) problems.push(`--checkpoint ${checkpoint} is inside the input folder ${i.given}: it would be written among the evidence / 检查点位于输入目录 ${i.given} 之内，会写入证据之中`);
    else if (spots.some((s) => within(real, s))) problems.push(`the input ${i.given} is inside the checkpoint's results folder ${checkpoint}.files / 输入位于检查点目录之内`);
  }
  for (const p of patterns) {
    const base = realPathOf(p.base);
    if (spots.some((s) => within(s, base))) problems.push(`--checkpoint ${checkpoint} is inside ${p.base}, the folder the pattern ${p.given} looks into: it would be written among the evidence / 检查点位于通配符 ${p.given} 所查找的目录之内`);
  }
  return problems;
}
