import { existsSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve, sep, posix } from 'node:path';

// Expands the inputs given on the command line into a sorted list of files. A problem with one
// input (missing, unreadable, an empty directory) is a value in `problems`, so the run can go
// on with the others.

export interface Discovered {
  files: string[];
  problems: { input: string; message: string }[];
  /** Folders and files deliberately not read, with the reason (for report.json). */
  skipped: { path: string; reason: string }[];
}

/** Written by every run into its --out: a folder holding it is salvage output, never evidence. */
export const OUTPUT_MARKER = '.salvage-output';

const MARKED = 'a salvage output folder (it holds .salvage-output): outputs are never read back as evidence / salvage 输出目录，不作为证据读取';

function isOutputFolder(dir: string): boolean {
  return existsSync(join(dir, OUTPUT_MARKER));
}

const GLOB_CHARS = /[*?[]/;

export function discoverInputs(inputs: string[], cwd: string): Discovered {
  const files = new Set<string>();
  const problems: Discovered['problems'] = [];
  const skipped: Discovered['skipped'] = [];
  for (const input of inputs) {
    if (GLOB_CHARS.test(input)) {
      const matched = expandGlob(input, cwd, skipped);
      if (matched.length === 0) problems.push({ input, message: `no file matches the pattern ${input} / 没有文件匹配该模式` });
      for (const f of matched) files.add(f);
      continue;
    }
    const abs = resolve(cwd, input);
    let st: Stats;
    try {
      st = statSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problems.push({
        input,
        message: code === 'ENOENT'
          ? `no such file or directory: ${input} (check the path) / 路径不存在`
          : `cannot read ${input}: ${code ?? (e as Error).message} / 无法读取`,
      });
      continue;
    }
    if (st.isDirectory()) {
      if (isOutputFolder(abs)) {
        skipped.push({ path: abs, reason: MARKED });
        continue;
      }
      const found: string[] = [];
      walk(abs, found, problems, skipped);
      if (found.length === 0) problems.push({ input, message: `directory ${input} holds no files / 目录为空` });
      for (const f of found) files.add(f);
    } else if (st.isFile()) {
      files.add(abs);
    } else {
      problems.push({ input, message: `${input} is not a regular file or directory / 不是普通文件或目录` });
    }
  }
  return { files: [...files].sort(), problems, skipped };
}

function walk(dir: string, out: string[], problems: Discovered['problems'], skipped: Discovered['skipped']): void {
  let entries: string[];
  try {
    entries = readdirSync(dir).sort();
  } catch (e) {
    problems.push({ input: dir, message: `cannot list directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    return;
  }
  for (const name of entries) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      problems.push({ input: p, message: `cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      continue;
    }
    if (st.isDirectory()) {
      if (isOutputFolder(p)) skipped.push({ path: p, reason: MARKED });
      else walk(p, out, problems, skipped);
    }
    else if (st.isFile()) out.push(p);
  }
}

/** Minimal glob: `*` and `?` within a path segment, `**` across segments, `[...]` classes. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        re += '[' + glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = close;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp('^' + re + '$');
}

function expandGlob(pattern: string, cwd: string, skipped: Discovered['skipped']): string[] {
  const absPattern = resolve(cwd, pattern).split(sep).join('/');
  // Walk from the longest directory prefix without glob characters.
  const parts = absPattern.split('/');
  let baseParts: string[] = [];
  for (const p of parts) {
    if (GLOB_CHARS.test(p)) break;
    baseParts.push(p);
  }
  if (baseParts.length === parts.length) baseParts = parts.slice(0, -1);
  const base = baseParts.join('/') || '/';
  const re = globToRegExp(absPattern);
  const all: string[] = [];
  walk(base, all, [], skipped);
  return all.filter((f) => re.test(f.split(sep).join(posix.sep)));
}
