#!/usr/bin/env bash
# The whole test suite: installs what is missing, starts the rig (Postgres, Redis, Asterisk), runs vitest.
# Extra arguments go to vitest (e.g. `npm test -- test/unit`).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
bash scripts/deps.sh
bash scripts/rig.sh up
source scripts/env.sh
npx tsx src/cli/prompts.ts
npx tsc --noEmit
exec npx vitest run "$@"
