"""Prepare a freshly created Tryton 6.0 database to play the warehouse in Causeway's tests.

Run with /usr/bin/python3 (the interpreter that can import trytond and proteus):
    /usr/bin/python3 scripts/tryton/setup-wms.py <trytond.conf> <database>

The warehouse database runs Tryton's stock modules only for what it does: no sale or purchase is
ever made in it. Stock moves still need a company and its currency (moves to customers and from
suppliers carry a unit price), so those are made here. Everything else (products, customers,
suppliers) arrives through Causeway: the warehouse starts empty, with Tryton's own warehouse WH.
"""
import sys
from decimal import Decimal

from proteus import Model, config as proteus_config


def main(config_file, database):
    proteus_config.set_trytond(database, config_file=config_file)

    Currency = Model.get('currency.currency')
    usd, = Currency.find([('code', '=', 'USD')]) or [Currency(
        name='U.S. Dollar', code='USD', symbol='$', rounding=Decimal('0.01'), digits=2)]
    usd.save()

    Party = Model.get('party.party')
    company_party = Party(name='Causeway Test Warehouse', code='3PL')
    company_party.save()

    Company = Model.get('company.company')
    company = Company(party=company_party, currency=usd)
    company.save()

    User = Model.get('res.user')
    admin, = User.find([('login', '=', 'admin')])
    admin.companies.append(Company(company.id))
    admin.company = company
    admin.save()

    Location = Model.get('stock.location')
    warehouse, = Location.find([('type', '=', 'warehouse'), ('code', '=', 'WH')])
    assert warehouse.storage_location and warehouse.output_location and warehouse.input_location


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: setup-wms.py <trytond.conf> <database>')
    main(sys.argv[1], sys.argv[2])
