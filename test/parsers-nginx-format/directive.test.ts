// Reading log_format directives as pasted from nginx.conf: names, escape=, multi-line quoted
// concatenation, ${var}, comments and other directives around them, and what is malformed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileLogFormat, directiveText, LogFormatError, parseLogFormats, pickLogFormat } from '../../parsers/nginx/log-format';

test('parseLogFormats: a multi-line directive is its quoted parts concatenated, as nginx does', () => {
  const [d, ...rest] = parseLogFormats(`log_format  main  '$remote_addr - $remote_user [$time_local] "$request" '
                      '$status $body_bytes_sent "$http_referer" '
                      '"$http_user_agent" "$http_x_forwarded_for"';`);
  assert.equal(rest.length, 0);
  assert.equal(d!.name, 'main');
  assert.equal(d!.escape, 'default');
  assert.equal(d!.format, '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" "$http_x_forwarded_for"');
});

test('parseLogFormats: escape=json|none, double quotes, backslash escapes, ${var}, and a missing final ;', () => {
  const [j] = parseLogFormats(`log_format btlogjson escape=json '{"a":"$remote_addr",' "\\"b\\":\\"\${request_body}\\"}"`);
  assert.equal(j!.escape, 'json');
  assert.equal(j!.format, '{"a":"$remote_addr","b":"${request_body}"}');
  assert.deepEqual([...compileLogFormat(j!).variables], ['remote_addr', 'request_body']);
  const [n] = parseLogFormats(`log_format raw escape=none '$request_body';`);
  assert.equal(n!.escape, 'none');
  // nginx's own escapes inside a quoted part: \' and \\.
  const [q] = parseLogFormats(`log_format q 'it\\'s $host \\\\ $uri';`);
  assert.equal(q!.format, "it's $host \\ $uri");
});

test('parseLogFormats: log_format directives are picked out of a whole nginx.conf', () => {
  const conf = `
    user www www;
    # log_format commented '$nothing';
    http {
      include mime.types;
      log_format main '$remote_addr - $remote_user [$time_local] "$request" $status';   # trailing comment
      log_format body_logs '$remote_addr [$time_local] "$request" body:"$request_body"';
      server {
        location ~ \\.php$ { fastcgi_pass unix:/tmp/php-cgi-74.sock; access_log /www/wwwlogs/body.log body_logs; }
      }
    }`;
  assert.deepEqual(parseLogFormats(conf).map((d) => d.name), ['main', 'body_logs']);
  assert.equal(pickLogFormat(conf).directive.name, 'main');
  assert.equal(pickLogFormat(conf, 'body_logs').directive.format, '$remote_addr [$time_local] "$request" body:"$request_body"');
  assert.throws(() => pickLogFormat(conf, 'nope'), /no log_format named nope \(found: main, body_logs\)/);
});

test('directiveText: one line of nginx.conf that reads back as the same directive', () => {
  for (const src of [
    `log_format q 'it\\'s $host \\\\ $uri "x"';`,
    `log_format j escape=json '{"a":"$remote_addr"}';`,
    `log_format n escape=none '$request_body';`,
  ]) {
    const d = pickLogFormat(src).directive;
    assert.deepEqual(pickLogFormat(directiveText(d)).directive, d, src);
  }
});

test('malformed directives are errors that say what is wrong', () => {
  const cases: [string, RegExp][] = [
    [`log_format main '$remote_addr - [$time_local]`, /unbalanced quotes: the ' opened at line 1, column 17 is never closed/],
    [`log_format main\n  '$remote_addr'\n  "$status;`, /unbalanced quotes: the " opened at line 3/],
    [`log_format '$remote_addr - $remote_user';`, /missing name/],
    [`log_format escape=json '{"a":"$remote_addr"}';`, /missing name/],
    [`log_format;`, /missing name and format/],
    [`log_format main;`, /log_format main has no format string/],
    [`log_format main 'just text, no variables';`, /has no variables/],
    [`log_format main escape=yaml '$remote_addr';`, /escape=yaml: escape must be default, json or none/],
    [`log_format main '$remote_addr $ $status';`, /a \$ without a variable name at position 14/],
    [`log_format main '\${remote_addr';`, /unclosed \$\{/],
    [`access_log /var/log/nginx/access.log main;`, /no log_format directive found/],
    [``, /no log_format directive found/],
  ];
  for (const [src, re] of cases) {
    assert.throws(() => compileLogFormat(src), (e: unknown) => e instanceof LogFormatError && re.test(e.message), src);
  }
});

test('an unknown variable is not an error: $foo becomes field foo', () => {
  const c = compileLogFormat(`log_format x '$remote_addr $foo_bar [$time_local] "$request" $status';`);
  assert.deepEqual([...c.variables], ['remote_addr', 'foo_bar', 'time_local', 'request', 'status']);
});
