import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { orderStatus, shipment as shipmentSchema, type Shipment } from '../../../src/model/index.ts';
import { applyOrderStatus, applyShipment, readOrderCancels, readSalesOrders, TrytonError } from '../../../src/connectors/tryton/index.ts';
import type { TrytonRpc } from '../../../src/connectors/tryton/rpc.ts';
import { startTryton, trytonUnavailable, type TrytonServer } from '../../support/tryton.ts';
import type { TrytonDate } from '../../../src/connectors/tryton/values.ts';
import { confirmSale, connect, envelopeOf, hoursAgo, options, stockInWarehouse } from './fixtures.ts';

const skip = await trytonUnavailable();

function shipmentDoc(orderNumber: string, shipmentNumber: string, lines: unknown[], extra: Record<string, unknown> = {}): Shipment {
  return shipmentSchema.parse({
    type: 'shipment', ...envelopeOf(`ship-${shipmentNumber}`), shipmentNumber, orderNumber, facility: 'DC1',
    shippedAt: hoursAgo(1), lines, ...extra,
  });
}

async function shipmentsOfSale(rpc: TrytonRpc, saleId: number) {
  const [sale] = await rpc.read<{ shipments: number[]; shipment_state: string }>('sale.sale', [saleId], ['shipments', 'shipment_state']);
  const shipments = await rpc.read<{ id: number; number: string; state: string; reference: string | null; effective_date: TrytonDate | null; outgoing_moves: number[] }>(
    'stock.shipment.out', sale!.shipments, ['number', 'state', 'reference', 'effective_date', 'outgoing_moves']);
  return { saleState: sale!.shipment_state, shipments: shipments.sort((a, b) => a.id - b.id) };
}

