import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { nginxCombined } from '../../parsers/nginx/combined';
import type { LogEvent } from '../../src/model/types';
import { rawLines, readRealdata, realdataPath } from '../support/realdata';
import { runParser } from '../support/run-parser';

// Real public nginx/apache logs (see ../shared/realdata/SOURCES.md), read the way the pipeline
// reads them: bytes → LineSplitter → decodeLine → the nginx-combined parser.

const run = (buf: Buffer, file: string) => runParser(nginxCombined, buf, file);

function statusCounts(events: Iterable<LogEvent>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[e.fields.status!] = (out[e.fields.status!] ?? 0) + 1;
  return out;
}

test('realdata elastic-examples/nginx_logs: all 51,462 lines parse, with the documented status counts', () => {
  const buf = readRealdata('elastic-examples', 'nginx_logs');
  const r = run(buf, 'nginx_logs');
  assert.equal(r.lines, 51462);
  assert.equal(rawLines(buf).length, 51462);
  assert.deepEqual([...r.rejects.entries()].slice(0, 5), []);
  assert.equal(r.events.size, 51462);
  // SOURCES.md: 404=33876, 304=13330, 200=4028, 206=186, 403=38, 416=4.
  assert.deepEqual(statusCounts(r.events.values()), { '404': 33876, '304': 13330, '200': 4028, '206': 186, '403': 38, '416': 4 });
  // Every timestamp is +0000, from 17 May to 4 Jun 2015.
  let min = Infinity;
  let max = -Infinity;
  for (const e of r.events.values()) {
    assert.equal(e.tzOffsetMin, 0);
    assert.notEqual(e.fields.method, '');
    min = Math.min(min, e.tsMs);
    max = Math.max(max, e.tsMs);
  }
  assert.ok(min >= Date.parse('2015-05-17T00:00:00Z') && max < Date.parse('2015-06-05T00:00:00Z'), `${new Date(min).toISOString()}..${new Date(max).toISOString()}`);
});

test('realdata elastic-examples/apache_logs: line 8899 (unterminated user-agent quote) is rejected with that reason; the other 9,999 parse', () => {
  const buf = readRealdata('elastic-examples', 'apache_logs');
  const raw = rawLines(buf);
  assert.equal(raw.length, 10000);
  assert.ok(raw[8898]!.text.endsWith('"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html'), 'precondition: line 8899 is the cut one');
  const r = run(buf, 'apache_logs');
  assert.deepEqual(
    [...r.rejects.values()].map((x) => x.lineNo),
    [8899],
  );
  assert.match(r.rejects.get(raw[8898]!.offset)!.reason, /unterminated quoted field/);
  assert.equal(r.events.size, 9999);
  // SOURCES.md counts all 10,000 lines (200=9126); line 8899 is one of the 200s.
  assert.deepEqual(statusCounts(r.events.values()), { '200': 9125, '304': 445, '404': 213, '301': 164, '206': 45, '500': 3, '416': 2, '403': 2 });
  // Nothing lost silently: every parsed line has its user agent (a missing one would be '').
  for (const e of r.events.values()) assert.notEqual(e.fields.ua, '', `line ${e.line}`);
});

test('realdata tstack-lnav logfile_access_log.0: three gPXE lines, field by field', () => {
  const r = run(readRealdata('tstack-lnav-test', 'logfile_access_log.0'), 'logfile_access_log.0');
  assert.equal(r.rejects.size, 0);
  const got = [...r.events.values()].map((e) => [e.line, e.tsMs, e.fields.client_ip, e.fields.method, e.fields.path, e.fields.status, e.fields.bytes, e.fields.ua]);
  assert.deepEqual(got, [
    [1, Date.parse('2009-07-20T22:59:26Z'), '192.168.202.254', 'GET', '/vmw/cgi/tramp', '200', '134', 'gPXE/0.9.7'],
    [2, Date.parse('2009-07-20T22:59:29Z'), '192.168.202.254', 'GET', '/vmw/vSphere/default/vmkboot.gz', '404', '46210', 'gPXE/0.9.7'],
    [3, Date.parse('2009-07-20T22:59:29Z'), '192.168.202.254', 'GET', '/vmw/vSphere/default/vmkernel.gz', '200', '78929', 'gPXE/0.9.7'],
  ]);
});

