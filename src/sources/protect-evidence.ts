import { realpathSync } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';

// The inputs may be the only copy of the evidence. The output folder must never overlap them:
// not the same folder, not inside one (outputs would land among the logs and be read back as
// evidence next time), and no input inside it (a run would replace what it is reading).

/** The real path of `p`, resolving symlinks in the part that exists (the rest may not exist yet). */
export function realPathOf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    const parent = dirname(p);
    return parent === p ? p : join(realPathOf(parent), basename(p));
  }
}

function inside(child: string, parent: string): boolean {
  return child.startsWith(parent.endsWith(sep) ? parent : parent + sep);
}

/**
 * One message per way an input and the output folder overlap; empty when they do not.
 * `inputs` are absolute paths of inputs named directly (not glob patterns).
 */
export function overlapProblems(out: string, inputs: { path: string; given: string; isDir: boolean }[]): string[] {
  const outReal = realPathOf(out);
  const problems: string[] = [];
  for (const i of inputs) {
    const real = realPathOf(i.path);
    if (real === outReal) problems.push(`--out is the input ${i.given} itself: outputs would be written into the evidence / 输出目录与输入相同`);
    else if (i.isDir && inside(outReal, real)) problems.push(`--out ${out} is inside the input folder ${i.given}: outputs would be written among the evidence and read back as input / 输出目录位于输入目录之内`);
    else if (inside(real, outReal)) problems.push(`the input ${i.given} is inside --out ${out}: a run would replace files it is reading / 输入位于输出目录之内`);
  }
  return problems;
}
