#!/usr/bin/env bash
# Regenerates the bundled sample shops with the simulator. Deterministic: running it again gives
# byte-identical files, so a diff after running it means the simulator's output changed.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json >/dev/null || echo "make-samples: tsc reported errors; using the JavaScript it emitted" >&2
node bin/salvage.js simulate --out samples/shop --orders 300 --days 2 --damage typical --seed 7
node bin/salvage.js simulate --out samples/shop-acg --orders 80 --days 2 --damage typical --seed 7 --platform acg-faka
