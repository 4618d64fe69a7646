#!/usr/bin/env bash
# Writes the credential files that ari.conf and manager.conf include, from the environment.
# AMI stays off unless AMI_USER and AMI_PASSWORD are set; its one user may only read security
# events and write configuration (the SIP guard's pjsip_blocked.conf, docs/security.md).
# Used by scripts/rig.sh and by the Docker image's entrypoint; the output is never committed.
set -euo pipefail
dest=${1:?usage: render-secrets.sh /etc/asterisk}
: "${ARI_USER:?ARI_USER is not set}" "${ARI_PASSWORD:?ARI_PASSWORD is not set}"
umask 077
cat >"$dest/ari_users.conf" <<CONF
[$ARI_USER]
type = user
read_only = no
password = $ARI_PASSWORD
CONF
rm -f "$dest/manager_users.conf"
if [[ -n ${AMI_USER:-} && -n ${AMI_PASSWORD:-} ]]; then
  # Continues manager.conf's [general] (included there), then the user.
  cat >"$dest/manager_users.conf" <<CONF
enabled = yes

[$AMI_USER]
secret = $AMI_PASSWORD
deny = 0.0.0.0/0.0.0.0
permit = 127.0.0.1/255.255.255.255
read = security
write = config
CONF
fi
