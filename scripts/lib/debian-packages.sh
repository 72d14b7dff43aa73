# Sourced by the install scripts: installs the Debian packages of a test peer when any is missing.
# Idempotent; exits 77 (the tests' "skip" code) when packages are missing and this is not root.
# Services are not started by the packages: the tests run their own instances on loopback.

# install_debian_packages LABEL PACKAGE...
install_debian_packages() {
  label=$1
  shift
  missing=""
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing="$missing $package"
    fi
  done
  if [ -z "$missing" ]; then
    echo "$label: already installed"
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "$label: missing packages:$missing; installing them needs root" >&2
    exit 77
  fi
  # Forbid service starts while installing (exit 101 = "action not allowed"): a package would
  # otherwise start a system-wide server (trytond on :8000, sshd on :22).
  policy=/usr/sbin/policy-rc.d
  created_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod +x "$policy"
    created_policy=yes
  fi
  trap 'if [ -n "$created_policy" ]; then rm -f "$policy"; fi' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Without --no-install-recommends apt pulls in hundreds of desktop packages.
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
  echo "$label: installed$missing"
}
