#!/bin/sh
# Installs OpenSSH (server and client) for the SFTP transport tests, which start their own sshd on
# loopback. Idempotent.
set -eu
. "$(dirname "$0")/lib/debian-packages.sh"
install_debian_packages openssh openssh-server openssh-client
