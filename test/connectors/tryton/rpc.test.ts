import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { shipment } from '../../../src/model/index.ts';
import { applyShipment, readSalesOrders, TrytonDate, TrytonDateTime, TrytonError, TrytonRpc } from '../../../src/connectors/tryton/index.ts';
import { startTryton, trytonUnavailable, type TrytonServer } from '../../support/tryton.ts';
import { confirmSale, connect, dateInDays, envelopeOf, hoursAgo, options } from './fixtures.ts';

const skip = await trytonUnavailable();

function assertTrytonError(code: string, retryable: boolean) {
  return (error: unknown) => {
    assert.ok(error instanceof TrytonError, `expected a TrytonError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.retryable, retryable);
    return true;
  };
}

describe('Tryton JSON-RPC client', { skip }, () => {
  let tryton: TrytonServer;
  before(async () => {
    tryton = await startTryton();
  });
  after(() => tryton?.stop());

  test('dates, datetimes and decimals survive the round trip', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const [product] = await rpc.searchRead<{ list_price: string; write_date: TrytonDateTime }>('product.product', [['code', '=', 'GADGET-2']], ['list_price', 'write_date']);
    assert.equal(product!.list_price, '24.5');
    assert.ok(product!.write_date instanceof TrytonDateTime);
    const exact = await rpc.search('product.product', [['write_date', '=', product!.write_date]]);
    assert.equal(exact.length, 1, 'a datetime read back matches to the microsecond');
    const sale = await confirmSale(rpc, [['WIDGET-1', 1]]);
    const shippingDate = dateInDays(30);
    await rpc.write('sale.sale', [sale.id], { shipping_date: new TrytonDate(shippingDate) });
    const [row] = await rpc.read<{ shipping_date: TrytonDate; total_amount: string }>('sale.sale', [sale.id], ['shipping_date', 'total_amount']);
    assert.equal(row!.shipping_date.iso, shippingDate);
    assert.equal(row!.total_amount, '19.9', 'the line plus the carrier\'s shipping cost line');
  });

  test('a UserError is permanent and keeps Tryton\'s message', async () => {
    const rpc = connect(await tryton.freshDatabase());
    await assert.rejects(rpc.create('stock.lot', [{ number: 'X' }]), (error: unknown) => {
      assertTrytonError('TRYTON_USER_ERROR', false)(error);
      assert.match((error as Error).message, /Product/);
      return true;
    });
  });

  test('a wrong password is a permanent auth error and is never in the message', async () => {
    const database = await tryton.freshDatabase();
    const rpc = new TrytonRpc({ ...database, password: 'not-the-password' });
    await assert.rejects(rpc.context(), (error: unknown) => {
      assertTrytonError('TRYTON_AUTH', false)(error);
      assert.doesNotMatch((error as Error).message, /not-the-password/);
      return true;
    });
  });

  test('an expired session is renewed once and the call retried', async () => {
    const rpc = connect(await tryton.freshDatabase());
    await rpc.context();
    // What a server restart with a cleared session table looks like to the client.
    (rpc as unknown as { session: Promise<unknown> }).session = Promise.resolve({ userId: 1, header: `Session ${Buffer.from('admin:1:forgotten').toString('base64')}` });
    const ids = await rpc.search('party.party', [['code', '=', 'C-ACME']]);
    assert.equal(ids.length, 1);
    assert.equal(rpc.stats.logins, 2);
  });

  test('a stopped server is retryable, and the same client works again once it is back', async () => {
    const rpc = connect(await tryton.freshDatabase());
    const sale = await confirmSale(rpc, [['WIDGET-1', 2]]);
    await tryton.pause();
    try {
      const doc = shipment.parse({ type: 'shipment', ...envelopeOf('s'), shipmentNumber: 'WMS-1', orderNumber: sale.number, facility: 'DC1',
        shippedAt: hoursAgo(1), lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '2', uom: 'EA' }] });
      await assert.rejects(applyShipment(rpc, doc, options), assertTrytonError('TRYTON_NETWORK', true));
      await assert.rejects(readSalesOrders(rpc, undefined, options), assertTrytonError('TRYTON_NETWORK', true));
    } finally {
      await tryton.restart();
    }
    const { documents } = await readSalesOrders(rpc, undefined, options);
    assert.equal(documents.length, 1);
  });

  test('latency: per call and per document each way', async (t) => {
    const rpc = connect(await tryton.freshDatabase());
    await rpc.context();
    const calls = 20;
    let started = performance.now();
    for (let i = 0; i < calls; i++) await rpc.searchRead('product.product', [['code', '=', 'WIDGET-1']], ['code']);
    const perCall = (performance.now() - started) / calls;
    const sales = [];
    for (let i = 0; i < 5; i++) sales.push(await confirmSale(rpc, [['WIDGET-1', 4], ['GADGET-2', 2]]));
    let before = { ...rpc.stats };
    started = performance.now();
    const { documents } = await readSalesOrders(rpc, undefined, options);
    const readMs = (performance.now() - started) / documents.length;
    const readCalls = (rpc.stats.calls - before.calls) / documents.length;
    assert.equal(documents.length, 5);
    before = { ...rpc.stats };
    started = performance.now();
    for (const [i, sale] of sales.entries()) {
      await applyShipment(rpc, shipment.parse({ type: 'shipment', ...envelopeOf(`s${i}`), shipmentNumber: `WMS-L-${i}`, orderNumber: sale.number, facility: 'DC1',
        shippedAt: hoursAgo(1), trackingNumbers: [`1Z${i}`], lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '4', uom: 'EA' }, { lineNumber: '2', sku: 'GADGET-2', quantity: '2', uom: 'EA' }] }), options);
    }
    const writeMs = (performance.now() - started) / sales.length;
    const writeCalls = (rpc.stats.calls - before.calls) / sales.length;
    const tryonShare = (rpc.stats.milliseconds - before.milliseconds) / (writeMs * sales.length);
    t.diagnostic(`search_read ${perCall.toFixed(1)} ms/call; sales_order read ${readMs.toFixed(0)} ms/doc (${readCalls.toFixed(1)} calls); shipment applied ${writeMs.toFixed(0)} ms/doc (${writeCalls.toFixed(0)} calls, ${(tryonShare * 100).toFixed(0)}% waiting on Tryton)`);
  });
});
