import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IANAZone } from 'luxon';
import { TimeLocalCache, ZoneClock, isoWithOffset, parseTimeLocal, wallMsFromYmdHis } from '../../parsers/time';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Write an instant as nginx's $time_local in the given offset (test-side formatter). */
function timeLocal(ms: number, offsetMin: number): string {
  const d = new Date(ms + offsetMin * 60000);
  const a = Math.abs(offsetMin);
  return (
    `${p2(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ` +
    `${offsetMin < 0 ? '-' : '+'}${p2(Math.floor(a / 60))}${p2(a % 60)}`
  );
}

test('parseTimeLocal: offsets east, west and zero', () => {
  const cases: [string, string, number][] = [
    ['21/Nov/2026:14:03:11 +0800', '2026-11-21T06:03:11Z', 480],
    ['21/Nov/2026:14:03:11 +0330', '2026-11-21T10:33:11Z', 210],
    ['21/Nov/2026:14:03:11 -0200', '2026-11-21T16:03:11Z', -120],
    ['21/Nov/2026:14:03:11 +0000', '2026-11-21T14:03:11Z', 0],
    ['01/Jan/2027:00:30:00 +0545', '2026-12-31T18:45:00Z', 345],
    ['22/Jan/2019:03:56:14 +0330', '2019-01-22T00:26:14Z', 210], // from the zanbil.ir real log
    ['29/Feb/2024:23:59:59 -1200', '2024-03-01T11:59:59Z', -720],
    ['31/Dec/2026:23:59:59 +1400', '2026-12-31T09:59:59Z', 840],
  ];
  for (const [s, iso, off] of cases) {
    const t = parseTimeLocal(s);
    assert.equal(t.ms, Date.parse(iso), s);
    assert.equal(t.offsetMin, off, s);
  }
  const negZero = parseTimeLocal('21/Nov/2026:14:03:11 -0000');
  assert.equal(negZero.ms, Date.parse('2026-11-21T14:03:11Z'));
  assert.ok(negZero.offsetMin === 0);
});

test('parseTimeLocal: malformed input gives NaN (and offset 0), never a shifted date', () => {
  for (const s of [
    '',
    'garbage',
    '21/Nov/2026:14:03:11', // no zone
    '21/Nov/2026:14:03:11 +080', // zone cut short
    '21/Nov/2026:14:03:11 +0800 junk', // trailing text
    '21/Nov/2026:14:03:11 X0800', // sign missing
    '21/Nov/2026:14:03:11 +0860', // 60 offset minutes
    '21/Nov/2026:14:03:11 +1500', // beyond any real zone
    '21/Foo/2026:14:03:11 +0800',
    '21/nov/2026:14:03:11 +0800',
    '00/Nov/2026:14:03:11 +0800',
    '32/Nov/2026:14:03:11 +0800',
    '31/Nov/2026:14:03:11 +0800', // November has 30 days
    '29/Feb/2026:14:03:11 +0800', // not a leap year
    '30/Feb/2024:14:03:11 +0800',
    '21/Nov/2026:24:00:00 +0800',
    '21/Nov/2026:14:60:11 +0800',
    '21/Nov/2026:14:03:61 +0800',
    '2a/Nov/2026:14:03:11 +0800',
    '21/Nov/2026 14:03:11 +0800', // space where the colon goes
    '21/Nov/2026:14-03-11 +0800',
    '21/Nov/2026:14:03:11+08000',
  ]) {
    const t = parseTimeLocal(s);
    assert.ok(Number.isNaN(t.ms), `accepted ${JSON.stringify(s)} as ms ${t.ms}`);
    assert.equal(t.offsetMin, 0);
  }
  assert.equal(parseTimeLocal('29/Feb/2024:14:03:11 +0800').ms, Date.parse('2024-02-29T06:03:11Z'));
});

test('parseTimeLocal: any instant written in any offset reads back', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: Date.parse('1971-01-01T00:00:00Z') / 1000, max: Date.parse('2099-12-31T00:00:00Z') / 1000 }),
      fc.integer({ min: -12 * 60, max: 14 * 60 }),
      (sec, off) => {
        const ms = sec * 1000;
        const t = parseTimeLocal(timeLocal(ms, off));
        assert.equal(t.ms, ms);
        assert.equal(t.offsetMin, off);
      },
    ),
    { numRuns: 2000 },
  );
});

