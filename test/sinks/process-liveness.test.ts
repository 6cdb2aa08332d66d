import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { lockHolderAlive, ownStartTicks, parseProcStat } from '../../src/sinks/process-liveness';

test('parseProcStat: state and start ticks are found whatever the command name holds', () => {
  fc.assert(fc.property(
    fc.string({ maxLength: 15 }).filter((s) => !s.includes('\n')),
    fc.constantFrom('R', 'S', 'D', 'Z', 'T', 'X'),
    fc.bigInt({ min: 0n, max: 2n ** 63n }),
    (comm, state, start) => {
      // Fields 4..21 are numbers of no interest here; starttime is field 22.
      const middle = Array.from({ length: 18 }, (_, i) => String(i + 1)).join(' ');
      const line = `4242 (${comm}) ${state} ${middle} ${start} 9 9 9\n`;
      assert.deepEqual(parseProcStat(line), { state, startTicks: String(start) });
    },
  ));
});

test('parseProcStat: text that is not a stat line gives null', () => {
  assert.equal(parseProcStat(''), null);
  assert.equal(parseProcStat('no parentheses here'), null);
  assert.equal(parseProcStat('1 (x) S 1 2'), null);
});

test('lockHolderAlive: this process is alive with its own start ticks, not with others', () => {
  const own = ownStartTicks();
  assert.equal(lockHolderAlive(process.pid, own), true);
  assert.equal(lockHolderAlive(process.pid), true);
  if (own !== undefined) assert.equal(lockHolderAlive(process.pid, String(BigInt(own) + 1n)), false);
});
