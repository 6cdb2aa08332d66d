#!/usr/bin/env bash
# Start a throw-away single-node Elasticsearch for the test suite.
#
# On success prints exactly one line on stdout:
#   SALVAGE_ES_URL=http://127.0.0.1:<port>
# and records what stop.sh needs in the state file. Progress and errors go
# to stderr.
#
# Environment:
#   SALVAGE_ES_STATE_FILE   where to record PID/run dir
#                           (default ${TMPDIR:-/tmp}/salvage-es-<uid>.state)
#   SALVAGE_ES_HEAP         JVM heap, used for -Xms and -Xmx (default 512m)
#   SALVAGE_ES_START_TIMEOUT seconds to wait for yellow health (default 120)
#   SALVAGE_ES_USER         user to run as when invoked as root (default salvage-es)
#   SALVAGE_ES_OWNER_PID    if set, a watchdog stops the node once this PID
#                           is gone (covers a SIGKILLed caller)
#   ES_JAVA_HOME            Java 21+ to use; otherwise the newest JDK >= 21
#                           under /usr/lib/jvm is picked (system java is 17)
#   SALVAGE_ES_RUN_DIR      restart a node stopped with SALVAGE_ES_KEEP_RUN_DIR=1
#                           (stop.sh): its data is kept, it gets new ports
#   SALVAGE_ES_VERSION, SALVAGE_ES_CACHE  see fetch.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
state_file="${SALVAGE_ES_STATE_FILE:-${TMPDIR:-/tmp}/salvage-es-$(id -u).state}"
heap="${SALVAGE_ES_HEAP:-512m}"
timeout_s="${SALVAGE_ES_START_TIMEOUT:-120}"
es_user="${SALVAGE_ES_USER:-salvage-es}"

log() { printf '[es/start] %s\n' "$*" >&2; }
die() { printf '[es/start] ERROR: %s\n' "$*" >&2; exit 1; }

if [[ -e "$state_file" ]]; then
  die "state file $state_file already exists: a node from an earlier run may still be up. Run: scripts/es/stop.sh '$state_file'"
fi

command -v curl >/dev/null 2>&1 || die "curl not found (needed to poll the node's health); install it (apt-get install curl)"

# Locate (and if needed fetch) the distribution; fetch.sh is cheap when cached.
fetch_out="$("$here/fetch.sh")" || die "fetching Elasticsearch failed (see messages above)"
es_home="${fetch_out#SALVAGE_ES_HOME=}"
[[ -x "$es_home/bin/elasticsearch" ]] || die "fetch.sh reported '$fetch_out', which has no bin/elasticsearch"

