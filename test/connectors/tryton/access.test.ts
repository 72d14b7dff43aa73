import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../../src/endpoints.ts';
import type { EndpointContext, OutboundMessage, SinkRuntime, SourceRuntime } from '../../../src/transports/index.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import { builtIns } from '../../../src/endpoints.ts';
import type { TrytonEndpointConfig } from '../../../src/connectors/tryton/index.ts';
import { startTryton, trytonUnavailable, type TrytonDatabase, type TrytonServer } from '../../support/tryton.ts';
import { confirmPurchase, confirmReturnSale, confirmSale, connect, envelopeOf, grantGroup, hoursAgo, trytonEndpointYaml, trytonUser } from './fixtures.ts';

const skip = await trytonUnavailable();
const spec = builtIns.endpoints.get('tryton')!;

/** The groups docs/connectors/tryton.md gives the connector's own Tryton user. */
const DOCUMENTED_GROUPS = ['Stock', 'Stock Force Assignment', 'Sales'];

function message(document: Record<string, unknown>): OutboundMessage {
  return {
    deliveryId: 1, tenant: 'acme', endpoint: 'erp', documentType: String(document.type), documentId: 'd-1', entityKey: 'k',
    idempotencyKey: 'cw-1-0-x', contentType: 'application/json', payload: Buffer.from(JSON.stringify(document)), attempt: 1,
  };
}

