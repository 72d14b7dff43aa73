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

. "$(dirname "$0")/../lib/debian-packages.sh"
# shellcheck disable=SC2086
install_debian_packages tryton $PACKAGES
