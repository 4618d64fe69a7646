# The tax12366 service (Node 20, TypeScript run from source).
#
#   docker-compose build app        (see docker-compose.yml and docs/docker.md)
#
# Why all dependencies, dev included: the service runs from TypeScript source with tsx
# (package.json's "start" is `tsx src/main.ts`, and tsx is a devDependency). Compiling with tsc
# instead would need a dist/ build and a different start script, which this image does not
# introduce; so `npm ci` installs everything and the service starts with tsx.

# ---- dependencies: resolved on the same base as the runtime so native add-ons match ----
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund && npm cache clean --force

# ---- runtime ----
FROM node:20-bookworm-slim

# Prompts are synthesized with espeak-ng and sox from the host's (here: the image's) own tools.
# Caveat: bookworm's espeak-ng 1.51 misreads some Mandarin characters (您, 好, 欢迎); Debian sid's
# 1.52 reads them correctly. A later base (a Debian trixie Node image) or recorded prompts in
# prompts/recorded/<lang>/<name>.wav (copied instead of synthesized) fix it.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends espeak-ng sox \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    HTTP_PORT=3000 \
    SOUNDS_DIR=/sounds \
    TTS_ROOT=""
# SOUNDS_DIR: prompts are written to $SOUNDS_DIR/tax12366/<lang>/<name>.wav. docker-compose.yml
# mounts the named volume "prompts" at /sounds/tax12366 here and at
# /usr/share/asterisk/sounds/tax12366 in the Asterisk container, where `sound:tax12366/zh/welcome`
# resolves. TTS_ROOT empty is meant as "run espeak-ng and sox directly, no chroot" -- but see
# TTS_ROOT='' (set in docker-compose.yml) means these host tools, no chroot.

WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
# The whole context minus .dockerignore: src/, migrations/, prompts/ and ivr/ (when it exists)
# without naming each, so a directory that does not exist yet cannot break the build.
# Files stay owned by root: the service only reads them.
COPY . .

# The unprivileged user of the node image (uid 1000) owns the prompts directory; the
# Asterisk image creates its side of the shared volume with the same owner.
RUN install -d -o node -g node -m 0755 /sounds/tax12366 /outbox
USER node

EXPOSE 3000

# No curl in the slim image: Node's own fetch. /healthz answers 503 when ARI, Postgres or Redis is down.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# tsx as a Node loader rather than `npx tsx`: one process (no npx/tsx wrappers in between), so
# SIGTERM from `docker stop` reaches the service's own shutdown handler directly.
CMD ["node", "--import", "tsx", "src/main.ts"]
