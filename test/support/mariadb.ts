// Helpers for tests that load SQL into a real MariaDB server.
//
// `npm test` runs the suite through scripts/with-mariadb.js, which starts a throw-away server
// (installing Debian's mariadb-server when missing) and exports SALVAGE_TEST_MARIADB_SOCKET and
// SALVAGE_TEST_MARIADB_PORT. Tests that need it fail, never skip, when it is missing.
import { spawnSync } from 'node:child_process';

export interface MariaDb {
  socket: string;
  port: string;
}

export function requireMariaDb(): MariaDb {
  const socket = (process.env.SALVAGE_TEST_MARIADB_SOCKET ?? '').trim();
  if (socket) return { socket, port: (process.env.SALVAGE_TEST_MARIADB_PORT ?? '').trim() };
  const reason = (process.env.SALVAGE_TEST_MARIADB_ERROR ?? '').trim();
  throw new Error(
    [
      'This MariaDB integration test needs a real server, but SALVAGE_TEST_MARIADB_SOCKET is not set.',
      reason
        ? `scripts/with-mariadb.js tried to start one and failed: ${reason}`
        : 'Run the suite with `npm test`, which starts one via scripts/with-mariadb.js ' +
          '(or: node scripts/with-mariadb.js node --test dist/test/sinks/), or point SALVAGE_TEST_MARIADB_SOCKET at a server ' +
          'whose root user has no password.',
      'Starting one needs mariadbd, mariadb-install-db and mariadb (Debian: apt-get install mariadb-server mariadb-client; ' +
        'scripts/mariadb/start.sh installs them when run as root).',
    ].join('\n'),
  );
}

export interface SqlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs SQL through the mariadb command-line client, as an operator restoring a shop would. */
export function mariadb(db: MariaDb, sql: string, opts: { database?: string; args?: string[] } = {}): SqlRun {
  const r = spawnSync('mariadb', ['--no-defaults', '--protocol=socket', `--socket=${db.socket}`, '-uroot', '--batch', '--raw', '--skip-column-names',
    '--default-character-set=utf8mb4', ...(opts.args ?? []), ...(opts.database ? [opts.database] : [])], {
    input: sql,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Like mariadb(), but a failure throws with the server's message. */
export function mustRun(db: MariaDb, sql: string, opts: { database?: string; args?: string[] } = {}): string {
  const r = mariadb(db, sql, opts);
  if (r.code !== 0) throw new Error(`mariadb failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Each row of a query that selects one JSON_OBJECT(...) per row, parsed. */
export function jsonRows<T>(db: MariaDb, database: string, query: string): T[] {
  return mustRun(db, query, { database }).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as T);
}

/** A fresh, empty database with a unique name. */
export function freshDatabase(db: MariaDb, stem: string): string {
  const name = `${stem}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  mustRun(db, `DROP DATABASE IF EXISTS \`${name}\`; CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4;`);
  return name;
}

export function dropDatabase(db: MariaDb, name: string): void {
  mariadb(db, `DROP DATABASE IF EXISTS \`${name}\`;`);
}
