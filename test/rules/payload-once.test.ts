// The engine reads each distinct gateway payload once and remembers the reading (signature
// checks are the dearest part of a callback). A payload read again, after others or after the
// same one changed, must give exactly the evidence a fresh engine gives it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { LogEvent } from '../../src/model/types';
import { RuleEngine } from '../../rules/engine/engine';
import { loadRules } from '../../rules/engine/load-packs';
import { loadVocabulary } from '../../rules/engine/vocabulary';
import { ZoneClock } from '../../parsers/time';
import { parseCombined } from '../../parsers/nginx/combined';
import { epaySign } from '../../parsers/gateways/epay';

const keys = { epay: { '1001': 'k8s7d6f5g4h3j2k1', '1002': 'another-key-0002' } };
const rules = loadRules([]);
const vocabulary = loadVocabulary();
const fresh = () => new RuleEngine(rules, { keys, clock: new ZoneClock('Asia/Shanghai'), vocabulary });

/** An epay notify as an access-log event: signed with its merchant's key, or tampered with after. */
function notifyEvent(pid: string, order: string, money: string, tamper: boolean, path: string, line: number): LogEvent {
  const p: Record<string, string> = { pid, trade_no: `2026112114${order.slice(0, 6)}`, out_trade_no: order, type: 'alipay', name: 'VIP', money, trade_status: 'TRADE_SUCCESS' };
  p.sign = epaySign(p, keys.epay[pid as '1001'] ?? 'unknown');
  p.sign_type = 'MD5';
  if (tamper) p.money = '0.01';
  const query = Object.entries(p).map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  const parsed = parseCombined(`10.0.0.2 - - [21/Nov/2026:14:03:11 +0800] "GET ${path}?${query} HTTP/1.1" 200 7 "-" "Go-http-client/1.1"`);
  if (typeof parsed === 'string') throw new Error(parsed);
  return { ...parsed, file: 'access.log', line, lineEnd: line, offset: line * 100 };
}

test('a payload read again gives the evidence a fresh engine gives it, whatever was read in between (property)', () => {
  const payload = fc.record({
    pid: fc.constantFrom('1001', '1002', '1003'),
    order: fc.constantFrom('K3J9QX2M7PLA0B1C', 'PFZYGZE75VNCLWYQ', '123261121140311456'),
    money: fc.constantFrom('9.90', '10.00'),
    tamper: fc.boolean(),
    // A rule's path, and one only shape recognises.
    path: fc.constantFrom('/pay/yipay/notify_url', '/notify/somewhere'),
  });
  fc.assert(
    fc.property(fc.array(payload, { minLength: 1, maxLength: 12 }), (ps) => {
      const one = fresh();
      ps.forEach((p, i) => {
        const ev = notifyEvent(p.pid, p.order, p.money, p.tamper, p.path, i + 1);
        const again = one.apply(ev, 'nginx');
        const first = fresh().apply(notifyEvent(p.pid, p.order, p.money, p.tamper, p.path, i + 1), 'nginx');
        assert.deepEqual(again, first);
        assert.notEqual(first, null);
      });
    }),
    { numRuns: 200 },
  );
});
