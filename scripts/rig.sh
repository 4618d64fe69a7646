#!/usr/bin/env bash
# The local softswitch rig for Debian/Ubuntu hosts without Docker.
#
#   scripts/rig.sh up        install what is missing, start Postgres, Redis and Asterisk (idempotent)
#   scripts/rig.sh down      stop Asterisk (Postgres and Redis are left to the host)
#   scripts/rig.sh status    one line per service
#   scripts/rig.sh exec ...  run a command inside the Asterisk root filesystem (sipp, asterisk -rx, ...)
#
# A second Asterisk in the same root filesystem (multi-node tests, or trying a configuration
# without touching the main one): RIG_NODE=<name> with port offsets, e.g.
#   RIG_NODE=h8 RIG_SIP_PORT=5161 RIG_ARI_PORT=8189 RIG_AMI_PORT=5139 RIG_RTP=20002-21000 scripts/rig.sh asterisk
#   RIG_NODE=h8 scripts/rig.sh cli 'pjsip show endpoints'      RIG_NODE=h8 scripts/rig.sh down
# Several nodes linked to each other (docs/scale.md, nodes): RIG_LINKS lists every node as
# name=ip:port (its own entry is skipped), e.g. RIG_LINKS=na=127.0.0.1:5171,nb=127.0.0.1:5181.
# It reads /etc/asterisk-<name> and uses /run/asterisk-<name>, /var/log/asterisk-<name>, /var/lib/asterisk-<name>.
#
# Asterisk 22 is not packaged for Debian 12, so it runs from a Debian sid root filesystem
# built once and cached outside the repo ($RIG_CACHE). The repo's asterisk-config/ and dialplans/
# are installed into it at every start so that what runs is what is committed.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${RIG_CACHE:-/var/cache/tax12366}
ROOT=$CACHE/sid-rootfs
MIRROR=${RIG_MIRROR:-http://deb.debian.org/debian}
# Packages inside the rootfs. Changing this list installs the difference on the next `up`.
ROOT_PACKAGES="asterisk asterisk-core-sounds-en-gsm asterisk-moh-opsound-gsm sip-tester espeak-ng sox baresip-core procps"
# chromium and fonts-noto-cjk: the page tests drive Debian's Chromium (never a downloaded browser) and
# its screenshots must show Chinese.
HOST_PACKAGES="postgresql redis-server debootstrap docker-compose chromium fonts-noto-cjk"

log() { printf '[rig] %s\n' "$*" >&2; }

# Started under `flock /tmp/tax12366-rig.lock ...` (tests and benches serialize on it), the
# daemons started here would inherit the lock's descriptor and hold it for as long as they run,
# so every later `flock` would wait for ever. Whatever descriptor of this shell points at a
# lock file is closed before anything is started.
for fd in /proc/$$/fd/*; do
  case $(readlink "$fd" 2>/dev/null) in
    /tmp/tax12366-*.lock) n=${fd##*/}; eval "exec $n>&-" ;;
  esac
done
die() { printf '[rig] ERROR: %s\n' "$*" >&2; exit 1; }

# shellcheck source=scripts/env.sh
source "$REPO/scripts/env.sh"

# The main node (RIG_NODE unset) keeps Debian's paths and the standard ports.
NODE=${RIG_NODE:-}
SUFFIX=${NODE:+-$NODE}
ETC=/etc/asterisk$SUFFIX
RUN=/run/asterisk$SUFFIX
LOGDIR=/var/log/asterisk$SUFFIX
# Its own astdb: two Asterisks on one SQLite file lock each other out.
DBDIR=/var/lib/asterisk$SUFFIX
if [[ -n $NODE ]]; then
  [[ $NODE =~ ^[a-z0-9]+$ ]] || die "RIG_NODE must be lower-case letters and digits"
  ARI_PORT=${RIG_ARI_PORT:?RIG_ARI_PORT is needed with RIG_NODE}
  SIP_PORT=${RIG_SIP_PORT:?RIG_SIP_PORT is needed with RIG_NODE}
  AMI_PORT=${RIG_AMI_PORT:?RIG_AMI_PORT is needed with RIG_NODE}
  RTP_RANGE=${RIG_RTP:?RIG_RTP (e.g. 20002-21000) is needed with RIG_NODE}
else
  SIP_PORT=5060
fi
# The Asterisk CLI of this node.
cli() { chroot "$ROOT" /usr/sbin/asterisk -C "$ETC/asterisk.conf" -rx "$1"; }

