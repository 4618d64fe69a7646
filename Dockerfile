# The tax12366 service (Node 20), compiled to JavaScript and run with production dependencies only.
#
#   docker-compose build app        (see docker-compose.yml and docs/docker.md)
#
# Three stages on the same base, so native add-ons built in one run in the other:
#   build  - every dependency (TypeScript included) and `npm run build`: src/ -> dist/
#   deps   - production dependencies only (`npm ci --omit=dev`): no tsx, TypeScript, vitest, ESLint
#   final  - those dependencies, dist/ and the files the service reads at run time, as user node

# ---- build: compile src/ to dist/ ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
# The service (src -> dist) and the web console's pages (web -> web/dist).
RUN npm run build

# ---- deps: production dependencies only ----
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

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
# resolves. TTS_ROOT='' (set in docker-compose.yml too) means these host tools, no chroot.

WORKDIR /app
# Files stay owned by root: the service only reads them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
# What the service reads at run time, from the repo root that dist/main.js resolves as its parent:
# migrations (applied at boot), prompts/ (system.yaml, recorded/), the default IVR tree and routing
# plan (loaded into an empty database), and the area-code table of the reports.
COPY migrations ./migrations
COPY prompts ./prompts
COPY ivr ./ivr
COPY routing ./routing
COPY data ./data

# The unprivileged user of the node image (uid 1000) owns the prompts directory; the
# Asterisk image creates its side of the shared volume with the same owner.
RUN install -d -o node -g node -m 0755 /sounds/tax12366 /outbox
USER node

EXPOSE 3000

# No curl in the slim image: Node's own fetch. /healthz answers 503 when ARI, Postgres or Redis is down.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||3000)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# node itself as PID 1's command (no npm or shell in between), so SIGTERM from `docker stop`
# reaches the service's own shutdown handler directly.
CMD ["node", "--enable-source-maps", "dist/main.js"]