# --- Java ------------------------------------------------------------------
java_major() {
  # JAVA_VERSION="25.0.3" -> 25 ; "1.8.0_x" -> 1 (too old, which is what we want)
  local v
  v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null || true)"
  printf '%s' "${v:-0}"
}
if [[ -z "${ES_JAVA_HOME:-}" ]]; then
  best="" best_major=0
  # Temurin first so that it wins ties; then anything else that looks like a JDK.
  shopt -s nullglob
  for d in /usr/lib/jvm/temurin-* ${JAVA_HOME:+"$JAVA_HOME"} /usr/lib/jvm/*; do
    [[ -x "$d/bin/java" ]] || continue
    m="$(java_major "$d")"
    if (( m >= 21 && m > best_major )); then best="$d" best_major="$m"; fi
  done
  shopt -u nullglob
  [[ -n "$best" ]] || die "no Java 21+ found under /usr/lib/jvm (Elasticsearch 9 needs it; the system java is usually 17). Install a JDK 21+ (e.g. temurin-25-jdk) or set ES_JAVA_HOME."
  ES_JAVA_HOME="$best"
fi
[[ -x "$ES_JAVA_HOME/bin/java" ]] || die "ES_JAVA_HOME=$ES_JAVA_HOME has no bin/java"

# --- Who runs the node -------------------------------------------------------
# Elasticsearch refuses to run as root. When we are root (CI, containers) we
# run it as a dedicated system account instead of weakening that check.
as_user=()
if [[ "$(id -u)" -eq 0 ]]; then
  if ! id -u "$es_user" >/dev/null 2>&1; then
    log "creating system user $es_user (Elasticsearch refuses to run as root)"
    useradd --system --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin --user-group "$es_user" >&2 \
      || die "could not create user $es_user; create it yourself or set SALVAGE_ES_USER to an existing unprivileged user"
  fi
  # setpriv rather than runuser/su: it just switches ids and execs, so no
  # privileged parent stays behind. (runuser would sit in front of the node
  # and, on SIGTERM, sleep 2 s before SIGKILLing it: 3 s lost per stop.)
  as_user=(setpriv --reuid="$(id -u "$es_user")" --regid="$(id -g "$es_user")" --init-groups --)
  if ! "${as_user[@]}" test -x "$es_home/bin/elasticsearch" -a -r "$es_home/lib"; then
    die "user $es_user cannot read $es_home (a parent directory is probably private, like /root). Point SALVAGE_ES_CACHE somewhere world-traversable, e.g. the default /var/cache/salvage/es"
  fi
fi

# --- Per-run directory: config, data, logs, tmp ------------------------------
# A fresh copy of config/ per run keeps the shared cache read-only (ES writes
# its keystore into the config dir) and lets concurrent runs differ.
reuse_dir="${SALVAGE_ES_RUN_DIR:-}"
if [[ -n "$reuse_dir" ]]; then
  # A restart of a node stopped with its data kept (a test stopping a node mid-run).
  [[ "$reuse_dir" == */salvage-es-run.* && -f "$reuse_dir/config/elasticsearch.yml" ]] \
    || die "SALVAGE_ES_RUN_DIR=$reuse_dir is not a run directory left by stop.sh with SALVAGE_ES_KEEP_RUN_DIR=1"
  run_dir="$reuse_dir"
  rm -f -- "$run_dir/logs/http.ports" "$run_dir/logs/transport.ports"
else
  run_dir="$(mktemp -d "${TMPDIR:-/tmp}/salvage-es-run.XXXXXX")"
  mkdir -p "$run_dir"/{data,logs,tmp}
  cp -R "$es_home/config" "$run_dir/config"
fi

# http.port/transport.port 0 = kernel-chosen free ports (no race with a probe),
# and node.portsfile makes ES write the ports it actually bound into path.logs.
[[ -n "$reuse_dir" ]] || cat >"$run_dir/config/elasticsearch.yml" <<EOF
# Generated by scripts/es/start.sh for one test run.
cluster.name: salvage-test
node.name: salvage-test-node
path.data: $run_dir/data
path.logs: $run_dir/logs
network.host: 127.0.0.1
http.port: 0
transport.port: 0
node.portsfile: true
discovery.type: single-node
bootstrap.memory_lock: false
# A nearly full CI disk must not flip test indices to read-only.
cluster.routing.allocation.disk.threshold_enabled: false
# Tests clean up with wildcard deletes.
action.destructive_requires_name: false
# The integ-test zip ships x-pack-security; plain HTTP without auth for tests.
xpack.security.enabled: false
EOF