test('realdata tstack-lnav logfile_shop_access_log.0: all 1,000 lines parse, +0330, with the trailing X-Forwarded-For field', () => {
  const buf = readRealdata('tstack-lnav-test', 'logfile_shop_access_log.0');
  const r = run(buf, 'logfile_shop_access_log.0');
  assert.equal(r.lines, 1000);
  assert.equal(r.rejects.size, 0);
  assert.equal(r.events.size, 1000);
  assert.deepEqual(statusCounts(r.events.values()), { '200': 938, '404': 24, '302': 20, '301': 11, '304': 7 });
  // The last quoted field is $http_x_forwarded_for: '-' on 987 lines, a proxy's client on 13.
  let proxied = 0;
  for (const l of rawLines(buf)) {
    const e = r.events.get(l.offset)!;
    const xff = l.text.slice(l.text.lastIndexOf('"', l.text.length - 2) + 1, -1);
    assert.equal(e.tzOffsetMin, 210);
    assert.equal(e.fields.xff, xff);
    assert.equal(e.fields.client_ip, xff === '-' ? l.text.slice(0, l.text.indexOf(' ')) : xff);
    if (xff !== '-') proxied++;
  }
  assert.equal(proxied, 13);
  const first = r.events.get(0)!;
  assert.equal(first.tsMs, Date.parse('2019-01-22T00:26:14Z'));
  assert.equal(first.fields.ua, 'Mozilla/5.0 (compatible; AhrefsBot/6.1; +http://ahrefs.com/robot/)');
  assert.ok(first.fields.path.startsWith('/filter/27|13%20%D9%85'), first.fields.path);
});

test('realdata tstack-lnav small files: a "-" request parses; missing ident/user and vhost-prefixed lines are rejected', () => {
  const one = run(readRealdata('tstack-lnav-test', 'logfile_access_log.1'), 'logfile_access_log.1');
  assert.equal(one.events.size, 1);
  const e = [...one.events.values()][0]!;
  assert.deepEqual([e.fields.request, e.fields.method, e.fields.path, e.fields.status, e.fields.bytes], ['-', '', '', '400', '0']);

  const bad = run(readRealdata('tstack-lnav-test', 'logfile_bad_access_log.0'), 'logfile_bad_access_log.0');
  assert.deepEqual([...bad.events.values()].map((x) => x.line), [1, 3]);
  assert.deepEqual([...bad.rejects.values()].map((x) => x.lineNo), [2]);

  // `localhost:443 178.20.184.42 1j0vhgd jsmith [...]`: a $host:$server_port prefix. Not combined;
  // left for the log_format compiler.
  const vhost = run(readRealdata('tstack-lnav-test', 'logfile_regexp_access_log.0'), 'logfile_regexp_access_log.0');
  assert.equal(vhost.events.size, 0);
  assert.deepEqual([...vhost.rejects.values()].map((x) => x.lineNo), [1, 2]);
});

test('realdata filebeat ingress_controller/test.log: all 29 lines parse as combined (the upstream fields after the UA are not extracted)', () => {
  const r = run(readRealdata('elastic-beats-filebeat-nginx', 'ingress_controller', 'test.log'), 'ingress');
  assert.equal(r.rejects.size, 0);
  assert.equal(r.events.size, 29);
  const methods = [...r.events.values()].map((e) => e.fields.method);
  // "PATCHp" and "geti" are the file's deliberately bad methods: kept as written.
  assert.ok(methods.includes('PATCHp') && methods.includes('geti'));
});

// ---- Field-by-field agreement with filebeat's expected documents ----

type Doc = Record<string, unknown>;

/** The shared fields, with "absent", '' and '-' all meaning "no value" (filebeat drops '-' in newer versions, keeps it in older ones). */
const FIELDS = [
  'source.address',
  'http.request.method',
  'url.original',
  'http.response.status_code',
  'http.response.body.bytes',
  'http.request.referrer',
  'user_agent.original',
  '@timestamp',
] as const;

function norm(v: unknown): unknown {
  return v === undefined || v === '' || v === '-' ? undefined : v;
}

function expectedValue(doc: Doc, key: (typeof FIELDS)[number]): unknown {
  if (key === '@timestamp') return Date.parse(doc['@timestamp'] as string);
  return norm(doc[key]);
}

