#!/usr/bin/env bash
# Makes sure the servers the test suite talks to are up on loopback: PostgreSQL (127.0.0.1:5432,
# user postgres, trust auth) and NATS with JetStream (127.0.0.1:4222), and that Chromium is installed. Installs them from Debian's
# packages where missing (needs root), starts them where stopped, and leaves running ones alone.
# Never fails: a server it cannot provide makes its tests say they skipped (or fail under CI).
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then echo "services: need root to install $*" >&2; return 1; fi
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

start_postgres() {
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql || return 1; fi
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  conf="/etc/postgresql/$version/main"
  # Tests connect as postgres over TCP without a password, as on the development machines.
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$conf/pg_hba.conf"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$conf/pg_hba.conf"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do port_open 5432 && break; sleep 1; done
}
port_open 5432 || start_postgres
port_open 5432 && echo "services: PostgreSQL up on 127.0.0.1:5432" || echo "services: PostgreSQL not reachable; its tests will say they skipped" >&2

start_nats() {
  if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then apt_install nats-server || return 1; fi
  bin=$(command -v nats-server || echo /usr/sbin/nats-server)
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec "$bin" -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  for _ in $(seq 1 30); do port_open 4222 && break; sleep 1; done
}
port_open 4222 || start_nats
port_open 4222 && echo "services: NATS JetStream up on 127.0.0.1:4222" || echo "services: NATS not reachable; its tests will say they skipped" >&2
# The console's browser tests drive Debian's Chromium through playwright-core (no browser download).
[ -x /usr/bin/chromium ] || apt_install chromium fonts-dejavu-core || true
[ -x /usr/bin/chromium ] && echo "services: Chromium at /usr/bin/chromium" || echo "services: Chromium missing; the console's browser tests will say they skipped" >&2
exit 0
