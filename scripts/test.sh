#!/usr/bin/env bash
# The whole test suite: installs what is missing, starts the rig (Postgres, Redis, Asterisk), typechecks,
# lints, checks formatting, runs vitest.
# Extra arguments go to vitest (e.g. `npm test -- test/unit`).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
bash scripts/deps.sh
bash scripts/rig.sh up
source scripts/env.sh
npx tsx src/cli/prompts.ts
npx tsc --noEmit
npx tsc --noEmit -p web
# The web console's pages (web/ -> web/dist), which the service serves and the browser tests open.
npx vite build web --logLevel warn
# Lint (zero warnings) and formatting, before the long vitest run: a style slip fails within a minute, not after the suite.
npm run --silent lint
npm run --silent format:check
exec npx vitest run "$@"
