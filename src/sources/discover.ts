import { existsSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join, resolve, sep, posix } from 'node:path';

// Expands the inputs given on the command line into a sorted list of files. A problem with one
// input (missing, unreadable, an empty directory) is a value in `problems`, so the run can go
// on with the others.

export interface Discovered {
  files: string[];
  problems: { input: string; message: string }[];
  /** Folders and files deliberately not read, with the reason (for report.json). */
  skipped: { path: string; reason: string; kind?: SkipKind }[];
  /** FIFOs the user named, on the command line or through a glob that matches them: refused
   *  (a usage error), never opened. A FIFO found inside a named folder is in `skipped` instead. */
  namedFifos: string[];
}

/** Written by every run into its --out: a folder holding it is salvage output, never evidence. */
/** Why an entry was not read, for the summary's one line per kind. */
export type SkipKind = 'output-folder' | 'inside-out' | 'repeat-directory' | 'fifo' | 'socket' | 'device' | 'not-a-log' | 'repeat-bundle';

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
  // Directories already entered, by (device, inode): a symlink back up the tree (`ln -s .. loop`)
  // or a second name for a folder is listed once as skipped instead of being read again.
  const seen = new Map<string, string>();
  const namedFifos: string[] = [];
  for (const input of inputs) {
    if (GLOB_CHARS.test(input)) {
      const matched = expandGlob(input, cwd, skipped, seen, namedFifos);
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
        skipped.push({ path: abs, reason: MARKED, kind: 'output-folder' });
        continue;
      }
      const found: string[] = [];
      walk(abs, found, problems, skipped, seen);
      if (found.length === 0) problems.push({ input, message: `directory ${input} holds no files / 目录为空` });
      for (const f of found) files.add(f);
    } else if (st.isFile()) {
      files.add(abs);
    } else {
      // A FIFO named on the command line is refused, never opened (opening it would block until
      // a writer appears); pipe it through stdin instead: `cat fifo | salvage reconstruct -`.
      const kind = specialKind(st);
      if (kind === 'FIFO') namedFifos.push(abs);
      problems.push({ input, message: kind === 'FIFO'
        ? `${input} is a FIFO (named pipe): not opened, it would block; pipe it into \`-\` instead / 是命名管道，不会打开（会阻塞），请经由 \`-\` 标准输入读取`
        : `${input} is not a regular file or directory (${kind}) / 不是普通文件或目录` });
    }
  }
  return { files: [...files].sort(), problems, skipped, namedFifos };
}

type Seen = Map<string, string>;

function specialKind(st: Stats): string {
  if (st.isFIFO()) return 'FIFO';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return 'special file';
}

const SPECIAL_REASON: Record<string, string> = {
  FIFO: 'a FIFO (named pipe): never opened, reading it would block / 命名管道：不打开（读取会阻塞）',
  socket: 'a socket: not a log file / 套接字：不是日志文件',
  'character device': 'a character device: not a log file / 字符设备：不是日志文件',
  'block device': 'a block device: not a log file / 块设备：不是日志文件',
  'special file': 'not a regular file / 不是普通文件',
};

function walk(dir: string, out: string[], problems: Discovered['problems'], skipped: Discovered['skipped'], seen: Seen): void {
  let dirSt: Stats;
  try {
    dirSt = statSync(dir);
  } catch (e) {
    problems.push({ input: dir, message: `cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    return;
  }
  const key = `${dirSt.dev}:${dirSt.ino}`;
  const first = seen.get(key);
  if (first !== undefined) {
    skipped.push({ kind: 'repeat-directory', path: dir, reason: `the same directory as ${first} (device ${dirSt.dev}, inode ${dirSt.ino}), already visited: a symlink loop or second name / 与 ${first} 是同一目录（已访问，符号链接循环或别名）` });
    return;
  }
  seen.set(key, dir);
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
      if (isOutputFolder(p)) skipped.push({ path: p, reason: MARKED, kind: 'output-folder' });
      else walk(p, out, problems, skipped, seen);
    }
    else if (st.isFile()) out.push(p);
    else {
      const kind = specialKind(st);
      skipped.push({ path: p, reason: SPECIAL_REASON[kind]!, kind: kind === 'FIFO' ? 'fifo' : kind === 'socket' ? 'socket' : 'device' });
    }
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

/**
 * The files a pattern matches. A FIFO it matches counts as named (`logs/*` is the user's list of
 * files): it goes to `namedFifos`, to be refused. Other special files it matches are skipped and
 * listed as in a folder; those it does not match were never asked for, and are not listed.
 */
function expandGlob(pattern: string, cwd: string, skipped: Discovered['skipped'], seen: Seen, namedFifos: string[]): string[] {
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
  const found: Discovered['skipped'] = [];
  // A glob walks its own base: folders seen by an earlier input are still matched against it.
  walk(base, all, [], found, new Map(seen));
  const matches = (f: string) => re.test(f.split(sep).join(posix.sep));
  for (const k of found) {
    const special = k.kind === 'fifo' || k.kind === 'socket' || k.kind === 'device';
    if (!special) skipped.push(k);
    else if (!matches(k.path)) continue;
    else if (k.kind === 'fifo') namedFifos.push(k.path);
    else skipped.push(k);
  }
  return all.filter(matches);
}
