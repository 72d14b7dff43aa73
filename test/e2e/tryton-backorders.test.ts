// A warehouse's short-close in front of a real Tryton: under `underShipment: short_close` the order
// is closed short, and Tryton's backorder for the rest is cancelled rather than left open, with a
// note on the sale saying why, and without that cancel going back to the warehouse as an order cancel.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { startTryton, trytonUnavailable, type TrytonServer } from '../support/tryton.ts';
import { waitFor } from '../support/receiver.ts';
import { confirmSale, connect, hoursAgo, trytonEndpointYaml } from '../connectors/tryton/fixtures.ts';

const skip = await trytonUnavailable();

type Sent = { orderNumber: string; extensions?: { backorder?: { reference?: string } } };

/** A hub between a Tryton database and a warehouse folder in `here`, with these flows back from the warehouse. */
async function startHub(here: string, db: Parameters<typeof trytonEndpointYaml>[0], flowsBack: string): Promise<Hub> {
  mkdirSync(here, { recursive: true });
  return Hub.start(parseConfig(`
store: sqlite:${join(here, 'hub.db')}
defaultTenant: acme
retry: { maxAttempts: 20, initialDelayMs: 150, maxDelayMs: 1000, multiplier: 2 }
endpoints:
${trytonEndpointYaml(db)}
    produce: [sales_order, order_cancel]
    pollIntervalMs: 150
    concurrency: 1
  wms: { type: folder, inbox: ${join(here, 'wms/out')}, outbox: ${join(here, 'wms/in')}, minAgeMs: 0 }
flows:
  - { name: erp-to-wms, from: [erp], types: [sales_order, order_cancel], to: wms }
${flowsBack}
`, here, { TRYTON_PASSWORD: db.password }), { logger: pino({ level: 'silent' }), idleMs: 30 });
}

/** What the hub wrote to the warehouse's folder, of one document type, in the order written. */
function sentTo(here: string, prefix: string): Sent[] {
  const folder = join(here, 'wms/in');
  return existsSync(folder) ? readdirSync(folder).sort().filter((f) => f.startsWith(prefix)).map((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as Sent) : [];
}

/** The warehouse confirms a shipment of 3 WIDGET-1 on line 1, marked complete: written aside, then moved in whole. */
function dropCompleteShipment(here: string, orderNumber: string, shipmentNumber: string): void {
  mkdirSync(join(here, 'wms/out'), { recursive: true });
  writeFileSync(join(here, 'staging.json'), JSON.stringify({
    type: 'shipment', facility: 'DC1', occurredAt: new Date().toISOString(), shippedAt: hoursAgo(1), shipmentNumber,
    orderNumber, complete: true, lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '3', uom: 'EA' }],
  }));
  renameSync(join(here, 'staging.json'), join(here, 'wms/out', `${shipmentNumber}.json`));
}

