import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isBundleName, memberPath, normalMemberName, splitMemberPath } from '../../src/sources/bundle/member-path';
import { notALog } from '../../src/sources/bundle/list-bundle';

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
