#!/usr/bin/env bash
# The whole test suite: installs what is missing, starts the rig (Postgres, Redis, Asterisk), runs vitest.
# Extra arguments go to vitest (e.g. `npm test -- test/unit`).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
[[ -d node_modules/.bin ]] && [[ node_modules/.package-lock.json -nt package-lock.json ]] || npm ci --no-audit --no-fund
bash scripts/rig.sh up
source scripts/env.sh
exec npx vitest run "$@"