describe('Tryton backorders and the warehouse\'s short-close', { skip }, () => {
  let tryton: TrytonServer;
  let dir: string;
  let hub: Hub;
  before(async () => {
    tryton = await startTryton();
    dir = mkdtempSync(join(tmpdir(), 'causeway-tryton-backorders-'));
  });
  after(async () => {
    await hub?.stop();
    tryton?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a complete shipment with less shipped closes the order short: Tryton\'s backorder is cancelled and noted, not sent as a cancel', async () => {
    const db = await tryton.freshDatabase();
    const rpc = connect(db);
    hub = await startHub(dir, db, `  - { name: wms-to-erp, from: [wms], types: [shipment], to: erp, rules: { underShipment: short_close } }
  - { name: statuses-to-erp, types: [order_status], to: erp }`);
    const sent = (prefix: string) => sentTo(dir, prefix);
    const shortSale = await confirmSale(rpc, [['WIDGET-1', 5], ['GADGET-2', 2]], 'PO-SHORT');
    const cancelledSale = await confirmSale(rpc, [['GADGET-2', 1]], 'PO-CANCEL');
    await waitFor(() => sent('sales_order-').length === 2 || undefined, 20_000, 'both sales at the warehouse');

    // The warehouse ships 3 of 5 WIDGET-1 and none of GADGET-2, and says that is all.
    dropCompleteShipment(dir, shortSale.number, 'WMS-SHORT-1');

    const shipments = await waitFor(async () => {
      const [sale] = await rpc.read<{ shipments: number[] }>('sale.sale', [shortSale.id], ['shipments']);
      const rows = await rpc.read<{ id: number; number: string; state: string; reference: string | null }>('stock.shipment.out', sale!.shipments, ['number', 'state', 'reference']);
      return rows.length === 2 && rows.every((s) => s.state === 'done' || s.state === 'cancelled') ? rows.sort((a, b) => a.id - b.id) : undefined;
    }, 30_000, 'the shipment done and the backorder cancelled in Tryton');
    assert.deepEqual(shipments.map((s) => [s.state, s.reference]), [['done', 'WMS-SHORT-1'], ['cancelled', 'short-closed by the warehouse']]);
    const notes = await rpc.searchRead<{ message: string }>('ir.note', [['resource', '=', `sale.sale,${shortSale.id}`]], ['message']);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.message, /short-closed: 2 EA of line 1 \(WIDGET-1\) and 2 EA of line 2 \(GADGET-2\) not shipped/);
    // The status reached Tryton before the shipment (the order's deliveries go in order): the note
    // says the backorder is cancelled once the shipment it marked ships.
    assert.match(notes[0]!.message, new RegExp(`backorder Tryton opens when shipment ${shipments[0]!.number} ships is cancelled then`));

    // A cancel made in Tryton afterwards still reaches the warehouse; the short-closed backorder
    // read before it did not become one.
    const [other] = await rpc.read<{ shipments: number[] }>('sale.sale', [cancelledSale.id], ['shipments']);
    await rpc.button('stock.shipment.out', 'cancel', other!.shipments);
    await waitFor(() => sent('order_cancel-').length > 0 || undefined, 20_000, 'the Tryton cancel at the warehouse');
    assert.deepEqual(sent('order_cancel-').map((c) => c.orderNumber), [cancelledSale.number]);
    // Tryton's backorder of the order closed short, had a poll read it before it was cancelled, is no order for the warehouse.
    assert.deepEqual(sent('sales_order-').map((o) => o.orderNumber).sort(), [shortSale.number, cancelledSale.number].sort());
    const verdicts = await hub.store.listVerdicts('acme', { entityKey: `order:${shortSale.number}` });
    assert.ok(!verdicts.some((v) => v.rule === 'BACKORDER_SENT'), verdicts.map((v) => v.rule).join(', '));
  });

  test('under the default backorder policy Tryton\'s backorder goes to the warehouse, and its cancel in Tryton cancels the backorder there, not the order', async () => {
    await hub?.stop();
    const db = await tryton.freshDatabase();
    const rpc = connect(db);
    const here = join(dir, 'default-policy');
    hub = await startHub(here, db, '  - { name: wms-to-erp, from: [wms], types: [shipment], to: erp }');
    const sent = (prefix: string) => sentTo(here, prefix);
    const sale = await confirmSale(rpc, [['WIDGET-1', 5]], 'PO-BACKORDER');
    await waitFor(() => sent('sales_order-').length === 1 || undefined, 20_000, 'the sale at the warehouse');

    // The warehouse ships 3 of 5 and says that is all it ships of this pick.
    dropCompleteShipment(here, sale.number, 'WMS-PART-1');

    const backorder = await waitFor(() => sent('sales_order-').find((o) => o.extensions?.backorder?.reference !== undefined), 30_000, 'Tryton\'s backorder at the warehouse');
    assert.equal(backorder.orderNumber, sale.number);
    const [row] = await rpc.read<{ shipments: number[] }>('sale.sale', [sale.id], ['shipments']);
    const shipments = await rpc.read<{ id: number; number: string; state: string }>('stock.shipment.out', row!.shipments, ['number', 'state']);
    const open = shipments.find((s) => s.state !== 'done')!;
    assert.equal(backorder.extensions!.backorder!.reference, open.number);

    // Cancelled in Tryton, the backorder's cancel names the backorder, so a warehouse holding the
    // order and its backorder apart (a REST WMS) cancels the right one.
    await rpc.button('stock.shipment.out', 'cancel', [open.id]);
    const cancel = await waitFor(() => sent('order_cancel-')[0], 20_000, 'the backorder\'s cancel at the warehouse');
    assert.equal(cancel.orderNumber, sale.number);
    assert.equal(cancel.extensions?.backorder?.reference, open.number);
    const verdicts = await hub.store.listVerdicts('acme', { entityKey: `order:${sale.number}` });
    assert.ok(verdicts.some((v) => v.rule === 'BACKORDER_SENT'), verdicts.map((v) => v.rule).join(', '));
  });
});
