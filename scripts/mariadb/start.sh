#!/usr/bin/env bash
# Start a throw-away MariaDB server for the test suite (the SQL round-trip tests).
#
# On success prints on stdout:
#   SALVAGE_MARIADB_SOCKET=<run dir>/mysqld.sock
#   SALVAGE_MARIADB_PORT=<port on 127.0.0.1>
# and records what stop.sh needs in the state file. Progress and errors go to stderr.
#
# The server is Debian's: when mariadbd, mariadb-install-db or the mariadb client
# is missing and we are root, the packages are installed with apt-get (non-interactive).
# It runs as an unprivileged user, listens on 127.0.0.1 only, on a free port and a
# private socket, with its data in a fresh temp folder that stop.sh deletes.
# Root has no password: nothing but 127.0.0.1 and the private socket can reach it.
#
# Environment:
#   SALVAGE_MARIADB_STATE_FILE    where to record PID/run dir
#                                 (default ${TMPDIR:-/tmp}/salvage-mariadb-<uid>.state)
#   SALVAGE_MARIADB_USER          user to run as when invoked as root (default salvage-mariadb)
#   SALVAGE_MARIADB_PACKAGES      Debian packages to install when missing
#                                 (default "mariadb-server mariadb-client")
#   SALVAGE_MARIADB_START_TIMEOUT seconds to wait for the server (default 60)
#   SALVAGE_MARIADB_OWNER_PID     if set, a watchdog stops the server once this PID is gone
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
state_file="${SALVAGE_MARIADB_STATE_FILE:-${TMPDIR:-/tmp}/salvage-mariadb-$(id -u).state}"
db_user="${SALVAGE_MARIADB_USER:-salvage-mariadb}"
packages="${SALVAGE_MARIADB_PACKAGES:-mariadb-server mariadb-client}"
timeout_s="${SALVAGE_MARIADB_START_TIMEOUT:-60}"

