#!/usr/bin/env node
'use strict';
// Usage: node scripts/with-es.js <command> [args...]
//
// Runs <command> with SALVAGE_TEST_ES_URL pointing at a throw-away
// Elasticsearch node (scripts/es/fetch.sh + start.sh), and always stops the
// node afterwards, exiting with the command's exit code.
//
// - SALVAGE_TEST_ES_URL already set: that node is used as is, nothing is
//   started or stopped.
// - Fetch/start fails: the command still runs, so the rest of the suite
//   reports, but with SALVAGE_TEST_ES_URL unset and SALVAGE_TEST_ES_ERROR
//   saying why; the ES tests then fail loudly (test/support/es.ts).
//
// Plain CommonJS on purpose: it runs before/around tsc output exists.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ES_SCRIPTS = path.join(__dirname, 'es');
const log = (msg) => process.stderr.write(`[with-es] ${msg}\n`);

function esVersion() {
  if (process.env.SALVAGE_ES_VERSION) return process.env.SALVAGE_ES_VERSION;
  // fetch.sh owns the default version; read it rather than repeat it here.
  try {
    const src = fs.readFileSync(path.join(ES_SCRIPTS, 'fetch.sh'), 'utf8');
    const m = /SALVAGE_ES_VERSION:-([^}]+)\}/.exec(src);
    if (m) return m[1];
  } catch {
    // fall through
  }
  return '(unknown version)';
}

const seconds = (since) => Math.round((Date.now() - since) / 1000);

function exitCodeOf(code, signal) {
  if (code !== null && code !== undefined) return code;
  const n = signal ? os.constants.signals[signal] : undefined;
  return n ? 128 + n : 1;
}

/** The helper script currently running, so a signal can interrupt it. */
let helper = null;

/**
 * Run one of scripts/es/*.sh. stdout is captured (it carries the machine
 * readable KEY=value line); stderr is shown live and its tail kept so a
 * failure can be summarised in SALVAGE_TEST_ES_ERROR.
 */
