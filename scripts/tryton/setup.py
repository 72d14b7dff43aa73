"""Prepare a freshly created Tryton 6.0 database for Causeway's connector tests.

Run with /usr/bin/python3 (the interpreter that can import trytond and proteus):
    /usr/bin/python3 scripts/tryton/setup.py <trytond.conf> <database>

Tryton 6.0 ships no currency and no company; without a chart of accounts, sales and purchases
only work with manual invoicing and products whose accounting category carries no taxes. The
records made here are the master data the tests refer to by code: warehouse WH, customer C-ACME,
supplier S-NORTHWIND, carrier product CARRIER-UPS, SKUs WIDGET-1, GADGET-2 and SERUM-LOT (lot
tracked).
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

    Country = Model.get('country.country')
    us = Country(name='United States', code='US')
    us.save()

    Party = Model.get('party.party')
    company_party = Party(name='Causeway Test Company', code='COMPANY')
    company_party.save()

    Company = Model.get('company.company')
    company = Company(party=company_party, currency=usd)
    company.save()

    User = Model.get('res.user')
    admin, = User.find([('login', '=', 'admin')])
    admin.companies.append(Company(company.id))
    admin.company = company
    admin.save()
    # Company-dependent defaults below need the reloaded user context.
    proteus_config.get_config()._context = User.get_preferences(True, {})

    Category = Model.get('product.category')
    goods = Category(name='Goods', accounting=True)
    goods.save()

    SaleConfiguration = Model.get('sale.configuration')
    sale_configuration = SaleConfiguration(1)
    sale_configuration.sale_invoice_method = 'manual'
    sale_configuration.sale_shipment_method = 'order'
    sale_configuration.save()

    PurchaseConfiguration = Model.get('purchase.configuration')
    purchase_configuration = PurchaseConfiguration(1)
    purchase_configuration.purchase_invoice_method = 'manual'
    purchase_configuration.save()

    customer = Party(name='Acme Retail', code='C-ACME')
    address, = customer.addresses
    address.name = 'Acme Retail DC 4'
    address.street = '100 Commerce Way'
    address.city = 'Columbus'
    address.postal_code = '43004'
    address.country = us
    customer.save()

    supplier = Party(name='Northwind Supply', code='S-NORTHWIND')
    supplier_address, = supplier.addresses
    supplier_address.street = '7 Harbor Road'
    supplier_address.city = 'Savannah'
    supplier_address.postal_code = '31401'
    supplier_address.country = us
    supplier.save()

    Uom = Model.get('product.uom')
    unit, = Uom.find([('name', '=', 'Unit')])
    kilogram, = Uom.find([('symbol', '=', 'kg')])
    Template = Model.get('product.template')

    def make_product(code, name, price, weight, lot_required=(), ean=None, type_='goods'):
        template = Template(name=name, code=code, type=type_, default_uom=unit,
            list_price=Decimal(price), account_category=goods,
            salable=True, sale_uom=unit, purchasable=type_ == 'goods')
        if type_ == 'goods':
            template.purchase_uom = unit
            template.weight = weight
            template.weight_uom = kilogram
            template.lot_required = list(lot_required)
        template.save()
        product, = template.products
        product.cost_price = Decimal(price) / 2
        if ean:
            product.identifiers.new(type='ean', code=ean)
        product.save()
        return product

    make_product('WIDGET-1', 'Widget', '10.00', 0.25, ean='4006381333931')
    make_product('GADGET-2', 'Gadget', '24.50', 1.2)
    # Lot tracking: a lot is required whenever the product enters or leaves through a partner.
    make_product('SERUM-LOT', 'Serum (lot tracked)', '80.00', 0.05,
        lot_required=('supplier', 'customer', 'storage'), ean='5012345678900')
    carrier_product = make_product('CARRIER-UPS', 'UPS Ground', '9.90', 0, type_='service')

    Carrier = Model.get('carrier')
    ups_party = Party(name='United Parcel Service', code='UPSN')
    ups_party.save()
    carrier = Carrier(party=ups_party, carrier_product=carrier_product)
    carrier.save()


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: setup.py <trytond.conf> <database>')
    main(sys.argv[1], sys.argv[2])
