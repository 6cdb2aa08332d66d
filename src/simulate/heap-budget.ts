// The simulator builds a whole shop in memory before writing it (damage such as truncated gzip
// members and copytruncate overlaps needs the finished files), so unlike reconstruct its memory
// grows with the size asked for. Rather than die at the launcher's default budget, `simulate`
// asks for a budget that fits its size; the launcher (bin/salvage.js) starts it with that heap
// and says so. Measured peak heap (2026-12-05): 46 MB for 2,000 orders over one day, 174 MB for
// 10,000 over three, 203 MB for 10,000 over nine, 504 MB for 30,000 over three: about 17 KB per
// order and 5 MB per day.

const BASE_MB = 128;
const KB_PER_ORDER = 24;
const MB_PER_DAY = 8;

/** The value of `--name N` or `--name=N` in argv, when it is a number. */
function numberOption(argv: readonly string[], name: string): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const v = a === `--${name}` ? argv[i + 1] : a.startsWith(`--${name}=`) ? a.slice(name.length + 3) : undefined;
    if (v !== undefined && /^\d+$/.test(v)) return Number(v);
  }
  return undefined;
}

/**
 * The heap (MB) a command line needs above `defaultMb`, or null when the default is enough (or
 * the command is not `simulate`). Orders and days default as simulate's own defaults do.
 */
export function simulateHeapMb(argv: readonly string[], defaultMb: number): number | null {
  if (argv[0] !== 'simulate') return null;
  const orders = numberOption(argv, 'orders') ?? 2000;
  const days = numberOption(argv, 'days') ?? 1;
  const need = Math.ceil((BASE_MB + (orders * KB_PER_ORDER) / 1024 + days * MB_PER_DAY) / 64) * 64;
  return need > defaultMb ? need : null;
}
