// The compiled parser on awkward lines: field names as nginx-combined gives them, escapes of each
// escape= mode, times from $time_local / $time_iso8601 / $msec, request parts from $request or
// from $request_method + $request_uri / $uri + $args, client_ip, lists, and cut lines.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileLogFormat, logFormatParser, parseIso8601, parseMsec, unescapeJson, type ParsedEntry } from '../../parsers/nginx/log-format';
import { BODY_DIRECTIVE, BT_JSON_DIRECTIVE, MAIN_DIRECTIVE } from '../../parsers/nginx/builtin-formats';
import { parseCombined } from '../../parsers/nginx/combined';
import { ZoneClock } from '../../parsers/time';
import { paramsOf } from '../../rules/engine/engine';
import type { LogEvent } from '../../src/model/types';

const clock = new ZoneClock('Asia/Shanghai');

function reader(directive: string) {
  return compileLogFormat(directive).reader('nginx-test', clock);
}

function parse(directive: string, line: string): ParsedEntry {
  const r = reader(directive)(line);
  if (typeof r === 'string') assert.fail(`rejected: ${r}\n${line}`);
  return r;
}

function reason(directive: string, line: string): string {
  const r = reader(directive)(line);
  if (typeof r !== 'string') assert.fail(`parsed, expected a reject: ${line}`);
  return r;
}

const asEvent = (e: ParsedEntry): LogEvent => ({ ...e, file: 'f', line: 1, lineEnd: 1, offset: 0 });

test('main: the same fields as nginx-combined, under the same names', () => {
  const line = '10.0.0.5 - alice [21/Nov/2026:14:03:11 +0800] "POST /notify?a=1 HTTP/1.1" 200 7 "https://shop.example/" "curl/8" "198.51.100.7, 10.0.0.1"';
  const ours = parse(MAIN_DIRECTIVE, line);
  const theirs = parseCombined(line);
  assert.ok(typeof theirs !== 'string');
  assert.deepEqual(ours.fields, theirs.fields);
  assert.equal(ours.tsMs, theirs.tsMs);
  assert.equal(ours.tzOffsetMin, 480);
  assert.equal(ours.fields.client_ip, '198.51.100.7');
  assert.equal(ours.format, 'nginx-test');
});

test('IPv6 clients, and $remote_addr:$remote_port with the colons of an IPv6 address', () => {
  const f = parse(MAIN_DIRECTIVE, '2001:db8::7 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/2.0" 200 1 "-" "ua" "-"').fields;
  assert.deepEqual([f.remote_addr, f.client_ip, f.xff], ['2001:db8::7', '2001:db8::7', '-']);
  const p = parse(`log_format p '$remote_addr:$remote_port [$time_local] "$request" $status';`, '2001:db8::7:51234 [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200').fields;
  assert.deepEqual([p.remote_addr, p.remote_port], ['2001:db8::7', '51234']);
});

test('escape=default: \\x22 and \\xHH bytes are undone; \\\\ and \\" (older nginx, Apache) are kept as written, as nginx-combined keeps them', () => {
  const f = parse(
    BODY_DIRECTIVE,
    '1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "GET /s?q=\\xE4\\xBD\\xA0 HTTP/1.1" 200 1 "-" "say \\x22hi\\x22 C:\\x5Cdir" "-" "{\\x22order\\x22:\\x22A1\\x22,\\x22path\\x22:\\x22a\\\\b\\x22} \\"q\\""',
  ).fields;
  assert.equal(f.request, 'GET /s?q=你 HTTP/1.1');
  assert.equal(f.query, 'q=你');
  assert.equal(f.ua, 'say "hi" C:\\dir');
  assert.equal(f.request_body, '{"order":"A1","path":"a\\\\b"} \\"q\\"');
});

test('empty fields: "-" stays "-" as in nginx-combined; a "-" request has no method or path', () => {
  const f = parse(BODY_DIRECTIVE, '10.112.81.15 - - [15/Feb/2013:06:00:31 +0000] "-" 400 0 "-" "-" "-" "-"').fields;
  assert.deepEqual(
    [f.request, f.method, f.path, f.query, f.bytes, f.referrer, f.ua, f.xff, f.request_body, f.client_ip],
    ['-', '', '', '', '0', '-', '-', '-', '-', '10.112.81.15'],
  );
  const e = parse(`log_format e '$remote_addr [$time_local] "$request" $status $body_bytes_sent "$http_x_forwarded_for"';`, '1.2.3.4 [15/Feb/2013:06:00:31 +0000] "" 400 - ""').fields;
  assert.deepEqual([e.request, e.method, e.bytes, e.xff, e.client_ip], ['', '', '-', '', '1.2.3.4']);
});

