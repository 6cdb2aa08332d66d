// nginx access-log lines: `combined`, and `main` = combined + "$http_x_forwarded_for" (docs/log-shapes.md).
import { nginxTime } from './time';

/** nginx `escape=default`: `"`, `\`, bytes < 0x20 and ≥ 0x7F become `\xXX`. Input is taken as raw bytes (latin1). */
export function nginxEscape(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += s[i];
  }
  return out;
}

function needsEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c < 0x20 || c >= 0x7f) return true;
  }
  return false;
}

function esc(s: string): string {
  return needsEscape(s) ? nginxEscape(s) : s;
}

export interface AccessEntry {
  /** `$remote_addr`: the proxy, or the client when it came in directly. */
  remoteAddr: string;
  /** `$request`, e.g. `GET /bill/ABC HTTP/1.1`; may hold raw bytes (latin1) for junk requests. */
  request: string;
  status: number;
  bytes: number;
  referer?: string;
  ua?: string;
  /** `$http_x_forwarded_for`; undefined = `-`. */
  xff?: string;
}

/** One `main`-format line (no trailing newline). `clockMs` is the time the host's clock showed.
 *  Built with Array#join, which yields a flat string: template literals leave V8 cons-string trees that
 *  double the memory of a million-line run. */
export function formatMain(clockMs: number, e: AccessEntry): string {
  return [
    e.remoteAddr,
    ' - - [',
    nginxTime(clockMs),
    '] "',
    esc(e.request),
    '" ',
    String(e.status),
    ' ',
    String(e.bytes),
    ' "',
    e.referer ? esc(e.referer) : '-',
    '" "',
    e.ua ? esc(e.ua) : '-',
    '" "',
    e.xff ? esc(e.xff) : '-',
    '"',
  ].join('');
}

/** Body size of a Laravel/Symfony RedirectResponse to `url` (the meta-refresh HTML page). */
export function redirectBodySize(url: string): number {
  const u = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  const html =
    '<!DOCTYPE html>\n<html>\n    <head>\n        <meta charset="UTF-8" />\n' +
    `        <meta http-equiv="refresh" content="0;url='${u}'" />\n\n        <title>Redirecting to ${u}</title>\n` +
    `    </head>\n    <body>\n        Redirecting to <a href="${u}">${u}</a>.\n    </body>\n</html>`;
  return Buffer.byteLength(html, 'utf8');
}
