#!/usr/bin/env bash
# Quick start: installs what is missing, starts Postgres, Redis and Asterisk, then runs the server.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
bash scripts/deps.sh
bash scripts/rig.sh up
source scripts/env.sh
# The Quick start opts in to the test agent (all skills, all queues): a password for this run
# unless .env or the shell gives one. Production leaves TEST_AGENT_PASSWORD unset (docs/security.md).
TEST_AGENT_PASSWORD=${TEST_AGENT_PASSWORD:-$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)}
# Agents' phones must register from AGENT_NETWORKS (default loopback only): the Quick start also
# lets in the networks this machine is on, so a softphone on the same LAN can register.
lans=$(ip -o -f inet addr show 2>/dev/null | awk '$2 != "lo" {print $4}' | paste -sd, -)
AGENT_NETWORKS=${AGENT_NETWORKS:-127.0.0.0/8${lans:+,$lans}}
export TEST_AGENT_PASSWORD AGENT_NETWORKS HTTP_PORT=${HTTP_PORT:-3000}
npx tsx src/cli/prompts.ts
npx vite build web --logLevel warn
# The sample knowledge base (kb/sample-base.json, illustrative) into an empty base only.
npx tsx src/cli/kb-import.ts --if-empty kb/sample-base.json
# The web console's first admin, so whoever ran this can sign in in a browser: its password is kept
# in .env (made here once); the account is created only while no enabled admin exists.
env_file=${TAX12366_ENV_FILE:-$REPO/.env}
if [[ -z ${CONSOLE_ADMIN_PASSWORD:-} ]]; then
  CONSOLE_ADMIN_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20)
  printf 'CONSOLE_ADMIN_PASSWORD=%s\n' "$CONSOLE_ADMIN_PASSWORD" >>"$env_file"
fi
export CONSOLE_ADMIN_PASSWORD
# Exit 3: no enabled admin but an account "admin" exists (disabled): said on stderr; the service starts anyway.
admin_line=$(npx tsx src/cli/ensure-admin.ts) || admin_line="console admin: none created (see the message above)"
ip=$(hostname -I 2>/dev/null | awk '{print $1}')
cat <<BANNER

  12366 contact center is starting
  ─────────────────────────────────────────────────────────────
  SIP (agents' softphones):  udp ${ip:-127.0.0.1}:5060   (and 127.0.0.1:5060), from ${AGENT_NETWORKS}
  Test agent:                user ${TEST_AGENT_ID:-1000}   password ${TEST_AGENT_PASSWORD}
  Taxpayers (trunk):         INVITE sip:12366@127.0.0.1 from 127.0.0.2 (see README)
  Web console:               http://${HTTP_HOST:-127.0.0.1}:${HTTP_PORT}/   (zh-CN; English in the header)
  Console admin:             user admin   password ${CONSOLE_ADMIN_PASSWORD}
                             (${admin_line#console admin: })
  HTTP API:                  http://${HTTP_HOST:-127.0.0.1}:${HTTP_PORT}/docs   (GET /healthz; tools: an API key from 账号与密钥,
                             or a session from POST /api/auth/login; ADMIN_TOKEN only while no admin exists)
  Secrets live in $REPO/.env (git-ignored).
  ─────────────────────────────────────────────────────────────

BANNER
exec npx tsx src/main.ts
