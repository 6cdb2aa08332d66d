// PHP exceptions as Laravel writes them to laravel.log (Monolog's LineFormatter with stack
// traces on): the context is `{"exception":"[object] (Class(code: N): message at file:line)`
// and, on the lines after it, `[stacktrace]` and the frames of Exception::getTraceAsString().
//
// Facts this reader relies on:
// * getTraceAsString() writes one frame per line, `#N file(line): Class->function(args)` or
//   `#N [internal function]: Class->function(args)`, then `#N {main}` (php-src
//   Zend/zend_exceptions.c, _build_trace_string).
// * Arguments (_build_trace_args there): strings in single quotes, cut to their first 15
//   bytes with `...` written inside the quotes when longer (PHP 8 makes the 15 an ini setting,
//   zend.exception_string_param_max_len, default 15); ints and floats bare (floats with
//   `precision`, so 9.90 is `9.9`); NULL, true, false; `Array`; `Object(Class)`.
// * With zend.exception_ignore_args = On (php.ini-production of PHP 7.4+ sets it) every frame
//   is written with `()`: no arguments at all.
// * The context is JSON-encoded and only its newlines are turned back into real ones, so the
//   frames keep JSON's escapes: `App\\Service\\X`, `\"`, `\/` (Monolog Formatter/LineFormatter
//   and NormalizerFormatter; dujiaoka 2.0.6 locks monolog 2.4.0, 1.8.2 locks 2.0.2).

export interface ExceptionHead {
  cls: string;
  code: string;
  message: string;
  file: string;
  line: string;
}

export type TraceArg =
  | { kind: 'string'; value: string; cut: boolean }
  | { kind: 'number'; value: string }
  | { kind: 'other'; text: string };

export interface TraceFrame {
  index: number;
  /** Null for `[internal function]` and `{main}`. */
  file: string | null;
  line: string | null;
  /** `Class->method`, `Class::method` or `function`; empty for `{main}`. */
  call: string;
  /** Null when the frame was written without its arguments (exception_ignore_args). */
  args: TraceArg[] | null;
}

/** JSON string escapes that Monolog left in the text (everything but newlines). */
export function unescapeJsonText(s: string): string {
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\(u[0-9a-fA-F]{4}|["\\/bfnrt])/g, (_m, e: string) => {
    switch (e[0]) {
      case 'u':
        return String.fromCharCode(parseInt(e.slice(1), 16));
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      default:
        return e;
    }
  });
}

const HEAD = /\{"exception":"\[object\] \(((?=[^(])[^(\\]*(?:\\\\[^(\\]*)*)\(code: (-?\d+)\): (.*) at (.+?):(\d+)\)(?:"\})?\s*$/;

/** The exception named in a Laravel log message (the header line of the entry), if any. */
export function readExceptionHead(message: string): ExceptionHead | null {
  const i = message.indexOf('{"exception":"[object] (');
  if (i < 0) return null;
  const m = HEAD.exec(message.slice(i));
  if (m === null) return null;
  return { cls: unescapeJsonText(m[1]!), code: m[2]!, message: unescapeJsonText(m[3]!), file: unescapeJsonText(m[4]!), line: m[5]! };
}

const FRAME = /^#(\d+) (?:(.+)\((\d+)\)|\[internal function\]): (.+)$/;

/** One line of a trace; null when the line is not a frame. Takes the line as logged (JSON escapes in). */
export function readTraceFrame(raw: string): TraceFrame | null {
  const text = unescapeJsonText(raw);
  const main = /^#(\d+) \{main\}$/.exec(text);
  if (main) return { index: Number(main[1]), file: null, line: null, call: '', args: null };
  const m = FRAME.exec(text);
  if (m === null) return null;
  const open = m[4]!.indexOf('(');
  if (open < 0 || !m[4]!.endsWith(')')) return null;
  const call = m[4]!.slice(0, open);
  const inner = m[4]!.slice(open + 1, -1);
  return { index: Number(m[1]), file: m[2] ?? null, line: m[3] ?? null, call, args: inner === '' ? null : readTraceArgs(inner) };
}

/**
 * `'K3J9QX2M7PLA0AB...', 9.9, NULL, Object(X)` → arguments. A string is read to the quote
 * that is followed by `, ` or the end (PHP does not escape quotes inside, it escapes only
 * control bytes), so a quote inside a string does not end it early.
 */
export function readTraceArgs(s: string): TraceArg[] {
  const out: TraceArg[] = [];
  let i = 0;
  while (i < s.length) {
    if (s[i] === "'") {
      let j = i + 1;
      for (;;) {
        const q = s.indexOf("'", j);
        if (q < 0) {
          j = s.length;
          break;
        }
        if (q === s.length - 1 || s.startsWith(', ', q + 1)) {
          j = q;
          break;
        }
        j = q + 1;
      }
      let value = s.slice(i + 1, j);
      const cut = value.endsWith('...');
      if (cut) value = value.slice(0, -3);
      out.push({ kind: 'string', value, cut });
      i = j + 1;
    } else {
      let depth = 0;
      let j = i;
      for (; j < s.length; j++) {
        const c = s[j];
        if (c === '(') depth++;
        else if (c === ')') depth--;
        else if (c === ',' && depth === 0 && s[j + 1] === ' ') break;
      }
      const text = s.slice(i, j);
      out.push(/^-?\d+(?:\.\d+)?(?:E[+-]?\d+)?$/i.test(text) ? { kind: 'number', value: text } : { kind: 'other', text });
      i = j;
    }
    if (s.startsWith(', ', i)) i += 2;
    else break;
  }
  return out;
}

/**
 * The exception's parameters for rules: its class, code, file and line, and the first frame
 * (the call into the function that threw, with its arguments). An argument cut by PHP is
 * `frame0.argN_prefix` rather than `frame0.argN`: it is only the start of the value.
 */
export function exceptionParams(head: ExceptionHead, trace: readonly string[]): Record<string, string> {
  const p: Record<string, string> = {
    'exception.class': head.cls,
    'exception.code': head.code,
    'exception.message': head.message,
    'exception.file': head.file,
    'exception.line': head.line,
  };
  const first = trace.find((l) => l.startsWith('#0 '));
  const f = first === undefined ? null : readTraceFrame(first);
  if (f === null || f.call === '') return p;
  p['frame0.call'] = f.call;
  if (f.file !== null) {
    p['frame0.file'] = f.file;
    p['frame0.line'] = f.line!;
  }
  p['frame0.args'] = f.args === null ? 'absent' : String(f.args.length);
  f.args?.forEach((a, n) => {
    if (a.kind === 'string') p[a.cut ? `frame0.arg${n}_prefix` : `frame0.arg${n}`] = a.value;
    else if (a.kind === 'number') p[`frame0.arg${n}`] = a.value;
    else p[`frame0.arg${n}`] = a.text;
  });
  return p;
}