if ((${#as_user[@]})); then
  chown -R "$es_user:" "$run_dir"
  "${as_user[@]}" test -w "$run_dir/data" \
    || { rm -rf -- "$run_dir"; die "user $es_user cannot write $run_dir (is TMPDIR=${TMPDIR:-} private?); point TMPDIR at a world-traversable directory such as /tmp"; }
fi

es_log="$run_dir/logs/console.log"
print_log_tail() {
  # The console log carries everything the server logs plus launcher/JVM
  # errors that never reach the cluster log. Long lines (the JVM argument
  # dump) are clipped to keep the interesting part on screen.
  [[ -s "$es_log" ]] || { log "(Elasticsearch wrote no output)"; return 0; }
  printf '[es/start] ---- last 40 lines of the Elasticsearch console log ----\n' >&2
  tail -n 40 "$es_log" | cut -c1-400 >&2 || true
  printf '[es/start] ---- end of log ----\n' >&2
}

# --- Launch --------------------------------------------------------------------
# CLI_JAVA_OPTS: the launcher JVM otherwise leaves a final-flags* temp dir in
# /tmp on every start; pointing its tmpdir into the run dir gets it deleted.
# setsid puts the node (the launcher JVM and the server JVM) into its
# own process group: a Ctrl-C aimed at the test runner does not reach it, and
# stop.sh can signal the whole group at once. In a non-interactive shell a
# background job is never a group leader, so setsid does not fork and $! is
# the group id.
launch_start=$SECONDS
(
  cd "$run_dir/logs"   # relative JVM files (gc.log, hs_err, heap dumps) land here
  exec setsid "${as_user[@]}" env \
    HOME="$run_dir" \
    ES_JAVA_HOME="$ES_JAVA_HOME" \
    ES_PATH_CONF="$run_dir/config" \
    ES_TMPDIR="$run_dir/tmp" \
    CLI_JAVA_OPTS="-Djava.io.tmpdir=$run_dir/tmp ${CLI_JAVA_OPTS:-}" \
    ES_JAVA_OPTS="-Xms$heap -Xmx$heap ${ES_JAVA_OPTS:-}" \
    "$es_home/bin/elasticsearch" </dev/null >"$es_log" 2>&1
) &
pgid=$!

cat >"$state_file" <<EOF
SALVAGE_ES_PGID=$pgid
SALVAGE_ES_RUN_DIR=$run_dir
EOF

if [[ -n "${SALVAGE_ES_OWNER_PID:-}" ]]; then
  # Started before the readiness wait so that even a caller killed mid-start
  # leaves nothing behind. It exits by itself once stop.sh removed the state
  # file, and is detached from our stdout/stderr so callers reading them see
  # EOF when we exit.
  # shellcheck disable=SC2016  # $1.. are expanded by the inner bash
  setsid bash -c '
    owner=$1 state=$2 stop=$3
    while [[ -e "$state" ]] && kill -0 "$owner" 2>/dev/null; do sleep 2; done
    if [[ -e "$state" ]]; then exec "$stop" "$state"; fi
  ' salvage-es-watchdog "$SALVAGE_ES_OWNER_PID" "$state_file" "$here/stop.sh" \
    </dev/null >/dev/null 2>&1 &
fi

# The last stderr line is the one callers (with-es.js) quote, so the
# actionable message comes after the log tail.
fail() {
  if [[ -n "${2:-}" ]]; then print_log_tail; fi
  "$here/stop.sh" "$state_file" >&2 || true
  printf '[es/start] ERROR: %s%s\n' "$1" "${2:+. $2}" >&2
  exit 1
}
trap 'fail "interrupted while starting Elasticsearch; the node was stopped"' INT TERM

http_get() {
  curl -fsS --max-time 10 "$1" 2>/dev/null
}

port=""
deadline=$((SECONDS + timeout_s))
while :; do
  if ! kill -0 "$pgid" 2>/dev/null; then
    fail "Elasticsearch exited during startup" \
      "Check the log above; common causes: too little memory for -Xmx$heap (set SALVAGE_ES_HEAP), an unusable Java (set ES_JAVA_HOME to a JDK 21+), or a setting in the elasticsearch.yml that start.sh generates."
  fi
  if [[ -z "$port" && -s "$run_dir/logs/http.ports" ]]; then
    # One address per line, e.g. 127.0.0.1:43817
    port="$(sed -n 's/^127\.0\.0\.1:\([0-9][0-9]*\)$/\1/p' "$run_dir/logs/http.ports" | head -n 1)"
  fi
  if [[ -n "$port" ]] && http_get "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=5s" | grep -q '"timed_out":false'; then
    break
  fi
  if (( SECONDS >= deadline )); then
    fail "Elasticsearch did not reach yellow health within ${timeout_s}s" \
      "If the machine is just slow, raise SALVAGE_ES_START_TIMEOUT; otherwise see the log above."
  fi
  sleep 1
done
trap - INT TERM

log "node up in $((SECONDS - launch_start))s (pid group $pgid, run dir $run_dir, java $ES_JAVA_HOME)"
log "stop it with: scripts/es/stop.sh '$state_file'"
printf 'SALVAGE_ES_URL=http://127.0.0.1:%s\n' "$port"