ensure_host_packages() {
  local missing=()
  for p in $HOST_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing host packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

mount_into_root() {
  for d in proc dev dev/pts; do
    mkdir -p "$ROOT/$d"
    mountpoint -q "$ROOT/$d" || mount --bind "/$d" "$ROOT/$d"
  done
}

ensure_rootfs() {
  if [[ ! -x $ROOT/usr/sbin/asterisk ]]; then
    local tmp=$ROOT.building
    rm -rf "$tmp"; mkdir -p "$CACHE"
    log "building Debian sid root filesystem in $ROOT (once; about a minute)"
    debootstrap --variant=minbase sid "$tmp" "$MIRROR" >"$CACHE/debootstrap.log" 2>&1 \
      || die "debootstrap failed, see $CACHE/debootstrap.log"
    mv "$tmp" "$ROOT"
  fi
  mount_into_root
  # Asterisk resolves the hostname on every call; without this line each call stalls on DNS.
  grep -qw "$(hostname)" "$ROOT/etc/hosts" 2>/dev/null || printf '127.0.0.1 localhost %s\n' "$(hostname)" >>"$ROOT/etc/hosts"
  if [[ "$(cat "$ROOT/.rig-packages" 2>/dev/null)" != "$ROOT_PACKAGES" ]]; then
    log "installing into rootfs: $ROOT_PACKAGES"
    # The sid Release file on the mirror can be past its Valid-Until date.
    chroot "$ROOT" apt-get -qq -o Acquire::Check-Valid-Until=false update >/dev/null
    chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $ROOT_PACKAGES >"$CACHE/apt.log" 2>&1 \
      || die "apt-get install in rootfs failed, see $CACHE/apt.log"
    echo "$ROOT_PACKAGES" >"$ROOT/.rig-packages"
  fi
}

# The superuser over the local socket; the service's own PG* variables must not leak in.
as_postgres() {
  local cmd=$1; shift
  runuser -u postgres -- env -u PGHOST -u PGUSER -u PGPASSWORD -u PGDATABASE \
    "$cmd" -h /var/run/postgresql -p "$PGPORT" -U postgres "$@"
}

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p "$PGPORT"; then
    pg_lsclusters -h 2>/dev/null | grep -q '^15 *main' || pg_createcluster 15 main >/dev/null
    log "starting Postgres 15"
    pg_ctlcluster 15 main start || true
    for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.2; done
    pg_isready -q -h 127.0.0.1 -p "$PGPORT" || die "Postgres did not start on 127.0.0.1:$PGPORT"
  fi
  # Role and database for the service; the password comes from .env, never from the repo.
  as_postgres psql -q -v ON_ERROR_STOP=1 <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PGUSER') THEN
    CREATE ROLE "$PGUSER" LOGIN CREATEDB PASSWORD '$PGPASSWORD';
  ELSE
    ALTER ROLE "$PGUSER" LOGIN CREATEDB PASSWORD '$PGPASSWORD';
  END IF;
END \$\$;
SQL
  as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname='$PGDATABASE'" | grep -q 1 \
    || as_postgres createdb -O "$PGUSER" "$PGDATABASE"
}

ensure_redis() {
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "starting Redis on 127.0.0.1:$REDIS_PORT"
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --save '' --appendonly no \
      --dir /tmp --logfile /tmp/tax12366-redis.log >/dev/null
    for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis did not start on 127.0.0.1:$REDIS_PORT"
  fi
}

# Files generated from .env: credentials are substituted here, never committed.
render_config() {
  local dest=$1
  rm -rf "$dest"; mkdir -p "$dest"
  cp -r "$REPO/asterisk-config/." "$dest/"
  mkdir -p "$dest/dialplans"; cp -r "$REPO/dialplans/." "$dest/dialplans/"
  "$REPO/asterisk-config/render-secrets.sh" "$dest"
  "$REPO/asterisk-config/render-node-links.sh" "$dest" "${NODE:-main}" "${RIG_LINKS:-}"
  [[ -z $NODE ]] || node_config "$dest"
}