describe('the Tryton user\'s groups', { skip }, () => {
  let tryton: TrytonServer;
  let store: Store;
  before(async () => {
    tryton = await startTryton();
    store = await openStore('sqlite::memory:');
  });
  after(async () => {
    await tryton?.stop();
    await store?.close();
  });

  const ctx = (): EndpointContext => ({ name: 'erp', tenant: 'acme', logger: pino({ level: 'silent' }), store, baseDir: '/tmp', outbound: { allowPrivateNetworks: true, allow: [] } });
  const settingsFor = (db: TrytonDatabase, produce = '[]'): TrytonEndpointConfig =>
    parseConfig(`defaultTenant: acme\nendpoints:\n${trytonEndpointYaml(db)}\n    produce: ${produce}\n`, '/tmp', { TRYTON_PASSWORD: db.password }).endpointSettings.erp as TrytonEndpointConfig;

  test('a shipment the user may not force-assign is refused before anything is written, naming the group; granted, it goes through', async () => {
    const db = await tryton.freshDatabase();
    const admin = connect(db);
    const sale = await confirmSale(admin, [['WIDGET-1', 10], ['SERUM-LOT', 4]]);
    const user = await trytonUser(admin, db, 'causeway', ['Stock', 'Sales']);
    const sink = (await spec.createSink!(settingsFor(user), ctx())) as SinkRuntime;
    const shipment = { type: 'shipment', ...envelopeOf('s-1'), shipmentNumber: 'WMS-1', orderNumber: sale.number, facility: 'DC1', shippedAt: hoursAgo(1),
      lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '6', uom: 'EA' }, { lineNumber: '2', sku: 'SERUM-LOT', quantity: '4', uom: 'EA', lots: [{ lot: 'L-NEW', quantity: '4' }] }] };
    const before = await shipmentState(admin);

    const refused = await sink.deliver(message(shipment), AbortSignal.timeout(60_000));
    assert.equal(refused.kind, 'permanent');
    const error = refused.kind === 'permanent' ? refused.error : '';
    assert.match(error, /assign_force/);
    assert.match(error, /Stock Force Assignment/, 'names the group to add');
    assert.match(error, /causeway/, 'names the Tryton user');
    assert.deepEqual(await shipmentState(admin), before, 'Tryton is untouched: no reference, no quantity, no lot');
    assert.deepEqual(await admin.search('stock.lot', [['number', '=', 'L-NEW']]), []);

    await grantGroup(admin, 'causeway', 'Stock Force Assignment');
    const delivered = await sink.deliver(message(shipment), AbortSignal.timeout(60_000));
    assert.equal(delivered.kind, 'delivered', JSON.stringify(delivered));
    const [done] = await admin.searchRead<{ state: string }>('stock.shipment.out', [['reference', '=', 'WMS-1']], ['state']);
    assert.equal(done!.state, 'done');
  });

  test('a source whose user may not read sales fails its poll naming the group', async () => {
    const db = await tryton.freshDatabase();
    const user = await trytonUser(connect(db), db, 'causeway', ['Stock']);
    const source = (await spec.createSource!(settingsFor(user, '[sales_order]'), ctx())) as SourceRuntime;
    await assert.rejects(source.poll!(null, AbortSignal.timeout(30_000)), (error: Error) => {
      assert.match(error.message, /read sale\.sale/);
      assert.match(error.message, /group Sales/);
      return true;
    });
  });

  test('a user with only the documented groups reads everything the endpoint produces and applies everything it accepts', async () => {
    const db = await tryton.freshDatabase();
    const admin = connect(db);
    const sale = await confirmSale(admin, [['WIDGET-1', 5], ['SERUM-LOT', 2]]);
    const purchase = await confirmPurchase(admin, [['GADGET-2', 7]]);
    const ret = await confirmReturnSale(admin, [['WIDGET-1', 1]]);
    const cancelled = await confirmSale(admin, [['GADGET-2', 1]]);
    const [toCancel] = await admin.read<{ shipments: number[] }>('sale.sale', [cancelled.id], ['shipments']);
    await admin.button('stock.shipment.out', 'cancel', toCancel!.shipments);
    const user = await trytonUser(admin, db, 'causeway', DOCUMENTED_GROUPS);

    const source = (await spec.createSource!(settingsFor(user, '[item, sales_order, order_cancel, purchase_order, return_authorization, inventory_snapshot]'), ctx())) as SourceRuntime;
    const polled = await source.poll!(null, AbortSignal.timeout(60_000));
    const types = new Set(polled.messages.map((m) => JSON.parse(m.body.toString()).type as string));
    assert.deepEqual([...types].sort(), ['inventory_snapshot', 'item', 'order_cancel', 'purchase_order', 'return_authorization', 'sales_order']);

    const sink = (await spec.createSink!(settingsFor(user), ctx())) as SinkRuntime;
    const signal = AbortSignal.timeout(120_000);
    const documents = [
      { type: 'shipment', ...envelopeOf('s-1'), shipmentNumber: 'WMS-1', orderNumber: sale.number, facility: 'DC1', shippedAt: hoursAgo(1), trackingNumbers: ['1Z1'],
        lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '3', uom: 'EA' }, { lineNumber: '2', sku: 'SERUM-LOT', quantity: '2', uom: 'EA', lots: [{ lot: 'L-1', quantity: '1' }, { lot: 'L-2', quantity: '1' }] }] },
      { type: 'receipt', ...envelopeOf('r-1'), receiptNumber: 'RC-1', poNumber: purchase.number, facility: 'DC1', lines: [{ lineNumber: '1', sku: 'GADGET-2', quantity: '7', uom: 'EA' }] },
      { type: 'inventory_adjustment', ...envelopeOf('a-1'), adjustmentNumber: 'ADJ-1', facility: 'DC1',
        lines: [{ sku: 'GADGET-2', quantity: '-1', uom: 'EA', reason: 'damage' }, { sku: 'SERUM-LOT', lot: 'L-9', quantity: '2', uom: 'EA', reason: 'found' }] },
      { type: 'return_receipt', ...envelopeOf('rr-1'), rmaNumber: ret.returnNumber, facility: 'DC1', lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '1', uom: 'EA', disposition: 'restock' }] },
    ];
    for (const document of documents) {
      const outcome = await sink.deliver(message(document), signal);
      assert.equal(outcome.kind, 'delivered', `${document.type}: ${JSON.stringify(outcome)}`);
    }
  });
});

/** Everything a refused shipment could have changed: the shipments' references, states and moves. */
async function shipmentState(rpc: ReturnType<typeof connect>) {
  const shipments = await rpc.searchRead<{ id: number; reference: string | null; state: string; moves: number[]; write_date: unknown }>('stock.shipment.out', [], ['reference', 'state', 'moves', 'write_date']);
  const moves = await rpc.searchRead('stock.move', [['shipment', 'like', 'stock.shipment.out,%']], ['quantity', 'lot', 'state', 'write_date']);
  return { shipments, moves };
}
