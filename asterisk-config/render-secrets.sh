#!/usr/bin/env bash
# Writes the credential files that ari.conf and manager.conf include, from the environment.
# Used by scripts/rig.sh and by the Docker image's entrypoint; the output is never committed.
set -euo pipefail
dest=${1:?usage: render-secrets.sh /etc/asterisk}
: "${ARI_USER:?ARI_USER is not set}" "${ARI_PASSWORD:?ARI_PASSWORD is not set}"
: "${AMI_USER:?AMI_USER is not set}" "${AMI_PASSWORD:?AMI_PASSWORD is not set}"
umask 077
cat >"$dest/ari_users.conf" <<CONF
[$ARI_USER]
type = user
read_only = no
password = $ARI_PASSWORD
CONF
cat >"$dest/manager_users.conf" <<CONF
[$AMI_USER]
secret = $AMI_PASSWORD
deny = 0.0.0.0/0.0.0.0
permit = 127.0.0.1/255.255.255.255
read = all
write = all
CONF
