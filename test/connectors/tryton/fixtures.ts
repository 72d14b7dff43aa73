/** Things a Tryton user does in the ERP, done over RPC so tests can set the scene. */
import { TrytonRpc } from '../../../src/connectors/tryton/rpc.ts';
import type { TrytonOptions } from '../../../src/connectors/tryton/options.ts';
import { TrytonDecimal } from '../../../src/connectors/tryton/values.ts';
import type { TrytonDatabase } from '../../support/tryton.ts';

export const options: TrytonOptions = {
  tenant: 'acme',
  endpoint: 'tryton',
  warehouses: { WH: 'DC1' },
};

/** The `erp` endpoint of a causeway.yaml for a test database (the password comes from $TRYTON_PASSWORD). */
export function trytonEndpointYaml(db: TrytonDatabase): string {
  return `  erp:
    type: tryton
    url: ${db.url}
    allowPrivateNetworks: true
    database: ${db.database}
    user: ${db.user}
    password: \${TRYTON_PASSWORD}
    warehouses: { WH: DC1 }`;
}

export function connect(database: TrytonDatabase): TrytonRpc {
  return new TrytonRpc(database);
}

export async function productId(rpc: TrytonRpc, code: string): Promise<number> {
  const [id] = await rpc.search('product.product', [['code', '=', code]]);
  if (id === undefined) throw new Error(`no product ${code}`);
  return id;
}

async function partyWithAddress(rpc: TrytonRpc, code: string): Promise<{ party: number; address: number }> {
  const [party] = await rpc.search('party.party', [['code', '=', code]]);
  const [address] = await rpc.search('party.address', [['party', '=', party]]);
  return { party: party!, address: address! };
}

/** A confirmed sale (which makes its customer shipment); returns the sale's number and id. */
/** A sale made and quoted in Tryton: it has its number, but no shipment yet and nothing for Causeway to read. */
export async function quoteSale(rpc: TrytonRpc, lines: Array<[sku: string, quantity: number]>, reference = 'PO-778'): Promise<{ id: number; number: string }> {
  const { party, address } = await partyWithAddress(rpc, 'C-ACME');
  const [carrier] = await rpc.search('carrier', []);
  const saleLines = [];
  for (const [sku, quantity] of lines) {
    saleLines.push({ type: 'line', product: await productId(rpc, sku), quantity, unit: 1, unit_price: new TrytonDecimal('10.00') });
  }
  const [id] = await rpc.create('sale.sale', [{ party, shipment_address: address, invoice_address: address, carrier, reference, lines: [['create', saleLines]] }]);
  await rpc.button('sale.sale', 'quote', [id!]);
  const [sale] = await rpc.read<{ number: string }>('sale.sale', [id!], ['number']);
  return { id: id!, number: sale!.number };
}

export async function confirmSale(rpc: TrytonRpc, lines: Array<[sku: string, quantity: number]>, reference = 'PO-778'): Promise<{ id: number; number: string }> {
  const sale = await quoteSale(rpc, lines, reference);
  await rpc.button('sale.sale', 'confirm', [sale.id]);
  return sale;
}

/** A confirmed purchase (which makes draft supplier moves waiting for a receipt). */
export async function confirmPurchase(rpc: TrytonRpc, lines: Array<[sku: string, quantity: number]>): Promise<{ id: number; number: string }> {
  const { party, address } = await partyWithAddress(rpc, 'S-NORTHWIND');
  const purchaseLines = [];
  for (const [sku, quantity] of lines) {
    purchaseLines.push({ type: 'line', product: await productId(rpc, sku), quantity, unit: 1, unit_price: new TrytonDecimal('5.00') });
  }
  const [id] = await rpc.create('purchase.purchase', [{ party, invoice_address: address, lines: [['create', purchaseLines]] }]);
  await rpc.button('purchase.purchase', 'quote', [id!]);
  await rpc.button('purchase.purchase', 'confirm', [id!]);
  const [purchase] = await rpc.read<{ number: string }>('purchase.purchase', [id!], ['number']);
  return { id: id!, number: purchase!.number };
}

