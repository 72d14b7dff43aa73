#!/bin/sh
# Installs OpenSSH (server and client) for the SFTP transport tests, which start their own sshd on
# loopback. Idempotent: does nothing when /usr/sbin/sshd and ssh-keygen are already there.
set -eu

if [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null 2>&1; then
  echo "openssh: already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "openssh: /usr/sbin/sshd is missing; installing openssh-server needs root" >&2
  exit 77
fi

# The tests run their own sshd; forbid the package's service start while installing
# (exit 101 = "action not allowed"), as a machine with an init system would otherwise start one on :22.
policy=/usr/sbin/policy-rc.d
created_policy=""
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  created_policy=yes
fi
cleanup() { if [ -n "$created_policy" ]; then rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends openssh-server openssh-client
echo "openssh: installed"
