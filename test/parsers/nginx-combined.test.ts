import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientIp, nginxCombined, parseCombined, splitRequest } from '../../parsers/nginx/combined';
import type { LogEvent } from '../../src/model/types';
import { ZoneClock } from '../../parsers/time';

function parsed(line: string): Omit<LogEvent, 'file' | 'line' | 'lineEnd' | 'offset'> {
  const r = parseCombined(line);
  if (typeof r === 'string') assert.fail(`rejected: ${r}\n${line}`);
  return r;
}

test('parseCombined: a combined line, field by field', () => {
  const line =
    '203.0.113.9 - alice [21/Nov/2026:14:03:11 +0800] "GET /pay/notify?out_trade_no=A1&money=10.00 HTTP/1.1" 200 612 "https://shop.example/buy" "Mozilla/5.0 (X11)"';
  const r = parsed(line);
  assert.equal(r.format, 'nginx-combined');
  assert.equal(r.tsMs, Date.parse('2026-11-21T06:03:11Z'));
  assert.equal(r.tzOffsetMin, 480);
  assert.deepEqual(r.fields, {
    remote_addr: '203.0.113.9',
    remote_user: 'alice',
    request: 'GET /pay/notify?out_trade_no=A1&money=10.00 HTTP/1.1',
    method: 'GET',
    path: '/pay/notify',
    query: 'out_trade_no=A1&money=10.00',
    protocol: 'HTTP/1.1',
    status: '200',
    bytes: '612',
    referrer: 'https://shop.example/buy',
    ua: 'Mozilla/5.0 (X11)',
    client_ip: '203.0.113.9',
  });
});

test('parseCombined: the main format\'s X-Forwarded-For field gives the client', () => {
  const r = parsed('10.0.0.5 - - [21/Nov/2026:14:03:11 +0800] "POST /notify HTTP/1.1" 200 7 "-" "curl/8" "198.51.100.7, 10.0.0.1"');
  assert.equal(r.fields.xff, '198.51.100.7, 10.0.0.1');
  assert.equal(r.fields.client_ip, '198.51.100.7');
  assert.equal(r.fields.remote_addr, '10.0.0.5');
  const dash = parsed('10.0.0.5 - - [21/Nov/2026:14:03:11 +0800] "POST /notify HTTP/1.1" 200 7 "-" "curl/8" "-"');
  assert.equal(dash.fields.client_ip, '10.0.0.5');
});

test('parseCombined: nginx \\xHH escapes in the request, referrer and user agent are undone', () => {
  const r = parsed(
    '1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "GET /s?q=\\xE4\\xBD\\xA0 HTTP/1.1" 200 1 "-" "say \\x22hi\\x22"',
  );
  assert.equal(r.fields.request, 'GET /s?q=你 HTTP/1.1');
  assert.equal(r.fields.query, 'q=你');
  assert.equal(r.fields.ua, 'say "hi"');
});

test('parseCombined: fields an operator appended (ingress-nginx upstream data) are allowed and ignored', () => {
  const r = parsed(
    '192.168.64.1 - - [07/Feb/2020:11:48:51 +0000] "POST /products HTTP/1.1" 200 59 "-" "curl/7.54.0" 89 0.001 [default-web-8080] [] 172.17.0.5:8080 59 0.000 200 529a007902362a5f51385a5fa7049884',
  );
  assert.equal(r.fields.ua, 'curl/7.54.0');
  assert.equal(r.fields.xff, undefined);
  assert.equal(parsed('1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" "-" "extra quoted" 0.003 ').fields.ua, 'ua');
});

test('parseCombined: an unterminated quote is rejected with a clear reason, not silently dropped', () => {
  // Regression: the trailing catch-all used to swallow `"Mozilla... ` and return ua ''.
  for (const line of [
    '46.118.127.106 - - [20/May/2015:12:05:17 +0000] "GET /x HTTP/1.1" 200 235 "-" "Mozilla/5.0 (compatible; Googlebot/2.1',
    '1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 1 "-" "ua" "10.0.0.1',
    '1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1',
  ]) {
    const r = parseCombined(line);
    assert.equal(typeof r, 'string', line);
    assert.match(r as string, /unterminated quoted field/);
  }
});

test('parseCombined: other malformed lines are rejected', () => {
  const cases: [string, RegExp][] = [
    ['1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 612abc "-" "ua"', /not an nginx combined line/],
    ['1.2.3.4 [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 1 "-" "ua"', /not an nginx combined line/],
    ['1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 2000 1 "-" "ua"', /not an nginx combined line/],
    ['[2026-11-21 14:03:11] local.INFO: hello', /not an nginx combined line/],
    ['1.2.3.4 - - [21/Nov/2026:14:03:11 +0860] "GET / HTTP/1.1" 200 1 "-" "ua"', /bad time field \[21\/Nov\/2026:14:03:11 \+0860\]/],
    ['1.2.3.4 - - [31/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 1 "-" "ua"', /bad time field/],
  ];
  for (const [line, reason] of cases) {
    const r = parseCombined(line);
    assert.equal(typeof r, 'string', line);
    assert.match(r as string, reason, line);
  }
});

