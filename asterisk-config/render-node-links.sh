#!/usr/bin/env bash
# Writes pjsip_nodes.conf: one link endpoint `node-<name>` per other Asterisk node (docs/scale.md,
# nodes). A peer is known by its address and SIP port only (no password, as the carrier trunk), so
# on one host (loopback, the rig) each node's port tells it apart from agents' phones.
#   render-node-links.sh /etc/asterisk <self> "<name>=<ip>:<port>,<name>=<ip>:<port>,..."
# Used by scripts/rig.sh (RIG_LINKS) and the Docker image's entrypoint (NODE_LINKS).
set -euo pipefail
dest=${1:?usage: render-node-links.sh DIR SELF LINKS}
self=${2:?node name}
links=${3:-}
out="$dest/pjsip_nodes.conf"
rm -f "$out"
[[ -n $links ]] || exit 0
: >"$out"
IFS=, read -ra peers <<<"$links"
for p in "${peers[@]}"; do
  [[ $p =~ ^([a-z0-9]{1,20})=([0-9]{1,3}(\.[0-9]{1,3}){3}):([0-9]{1,5})$ ]] || { echo "bad node link: $p (name=ip:port)" >&2; exit 1; }
  name=${BASH_REMATCH[1]} ip=${BASH_REMATCH[2]} port=${BASH_REMATCH[4]}
  [[ $name != "$self" ]] || continue
  cat >>"$out" <<CONF
[node-$name]
type = endpoint
transport = transport-udp
context = from-node
disallow = all
allow = alaw,ulaw
direct_media = no
dtmf_mode = rfc4733
rtp_symmetric = yes
aors = node-$name
identify_by = ip

[node-$name]
type = aor
contact = sip:$ip:$port

[node-$name-identify]
type = identify
endpoint = node-$name
match = $ip:$port

CONF
done