function runScript(name, args, env) {
  return new Promise((resolve) => {
    let stdout = '';
    let stderrTail = '';
    const child = spawn('bash', [path.join(ES_SCRIPTS, name), ...args], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    helper = child;
    child.stdout.setEncoding('utf8').on('data', (d) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d) => {
      process.stderr.write(d);
      stderrTail = (stderrTail + d).slice(-8192);
    });
    child.on('error', (err) => {
      helper = null;
      resolve({ code: 127, stdout, stderrTail: `${stderrTail}\ncannot run ${name}: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      helper = null;
      resolve({ code: exitCodeOf(code, signal), stdout, stderrTail });
    });
  });
}

/** One line saying why a helper failed, preferring its own ERROR line. */
function failureReason(name, result) {
  const lines = result.stderrTail.split('\n').map((l) => l.trim()).filter(Boolean);
  const errorLine = [...lines].reverse().find((l) => /\] ERROR: /.test(l));
  const detail = (errorLine || lines[lines.length - 1] || 'no output').replace(/^\[es\/\w+\] ERROR: /, '');
  return `scripts/es/${name} failed (exit ${result.code}): ${detail}`;
}

function stateValue(stdout, key) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${key}=`));
  return line ? line.slice(key.length + 1).trim() : '';
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.length === 0) {
    process.stderr.write('usage: node scripts/with-es.js <command> [args...]\n');
    return 2;
  }

  const childEnv = { ...process.env };
  const preset = (process.env.SALVAGE_TEST_ES_URL || '').trim();
  const stateFile = path.join(os.tmpdir(), `salvage-es-${process.pid}.state`);
  const scriptEnv = {
    ...process.env,
    SALVAGE_ES_STATE_FILE: stateFile,
    // start.sh leaves a watchdog that stops the node if we die without
    // cleaning up (SIGKILL, OOM killer).
    SALVAGE_ES_OWNER_PID: String(process.pid),
  };

  let nodeStarted = false; // true once start.sh may have launched something
  let stopping = null;
  const stopNode = () => {
    if (!nodeStarted) return Promise.resolve();
    if (!stopping) {
      stopping = runScript('stop.sh', [stateFile], scriptEnv).then((r) => {
        if (r.code !== 0) log(`warning: ${failureReason('stop.sh', r)}`);
      });
    }
    return stopping;
  };
  // Last resort if something throws past the normal path: stop synchronously.
  let abandon = false; // set when the user insists on exiting right away
  process.on('exit', () => {
    if (nodeStarted && !stopping && !abandon && fs.existsSync(stateFile)) {
      spawnSync('bash', [path.join(ES_SCRIPTS, 'stop.sh'), stateFile], { env: scriptEnv, stdio: ['ignore', 2, 2] });
    }
  });

  let phase = 'setup'; // -> 'command' -> 'teardown'
  let command = null;
  let interrupted = null;
  let signalsSeen = 0;
  const onSignal = (sig) => {
    signalsSeen += 1;
    interrupted = interrupted || sig;
    if (signalsSeen >= 3) {
      // The user insists; the watchdog stops the node once we are gone.
      abandon = true;
      log(`${sig} again: exiting now (the node is stopped by its watchdog)`);
      process.exit(exitCodeOf(null, sig));
    }
    if (phase === 'command' && command && command.exitCode === null && command.signalCode === null) {
      command.kill(sig);
    } else if (phase === 'setup' && helper) {
      helper.kill('SIGTERM'); // start.sh traps it and tears its node down
    }
    // phase 'teardown': stop.sh is already running; let it finish.
    if (signalsSeen === 2) log(`${sig} received again; still cleaning up (once more to exit at once)`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);

  if (preset) {
    log(`using existing Elasticsearch at ${preset} (SALVAGE_TEST_ES_URL is set; not starting one)`);
  } else {
    delete childEnv.SALVAGE_TEST_ES_URL;
    delete childEnv.SALVAGE_TEST_ES_ERROR;
    let error = null;

    log(`fetching Elasticsearch ${esVersion()} (cached after first run)…`);
    const fetchStart = Date.now();
    const fetched = await runScript('fetch.sh', [], scriptEnv);
    if (interrupted) error = `interrupted by ${interrupted}`;
    else if (fetched.code !== 0) error = failureReason('fetch.sh', fetched);
    else log(`Elasticsearch is at ${stateValue(fetched.stdout, 'SALVAGE_ES_HOME')} (took ${seconds(fetchStart)}s)`);

    if (!error) {
      if (fs.existsSync(stateFile)) {
        // Left by an earlier process with our PID; stop.sh checks it is really ours.
        nodeStarted = true;
        await stopNode();
        stopping = null;
      }
      log('starting Elasticsearch…');
      const startStart = Date.now();
      nodeStarted = true;
      const started = await runScript('start.sh', [], scriptEnv);
      const url = stateValue(started.stdout, 'SALVAGE_ES_URL');
      if (interrupted) error = `interrupted by ${interrupted}`;
      else if (started.code !== 0 || !url) error = failureReason('start.sh', started);
      else {
        childEnv.SALVAGE_TEST_ES_URL = url;
        log(`Elasticsearch ready at ${url} (took ${seconds(startStart)}s)`);
      }
    }

    if (error) {
      phase = 'teardown';
      // start.sh cleans up after itself; this is belt and braces.
      if (fs.existsSync(stateFile)) await stopNode();
      if (interrupted) return exitCodeOf(null, interrupted);
      childEnv.SALVAGE_TEST_ES_ERROR = error;
      log(`Elasticsearch is NOT available: ${error}`);
      log('running the command anyway; tests that need Elasticsearch will fail');
      nodeStarted = false; // already stopped above
    }
  }

  const [cmd, ...args] = argv;
  phase = 'command';
  const code = await new Promise((resolve) => {
    command = spawn(cmd, args, { stdio: 'inherit', env: childEnv });
    command.on('error', (err) => {
      log(`cannot run ${cmd}: ${err.message}`);
      resolve(127);
    });
    command.on('exit', (c, s) => resolve(exitCodeOf(c, s)));
  });

  phase = 'teardown';
  if (nodeStarted) {
    const stopStart = Date.now();
    await stopNode();
    log(`Elasticsearch stopped (took ${seconds(stopStart)}s)`);
  }
  return code;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    log(`internal error: ${err && err.stack ? err.stack : err}`);
    process.exit(1);
  },
);