test('parseCombined slow path: a prefix before $remote_addr is read only in the shapes nginx writes', () => {
  const tail = ' - - [21/Nov/2026:14:03:11 +0800] "GET /pay?x=1 HTTP/1.1" 200 1 "-" "ua"';
  const plain = parsed('9.9.9.9' + tail);
  const read = (prefix: string) => {
    const r = parseCombined(prefix + tail);
    return typeof r === 'string' ? r : r.fields;
  };
  // Each shape gives the plain line's fields plus what the prefix says.
  const shapes: [string, Record<string, string>][] = [
    ['1.1.1.1, 2.2.2.2, 9.9.9.9', { xff: '1.1.1.1, 2.2.2.2', client_ip: '1.1.1.1' }],
    ['1.1.1.1,2.2.2.2 9.9.9.9', { xff: '1.1.1.1,2.2.2.2', client_ip: '1.1.1.1' }],
    ['"1.1.1.1, 2.2.2.2" 9.9.9.9', { xff: '1.1.1.1, 2.2.2.2', client_ip: '1.1.1.1' }],
    ['2a02:cf40::1, 9.9.9.9', { xff: '2a02:cf40::1', client_ip: '2a02:cf40::1' }],
    ['shop.example.com 9.9.9.9', { host: 'shop.example.com' }],
    ['shop.example.com:8443 9.9.9.9', { host: 'shop.example.com', server_port: '8443' }],
  ];
  for (const [prefix, extra] of shapes) assert.deepEqual(read(prefix), { ...plain.fields, ...extra }, prefix);
  // What nginx does not write stays rejected: several bare words, a quoted list and then two
  // words, an ident other than '-' (Apache's %l), fields missing.
  for (const line of [
    'a b 9.9.9.9' + tail,
    '"1.1.1.1" h 9.9.9.9' + tail,
    'localhost:443 9.9.9.9 ident jsmith [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 1 "-" "ua"',
    'h 9.9.9.9 [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 1 "-" "ua"',
    '1.1.1.1, 9.9.9.9 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 1abc "-" "ua"',
  ]) {
    assert.equal(typeof parseCombined(line), 'string', line);
  }
  // A cut line behind a prefix keeps its reason.
  assert.match(parseCombined('1.1.1.1, 9.9.9.9 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 1 "-" "Mozilla') as string, /unterminated quoted field/);
  // A trailing X-Forwarded-For that disagrees with the prefix list is kept, not dropped.
  const both = parseCombined('1.1.1.1, 9.9.9.9' + tail + ' "7.7.7.7"');
  assert.ok(typeof both !== 'string');
  assert.deepEqual([both.fields.xff, both.fields.xff_trailing, both.fields.client_ip], ['1.1.1.1', '7.7.7.7', '1.1.1.1']);
});

test('splitRequest: HTTP requests, and what non-HTTP request lines give', () => {
  assert.deepEqual(splitRequest('GET /a/b?x=1&y=2 HTTP/1.1'), { method: 'GET', path: '/a/b', query: 'x=1&y=2', protocol: 'HTTP/1.1' });
  assert.deepEqual(splitRequest('GET /?a?b HTTP/2.0'), { method: 'GET', path: '/', query: 'a?b', protocol: 'HTTP/2.0' });
  assert.deepEqual(splitRequest('GET /old'), { method: 'GET', path: '/old', query: '', protocol: '' });
  assert.deepEqual(splitRequest('-'), { method: '', path: '', query: '', protocol: '' });
  assert.deepEqual(splitRequest(''), { method: '', path: '', query: '', protocol: '' });
  assert.deepEqual(splitRequest('hello'), { method: '', path: '', query: '', protocol: '' });
});

test('clientIp: first X-Forwarded-For address, else remote_addr', () => {
  assert.equal(clientIp('10.0.0.1', undefined), '10.0.0.1');
  assert.equal(clientIp('10.0.0.1', '-'), '10.0.0.1');
  assert.equal(clientIp('10.0.0.1', ''), '10.0.0.1');
  assert.equal(clientIp('10.0.0.1', '203.0.113.5'), '203.0.113.5');
  assert.equal(clientIp('10.0.0.1', ' 203.0.113.5 , 10.0.0.2'), '203.0.113.5');
  assert.equal(clientIp('10.0.0.1', ', 10.0.0.2'), '10.0.0.1');
});

test('nginxCombined.create: events carry provenance, blank lines are noise, bad lines are rejected', () => {
  const events: LogEvent[] = [];
  const rejects: [number, number, string][] = [];
  const blanks: number[] = [];
  const p = nginxCombined.create(
    { file: 'access.log', clock: new ZoneClock('Asia/Shanghai') },
    {
      event: (e) => events.push(e),
      reject: (lineNo, offset, reason) => rejects.push([lineNo, offset, reason]),
      blank: (lineNo) => blanks.push(lineNo),
    },
  );
  p.line('1.2.3.4 - - [21/Nov/2026:14:03:11 +0800] "GET / HTTP/1.1" 200 1 "-" "ua"', 1, 0);
  p.line('', 2, 70);
  p.line('garbage', 3, 71);
  p.end();
  assert.equal(events.length, 1);
  assert.deepEqual([events[0]!.file, events[0]!.line, events[0]!.lineEnd, events[0]!.offset], ['access.log', 1, 1, 0]);
  assert.deepEqual(blanks, [2]);
  assert.equal(rejects.length, 1);
  assert.deepEqual(rejects[0]!.slice(0, 2), [3, 71]);
});
