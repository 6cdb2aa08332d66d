#!/usr/bin/env node
'use strict';
// Usage: node scripts/with-mariadb.js <command> [args...]
//
// Runs <command> with SALVAGE_TEST_MARIADB_SOCKET and SALVAGE_TEST_MARIADB_PORT
// pointing at a throw-away MariaDB server (scripts/mariadb/start.sh, which
// installs Debian's mariadb-server when it is missing), and always stops the
// server afterwards, exiting with the command's exit code. `npm test` nests it
// inside scripts/with-es.js, so the suite gets both servers.
//
// - SALVAGE_TEST_MARIADB_SOCKET already set: that server is used as is.
// - Start fails: the command still runs, with SALVAGE_TEST_MARIADB_ERROR
//   saying why; the MariaDB tests then fail loudly (test/support/mariadb.ts).
//
// Plain CommonJS on purpose: it runs before/around tsc output exists.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const SCRIPTS = path.join(__dirname, 'mariadb');
const log = (msg) => process.stderr.write(`[with-mariadb] ${msg}\n`);

function exitCodeOf(code, signal) {
  if (code !== null && code !== undefined) return code;
  const n = signal ? os.constants.signals[signal] : undefined;
  return n ? 128 + n : 1;
}

let helper = null;

/** Run scripts/mariadb/<name>: stdout captured (KEY=value lines), stderr shown live, its tail kept. */
function runScript(name, args, env) {
  return new Promise((resolve) => {
    let stdout = '';
    let stderrTail = '';
    const child = spawn('bash', [path.join(SCRIPTS, name), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
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

function failureReason(name, result) {
  const lines = result.stderrTail.split('\n').map((l) => l.trim()).filter(Boolean);
  const errorLine = [...lines].reverse().find((l) => /\] ERROR: /.test(l));
  const detail = (errorLine || lines[lines.length - 1] || 'no output').replace(/^\[mariadb\/\w+\] ERROR: /, '');
  return `scripts/mariadb/${name} failed (exit ${result.code}): ${detail}`;
}

function stateValue(stdout, key) {
  const line = stdout.split('\n').find((l) => l.startsWith(`${key}=`));
  return line ? line.slice(key.length + 1).trim() : '';
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.length === 0) {
    process.stderr.write('usage: node scripts/with-mariadb.js <command> [args...]\n');
    return 2;
  }
  const childEnv = { ...process.env };
  const preset = (process.env.SALVAGE_TEST_MARIADB_SOCKET || '').trim();
  const stateFile = path.join(os.tmpdir(), `salvage-mariadb-${process.pid}.state`);
  const scriptEnv = { ...process.env, SALVAGE_MARIADB_STATE_FILE: stateFile, SALVAGE_MARIADB_OWNER_PID: String(process.pid) };

  let started = false;
  let stopping = null;
  const stopServer = () => {
    if (!started) return Promise.resolve();
    stopping ??= runScript('stop.sh', [stateFile], scriptEnv).then((r) => {
      if (r.code !== 0) log(`warning: ${failureReason('stop.sh', r)}`);
    });
    return stopping;
  };
  process.on('exit', () => {
    if (started && !stopping && fs.existsSync(stateFile)) {
      spawnSync('bash', [path.join(SCRIPTS, 'stop.sh'), stateFile], { env: scriptEnv, stdio: ['ignore', 2, 2] });
    }
  });

  let phase = 'setup';
  let command = null;
  let interrupted = null;
  const onSignal = (sig) => {
    interrupted = interrupted || sig;
    if (phase === 'command' && command && command.exitCode === null && command.signalCode === null) command.kill(sig);
    else if (phase === 'setup' && helper) helper.kill('SIGTERM'); // start.sh traps it and stops its server
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, onSignal);

  if (preset) {
    log(`using the MariaDB server at ${preset} (SALVAGE_TEST_MARIADB_SOCKET is set; not starting one)`);
  } else {
    delete childEnv.SALVAGE_TEST_MARIADB_SOCKET;
    delete childEnv.SALVAGE_TEST_MARIADB_PORT;
    delete childEnv.SALVAGE_TEST_MARIADB_ERROR;
    if (fs.existsSync(stateFile)) {
      started = true; // left by an earlier process with our PID; stop.sh checks it is really ours
      await stopServer();
      stopping = null;
    }
    log('starting MariaDB…');
    const t0 = Date.now();
    started = true;
    const r = await runScript('start.sh', [], scriptEnv);
    const socket = stateValue(r.stdout, 'SALVAGE_MARIADB_SOCKET');
    let error = null;
    if (interrupted) error = `interrupted by ${interrupted}`;
    else if (r.code !== 0 || !socket) error = failureReason('start.sh', r);
    if (error) {
      if (fs.existsSync(stateFile)) await stopServer();
      started = false;
      if (interrupted) return exitCodeOf(null, interrupted);
      childEnv.SALVAGE_TEST_MARIADB_ERROR = error;
      log(`MariaDB is NOT available: ${error}`);
      log('running the command anyway; tests that need MariaDB will fail');
    } else {
      childEnv.SALVAGE_TEST_MARIADB_SOCKET = socket;
      childEnv.SALVAGE_TEST_MARIADB_PORT = stateValue(r.stdout, 'SALVAGE_MARIADB_PORT');
      log(`MariaDB ready on ${socket} (took ${Math.round((Date.now() - t0) / 1000)}s)`);
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
  if (started) {
    await stopServer();
    log('MariaDB stopped');
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