log() { printf '[mariadb/start] %s\n' "$*" >&2; }
die() { printf '[mariadb/start] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ -e "$state_file" ]]; then
  die "state file $state_file already exists: a server from an earlier run may still be up. Run: scripts/mariadb/stop.sh '$state_file'"
fi

# --- Binaries (Debian puts mariadbd in /usr/sbin, which a non-login PATH may lack) ---
PATH="$PATH:/usr/sbin:/sbin"
have_all() { command -v mariadbd >/dev/null 2>&1 && command -v mariadb-install-db >/dev/null 2>&1 && command -v mariadb >/dev/null 2>&1; }
if ! have_all; then
  [[ "$(id -u)" -eq 0 ]] || die "MariaDB is not installed (need mariadbd, mariadb-install-db, mariadb) and we are not root to install it. Install it: sudo apt-get install $packages"
  command -v apt-get >/dev/null 2>&1 || die "MariaDB is not installed and apt-get is not available; install MariaDB 10.6+ (mariadbd, mariadb-install-db, mariadb) yourself"
  log "installing $packages with apt-get (once per machine)…"
  export DEBIAN_FRONTEND=noninteractive
  # -q and stdout to stderr: our stdout carries only the KEY=value lines.
  # --no-install-recommends: no mail server, no Perl DB drivers; the test needs none of them.
  install() { apt-get install -y -q --no-install-recommends $packages >&2; }
  if ! install; then
    log "apt-get install failed; refreshing the package lists and trying again"
    apt-get update -q >&2 || die "apt-get update failed (offline?); install $packages yourself"
    install || die "apt-get install $packages failed (see above)"
  fi
  have_all || die "installed $packages but mariadbd / mariadb-install-db / mariadb are still not on PATH"
fi
mariadbd_bin="$(command -v mariadbd)"

# --- Who runs the server ---------------------------------------------------------
# mariadbd refuses root unless told otherwise; we do not tell it otherwise.
as_user=()
if [[ "$(id -u)" -eq 0 ]]; then
  if ! id -u "$db_user" >/dev/null 2>&1; then
    log "creating system user $db_user (the server does not run as root)"
    useradd --system --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin --user-group "$db_user" >&2 \
      || die "could not create user $db_user; create it yourself or set SALVAGE_MARIADB_USER to an existing unprivileged user"
  fi
  as_user=(setpriv --reuid="$(id -u "$db_user")" --regid="$(id -g "$db_user")" --init-groups --)
fi

# --- Private run dir: data, socket, temp files, logs -----------------------------------
run_dir="$(mktemp -d "${TMPDIR:-/tmp}/salvage-mariadb-run.XXXXXX")"
mkdir -p "$run_dir"/{data,tmp}
chmod 0711 "$run_dir"   # the socket's folder must be traversable by the client (us)
if ((${#as_user[@]})); then
  chown -R "$db_user:" "$run_dir"
  "${as_user[@]}" test -w "$run_dir/data" \
    || { rm -rf -- "$run_dir"; die "user $db_user cannot write $run_dir (is TMPDIR=${TMPDIR:-} private?); point TMPDIR at a world-traversable directory such as /tmp"; }
fi
socket="$run_dir/mysqld.sock"
err_log="$run_dir/error.log"

log "initialising a data folder in $run_dir/data"
if ! "${as_user[@]}" mariadb-install-db --no-defaults --datadir="$run_dir/data" --tmpdir="$run_dir/tmp" \
    --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve >"$run_dir/install-db.log" 2>&1; then
  tail -n 20 "$run_dir/install-db.log" >&2 || true
  rm -rf -- "$run_dir"
  die "mariadb-install-db failed (see above)"
fi

free_port() {
  # The kernel picks a free port; mariadbd cannot be told "port 0" and report it.
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{process.stdout.write(String(s.address().port));s.close();});'
}

print_log_tail() {
  [[ -s "$err_log" ]] || { log "(the server wrote no log)"; return 0; }
  printf '[mariadb/start] ---- last 30 lines of the server log ----\n' >&2
  tail -n 30 "$err_log" | cut -c1-400 >&2 || true
  printf '[mariadb/start] ---- end of log ----\n' >&2
}

ping_db() {
  mariadb --no-defaults --protocol=socket --socket="$socket" -uroot -N -e 'SELECT 1' >/dev/null 2>&1
}

launch_start=$SECONDS
port=""
for attempt in 1 2 3; do
  port="$(free_port)"
  # setsid: own process group (a Ctrl-C at the test runner does not reach it; stop.sh
  # signals the group). $! is the group id (a background job of a non-interactive
  # shell is not a group leader, so setsid does not fork).
  (
    cd "$run_dir"
    exec setsid "${as_user[@]}" "$mariadbd_bin" --no-defaults \
      --datadir="$run_dir/data" --tmpdir="$run_dir/tmp" \
      --socket="$socket" --port="$port" --bind-address=127.0.0.1 \
      --pid-file="$run_dir/mysqld.pid" --log-error="$err_log" \
      --skip-name-resolve --skip-log-bin --innodb-buffer-pool-size=32M \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      </dev/null >>"$err_log" 2>&1
  ) &
  pgid=$!
  cat >"$state_file" <<STATE
SALVAGE_MARIADB_PGID=$pgid
SALVAGE_MARIADB_RUN_DIR=$run_dir
STATE
  if [[ -n "${SALVAGE_MARIADB_OWNER_PID:-}" && $attempt -eq 1 ]]; then
    # shellcheck disable=SC2016  # $1.. are expanded by the inner bash
    setsid bash -c '
      owner=$1 state=$2 stop=$3
      while [[ -e "$state" ]] && kill -0 "$owner" 2>/dev/null; do sleep 2; done
      if [[ -e "$state" ]]; then exec "$stop" "$state"; fi
    ' salvage-mariadb-watchdog "$SALVAGE_MARIADB_OWNER_PID" "$state_file" "$here/stop.sh" \
      </dev/null >/dev/null 2>&1 &
  fi
  fail() {
    if [[ -n "${2:-}" ]]; then print_log_tail; fi
    "$here/stop.sh" "$state_file" >&2 || true
    printf '[mariadb/start] ERROR: %s%s\n' "$1" "${2:+. $2}" >&2
    exit 1
  }
  trap 'fail "interrupted while starting MariaDB; the server was stopped"' INT TERM
  deadline=$((SECONDS + timeout_s))
  up=false
  while (( SECONDS < deadline )); do
    if ping_db; then up=true; break; fi
    kill -0 "$pgid" 2>/dev/null || break
    sleep 0.5
  done
  if $up; then break; fi
  if kill -0 "$pgid" 2>/dev/null; then
    fail "MariaDB did not answer within ${timeout_s}s" "If the machine is just slow, raise SALVAGE_MARIADB_START_TIMEOUT"
  fi
  # Exited: most likely the port was taken between the probe and the bind; try another.
  if grep -q "Address already in use" "$err_log" 2>/dev/null && (( attempt < 3 )); then
    log "port $port was taken meanwhile; trying another"
    rm -f -- "$state_file"
    continue
  fi
  fail "MariaDB exited during startup" "See the log above"
done
trap - INT TERM

log "server up in $((SECONDS - launch_start))s (pid group $pgid, run dir $run_dir, $("$mariadbd_bin" --version | cut -c1-80))"
log "stop it with: scripts/mariadb/stop.sh '$state_file'"
printf 'SALVAGE_MARIADB_SOCKET=%s\n' "$socket"
printf 'SALVAGE_MARIADB_PORT=%s\n' "$port"
