#!/bin/sh
# Installs Tryton 6.0 (Debian packages) for the connector tests: the notes' module set plus
# product_measurements (item weights), stock_lot_sled (lot expiry) and stock_package_shipping
# (tracking numbers on packages). Idempotent: does nothing when
# trytond and every module the tests activate are already present.
set -eu

PACKAGES="tryton-server tryton-proteus tryton-modules-company tryton-modules-party
tryton-modules-product tryton-modules-stock tryton-modules-stock-lot tryton-modules-stock-package
tryton-modules-sale tryton-modules-purchase tryton-modules-carrier tryton-modules-sale-shipment-cost
tryton-modules-product-measurements tryton-modules-stock-lot-sled tryton-modules-stock-shipment-measurements
tryton-modules-stock-package-shipping"

missing=""
for package in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done

if [ -z "$missing" ]; then
  echo "tryton: already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "tryton: missing packages:$missing; installing them needs root" >&2
  exit 77
fi

# The package starts a system-wide trytond on port 8000 at install time; the tests run their own
# instance, so forbid service starts while installing (exit 101 = "action not allowed").
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
# Without --no-install-recommends apt pulls in hundreds of desktop packages.
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
echo "tryton: installed$missing"
