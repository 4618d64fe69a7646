#!/usr/bin/env bash
# Runs a command with the local environment (.env, created with fresh secrets if missing).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$REPO/scripts/env.sh"
exec "$@"
