#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the report's browser test (test/report-html/).
# The test drives it with playwright-core; no browser is ever downloaded by npm or playwright.
# Idempotent: does nothing when /usr/bin/chromium is already there.
set -euo pipefail

CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
  exit 0
fi

echo "[ensure-chromium] $CHROMIUM is missing: installing Debian's chromium package / 正在安装 chromium" >&2
SUDO=""
if [ "$(id -u)" != "0" ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
    echo "[ensure-chromium] not root and no sudo: install it with 'apt-get install chromium' / 请以 root 安装 chromium" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
# A lock held by another apt run (a neighbour installing something) is waited for, not fought.
$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq
$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
[ -x "$CHROMIUM" ] || { echo "[ensure-chromium] chromium did not install / chromium 安装失败" >&2; exit 1; }
echo "[ensure-chromium] installed $($CHROMIUM --version 2>/dev/null || echo chromium)" >&2
