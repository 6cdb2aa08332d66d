#!/usr/bin/env bash
# Ensure the Elasticsearch integ-test distribution is cached and unpacked.
#
# Prints exactly one line on stdout:  SALVAGE_ES_HOME=<unpacked dir>
# Everything else goes to stderr, so callers can parse stdout safely.
#
# Environment:
#   SALVAGE_ES_VERSION  Elasticsearch version (default below).
#   SALVAGE_ES_CACHE    Cache directory. Default:
#                         root:      /var/cache/salvage/es
#                         otherwise: ${XDG_CACHE_HOME:-$HOME/.cache}/salvage/es
#     Why not ~/.cache for root: /root is usually mode 700, and when we run as
#     root the node itself runs as an unprivileged user (see start.sh) that
#     must be able to traverse every parent directory of the unpacked tree.
#
# The zip comes from Maven Central through `mvn` (the only route to the
# internet that CI machines are guaranteed to have); Maven's own local
# repository (~/.m2) acts as a second-level cache.
set -euo pipefail

version="${SALVAGE_ES_VERSION:-9.5.4}"
artifact="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${version}:zip"

if [[ "$(id -u)" -eq 0 ]]; then
  default_cache=/var/cache/salvage/es
else
  default_cache="${XDG_CACHE_HOME:-$HOME/.cache}/salvage/es"
fi
cache="${SALVAGE_ES_CACHE:-$default_cache}"

log() { printf '[es/fetch] %s\n' "$*" >&2; }
die() { printf '[es/fetch] ERROR: %s\n' "$*" >&2; exit 1; }

# Directories and files must be world-readable so the unprivileged node user
# can use a cache populated by root.
umask 022
[[ -d "$cache" ]] || mkdir -p "$cache" || die "cannot create cache directory $cache (set SALVAGE_ES_CACHE to a writable directory)"
cache="$(cd "$cache" && pwd -P)"

home="$cache/elasticsearch-${version}"
zip="$cache/elasticsearch-${version}.zip"
marker="$home/.salvage-unpacked"

# Fast path without the lock: the marker is written last, so its presence
# means a complete tree (and a read-only cache, e.g. root-populated and used
# by another user, still works).
if [[ -f "$marker" ]]; then
  printf 'SALVAGE_ES_HOME=%s\n' "$home"
  exit 0
fi

# Concurrent test runs (several engineers, parallel CI jobs) share the cache;
# serialise the download/unpack so nobody sees a half-written tree.
{ exec 9>"$cache/.lock"; } 2>/dev/null || die "cache directory $cache is not writable (set SALVAGE_ES_CACHE to a writable directory)"
if ! flock -w 900 9; then
  die "timed out waiting for another fetch holding $cache/.lock"
fi

if [[ -f "$marker" ]]; then
  printf 'SALVAGE_ES_HOME=%s\n' "$home"
  exit 0
fi

cleanup_dirs=()
cleanup() { local d; for d in "${cleanup_dirs[@]+"${cleanup_dirs[@]}"}"; do rm -rf -- "$d"; done; }
trap cleanup EXIT

if [[ ! -s "$zip" ]]; then
  command -v mvn >/dev/null 2>&1 || die "mvn not found; install Maven (apt-get install maven) so the Elasticsearch zip can be fetched from Maven Central"
  log "fetching $artifact with Maven (~130 MB from Maven Central unless already in the local Maven repository)"
  dl="$(mktemp -d "$cache/.download.XXXXXX")"
  cleanup_dirs+=("$dl")
  # Run from an empty directory so Maven never picks up some unrelated pom.xml.
  # Maven's output is only interesting when it fails (even -q -B prints stray
  # ANSI resets), so keep it aside and show it then.
  if ! (cd "$dl" && mvn -B -q -Dstyle.color=never dependency:copy \
          -Dartifact="$artifact" \
          -DoutputDirectory="$dl/out" \
          -Dmdep.overWriteReleases=true) >"$dl/mvn.log" 2>&1; then
    sed $'s/\e\\[[0-9;]*m//g' "$dl/mvn.log" | tail -n 30 >&2
    die "mvn could not fetch $artifact (is Maven Central reachable? does version $version exist?)"
  fi
  [[ -s "$dl/out/elasticsearch-${version}.zip" ]] || die "mvn succeeded but $dl/out/elasticsearch-${version}.zip is missing"
  # Rename within the same filesystem so the cached zip appears atomically.
  mv -f "$dl/out/elasticsearch-${version}.zip" "$zip"
fi

command -v unzip >/dev/null 2>&1 || die "unzip not found; install it (apt-get install unzip)"
log "unpacking $zip"
# A leftover tree without the marker is from an interrupted unpack.
rm -rf -- "$home"
work="$(mktemp -d "$cache/.unpack.XXXXXX")"
cleanup_dirs+=("$work")
if ! unzip -q "$zip" -d "$work"; then
  rm -f -- "$zip"
  die "$zip is corrupt and was removed; run again to re-download"
fi
[[ -x "$work/elasticsearch-${version}/bin/elasticsearch" ]] || die "unexpected zip layout: no elasticsearch-${version}/bin/elasticsearch in $zip"
# The tree stays owned by whoever fetched it and is only ever read by the
# node (start.sh gives every run its own config/data/logs), so a+rX suffices.
chmod -R a+rX "$work"
chmod 755 "$cache"
mv "$work/elasticsearch-${version}" "$home"
touch "$marker"

printf 'SALVAGE_ES_HOME=%s\n' "$home"
