// Real public nginx logs (../shared/realdata, see SOURCES.md) through compiled log_format
// parsers: the built-in combined/main agree with the hand-tuned nginx-combined line for line, and
// the filebeat lines with addresses or a host before $remote_addr (which nginx-combined now reads
// on its slow path, test/parsers/nginx-realdata.test.ts) parse the same way with their own
// --nginx-format, agreeing with filebeat's expected documents where it has them.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileLogFormat, logFormatParser } from '../../parsers/nginx/log-format';
import { COMBINED, MAIN } from '../../parsers/nginx/builtin-formats';
import { nginxCombined } from '../../parsers/nginx/combined';
import type { LogEvent } from '../../src/model/types';
import { rawLines, readRealdata, realdataPath } from '../support/realdata';
import { runParser } from './support';

const FB = 'elastic-beats-filebeat-nginx';

/** The directives that write the filebeat test lines (the log formats filebeat's nginx module
 *  documents: a client list from $proxy_add_x_forwarded_for, XFF before the client quoted or not,
 *  a $host prefix) and ingress-nginx's default `upstreaminfo`. */
export const DIRECTIVES = {
  proxyAdd: `log_format proxy_add '$proxy_add_x_forwarded_for - $remote_user [$time_local] "$request" '
                               '$status $body_bytes_sent "$http_referer" "$http_user_agent"';`,
  proxyAddMain: `log_format proxy_add_main '$proxy_add_x_forwarded_for - $remote_user [$time_local] "$request" '
                                         '$status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"';`,
  quotedXff: `log_format quoted_xff '"$http_x_forwarded_for" $remote_addr - $remote_user [$time_local] "$request" '
                                 '$status $body_bytes_sent "$http_referer" "$http_user_agent"';`,
  xffList: `log_format xff_list '$http_x_forwarded_for $remote_addr - $remote_user [$time_local] "$request" '
                             '$status $body_bytes_sent "$http_referer" "$http_user_agent"';`,
  host: `log_format vhost '$host $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';`,
  hostPort: `log_format vhost_port '$host:$server_port $remote_addr $remote_ident $remote_user [$time_local] "$request" '
                                 '$status $body_bytes_sent "$http_referer" "$http_user_agent" $response_time_us';`,
  ingress: `log_format upstreaminfo '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" '
            '"$http_user_agent" $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] '
            '$upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id';`,
};

const parserFor = (directive: string) => logFormatParser('nginx-custom', 'test', compileLogFormat(directive));

function sameAsHandTuned(compiledDef: ReturnType<typeof parserFor>, buf: Buffer, file: string) {
  const ours = runParser(compiledDef, buf, file);
  const theirs = runParser(nginxCombined, buf, file);
  let compared = 0;
  for (const [offset, e] of theirs.events) {
    const o = ours.events.get(offset);
    if (!o) continue;
    assert.deepEqual(o.fields, e.fields, `${file}@${offset}`);
    assert.equal(o.tsMs, e.tsMs);
    assert.equal(o.tzOffsetMin, e.tzOffsetMin);
    compared++;
  }
  return { ours, theirs, compared };
}

test('realdata nginx_logs: compiled combined parses all 51,462 lines, field for field as nginx-combined does', () => {
  const { ours, compared } = sameAsHandTuned(logFormatParser('nginx-c', 'c', COMBINED), readRealdata('elastic-examples', 'nginx_logs'), 'nginx_logs');
  assert.equal(ours.rejects.size, 0);
  assert.equal(compared, 51462);
});

test('realdata apache_logs: compiled combined agrees on the 9,999 good lines and names the field line 8899 is cut in', () => {
  const buf = readRealdata('elastic-examples', 'apache_logs');
  const { ours, compared } = sameAsHandTuned(logFormatParser('nginx-c', 'c', COMBINED), buf, 'apache_logs');
  assert.equal(compared, 9999);
  assert.deepEqual([...ours.rejects.values()].map((r) => r.lineNo), [8899]);
  assert.match([...ours.rejects.values()][0]!.reason, /^cut short after \$http_user_agent: .*unterminated quoted field/);
});

test('realdata shop_access_log: compiled main parses all 1,000 lines as nginx-combined does, X-Forwarded-For included', () => {
  const { ours, compared } = sameAsHandTuned(logFormatParser('nginx-main', 'm', MAIN), readRealdata('tstack-lnav-test', 'logfile_shop_access_log.0'), 'shop');
  assert.equal(ours.rejects.size, 0);
  assert.equal(compared, 1000);
  assert.equal([...ours.events.values()].filter((e) => e.fields.xff !== '-').length, 13);
});

// ---- filebeat test.log: the pinned "not parsed yet" lines -------------------------------------

type Doc = Record<string, unknown>;
const norm = (v: unknown) => (v === undefined || v === '' || v === '-' ? undefined : v);