# A second node: its own directories and ports, everything else as committed.
node_config() {
  local dest=$1
  sed -i -e 's/^\[directories\](!)/[directories]/' \
    -e "s#^astetcdir => .*#astetcdir => $ETC#" -e "s#^astrundir => .*#astrundir => /var$RUN#" \
    -e "s#^astlogdir => .*#astlogdir => $LOGDIR#" -e "s#^astdbdir => .*#astdbdir => $DBDIR#" "$dest/asterisk.conf"
  sed -i "s/^bindport = .*/bindport = $ARI_PORT/" "$dest/http.conf"
  sed -i "s/^bind = \(.*\):5060$/bind = \1:$SIP_PORT/" "$dest/pjsip.conf"
  sed -i "s/^port = .*/port = $AMI_PORT/" "$dest/manager.conf"
  sed -i -e "s/^rtpstart = .*/rtpstart = ${RTP_RANGE%-*}/" -e "s/^rtpend = .*/rtpend = ${RTP_RANGE#*-}/" "$dest/rtp.conf"
}

asterisk_running() { [[ -f $ROOT$RUN/asterisk.pid ]] && kill -0 "$(cat "$ROOT$RUN/asterisk.pid")" 2>/dev/null; }

ari_ready() { curl -fsS -o /dev/null -u "$ARI_USER:$ARI_PASSWORD" "http://127.0.0.1:$ARI_PORT/ari/asterisk/info"; }

start_asterisk() {
  local staged=$CACHE/etc-asterisk$SUFFIX.staged
  render_config "$staged"
  local want have
  want=$(cd "$staged" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
  have=$(cat "$ROOT$ETC/.rig-hash" 2>/dev/null || true)
  if asterisk_running && [[ $want == "$have" ]] && ari_ready 2>/dev/null; then
    log "Asterisk already running with this configuration"
    return
  fi
  stop_asterisk
  rm -rf "${ROOT:?}$ETC"; cp -r "$staged" "$ROOT$ETC"; echo "$want" >"$ROOT$ETC/.rig-hash"
  chroot "$ROOT" chown -R asterisk:asterisk "$ETC"
  mkdir -p "$ROOT$RUN" "$ROOT$LOGDIR" "$ROOT$DBDIR"; chroot "$ROOT" chown asterisk:asterisk "$RUN" "$LOGDIR" "$DBDIR"
  # ARI recordings (voicemails) go here; Debian's package does not create it.
  chroot "$ROOT" install -d -o asterisk -g asterisk /var/spool/asterisk/recording
  install_prompts
  log "starting Asterisk $(chroot "$ROOT" dpkg-query -W -f='${Version}' asterisk)"
  chroot "$ROOT" /usr/sbin/asterisk -C "$ETC/asterisk.conf" -U asterisk -G asterisk
  for _ in $(seq 150); do ari_ready 2>/dev/null && break; sleep 0.2; done
  ari_ready || die "ARI did not answer on 127.0.0.1:$ARI_PORT (see $ROOT$LOGDIR/messages.log)"
  log "Asterisk${NODE:+ node $NODE} up: ARI http://127.0.0.1:$ARI_PORT/ari, SIP udp 127.0.0.1:$SIP_PORT"
}

# Prompts live in the repo (prompts/) or are synthesized; Asterisk reads them from its sounds dir.
install_prompts() {
  local dir=$ROOT/usr/share/asterisk/sounds/tax12366
  mkdir -p "$dir"

  chroot "$ROOT" chown -R asterisk:asterisk /usr/share/asterisk/sounds/tax12366
}

stop_asterisk() {
  if asterisk_running; then
    log "stopping Asterisk"
    cli 'core stop now' >/dev/null 2>&1 || true
    for _ in $(seq 50); do asterisk_running || break; sleep 0.1; done
    asterisk_running && kill -9 "$(cat "$ROOT$RUN/asterisk.pid")" || true
  fi
  rm -f "$ROOT$RUN/asterisk.pid" "$ROOT$RUN/asterisk.ctl"
}

status() {
  pg_isready -q -h 127.0.0.1 -p "$PGPORT" && echo "postgres: up" || echo "postgres: down"
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && echo "redis: up" || echo "redis: down"
  ari_ready 2>/dev/null && echo "asterisk: up" || echo "asterisk: down"
}

case ${1:-up} in
  up)
    [[ $(id -u) == 0 ]] || die "run as root (debootstrap, chroot and apt-get need it)"
    ensure_host_packages
    ensure_postgres
    ensure_redis
    ensure_rootfs
    start_asterisk
    ;;
  asterisk) ensure_rootfs; start_asterisk ;;
  down) stop_asterisk ;;
  status) status ;;
  exec) shift; mount_into_root; exec chroot "$ROOT" "$@" ;;
  root) echo "$ROOT" ;;
  cli) shift; cli "$*" ;;
  *) die "unknown command $1 (up|asterisk|down|status|exec|root|cli)" ;;
esac
