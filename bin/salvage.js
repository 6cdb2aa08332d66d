#!/usr/bin/env node
'use strict';
// The CLI ships as compiled JavaScript (npm ci runs `prepare`, which builds it), because
// worker threads must load plain .js files without a TypeScript loader.
//
// Memory: V8 grows its heap lazily up to a limit far above what salvage needs, so a long run
// would hold garbage it could have collected. The shim runs salvage with a fixed heap budget
// (SALVAGE_MAX_HEAP_MB, default 256) and says what to do if a run ever needs more.
const path = require('node:path');
const fs = require('node:fs');
const { spawn } = require('node:child_process');

const main = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  process.stderr.write('salvage is not built yet. Run `npm ci` (or `npm run build`) first.\n' +
    'salvage 尚未编译：请先运行 `npm ci`（或 `npm run build`）。\n');
  process.exit(2);
}

// A line is held whole while it is read, as bytes and then as text, and a parser may copy it
// once or twice: a large --max-line-bytes raises the default budget by three times the limit.
function lineBudgetMb(argv) {
  let v;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--max-line-bytes') v = argv[i + 1];
    else if (argv[i].startsWith('--max-line-bytes=')) v = argv[i].slice('--max-line-bytes='.length);
  }
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? Math.ceil((3 * Math.min(n, 256 * 1024 * 1024)) / (1024 * 1024)) : 0;
}
const DEFAULT_BUDGET = 256;
let budget = process.env.SALVAGE_MAX_HEAP_MB || String(Math.max(DEFAULT_BUDGET, DEFAULT_BUDGET + lineBudgetMb(process.argv.slice(2)) - 3));
const isSimulate = process.argv[2] === 'simulate';
// simulate holds a small record of every line and order in memory (its text waits on disk): it gets a budget that fits the size asked for,
// unless SALVAGE_MAX_HEAP_MB says otherwise (src/simulate/heap-budget.ts has the measurements).
if (!process.env.SALVAGE_MAX_HEAP_MB && process.env.SALVAGE_NO_HEAP_LIMIT !== '1' && !process.execArgv.some((a) => a.startsWith('--max-old-space-size'))) {
  const { simulateHeapMb } = require(path.join(__dirname, '..', 'dist', 'src', 'simulate', 'heap-budget.js'));
  const need = simulateHeapMb(process.argv.slice(2), DEFAULT_BUDGET);
  if (need !== null) {
    budget = String(need);
    process.stderr.write(`salvage: note: simulate of this size runs with a ${need} MB heap (SALVAGE_MAX_HEAP_MB overrides) / 此规模的模拟使用 ${need} MB 堆内存（可用 SALVAGE_MAX_HEAP_MB 覆盖）\n`);
  }
}
const hasLimit = process.execArgv.some((a) => a.startsWith('--max-old-space-size'));
// Peak resident memory (issue 11: at most 256 MB on the bench corpus, worker threads included)
// is more than the heap limit above: two settings of the child matter as much as any data
// structure. Measured on the 891k-line bench corpus (2 cores, shared machine, GNU time %M):
// - V8's young generation: by default two 16 MB semi-spaces in the main thread, resident all
//   run long. 4 MB each took ~25 MB off the peak for a few percent more CPU in the main thread.
// - glibc's malloc gives each thread arenas of its own (up to 8 per core); the main thread,
//   two workers and V8's helper threads then each keep freed memory of their own. One arena
//   took ~20-30 MB off the peak (two: 243-262 MB on the gzip corpus, one: 242 MB) and cost no
//   time we could tell from the machine's noise. Set by hand, MALLOC_ARENA_MAX wins.
const SEMI_SPACE_MB = 4;
const childEnv = process.env.MALLOC_ARENA_MAX ? process.env : { ...process.env, MALLOC_ARENA_MAX: '1' };
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
if (!hasLimit && process.env.SALVAGE_NO_HEAP_LIMIT !== '1') {
  // The child does the work; this process only passes signals on and returns the child's
  // status. The IPC channel is how the child notices if this process is killed outright
  // (SIGKILL cannot be passed on): it then stops instead of writing on as an orphan.
  // simulate holds growing per-line and per-order records: a small young generation would only slow it.
  const semi = isSimulate ? [] : [`--max-semi-space-size=${SEMI_SPACE_MB}`];
  const child = spawn(process.execPath, [`--max-old-space-size=${budget}`, ...semi, __filename, ...process.argv.slice(2)], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: childEnv });
  const forward = (sig) => {
    try { child.kill(sig); } catch { /* already gone */ }
  };
  for (const sig of STOP_SIGNALS) process.on(sig, forward);
  child.on('exit', (code, signal) => {
    for (const sig of STOP_SIGNALS) process.removeListener(sig, forward);
    if (signal === 'SIGABRT') {
      process.stderr.write(`salvage: ran out of its ${budget} MB heap budget. Run again with SALVAGE_MAX_HEAP_MB=${Number(budget) * 2} (or more).\n` +
        `salvage：内存预算（${budget} MB）不足，请设置 SALVAGE_MAX_HEAP_MB=${Number(budget) * 2} 后重试。\n`);
      process.exitCode = 4;
    } else if (signal) {
      // Ended by a signal it did not handle (SIGKILL): end the same way, so the shell sees it.
      process.kill(process.pid, signal);
    } else {
      process.exitCode = code ?? 1;
    }
  });
} else {
  require(path.join(__dirname, '..', 'dist', 'src', 'cli', 'process-run.js')).runAsProcess(process.argv.slice(2));
}