/** Shared fields as test/parsers/nginx-realdata.test.ts compares them, without source.address (below). */
function disagreements(doc: Doc, e: LogEvent): string[] {
  const f = e.fields;
  const pairs: [string, unknown, unknown][] = [
    ['http.request.method', norm(doc['http.request.method']), norm(f.method)],
    ['url.original', norm(doc['url.original']), norm(f.path === '' ? '' : f.query !== '' ? `${f.path}?${f.query}` : f.path)],
    ['http.response.status_code', doc['http.response.status_code'], Number(f.status)],
    ['http.response.body.bytes', doc['http.response.body.bytes'], f.bytes === '-' ? undefined : Number(f.bytes)],
    ['http.request.referrer', norm(doc['http.request.referrer']), norm(f.referrer)],
    ['user_agent.original', norm(doc['user_agent.original']), norm(f.ua)],
    ['@timestamp', Date.parse(doc['@timestamp'] as string), e.tsMs],
  ];
  return pairs.filter(([, want, got]) => want !== got).map(([k, want, got]) => `${k}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
}

const addresses = (e: LogEvent) =>
  e.fields.proxy_add_x_forwarded_for !== undefined
    ? e.fields.proxy_add_x_forwarded_for.split(/,\s*/)
    : [...(e.fields.xff && e.fields.xff !== '-' ? e.fields.xff.split(/,\s*/) : []), e.fields.remote_addr!];

test('realdata filebeat test.log: the five pinned lines parse with their log_format, and agree with filebeat', () => {
  const buf = readRealdata(FB, 'access', 'test.log');
  const docs = new Map((JSON.parse(readFileSync(realdataPath(FB, 'access', 'test.log-expected.json'), 'utf8')) as Doc[]).map((d) => [d['log.offset'] as number, d]));
  const byDirective: [keyof typeof DIRECTIVES, number[]][] = [
    ['proxyAdd', [0, 341]],
    ['proxyAddMain', [1398]],
    ['quotedXff', [730]],
    ['xffList', [884]],
  ];
  const parsed = new Map<number, LogEvent>();
  for (const [name, offsets] of byDirective) {
    const r = runParser(parserFor(DIRECTIVES[name]), buf, 'test.log');
    for (const o of offsets) {
      const e = r.events.get(o);
      assert.ok(e, `${name} @${o}: ${r.rejects.get(o)?.reason}`);
      parsed.set(o, e);
    }
  }
  assert.deepEqual([...parsed.keys()].sort((a, b) => a - b), [0, 341, 730, 884, 1398]);
  for (const [offset, e] of parsed) {
    const doc = docs.get(offset)!;
    assert.deepEqual(disagreements(doc, e), [], `@${offset}`);
    // The same addresses as filebeat's remote_ip_list (which it sorts).
    assert.deepEqual([...addresses(e)].sort(), [...(doc['nginx.access.remote_ip_list'] as string[])].sort(), `@${offset}`);
  }
  // client_ip is the first address (the nginx-combined contract). filebeat's source.address is
  // the first *public* one, so the two differ where a private address comes first.
  const client = (o: number) => [parsed.get(o)!.fields.client_ip, docs.get(o)!['source.address']];
  assert.deepEqual(client(0), ['10.0.0.2', '10.0.0.2']);
  assert.deepEqual(client(884), ['2a02:cf40:10ff:f00f:0000:0000:0:8000', '2a02:cf40:10ff:f00f:0000:0000:0:8000']);
  assert.deepEqual(client(1398), ['localhost', 'localhost']);
  assert.deepEqual(client(341), ['10.0.0.2', '81.2.69.143']);
  assert.deepEqual(client(730), ['10.5.102.222', '175.16.199.1']);
  const e730 = parsed.get(730)!.fields;
  assert.deepEqual([e730.xff, e730.remote_addr], ['10.5.102.222, 175.16.199.1, 204.246.1.1', '10.2.1.185']);
  const e0 = parsed.get(0)!.fields;
  assert.deepEqual([e0.xff, e0.remote_addr], ['10.0.0.2, 10.0.0.1', '127.0.0.1']);
});

test('realdata filebeat test.log: the $proxy_add_x_forwarded_for formats also read the single-address, empty-request and unix: lines', () => {
  const buf = readRealdata(FB, 'access', 'test.log');
  const r = runParser(parserFor(DIRECTIVES.proxyAdd), buf, 'test.log');
  // Lines 183, 1247 and 1398 end in an extra "-" (main's "$http_x_forwarded_for"): not this format.
  assert.deepEqual([...r.events.keys()], [0, 341, 526, 1124, 1184]);
  assert.deepEqual([...r.rejects.keys()], [183, 730, 884, 1247, 1398]);
  assert.match(r.rejects.get(183)!.reason, /more fields after the last one \(\$http_user_agent\): " \\"-\\""/);
  const main = runParser(parserFor(DIRECTIVES.proxyAddMain), buf, 'test.log');
  assert.deepEqual([...main.events.keys()], [183, 1247, 1398]);
  const l1398 = main.events.get(1398)!.fields;
  assert.deepEqual([l1398.proxy_add_x_forwarded_for, l1398.remote_addr, l1398.xff, l1398.client_ip], ['localhost, localhost', 'localhost', '-', 'localhost']);
  const unix = r.events.get(1184)!.fields;
  assert.deepEqual([unix.remote_addr, unix.client_ip, unix.request, unix.method], ['unix:', 'unix:', 'hello', '']);
  assert.equal(r.events.get(1124)!.fields.request, '');
});

test('realdata filebeat access.log line 13: a $host prefix', () => {
  const buf = readRealdata(FB, 'access', 'access.log');
  const raw = rawLines(buf);
  const r = runParser(parserFor(DIRECTIVES.host), buf, 'access.log');
  const e = r.events.get(raw[12]!.offset)!;
  assert.ok(e, r.rejects.get(raw[12]!.offset)?.reason);
  const f = e.fields;
  assert.deepEqual(
    [f.host, f.remote_addr, f.client_ip, f.method, f.path, f.status, f.bytes],
    ['lessons.example.com', '192.168.0.1', '192.168.0.1', 'GET', '/A%20Beka%20G1%20Howe/029_AND_30/15%20reading%20elephants.mp4', '206', '7648063'],
  );
  assert.equal(e.tsMs, Date.parse('2020-06-09T19:10:39Z'));
  assert.equal(e.tzOffsetMin, -420);
  // The other twelve lines have no host prefix: not this format.
  assert.equal(r.events.size, 1);
});

test('realdata tstack-lnav logfile_regexp_access_log.0: a $host:$server_port prefix, an ident, a user and a trailing number', () => {
  const r = runParser(parserFor(DIRECTIVES.hostPort), readRealdata('tstack-lnav-test', 'logfile_regexp_access_log.0'), 'regexp');
  assert.equal(r.rejects.size, 0);
  const got = [...r.events.values()].map((e) => {
    const f = e.fields;
    return [f.host, f.server_port, f.remote_addr, f.remote_ident, f.remote_user, f.method, f.path, f.protocol, f.status, f.bytes, f.response_time_us, e.tzOffsetMin];
  });
  assert.deepEqual(got, [
    ['localhost', '443', '178.20.184.42', '1j0vhgd', 'jsmith', 'GET', '/secure/RapidBoard.jspa', 'HTTP/2.0', '200', '17163', '116075', -420],
    ['localhost', '443', '154.57.4.229', 'cger1e', 'khenry', 'GET', '/secure/RapidBoard.jspa', 'HTTP/2.0', '200', '16517', '156302', -420],
  ]);
});

test('realdata filebeat ingress_controller/test.log: upstreaminfo reads all 29 lines, upstream fields included', () => {
  const buf = readRealdata(FB, 'ingress_controller', 'test.log');
  const raw = rawLines(buf);
  const ours = runParser(parserFor(DIRECTIVES.ingress), buf, 'ingress');
  const theirs = runParser(nginxCombined, buf, 'ingress');
  assert.equal(ours.rejects.size, 0);
  assert.equal(ours.events.size, 29);
  // What nginx-combined reads, the compiled format reads the same.
  const SHARED = ['remote_addr', 'remote_user', 'request', 'method', 'path', 'query', 'protocol', 'status', 'bytes', 'referrer', 'ua', 'client_ip'];
  for (const [o, e] of theirs.events) {
    const mine = ours.events.get(o)!;
    for (const k of SHARED) assert.equal(mine.fields[k], e.fields[k], `@${o} ${k}`);
    assert.equal(mine.tsMs, e.tsMs);
  }
  const at = (line: number) => ours.events.get(raw[line - 1]!.offset)!.fields;
  const up = (line: number) => {
    const f = at(line);
    return [f.request_length, f.request_time, f.proxy_upstream_name, f.proxy_alternative_upstream_name, f.upstream_addr, f.upstream_response_length, f.upstream_response_time, f.upstream_status, f.req_id];
  };
  assert.deepEqual(up(1), ['89', '0.001', 'default-web-8080', '', '172.17.0.5:8080', '59', '0.000', '200', '529a007902362a5f51385a5fa7049884']);
  assert.deepEqual(up(5), ['0', '0.000', '', '', '-', '-', '-', '-', '4c7d2079340e68353c7d0dfff00b904b']);
  assert.deepEqual(up(23), ['348', '0.001', 'default-web2-8080', '', '172.17.0.6:8080, 172.17.0.7:8080', '61, 100', '0.100, 0.004', '200, 203', '835136ae24486dbb4156dcbe21f5d402']);
  assert.deepEqual(up(27).slice(4, 8), ['[2a02:cf40::7]:5000, [2a02:cf40::::::::4e36]:500000000', '0, 0', '0.000, 0.000', '502, 502']);
  assert.deepEqual(up(28).slice(4, 8), ['unix:/var/run/php-fpm.sock', '59', '0.002', '200']);
  assert.deepEqual(up(29).slice(4, 8), ['172.17.0.6:8080, 172.17.0.7:8080', '-', '0.100, -', '200, -']);
  assert.deepEqual([at(25).remote_addr, at(25).remote_user, at(25).upstream_addr], ['2a02:cf40::', 'remote_monitoring_user', '[2a02:cf40::]:9200']);
  assert.deepEqual([at(5).method, at(6).method], ['PATCHp', 'geti']);
});