test('a huge $request_body (900 KB, within the 1 MiB line limit) parses, quickly', () => {
  const body = 'a=' + 'x'.repeat(450_000) + '&json=' + '{\\x22k\\x22:1}'.repeat(40_000);
  const line = `1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "POST /pay/notify HTTP/1.1" 200 7 "-" "ua" "-" "${body}"`;
  const t0 = Date.now();
  const f = parse(BODY_DIRECTIVE, line).fields;
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(f.request_body!.length, 2 + 450_000 + 6 + '{"k":1}'.length * 40_000);
  assert.equal(paramsOf(asEvent(parse(BODY_DIRECTIVE, line))).a!.length, 450_000);
});

test('cut lines are rejected with a reason naming the field where they stop', () => {
  const full = '1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "POST /pay/notify HTTP/1.1" 200 7 "-" "Mozilla/5.0 (X11)" "-" "out_trade_no=A1&money=9.90"';
  const cases: [number, RegExp][] = [
    [full.length - 5, /^cut short after \$request_body: the line ends where "\\"" was expected/],
    [full.indexOf('Mozilla') + 7, /^cut short after \$http_user_agent/],
    [full.indexOf('2026') + 2, /^cut short at \$time_local/],
    [full.indexOf('HTTP/1.1'), /^cut short after \$request/],
    [full.indexOf(' 200') + 2, /^cut short at \$status/],
  ];
  for (const [at, re] of cases) assert.match(reason(BODY_DIRECTIVE, full.slice(0, at)), re, full.slice(0, at));
  // Not cut, just different: the reason says where it parts from the format.
  assert.match(reason(BODY_DIRECTIVE, full.replace(' 200 ', ' 2000 ')), /^does not match log_format body after \$status: expected " "/);
  assert.match(reason(BODY_DIRECTIVE, 'hello world'), /^does not match log_format body after \$remote_addr: expected " - ", found " world"/);
  assert.match(reason(BODY_DIRECTIVE, full.replace('[21/Nov/2026', '[31/Nov/2026')), /^bad time field \[\$time_local: 31\/Nov\/2026:14:03:11 \+0800\]/);
});

test('escape=json: \\u00e4, \\", \\\\ and control escapes; missing values are empty strings', () => {
  const line =
    '{"server_addr":"10.0.0.1","remote_addr":"203.0.113.9","time_local":"21/Nov/2026:14:03:11 +0800","host":"shop.example",' +
    '"request_method":"POST","request_uri":"/pay/alipay/notify?x=1","server_protocol":"HTTP/1.1","status":"200","body_bytes_sent":"7",' +
    '"request_time":"0.012","http_referer":"","http_user_agent":"J\\u00e4ger \\"bot\\" C:\\\\x\\ty","http_x_forwarded_for":"",' +
    '"from_data":"{\\"out_trade_no\\":\\"A1\\",\\"subject\\":\\"\\u5546\\u54c1\\"}"}';
  const e = parse(BT_JSON_DIRECTIVE, line);
  const f = e.fields;
  assert.equal(f.ua, 'Jäger "bot" C:\\x\ty');
  assert.equal(f.request_body, '{"out_trade_no":"A1","subject":"商品"}');
  assert.deepEqual([f.method, f.path, f.query, f.protocol, f.status, f.bytes, f.host, f.request_time], ['POST', '/pay/alipay/notify', 'x=1', 'HTTP/1.1', '200', '7', 'shop.example', '0.012']);
  assert.deepEqual([f.referrer, f.xff, f.client_ip], ['', '', '203.0.113.9']);
  assert.equal(e.tsMs, Date.parse('2026-11-21T06:03:11Z'));
  assert.equal(unescapeJson('\\ud83d\\ude00 \\/ \\b\\f\\n\\r \\q \\u12'), '😀 / \b\f\n\r \\q \\u12');
});

test('a GBK query: percent-encoded in $args, and raw bytes that escape=default wrote as \\xHH', () => {
  const d = `log_format a '$remote_addr [$time_local] $request_method $uri $args $status';`;
  const pct = parse(d, '1.2.3.4 [21/Nov/2026:14:03:11 +0800] GET /pay/submit subject=%C9%CC%C6%B7&money=1.00 200');
  assert.deepEqual([pct.fields.method, pct.fields.path, pct.fields.query], ['GET', '/pay/submit', 'subject=%C9%CC%C6%B7&money=1.00']);
  assert.deepEqual(paramsOf(asEvent(pct)), { subject: '商品', money: '1.00' });
  const raw = parse(d, '1.2.3.4 [21/Nov/2026:14:03:11 +0800] GET /pay/submit subject=\\xC9\\xCC\\xC6\\xB7 200');
  assert.equal(raw.fields.query, 'subject=商品');
  assert.equal(paramsOf(asEvent(raw)).subject, '商品');
  // No query at all: nginx writes "-" for $args.
  assert.equal(parse(d, '1.2.3.4 [21/Nov/2026:14:03:11 +0800] GET /pay/submit - 200').fields.query, '');
});

test('$msec with its fraction (offset from --tz), $time_iso8601 with +08:00; $msec wins for the instant', () => {
  const m = parse(`log_format m '$msec $remote_addr "$request" $status';`, '1795240991.123 1.2.3.4 "GET / HTTP/1.1" 200');
  assert.equal(m.tsMs, 1795240991123);
  assert.equal(m.tzOffsetMin, 480);
  const i = parse(`log_format i '$time_iso8601 $remote_addr "$request" $status';`, '2026-11-21T14:03:11+08:00 1.2.3.4 "GET / HTTP/1.1" 200');
  assert.equal(i.tsMs, Date.parse('2026-11-21T06:03:11Z'));
  assert.equal(i.tzOffsetMin, 480);
  const both = parse(`log_format b '[$time_iso8601] $msec "$request" $status';`, '[2026-11-21T14:03:11-05:30] 1795300391.5 "GET / HTTP/1.1" 200');
  assert.equal(both.tsMs, 1795300391500);
  assert.equal(both.tzOffsetMin, -330);
  assert.equal(parseMsec('1700000000'), 1700000000000);
  assert.deepEqual(parseIso8601('2026-11-21T14:03:11Z'), { ms: Date.parse('2026-11-21T14:03:11Z'), offsetMin: 0 });
  assert.ok(Number.isNaN(parseIso8601('2026-02-30T14:03:11+08:00').ms));
  assert.match(reason(`log_format i '$time_iso8601 $status';`, '2026-02-30T14:03:11+08:00 200'), /bad time field \[\$time_iso8601: 2026-02-30T14:03:11\+08:00\]/);
});

test('escape=none: values are taken as written; an unquoted $request runs up to the next fixed field', () => {
  const n = parse(`log_format n escape=none '$remote_addr "$http_user_agent" "$request_body"';`, '1.2.3.4 "C:\\dir\\" "{\\x22a\\x22:1}"').fields;
  assert.deepEqual([n.ua, n.request_body], ['C:\\dir\\', '{\\x22a\\x22:1}']);
  const u = parse(`log_format u '$remote_addr $request $status $body_bytes_sent';`, '1.2.3.4 GET /a?b=1 HTTP/1.1 200 512').fields;
  assert.deepEqual([u.request, u.method, u.path, u.query, u.status, u.bytes], ['GET /a?b=1 HTTP/1.1', 'GET', '/a', 'b=1', '200', '512']);
});

test('a format without a time gives events without one (tsMs NaN)', () => {
  assert.ok(Number.isNaN(parse(`log_format t '$remote_addr "$request" $status';`, '1.2.3.4 "GET / HTTP/1.1" 200').tsMs));
});

test('$request_uri splits into path and query; $uri is the path and $args the query; $server_protocol is the protocol', () => {
  const a = parse(`log_format a '$remote_addr [$time_local] "$request_method $request_uri $server_protocol" $status';`, '1.2.3.4 [21/Nov/2026:14:03:11 +0800] "GET /q?tradeNo=1 HTTP/1.1" 200').fields;
  // Three variables inside one pair of quotes: each is a space-free token there.
  assert.deepEqual([a.method, a.path, a.query, a.protocol, a.request_uri], ['GET', '/q', 'tradeNo=1', 'HTTP/1.1', '/q?tradeNo=1']);
  assert.equal(a.request, undefined);
  const b = parse(`log_format b '$remote_addr|$request_method|$uri|$args|$status';`, '1.2.3.4|POST|/a b/c|x=1&y=2|201').fields;
  assert.deepEqual([b.method, b.path, b.query, b.status], ['POST', '/a b/c', 'x=1&y=2', '201']);
});

test('client_ip: first X-Forwarded-For address, else $remote_addr; $proxy_add_x_forwarded_for gives all three', () => {
  const q = parse(`log_format q '"$http_x_forwarded_for" $remote_addr [$time_local] "$request" $status';`, '"198.51.100.7, 10.0.0.1" 10.0.0.2 [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200').fields;
  assert.deepEqual([q.xff, q.remote_addr, q.client_ip], ['198.51.100.7, 10.0.0.1', '10.0.0.2', '198.51.100.7']);
  const d = `log_format p '$proxy_add_x_forwarded_for - $remote_user [$time_local] "$request" $status';`;
  const p = parse(d, '198.51.100.7, 10.0.0.1, 10.0.0.2 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200').fields;
  assert.deepEqual([p.proxy_add_x_forwarded_for, p.xff, p.remote_addr, p.client_ip], ['198.51.100.7, 10.0.0.1, 10.0.0.2', '198.51.100.7, 10.0.0.1', '10.0.0.2', '198.51.100.7']);
  const one = parse(d, '10.0.0.2 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200').fields;
  assert.deepEqual([one.xff, one.remote_addr, one.client_ip], [undefined, '10.0.0.2', '10.0.0.2']);
});

test('upstream lists keep their ", " and " : " separators; [bracketed] and unknown variables are fields', () => {
  const d = `log_format u '$remote_addr [$time_local] "$request" $status $request_time [$proxy_upstream_name] $upstream_addr $upstream_status $upstream_response_time $req_id';`;
  const f = parse(d, '1.2.3.4 [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 502 0.100 [] 10.0.0.7:80, 10.0.0.8:80 : unix:/tmp/php.sock 502, 502 : 200 0.050, 0.001 : 0.049 ab12').fields;
  assert.deepEqual(
    [f.request_time, f.proxy_upstream_name, f.upstream_addr, f.upstream_status, f.upstream_response_time, f.req_id],
    ['0.100', '', '10.0.0.7:80, 10.0.0.8:80 : unix:/tmp/php.sock', '502, 502 : 200', '0.050, 0.001 : 0.049', 'ab12'],
  );
});

test('paramsOf (the rule engine) merges the decoded $request_body into the query parameters', () => {
  const e = asEvent(parse(BODY_DIRECTIVE, '1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "POST /pay/notify?from=q HTTP/1.1" 200 7 "-" "ua" "-" "out_trade_no=A1&money=9.90&name=%E5%95%86"'));
  assert.deepEqual(paramsOf(e), { from: 'q', out_trade_no: 'A1', money: '9.90', name: '商' });
});

test('logFormatParser: events carry provenance, blank lines are noise, bad lines are rejected with the reason', () => {
  const def = logFormatParser('nginx-body', 'test', compileLogFormat(BODY_DIRECTIVE));
  const events: LogEvent[] = [];
  const rejects: [number, string][] = [];
  const blanks: number[] = [];
  const p = def.create({ file: 'a.log', clock }, {
    event: (e) => events.push(e),
    reject: (n, _o, r) => rejects.push([n, r]),
    blank: (n) => blanks.push(n),
  });
  p.line('1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" "-" "-"', 1, 0);
  p.line('', 2, 80);
  p.line('1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 1 "-" "ua"', 3, 81);
  p.end();
  assert.deepEqual(events.map((e) => [e.file, e.line, e.lineEnd, e.offset, e.format]), [['a.log', 1, 1, 0, 'nginx-body']]);
  assert.deepEqual(blanks, [2]);
  assert.equal(rejects.length, 1);
  assert.match(rejects[0]![1], /cut short after \$http_user_agent/);
});
