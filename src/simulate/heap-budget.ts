// A run without damage streams (stream.ts) and fits the default budget at any size. A damaged run
// keeps the text it generates in a spill file in the output folder and writes each log
// file as it makes it (text-store.ts, serialize.ts), but it still holds a small record of every line
// (order, position, evidence marks) and of every order until the truth is written, so its memory
// still grows with the size asked for, about a third as fast as when it held the text. Rather than
// die at the launcher's default budget, `simulate` asks for a budget that fits its size; the launcher
// (bin/salvage.js) starts it with that heap and says so. Measured peak live heap (after a full GC at
// each phase, 2026-12-06): 17 MB for 2,000 orders over one day, 61 MB for 10,000 over three, 63 MB
// for 10,000 over nine, 168 MB for 30,000 over three: about 5.3 KB per order, days hardly count.
// (Before the spill: 46, 174, 203 and 504 MB.) The budget leaves V8 room to collect without
// thrashing: 30,000 orders run in 256 MB, but spend much of their time collecting.

const BASE_MB = 128;
const KB_PER_ORDER = 8;
const MB_PER_DAY = 2;

/** The value of `--name N` or `--name=N` in argv, when it is a number. */
function numberOption(argv: readonly string[], name: string): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = a === `--${name}` ? argv[i + 1] : a.startsWith(`--${name}=`) ? a.slice(name.length + 3) : undefined;
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}

/** The value of `--name V` or `--name=V` in argv. */
function stringOption(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/**
 * The heap (MB) a command line needs above `defaultMb`, or null when the default is enough (or
 * the command is not `simulate`). Orders and days default as simulate's own defaults do.
 */
export function simulateHeapMb(argv: readonly string[], defaultMb: number): number | null {
  if (argv[0] !== 'simulate') return null;
  // a run without damage streams (stream.ts): the default budget holds it at any size
  if (stringOption(argv, 'damage') === 'none') return null;
  const orders = numberOption(argv, 'orders') ?? 2000;
  const days = numberOption(argv, 'days') ?? 1;
  const need = Math.ceil((BASE_MB + (orders * KB_PER_ORDER) / 1024 + days * MB_PER_DAY) / 64) * 64;
  return need > defaultMb ? need : null;
}