test('wallMsFromYmdHis: reads dates with space or T, rejects impossible dates', () => {
  assert.equal(wallMsFromYmdHis('2026-11-21 14:03:11'), Date.UTC(2026, 10, 21, 14, 3, 11));
  assert.equal(wallMsFromYmdHis('2026-11-21T14:03:11'), Date.UTC(2026, 10, 21, 14, 3, 11));
  assert.equal(wallMsFromYmdHis('[2026-11-21 14:03:11]', 1), Date.UTC(2026, 10, 21, 14, 3, 11));
  assert.equal(wallMsFromYmdHis('2024-02-29 00:00:00'), Date.UTC(2024, 1, 29));
  for (const s of ['2026-02-29 00:00:00', '2026-04-31 00:00:00', '2026-13-01 00:00:00', '2026-00-10 00:00:00', '2026-11-21 25:00:00', '2026-11-21', 'x']) {
    assert.ok(Number.isNaN(wallMsFromYmdHis(s)), s);
  }
});

test('ZoneClock: Asia/Shanghai is UTC+8 all year', () => {
  const c = new ZoneClock('Asia/Shanghai');
  for (const wall of ['2026-01-15T03:00:00Z', '2026-07-15T23:59:59Z', '2026-11-21T14:03:11Z', '2026-11-21T14:59:00Z']) {
    const r = c.resolveWall(Date.parse(wall));
    assert.equal(r.offsetMin, 480, wall);
    assert.equal(r.ms, Date.parse(wall) - 8 * 3600000, wall);
  }
  assert.throws(() => new ZoneClock('Mars/Olympus_Mons'), /unknown time zone/);
});

// Around a clock change ZoneClock follows the "compatible" rule, in every zone alike:
//  * a wall time that occurs twice (clocks set back) is the EARLIER instant;
//  * a wall time that never occurs (clocks set forward) is read with the offset that was in force
//    before the change, so the instant lands after the change. Its reported offset is that
//    earlier one, which keeps isoWithOffset(ms, offsetMin) equal to the wall time as logged.
// Before this was fixed, the choice depended on the zone: New York's overlap gave the earlier
// instant but Berlin's gave the later one, and New York's gap moved backwards.
test('ZoneClock: America/New_York outside, inside the spring-forward gap and inside the fall-back overlap', () => {
  const c = new ZoneClock('America/New_York');
  const cases: [string, string, number][] = [
    ['2026-01-15T12:00:00Z', '2026-01-15T17:00:00Z', -300], // EST
    ['2026-07-04T12:00:00Z', '2026-07-04T16:00:00Z', -240], // EDT
    ['2026-03-08T01:59:00Z', '2026-03-08T06:59:00Z', -300], // just before the change (07:00Z)
    ['2026-03-08T02:00:00Z', '2026-03-08T07:00:00Z', -300], // gap: 02:00 EST == 03:00 EDT
    ['2026-03-08T02:30:00Z', '2026-03-08T07:30:00Z', -300], // gap: 02:30 read as EST, i.e. 03:30 EDT
    ['2026-03-08T03:00:00Z', '2026-03-08T07:00:00Z', -240], // first real wall time after the change
    ['2026-11-01T00:59:00Z', '2026-11-01T04:59:00Z', -240],
    ['2026-11-01T01:30:00Z', '2026-11-01T05:30:00Z', -240], // overlap: the first (EDT) 01:30
    ['2026-11-01T02:00:00Z', '2026-11-01T07:00:00Z', -300],
  ];
  for (const [wall, utc, off] of cases) {
    const r = c.resolveWall(Date.parse(wall));
    assert.equal(new Date(r.ms).toISOString(), new Date(utc).toISOString(), wall);
    assert.equal(r.offsetMin, off, wall);
  }
});

