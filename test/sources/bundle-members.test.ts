import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isBundleName, memberPath, normalMemberName, splitMemberPath } from '../../src/sources/bundle/member-path';
import { hasTextLine, notALog } from '../../src/sources/bundle/list-bundle';

test('a member path splits back into its bundle and member', () => {
  const seg = fc.stringMatching(/^[a-z0-9._-]{1,12}$/).filter((s) => !s.includes('!'));
  fc.assert(fc.property(fc.array(seg, { minLength: 1, maxLength: 4 }), fc.array(seg, { minLength: 1, maxLength: 4 }), (b, m) => {
    const bundle = '/' + b.join('/') + '.tar.gz';
    const member = m.join('/');
    assert.deepEqual(splitMemberPath(memberPath(bundle, member)), { bundle, member });
  }));
  assert.equal(splitMemberPath('/var/log/nginx/access.log'), null);
});

test('bundles are known by name; member names lose a leading ./', () => {
  for (const n of ['a.tar', 'b.TAR.GZ', 'c.tgz', 'd.zip']) assert.ok(isBundleName(n), n);
  for (const n of ['a.log', 'a.log.gz', 'tar']) assert.ok(!isBundleName(n), n);
  assert.equal(normalMemberName('./www/wwwlogs/a.log'), 'www/wwwlogs/a.log');
});

test('non-log members are told apart from logs, gzip logs included', () => {
  const text = Buffer.from('127.0.0.1 - - [21/Nov/2026:10:00:00 +0800] "GET / HTTP/1.1" 200 1\n');
  const gz = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]);
  assert.equal(notALog('www/wwwlogs/shop.log', text), null);
  assert.equal(notALog('www/wwwlogs/shop.log.gz', gz), null);
  assert.match(notALog('backup/database/shop.sql', text) ?? '', /SQL/);
  assert.match(notALog('backup/database/shop.sql.gz', gz) ?? '', /SQL/);
  assert.match(notALog('www/site/logo.png', text) ?? '', /image/);
  assert.match(notALog('www/site/blob', Buffer.from([1, 0, 2])) ?? '', /binary/);
});

test('a log with NUL bytes or junk before its first line is still a log (as it is read outside a bundle)', () => {
  const line = '10.0.0.2 - - [23/Nov/2026:00:00:10 +0800] "HEAD / HTTP/1.0" 200 0 "-" "-"\n';
  const junk = Buffer.from([0xb0, 0xe2, 0xdd, 0x0d, 0x3c, 0x18, 0xe7, 0x00, 0x19, 0x79, 0x0e, 0x2c, 0x0a]);
  assert.equal(notALog('www/wwwlogs/shop.log', Buffer.concat([junk, Buffer.from(line)])), null);
  assert.equal(notALog('www/wwwlogs/shop.log', Buffer.concat([Buffer.from(line), Buffer.alloc(3000), Buffer.from(line)])), null);
  // A line of Chinese text with an ASCII time is text; the same bytes without the newline are not a whole line.
  const zh = Buffer.from('[2026-11-22 10:00:00] production.INFO: 订单已支付 order=ABC123\n');
  assert.ok(hasTextLine(Buffer.concat([Buffer.alloc(10), zh])));
  assert.ok(!hasTextLine(zh.subarray(0, zh.length - 1)));
  // Bytes with control characters in every line are not text, whatever their length.
  fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), (bytes) => {
    const b = Buffer.from(bytes);
    for (let i = 0; i < b.length; i += 10) b[i] = 0x01;
    assert.ok(!hasTextLine(b));
  }));
});