describe('Tryton sales: orders out, shipments back', { skip }, () => {
  let tryton: TrytonServer;
  before(async () => {
    tryton = await startTryton();
  });
  after(() => tryton?.stop());

  test('a confirmed sale is read once as a sales order with ship-to, carrier and lines', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const sale = await confirmSale(rpc, [['WIDGET-1', 10], ['SERUM-LOT', 4]]);
    const first = await readSalesOrders(rpc, undefined, options);
    assert.equal(first.documents.length, 1);
    const order = first.documents[0]!;
    assert.equal(order.orderNumber, sale.number);
    assert.equal(order.customerOrderNumber, 'PO-778');
    assert.equal(order.facility, 'DC1');
    assert.equal(order.shipTo.city, 'Columbus');
    assert.equal(order.shipTo.country, 'US');
    assert.deepEqual(order.carrier, { code: 'UPSN', scac: 'UPSN' });
    assert.deepEqual(order.lines.map((l) => [l.lineNumber, l.sku, l.quantity, l.uom]), [['1', 'WIDGET-1', '10', 'EA'], ['2', 'SERUM-LOT', '4', 'EA']]);
    // References go out as they are (an X12 940 makes each an N9), so the qualifier is an X12 code:
    // SI, the shipper's identifying number for the shipment, unless the endpoint sets another.
    const [shipment] = await rpc.searchRead<{ number: string }>('stock.shipment.out', [], ['number']);
    assert.deepEqual(order.references, [{ qualifier: 'SI', value: shipment!.number }]);
    const partnerSet = await readSalesOrders(rpc, undefined, { ...options, shipmentReferenceQualifier: 'IL' });
    assert.deepEqual(partnerSet.documents[0]!.references, [{ qualifier: 'IL', value: shipment!.number }]);
    const again = await readSalesOrders(rpc, first.nextCursor, options);
    assert.equal(again.documents.length, 0, 'nothing new since the cursor');
    assert.equal(again.nextCursor, first.nextCursor);
  });

  test('a partial shipment leaves a backorder, the rest closes the sale, lots land on the moves', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const sale = await confirmSale(rpc, [['WIDGET-1', 10], ['SERUM-LOT', 4]]);
    // Shipped yesterday, reported today: dated the day it left, the quantities are what they are.
    const shippedAt = hoursAgo(26);
    const partial = shipmentDoc(sale.number, 'WMS-SH-1', [
      { lineNumber: '1', sku: 'WIDGET-1', quantity: '6', uom: 'EA' },
      { lineNumber: '2', sku: 'SERUM-LOT', quantity: '4', uom: 'EA', lots: [{ lot: 'L-A', quantity: '3' }, { lot: 'L-B', quantity: '1' }] },
    ], { shippedAt, complete: false, trackingNumbers: ['1Z999'], packages: [{ trackingNumber: '1Z999', lines: [] }] });
    const applied = await applyShipment(rpc, partial, options);
    let state = await shipmentsOfSale(rpc, sale.id);
    assert.equal(state.shipments.length, 2, 'Tryton made a backorder shipment');
    assert.equal(state.shipments[0]!.state, 'done');
    assert.equal(state.shipments[0]!.reference, 'WMS-SH-1');
    assert.equal(state.shipments[0]!.effective_date?.iso, shippedAt.slice(0, 10));
    assert.equal(state.shipments[1]!.state, 'waiting');
    assert.equal(applied.partnerRef.length > 0, true);
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), -6);
    assert.equal(await stockInWarehouse(rpc, 'SERUM-LOT', 'L-A'), -3);
    const packages = await rpc.searchRead<{ shipping_reference: string }>('stock.package', [], ['shipping_reference']);
    assert.deepEqual(packages.map((p) => p.shipping_reference), ['1Z999']);

    // Tryton's backorder is read as the rest of the order, marked as a backorder: the rules step decides whether it goes.
    const backorders = await readSalesOrders(rpc, undefined, options);
    assert.deepEqual(backorders.documents.map((d) => [d.orderNumber, d.extensions, d.lines.map((l) => `${l.lineNumber} ${l.sku} ${l.quantity} ${l.uom}`)]),
      [[sale.number, { backorder: { reference: state.shipments[1]!.number } }, ['1 WIDGET-1 4 EA']]]);

    await applyShipment(rpc, shipmentDoc(sale.number, 'WMS-SH-2', [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '4', uom: 'EA' }]), options);
    state = await shipmentsOfSale(rpc, sale.id);
    assert.deepEqual(state.shipments.map((s) => s.state), ['done', 'done']);
    assert.equal(state.saleState, 'sent');
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), -10);
  });

  test('a line the warehouse did not ship leaves no move on the shipped shipment; Tryton\'s backorder holds it', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const sale = await confirmSale(rpc, [['WIDGET-1', 10], ['GADGET-2', 4], ['SERUM-LOT', 2]]);
    await applyShipment(rpc, shipmentDoc(sale.number, 'WMS-SH-3', [
      { lineNumber: '1', sku: 'WIDGET-1', quantity: '6', uom: 'EA' },
      { lineNumber: '3', sku: 'SERUM-LOT', quantity: '2', uom: 'EA', lots: [{ lot: 'L-A', quantity: '2' }] },
    ]), options);
    const { shipments } = await shipmentsOfSale(rpc, sale.id);
    const movesOf = async (id: number) => {
      const [row] = await rpc.read<{ moves: number[] }>('stock.shipment.out', [id], ['moves']);
      const moves = await rpc.read<{ quantity: number; state: string; 'product.': { code: string }; 'from_location.': { type: string }; 'to_location.': { type: string } }>(
        'stock.move', row!.moves, ['quantity', 'state', 'product.code', 'from_location.type', 'to_location.type']);
      return moves.map((m) => `${m['product.'].code} ${m.quantity} ${m.state} ${m['from_location.'].type}>${m['to_location.'].type}`).sort();
    };
    assert.deepEqual(await movesOf(shipments[0]!.id), [
      'SERUM-LOT 2 done storage>storage', 'SERUM-LOT 2 done storage>customer',
      'WIDGET-1 6 done storage>storage', 'WIDGET-1 6 done storage>customer',
    ].sort(), 'every move on the shipped shipment carries something: no zero-quantity move for the gadget');
    assert.deepEqual((await movesOf(shipments[1]!.id)).filter((m) => m.includes('>customer')), ['GADGET-2 4 draft storage>customer', 'WIDGET-1 4 draft storage>customer']);
    assert.equal(await stockInWarehouse(rpc, 'GADGET-2'), 0);
  });

  test('a shipment a Tryton user assigned, or set back to draft, is shipped the same way', async () => {
    const rpc = connect(await tryton.freshDatabase());
    for (const button of ['assign_force', 'draft']) {
      const sale = await confirmSale(rpc, [['WIDGET-1', 5], ['SERUM-LOT', 3]]);
      const [before] = (await shipmentsOfSale(rpc, sale.id)).shipments;
      await rpc.button('stock.shipment.out', button, [before!.id]);
      await applyShipment(rpc, shipmentDoc(sale.number, `WMS-${button}`, [
        { lineNumber: '2', sku: 'SERUM-LOT', quantity: '3', uom: 'EA', lots: [{ lot: 'L-A', quantity: '1' }, { lot: 'L-B', quantity: '2' }] },
      ]), options);
      const { shipments } = await shipmentsOfSale(rpc, sale.id);
      assert.deepEqual(shipments.map((s) => [s.state, s.reference]), [['done', `WMS-${button}`], ['waiting', null]], button);
      const [row] = await rpc.read<{ moves: number[] }>('stock.shipment.out', [shipments[0]!.id], ['moves']);
      const moves = await rpc.read<{ quantity: number; 'lot.': { number: string } | null }>('stock.move', row!.moves, ['quantity', 'lot.number']);
      assert.deepEqual(moves.map((m) => `${m.quantity} ${m['lot.']?.number}`).sort(), ['1 L-A', '1 L-A', '2 L-B', '2 L-B'], `${button}: a pair of moves per lot, nothing else`);
    }
  });

  test('applying the same shipment twice changes nothing the second time', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const sale = await confirmSale(rpc, [['WIDGET-1', 5]]);
    const doc = shipmentDoc(sale.number, 'WMS-SH-9', [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '2', uom: 'EA' }]);
    const first = await applyShipment(rpc, doc, options);
    const before = await shipmentsOfSale(rpc, sale.id);
    const second = await applyShipment(rpc, doc, options);
    assert.deepEqual(second, first);
    assert.deepEqual(await shipmentsOfSale(rpc, sale.id), before);
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), -2);
  });

  test('an over-shipment the rules step accepted (its policy says so) is written as shipped: the connector does not judge it again', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const sale = await confirmSale(rpc, [['WIDGET-1', 5]]);
    const doc = shipmentDoc(sale.number, 'WMS-SH-7', [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '7', uom: 'EA' }]);
    await applyShipment(rpc, doc, options);
    const state = await shipmentsOfSale(rpc, sale.id);
    assert.deepEqual(state.shipments.map((s) => [s.state, s.reference]), [['done', 'WMS-SH-7']]);
    assert.equal(await stockInWarehouse(rpc, 'WIDGET-1'), -7);
  });

  test('a short-close noted after a partial shipment cancels the open backorder, which is no order cancel for the warehouse', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const sale = await confirmSale(rpc, [['WIDGET-1', 5]]);
    await applyShipment(rpc, shipmentDoc(sale.number, 'WMS-SC-1', [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '3', uom: 'EA' }], { complete: true }), options);
    const { nextCursor } = await readOrderCancels(rpc, undefined, options);
    const status = orderStatus.parse({
      type: 'order_status', ...envelopeOf('sc-1'), orderNumber: sale.number, status: 'shipped', reason: 'short-closed: 2 EA of line 1 (WIDGET-1) not shipped',
      lines: [{ lineNumber: '1', sku: 'WIDGET-1', status: 'cancelled', quantity: '2', uom: 'EA' }],
    });
    const applied = await applyOrderStatus(rpc, status);
    const { shipments } = await shipmentsOfSale(rpc, sale.id);
    assert.deepEqual(shipments.map((s) => [s.state, s.reference]), [['done', 'WMS-SC-1'], ['cancelled', 'short-closed by the warehouse']]);
    assert.match(applied.said ?? '', new RegExp(`backorder shipment ${shipments[1]!.number} cancelled`));
    assert.deepEqual((await readOrderCancels(rpc, nextCursor, options)).documents, []);
    await applyOrderStatus(rpc, status);
    assert.equal((await rpc.search('ir.note', [['resource', '=', `sale.sale,${sale.id}`]])).length, 1, 'noted once');
  });

  test('a shipment cancelled in Tryton is read as an order cancel', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const sale = await confirmSale(rpc, [['GADGET-2', 3]]);
    const { nextCursor } = await readOrderCancels(rpc, undefined, options);
    const { shipments } = await shipmentsOfSale(rpc, sale.id);
    await rpc.button('stock.shipment.out', 'cancel', [shipments[0]!.id]);
    const cancels = await readOrderCancels(rpc, nextCursor, options);
    assert.deepEqual(cancels.documents.map((d) => [d.orderNumber, d.facility, d.lines.length]), [[sale.number, 'DC1', 0]]);
    assert.deepEqual(cancels.documents[0]!.references, [{ qualifier: 'SI', value: shipments[0]!.number }]);
  });
});
