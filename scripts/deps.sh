#!/usr/bin/env bash
# Node dependencies, installed only when package-lock.json changed since the last install.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
command -v node >/dev/null || { echo "Node.js 20 is required (apt-get install nodejs, or nodesource)" >&2; exit 1; }
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi
