#!/usr/bin/env bash
# Installs the mounted configuration into /etc/asterisk and runs Asterisk in the foreground.
# Mirrors scripts/rig.sh's render_config + start_asterisk. Runs as root; Asterisk drops to the
# asterisk user itself (-U/-G). Extra arguments are passed to asterisk (e.g. -vvv).
set -euo pipefail

CONFIG_SRC=${ASTERISK_CONFIG_SRC:-/config/asterisk-config}
DIALPLANS_SRC=${DIALPLANS_SRC:-/config/dialplans}

die() { printf '[asterisk-entrypoint] ERROR: %s\n' "$*" >&2; exit 1; }

[[ -f $CONFIG_SRC/asterisk.conf ]] || die "$CONFIG_SRC/asterisk.conf not found: mount the repo's asterisk-config/ there"
[[ -d $DIALPLANS_SRC ]] || die "$DIALPLANS_SRC not found: mount the repo's dialplans/ there"

# Only the repo's files, not Debian's sample configuration (the rig does the same).
find /etc/asterisk -mindepth 1 -delete
cp -r "$CONFIG_SRC/." /etc/asterisk/
mkdir -p /etc/asterisk/dialplans
cp -r "$DIALPLANS_SRC/." /etc/asterisk/dialplans/

# ari_users.conf and manager_users.conf from ARI_USER, ARI_PASSWORD, AMI_USER, AMI_PASSWORD.
bash /etc/asterisk/render-secrets.sh /etc/asterisk

# Several nodes (docs/scale.md, nodes): links to the others (NODE_LINKS=name=ip:port,...), and a
# second node on the same host its own ports (as scripts/rig.sh's node_config does).
bash /etc/asterisk/render-node-links.sh /etc/asterisk "${NODE_NAME:-main}" "${NODE_LINKS:-}"
if [[ -n ${NODE_SIP_PORT:-} ]]; then
  [[ $NODE_SIP_PORT =~ ^[0-9]+$ && ${NODE_ARI_PORT:-} =~ ^[0-9]+$ && ${NODE_AMI_PORT:-} =~ ^[0-9]+$ && ${NODE_RTP:-} =~ ^[0-9]+-[0-9]+$ ]] \
    || die "NODE_SIP_PORT needs NODE_ARI_PORT, NODE_AMI_PORT and NODE_RTP (e.g. 20002-30000)"
  sed -i "s/^bind = \(.*\):5060$/bind = \1:$NODE_SIP_PORT/" /etc/asterisk/pjsip.conf
  sed -i "s/^bindport = .*/bindport = $NODE_ARI_PORT/" /etc/asterisk/http.conf
  sed -i "s/^port = .*/port = $NODE_AMI_PORT/" /etc/asterisk/manager.conf
  sed -i -e "s/^rtpstart = .*/rtpstart = ${NODE_RTP%-*}/" -e "s/^rtpend = .*/rtpend = ${NODE_RTP#*-}/" /etc/asterisk/rtp.conf
fi

chown -R asterisk:asterisk /etc/asterisk
install -d -o asterisk -g asterisk /run/asterisk
# ARI recordings (voicemails) go here; Debian's package does not create it.
install -d -o asterisk -g asterisk /var/spool/asterisk/recording

# Asterisk resolves the hostname on every call; without this line each call stalls on DNS.
host=$(uname -n)
grep -qwF -- "$host" /etc/hosts 2>/dev/null || printf '127.0.0.1 localhost %s\n' "$host" >>/etc/hosts

echo "[asterisk-entrypoint] starting Asterisk $(dpkg-query -W -f='${Version}' asterisk)" >&2
exec asterisk -f -U asterisk -G asterisk "$@"
