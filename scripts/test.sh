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
# Two more Asterisk nodes, linked to each other, for the several-nodes test (test/e2e/two-nodes.test.ts,
# docs/scale.md): their own config dirs and ports on loopback, named to the test by NODE_A / NODE_B.
RIG_LINKS=na=127.0.0.1:5191,nb=127.0.0.1:5201 RIG_NODE=na RIG_SIP_PORT=5191 RIG_ARI_PORT=8219 RIG_AMI_PORT=5169 RIG_RTP=25002-26000 \
  bash scripts/rig.sh asterisk
RIG_LINKS=na=127.0.0.1:5191,nb=127.0.0.1:5201 RIG_NODE=nb RIG_SIP_PORT=5201 RIG_ARI_PORT=8229 RIG_AMI_PORT=5179 RIG_RTP=26002-27000 \
  bash scripts/rig.sh asterisk
export NODE_A=na=127.0.0.1:5191:8219 NODE_B=nb=127.0.0.1:5201:8229
npx tsx src/cli/prompts.ts
npx tsc --noEmit
npx tsc --noEmit -p web
# The web console's pages (web/ -> web/dist), which the service serves and the browser tests open.
npx vite build web --logLevel warn
# Lint (zero warnings) and formatting, before the long vitest run: a style slip fails within a minute, not after the suite.
npm run --silent lint
npm run --silent format:check
exec npx vitest run "$@"
