#!/usr/bin/env bash
# Stop a server started by start.sh and delete its run directory (data, socket, logs).
#
# Usage: scripts/mariadb/stop.sh [state-file]
#   state-file defaults to $SALVAGE_MARIADB_STATE_FILE, then to start.sh's default.
# Idempotent: a missing state file means there is nothing to stop.
#
# Environment:
#   SALVAGE_MARIADB_STOP_TIMEOUT  seconds to wait after SIGTERM before SIGKILL (default 30)
set -euo pipefail

state_file="${1:-${SALVAGE_MARIADB_STATE_FILE:-${TMPDIR:-/tmp}/salvage-mariadb-$(id -u).state}}"
timeout_s="${SALVAGE_MARIADB_STOP_TIMEOUT:-30}"

log() { printf '[mariadb/stop] %s\n' "$*" >&2; }

if [[ ! -e "$state_file" ]]; then
  log "no state file $state_file; nothing to stop"
  exit 0
fi

pgid="" run_dir=""
while IFS='=' read -r key value; do
  case "$key" in
    SALVAGE_MARIADB_PGID) pgid="$value" ;;
    SALVAGE_MARIADB_RUN_DIR) run_dir="$value" ;;
  esac
done <"$state_file"

# A zombie still answers kill -0: count only live members of the group.
group_alive() {
  local pid stat
  [[ -n "$pgid" ]] || return 1
  for pid in $(pgrep -g "$pgid" 2>/dev/null); do
    stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    stat="${stat##*) }"
    [[ "${stat%% *}" != Z ]] && return 0
  done
  return 1
}

# PIDs get reused: signal the group only if a member's command line names our run dir.
belongs_to_run() {
  local pid
  for pid in $(pgrep -g "$pgid" 2>/dev/null); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$run_dir" && return 0
  done
  return 1
}

if [[ "$pgid" =~ ^[0-9]+$ && -n "$run_dir" ]] && group_alive && belongs_to_run; then
  # SIGTERM is mariadbd's clean shutdown.
  kill -TERM -- "-$pgid" 2>/dev/null || true
  waited=0
  while group_alive && (( waited < timeout_s * 5 )); do
    sleep 0.2
    waited=$((waited + 1))
  done
  if group_alive; then
    log "server did not stop within ${timeout_s}s of SIGTERM; sending SIGKILL"
    kill -KILL -- "-$pgid" 2>/dev/null || true
    for _ in 1 2 3 4 5 6 7 8 9 10; do group_alive || break; sleep 0.2; done
  fi
  if group_alive; then log "WARNING: process group $pgid is still alive"; else log "stopped server (pid group $pgid)"; fi
elif group_alive; then
  log "process group $pgid no longer belongs to this server (pid reused?); not signalling it"
fi

# Only remove what start.sh created (guards against a mangled state file).
if [[ -n "$run_dir" && "$run_dir" == */salvage-mariadb-run.* && -d "$run_dir" ]]; then
  rm -rf -- "$run_dir"
fi
rm -f -- "$state_file"