test('ZoneClock: Europe/Berlin follows the same rule (earlier instant in the overlap, forward in the gap)', () => {
  const c = new ZoneClock('Europe/Berlin');
  const cases: [string, string, number][] = [
    ['2026-03-29T02:30:00Z', '2026-03-29T01:30:00Z', 60], // gap: read as CET, i.e. 03:30 CEST
    ['2026-03-29T03:30:00Z', '2026-03-29T01:30:00Z', 120],
    ['2026-10-25T02:30:00Z', '2026-10-25T00:30:00Z', 120], // overlap: the first (CEST) 02:30
    ['2026-10-25T03:30:00Z', '2026-10-25T02:30:00Z', 60],
  ];
  for (const [wall, utc, off] of cases) {
    const r = c.resolveWall(Date.parse(wall));
    assert.equal(new Date(r.ms).toISOString(), new Date(utc).toISOString(), wall);
    assert.equal(r.offsetMin, off, wall);
  }
});

test('ZoneClock: every wall minute of a DST year resolves to the earliest real reading, and shows as written', () => {
  for (const zone of ['America/New_York', 'Europe/Berlin', 'Australia/Sydney', 'Asia/Shanghai']) {
    const c = new ZoneClock(zone);
    const probe = new ZoneClock(zone);
    // The offsets this zone uses in 2026, from its own readings.
    const offsets = new Set<number>();
    for (let d = 0; d < 366; d++) offsets.add(probe.offsetAt(Date.UTC(2026, 0, 1) + d * 86400000));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 365 * 1440 }), (minute) => {
        const wall = Date.UTC(2026, 0, 1) + minute * 60000;
        const r = c.resolveWall(wall);
        // Brute force: the offsets under which this wall time is a real reading of the zone's clock.
        const real = [...offsets].filter((o) => probe.offsetAt(wall - o * 60000) === o);
        if (real.length > 0) {
          assert.equal(r.offsetMin, Math.max(...real), `${zone} ${new Date(wall).toISOString()}`);
        } else {
          // In the gap: the offset in force shortly before the instant.
          assert.equal(r.offsetMin, probe.offsetAt(r.ms - 2 * 3600000), `${zone} gap ${new Date(wall).toISOString()}`);
        }
        assert.equal(r.ms, wall - r.offsetMin * 60000);
        assert.equal(isoWithOffset(r.ms, r.offsetMin).slice(0, 19), new Date(wall).toISOString().slice(0, 19));
      }),
      { numRuns: 300 },
    );
    // And the minutes right around each change, which random minutes rarely hit.
    for (let d = 0; d < 365; d++) {
      const t = Date.UTC(2026, 0, 1) + d * 86400000;
      if (probe.offsetAt(t) === probe.offsetAt(t + 86400000)) continue;
      for (let m = -1; m <= 2 * 1440; m += 15) {
        const wall = t + m * 60000;
        const r = c.resolveWall(wall);
        const real = [...offsets].filter((o) => probe.offsetAt(wall - o * 60000) === o);
        if (real.length > 0) assert.equal(r.offsetMin, Math.max(...real), `${zone} ${new Date(wall).toISOString()}`);
        else assert.equal(r.offsetMin, probe.offsetAt(r.ms - 2 * 3600000), `${zone} gap ${new Date(wall).toISOString()}`);
      }
    }
  }
});

test('isoWithOffset: formatting, milliseconds only when present, offsets of all shapes', () => {
  const ms = Date.parse('2026-11-21T06:03:11Z');
  assert.equal(isoWithOffset(ms, 480), '2026-11-21T14:03:11+08:00');
  assert.equal(isoWithOffset(ms + 7, 480), '2026-11-21T14:03:11.007+08:00');
  assert.equal(isoWithOffset(ms + 120, 480), '2026-11-21T14:03:11.120+08:00');
  assert.equal(isoWithOffset(ms, 0), '2026-11-21T06:03:11+00:00');
  assert.equal(isoWithOffset(ms, -150), '2026-11-21T03:33:11-02:30');
  assert.equal(isoWithOffset(ms, 345), '2026-11-21T11:48:11+05:45');
  assert.equal(isoWithOffset(Date.parse('2026-12-31T20:00:00Z'), 480), '2027-01-01T04:00:00+08:00');
  assert.equal(isoWithOffset(Date.parse('2027-01-01T01:00:00Z'), -300), '2026-12-31T20:00:00-05:00');
});