function ourValue(e: LogEvent, key: (typeof FIELDS)[number]): unknown {
  const f = e.fields;
  switch (key) {
    case 'source.address':
      return norm(f.client_ip);
    case 'http.request.method':
      return norm(f.method);
    case 'url.original':
      return norm(f.path === '' ? '' : f.query !== '' ? `${f.path}?${f.query}` : f.path);
    case 'http.response.status_code':
      return Number(f.status);
    case 'http.response.body.bytes':
      return f.bytes === '-' ? undefined : Number(f.bytes);
    case 'http.request.referrer':
      return norm(f.referrer);
    case 'user_agent.original':
      return norm(f.ua);
    case '@timestamp':
      return e.tsMs;
  }
}

interface Agreement {
  docs: number;
  parsed: number;
  fieldsCompared: number;
  mismatches: string[];
  notParsed: Map<number, string>; // offset → reason
}

function compare(dir: string, log: string): Agreement {
  const buf = readRealdata(dir, 'access', log);
  const docs = JSON.parse(readFileSync(realdataPath(dir, 'access', `${log}-expected.json`), 'utf8')) as Doc[];
  const raw = new Map(rawLines(buf).map((l) => [l.offset, l]));
  const r = run(buf, log);
  const out: Agreement = { docs: docs.length, parsed: 0, fieldsCompared: 0, mismatches: [], notParsed: new Map() };
  for (const doc of docs) {
    const offset = doc['log.offset'] as number;
    assert.ok(raw.has(offset), `${log}: log.offset ${offset} is not the start of a line`);
    if (typeof doc['event.original'] === 'string') assert.equal(raw.get(offset)!.text, doc['event.original']);
    const e = r.events.get(offset);
    if (e === undefined) {
      out.notParsed.set(offset, r.rejects.get(offset)?.reason ?? 'no event and no reject');
      continue;
    }
    out.parsed++;
    for (const key of FIELDS) {
      out.fieldsCompared++;
      const want = expectedValue(doc, key);
      const got = ourValue(e, key);
      if (want !== got) out.mismatches.push(`${log}@${offset} ${key}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    }
  }
  return out;
}

const FB = 'elastic-beats-filebeat-nginx';

test('realdata filebeat access.log: the 12 expected documents agree on every shared field', () => {
  const a = compare(FB, 'access.log');
  assert.equal(a.docs, 12);
  assert.deepEqual([...a.notParsed.keys()], []);
  assert.equal(a.parsed, 12);
  assert.equal(a.fieldsCompared, 12 * FIELDS.length);
  assert.deepEqual(a.mismatches, []);
});

test('realdata filebeat test.log: all 10 lines parse and agree with filebeat on every shared field but two client addresses', () => {
  const a = compare(FB, 'test.log');
  assert.equal(a.docs, 10);
  assert.deepEqual([...a.notParsed.entries()], []);
  assert.equal(a.parsed, 10);
  assert.equal(a.fieldsCompared, 10 * FIELDS.length);
  // client_ip is the first address of the list (the contract rule packs rely on); filebeat's
  // source.address is the first *public* one. They differ only where a private address leads.
  assert.deepEqual(a.mismatches, [
    'test.log@341 source.address: expected "81.2.69.143", got "10.0.0.2"',
    'test.log@730 source.address: expected "175.16.199.1", got "10.5.102.222"',
  ]);
});

test('realdata filebeat test.log: addresses before the client (proxy_add list, quoted XFF, XFF list with IPv6) read as xff + remote_addr', () => {
  const buf = readRealdata(FB, 'access', 'test.log');
  const docs = new Map((JSON.parse(readFileSync(realdataPath(FB, 'access', 'test.log-expected.json'), 'utf8')) as Doc[]).map((d) => [d['log.offset'] as number, d]));
  const r = run(buf, 'test.log');
  assert.equal(r.rejects.size, 0);
  const at = (o: number) => r.events.get(o)!.fields;
  const shape = (o: number) => [at(o).xff, at(o).remote_addr, at(o).client_ip, at(o).host];
  // `10.0.0.2, 10.0.0.1, 127.0.0.1 - - [`: $proxy_add_x_forwarded_for, the last address is $remote_addr.
  assert.deepEqual(shape(0), ['10.0.0.2, 10.0.0.1', '127.0.0.1', '10.0.0.2', undefined]);
  assert.deepEqual(shape(341), ['10.0.0.2, 10.0.0.1', '81.2.69.143', '10.0.0.2', undefined]);
  // `"10.5.102.222, 175.16.199.1, 204.246.1.1" 10.2.1.185 - - [`: quoted XFF, then the client.
  assert.deepEqual(shape(730), ['10.5.102.222, 175.16.199.1, 204.246.1.1', '10.2.1.185', '10.5.102.222', undefined]);
  // `2a02:…:8000, 10.225.192.17 10.2.2.121 - - [`: an unquoted list with an IPv6 address, then the client.
  assert.deepEqual(shape(884), ['2a02:cf40:10ff:f00f:0000:0000:0:8000, 10.225.192.17', '10.2.2.121', '2a02:cf40:10ff:f00f:0000:0000:0:8000', undefined]);
  // `localhost, localhost - - [` … `"-"`: a list, and main's trailing X-Forwarded-For "-".
  assert.deepEqual(shape(1398), ['localhost', 'localhost', 'localhost', undefined]);
  assert.equal(at(1398).xff_trailing, undefined);
  // Every address filebeat lists is one of ours, and no more.
  for (const [o, e] of r.events) {
    const ours = [...(e.fields.xff && e.fields.xff !== '-' ? e.fields.xff.split(/,\s*/) : []), e.fields.remote_addr!];
    const theirs = docs.get(o)!['nginx.access.remote_ip_list'] as string[] | undefined;
    if (theirs !== undefined) assert.deepEqual([...ours].sort(), [...theirs].sort(), `@${o}`);
  }
  // The single-address lines still take the fast path's reading: no xff, no host.
  assert.deepEqual(shape(526), [undefined, '81.2.69.143', '81.2.69.143', undefined]);
  // Detection counts the prefixed lines too: a file of nothing else is still nginx-combined.
  const lines = rawLines(buf).map((l) => l.text).filter((t) => t !== '');
  assert.equal(nginxCombined.detect(lines), 1);
  assert.equal(nginxCombined.detect([0, 2, 4, 5, 9].map((i) => lines[i]!)), 1);
});

test('realdata filebeat access.log: line 13 (a $host prefix, percent-encoded path, 206 with large bytes) parses too', () => {
  const buf = readRealdata(FB, 'access', 'access.log');
  const raw = rawLines(buf);
  assert.equal(raw.length, 13);
  assert.ok(raw[12]!.text.startsWith('lessons.example.com 192.168.0.1 - - ['));
  const r = run(buf, 'access.log');
  assert.equal(r.rejects.size, 0);
  assert.equal(r.events.size, 13);
  const e = r.events.get(raw[12]!.offset)!;
  const f = e.fields;
  assert.deepEqual(
    [f.host, f.remote_addr, f.client_ip, f.xff, f.method, f.path, f.status, f.bytes],
    ['lessons.example.com', '192.168.0.1', '192.168.0.1', undefined, 'GET', '/A%20Beka%20G1%20Howe/029_AND_30/15%20reading%20elephants.mp4', '206', '7648063'],
  );
  assert.ok(f.ua!.startsWith('Mozilla/5.0 (Linux; Android 5.1.1; KFFOWI)'));
  assert.equal(e.tsMs, Date.parse('2020-06-09T19:10:39Z'));
  assert.equal(e.tzOffsetMin, -420);
});

test('realdata filebeat test.log: where we parse but read differently (empty and non-HTTP requests, unix: client)', () => {
  const r = run(readRealdata(FB, 'access', 'test.log'), 'test.log');
  // `127.0.0.1 - - [...] "" 400 0 "-" "-"`: filebeat has no method/url; we keep request '' and empty parts.
  const empty = r.events.get(1124)!;
  assert.deepEqual([empty.fields.request, empty.fields.method, empty.fields.path, empty.fields.ua, empty.fields.referrer], ['', '', '', '-', '-']);
  // `unix: - - [...] "hello" 400 173`: the client is the literal `unix:` (filebeat agrees), and the
  // request line is not HTTP, so method and path are empty and the text is kept in `request`.
  const unix = r.events.get(1184)!;
  assert.deepEqual([unix.fields.remote_addr, unix.fields.client_ip, unix.fields.request, unix.fields.method, unix.fields.path], ['unix:', 'unix:', 'hello', '', '']);
  // `localhost - - [...] ... "-"`: a host name as the client, and a trailing "-" X-Forwarded-For.
  const local = r.events.get(1247)!;
  assert.deepEqual([local.fields.client_ip, local.fields.xff], ['localhost', '-']);
});