/** Quantity on hand in warehouse WH (all its zones), optionally of one lot. */
export async function stockInWarehouse(rpc: TrytonRpc, sku: string, lot?: string): Promise<number> {
  const [warehouse] = await rpc.search('stock.location', [['code', '=', 'WH']]);
  const context = { locations: [warehouse], with_childs: true };
  if (lot) {
    const [row] = await rpc.searchRead<{ quantity: number }>('stock.lot', [['number', '=', lot], ['product.code', '=', sku]], ['quantity'], { context });
    return row?.quantity ?? 0;
  }
  const [row] = await rpc.read<{ quantity: number }>('product.product', [await productId(rpc, sku)], ['quantity'], context);
  return row!.quantity;
}

/**
 * An instant some hours before now, as a warehouse stamps what it did earlier. Tryton dates moves
 * by the calendar, so test documents are stamped relative to the clock, never on a fixed day.
 */
export function hoursAgo(hours: number): string {
  return new Date(Date.now() - hours * 3_600_000).toISOString();
}

/** The calendar date some days from today (negative: before), e.g. a lot's expiry. */
export function dateInDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The envelope of a document the warehouse reports: it happened at `occurredAt`, Causeway got it now. */
export function envelopeOf(id: string, occurredAt = hoursAgo(1)) {
  return {
    tenant: 'acme',
    id,
    source: { endpoint: 'wms' },
    entityKey: id,
    occurredAt,
    receivedAt: new Date().toISOString(),
  };
}

/** A confirmed sale of negative quantities: Tryton makes a customer return shipment (draft) from it. */
export async function confirmReturnSale(rpc: TrytonRpc, lines: Array<[sku: string, quantity: number]>): Promise<{ id: number; number: string; returnNumber: string; returnId: number }> {
  const { party, address } = await partyWithAddress(rpc, 'C-ACME');
  const saleLines = [];
  for (const [sku, quantity] of lines) {
    saleLines.push({ type: 'line', product: await productId(rpc, sku), quantity: -quantity, unit: 1, unit_price: new TrytonDecimal('10.00') });
  }
  const [id] = await rpc.create('sale.sale', [{ party, shipment_address: address, invoice_address: address, reference: 'RMA-REQ-1', lines: [['create', saleLines]] }]);
  await rpc.button('sale.sale', 'quote', [id!]);
  await rpc.button('sale.sale', 'confirm', [id!]);
  const [sale] = await rpc.read<{ number: string; shipment_returns: number[] }>('sale.sale', [id!], ['number', 'shipment_returns']);
  const [shipment] = await rpc.read<{ id: number; number: string }>('stock.shipment.out.return', sale!.shipment_returns, ['number']);
  if (!shipment) throw new Error(`sale ${sale!.number} made no return shipment`);
  return { id: id!, number: sale!.number, returnNumber: shipment.number, returnId: shipment.id };
}

/**
 * A Tryton user of the company with only these groups (by name), as an administrator would make
 * the connector's own user; returns how to connect as it.
 */
export async function trytonUser(admin: TrytonRpc, database: TrytonDatabase, login: string, groupNames: string[]): Promise<TrytonDatabase> {
  const groups = await admin.search('res.group', [['name', 'in', groupNames]]);
  if (groups.length !== groupNames.length) throw new Error(`Tryton has no group among ${groupNames.join(', ')}`);
  const [company] = await admin.search('company.company', []);
  // Tryton refuses a password with the same characters too often or like the login.
  const password = 'Kq7-vLx2-Tz9m';
  await admin.create('res.user', [{ login, name: login, password, groups: [['add', groups]], companies: [['add', [company]]], company }]);
  return { ...database, user: login, password };
}

/** Adds a group (by name) to a user (by login). */
export async function grantGroup(admin: TrytonRpc, login: string, groupName: string): Promise<void> {
  const [user] = await admin.search('res.user', [['login', '=', login]]);
  const [group] = await admin.search('res.group', [['name', '=', groupName]]);
  await admin.write('res.user', [user!], { groups: [['add', [group!]]] });
}