test('isoWithOffset: the text always parses back to the same instant', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: Date.parse('1971-01-01T00:00:00Z'), max: Date.parse('2099-12-31T00:00:00Z') }),
      fc.integer({ min: -12 * 60, max: 14 * 60 }),
      (ms, off) => {
        const s = isoWithOffset(ms, off);
        assert.match(s, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?[+-]\d{2}:\d{2}$/);
        assert.equal(Date.parse(s), ms);
      },
    ),
    { numRuns: 1000 },
  );
});

test('ZoneClock.offsetAt: the cached offset is the zone\'s own, at random instants and at every minute around each change', () => {
  for (const zone of ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Asia/Shanghai', 'UTC']) {
    const c = new ZoneClock(zone);
    const truth = IANAZone.create(zone);
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2040, 0, 1) }), (ms) => {
        assert.equal(c.offsetAt(ms), truth.offset(ms), `${zone} ${new Date(ms).toISOString()}`);
      }),
      { numRuns: 500 },
    );
    // 1985-86 holds Kathmandu's change from +05:30 to +05:45, at 18:30 UTC: not on the hour.
    for (const t of [...Array(366).keys()].flatMap((i) => [Date.UTC(2026, 0, 1) + i * 86400000, Date.UTC(1985, 6, 1) + i * 86400000])) {
      if (truth.offset(t) === truth.offset(t + 86400000)) continue;
      for (let m = 0; m <= 1440; m++) {
        const ms = t + m * 60000 + (m % 7) * 1000;
        assert.equal(c.offsetAt(ms), truth.offset(ms), `${zone} ${new Date(ms).toISOString()}`);
      }
    }
  }
});

test('TimeLocalCache gives what parseTimeLocal gives, line after line, for good and broken times', () => {
  // Times drawn near each other (the cache remembers the day and offset), with broken clock
  // digits, separators and offsets mixed in: every answer must equal the uncached parse.
  const day = Date.parse('2026-11-21T00:00:00Z');
  const good = fc.tuple(fc.integer({ min: -36 * 3600, max: 72 * 3600 }), fc.constantFrom(480, 0, -120, 345)).map(([s, off]) => timeLocal(day + s * 1000, off));
  const broken = fc.tuple(good, fc.integer({ min: 0, max: 25 }), fc.constantFrom('x', '9', '6', ':', ' ', '/', '+', '-', '0')).map(([t, i, c]) => t.slice(0, i) + c + t.slice(i + 1));
  const leap = fc.constantFrom('21/Nov/2026:23:59:60 +0800', '21/Nov/2026:24:00:00 +0800', '21/Nov/2026:12:60:00 +0800', '21/Nov/2026:12:00:61 +0800', '21/Nov/2026:1a:00:00 +0800');
  fc.assert(
    fc.property(fc.array(fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: broken, weight: 3 }, { arbitrary: leap, weight: 1 }), { maxLength: 40 }), (times) => {
      const cache = new TimeLocalCache();
      for (const t of times) assert.deepEqual(cache.parse(t), parseTimeLocal(t), t);
    }),
    { numRuns: 2000 },
  );
  // The same inside lines (the noise gate's parseIn), alternating with parse() on one cache,
  // so that neither's remembered answer leaks into the other's.
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: broken, weight: 3 }, { arbitrary: leap, weight: 1 }), fc.string({ maxLength: 4 }), fc.boolean()), { maxLength: 40 }),
      (times) => {
        const cache = new TimeLocalCache();
        for (const [t, before, inLine] of times) {
          const got = inLine ? cache.parseIn(`${before}[${t}] "GET /"`, before.length + 1, before.length + 1 + t.length) : cache.parse(t);
          assert.deepEqual(got, parseTimeLocal(t), t);
        }
      },
    ),
    { numRuns: 2000 },
  );
});
