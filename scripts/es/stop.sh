#!/usr/bin/env bash
# Stop a node started by start.sh and delete its per-run directory.
#
# Usage: scripts/es/stop.sh [state-file]
#   state-file defaults to $SALVAGE_ES_STATE_FILE, then to start.sh's default.
# Idempotent: a missing state file means there is nothing to stop.
#
# Environment:
#   SALVAGE_ES_STOP_TIMEOUT  seconds to wait after SIGTERM before SIGKILL (default 30)
#   SALVAGE_ES_KEEP_RUN_DIR  1: keep the run directory (data included), so that
#                            start.sh with SALVAGE_ES_RUN_DIR can start the node again
set -euo pipefail

state_file="${1:-${SALVAGE_ES_STATE_FILE:-${TMPDIR:-/tmp}/salvage-es-$(id -u).state}}"
timeout_s="${SALVAGE_ES_STOP_TIMEOUT:-30}"

log() { printf '[es/stop] %s\n' "$*" >&2; }

if [[ ! -e "$state_file" ]]; then
  log "no state file $state_file; nothing to stop"
  exit 0
fi

pgid="" run_dir=""
while IFS='=' read -r key value; do
  case "$key" in
    SALVAGE_ES_PGID) pgid="$value" ;;
    SALVAGE_ES_RUN_DIR) run_dir="$value" ;;
  esac
done <"$state_file"

# kill -0 alone is not enough: exited processes are reparented to PID 1,
# which on some container/VM inits reaps them only after seconds, and a
# zombie still answers kill -0. Count only members that are not zombies.
group_alive() {
  local pid stat
  [[ -n "$pgid" ]] || return 1
  for pid in $(pgrep -g "$pgid" 2>/dev/null); do
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    stat="${stat##*) }"             # drop "pid (comm) ", comm may contain spaces
    [[ "${stat%% *}" != Z ]] && return 0
  done
  return 1
}

# PIDs get reused: only signal the group if one of its processes is
# demonstrably ours. Every process start.sh launched inherits
# ES_PATH_CONF=<run dir>/config (the launcher JVM's command line does not
# mention the run dir, so the environment is the reliable mark); the server
# JVM's command line names the run dir too (java.io.tmpdir).
belongs_to_run() {
  local pid
  for pid in $(pgrep -g "$pgid" 2>/dev/null); do
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF -- "ES_PATH_CONF=$run_dir/config" && return 0
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$run_dir" && return 0
  done
  return 1
}
ours=false
if [[ "$pgid" =~ ^[0-9]+$ && -n "$run_dir" ]] && group_alive && belongs_to_run; then
  ours=true
fi

if $ours; then
  # SIGTERM lets Elasticsearch shut down cleanly (flush, release locks).
  kill -TERM -- "-$pgid" 2>/dev/null || true
  waited=0
  while group_alive && (( waited < timeout_s * 5 )); do
    sleep 0.2
    waited=$((waited + 1))
  done
  if group_alive; then
    log "node did not stop within ${timeout_s}s of SIGTERM; sending SIGKILL"
    kill -KILL -- "-$pgid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do group_alive || break; sleep 0.2; done
  fi
  if group_alive; then
    log "WARNING: process group $pgid is still alive"
  else
    log "stopped node (pid group $pgid)"
  fi
elif group_alive; then
  log "process group $pgid no longer belongs to this node (pid reused?); not signalling it"
fi

# Only remove what start.sh created (guards against a mangled state file).
if [[ "${SALVAGE_ES_KEEP_RUN_DIR:-}" == 1 ]]; then
  log "kept $run_dir (restart: SALVAGE_ES_RUN_DIR='$run_dir' scripts/es/start.sh)"
elif [[ -n "$run_dir" && "$run_dir" == */salvage-es-run.* && -d "$run_dir" ]]; then
  rm -rf -- "$run_dir"
fi
rm -f -- "$state_file"
