import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Writable } from 'node:stream';
import pino from 'pino';
import { builtIns, parseConfig } from '../../../src/endpoints.ts';
import { declaredTypes, isSource, isTarget, type EndpointContext, type OutboundMessage, type SinkRuntime, type SourceRuntime } from '../../../src/transports/index.ts';
import { CausewayFault } from '../../../src/model/index.ts';
import { openStore, type Store } from '../../../src/store/index.ts';
import type { TrytonEndpointConfig } from '../../../src/connectors/tryton/index.ts';
import { startTryton, trytonUnavailable, type TrytonDatabase, type TrytonServer } from '../../support/tryton.ts';
import { confirmPurchase, confirmReturnSale, confirmSale, connect, envelopeOf, hoursAgo, trytonEndpointYaml } from './fixtures.ts';

const skip = await trytonUnavailable();

const spec = builtIns.endpoints.get('tryton')!;

function yamlFor(db: TrytonDatabase, extra = ''): string {
  return `
defaultTenant: acme
endpoints:
${trytonEndpointYaml(db)}
${extra}`;
}

function message(document: Record<string, unknown>, over: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    deliveryId: 1, tenant: 'acme', endpoint: 'erp', documentType: String(document.type), documentId: 'd-1', entityKey: 'k',
    idempotencyKey: 'cw-1-0-x', contentType: 'application/json', payload: Buffer.from(JSON.stringify(document)), attempt: 1, ...over,
  };
}

describe('tryton endpoint spec', () => {
  test('is registered, takes the password from the environment and names each wrong setting by path', () => {
    assert.ok(spec, 'the tryton type is registered');
    const db = { url: 'http://127.0.0.1:8000', database: 'prod', user: 'causeway', password: '' };
    const loaded = parseConfig(yamlFor(db, '    produce: [sales_order, order_cancel]\n    pageSize: 50'), '/tmp', { TRYTON_PASSWORD: 's3cret-from-env' });
    const settings = loaded.endpointSettings.erp as TrytonEndpointConfig;
    assert.equal(settings.password, 's3cret-from-env');
    assert.deepEqual(settings.produce, ['sales_order', 'order_cancel']);
    assert.equal(settings.pageSize, 50);
    assert.equal(isSource(spec, settings), true);
    assert.equal(isSource(spec, { ...settings, produce: [] }), false, 'without produce it only applies documents');
    assert.deepEqual(declaredTypes(spec.produces, settings), ['sales_order', 'order_cancel'], 'it produces what produce lists');
    assert.deepEqual(declaredTypes(spec.produces, { ...settings, produce: ['inventory_snapshot'] }), ['inventory_snapshot'], 'stock snapshots too');
    assert.equal(settings.snapshotEveryMs, 900_000, 'a snapshot every fifteen minutes unless set');
    assert.equal(settings.shipmentReferenceQualifier, 'SI');
    assert.deepEqual(declaredTypes(spec.accepts, settings), ['shipment', 'receipt', 'inventory_adjustment', 'return_receipt', 'order_status']);
    assert.equal(isTarget(spec, settings), true);
    assert.equal(spec.canonicalOnly, true, 'it applies canonical documents through the API: no mapping may reshape them');

    assert.throws(() => parseConfig(yamlFor(db), '/tmp', {}), (e: unknown) => e instanceof CausewayFault && e.errors.some((x) => x.code === 'CONFIG_ENV_MISSING' && /TRYTON_PASSWORD/.test(x.message)));
    assert.throws(() => parseConfig(yamlFor(db, '    produce: [shipment]').replace('{ WH: DC1 }', '{}'), '/tmp', { TRYTON_PASSWORD: 'x' }), (e: unknown) => {
      assert.ok(e instanceof CausewayFault);
      const paths = e.errors.map((x) => x.path);
      assert.ok(paths.includes('$.endpoints.erp.produce[0]'), paths.join(', '));
      assert.ok(e.errors.some((x) => x.path === '$.endpoints.erp.warehouses' && /at least one/.test(x.message)), JSON.stringify(e.errors));
      return true;
    });
  });

  test('its warehouse role (tryton-wms) reads what a warehouse reports and takes what a warehouse is sent', () => {
    const wms = builtIns.endpoints.get('tryton-wms')!;
    assert.ok(wms, 'the tryton-wms type is registered');
    const db = { url: 'http://127.0.0.1:8000', database: 'warehouse', user: 'causeway', password: '' };
    const yaml = yamlFor(db, '    produce: [shipment, receipt, inventory_adjustment, inventory_snapshot]').replace('type: tryton', 'type: tryton-wms');
    const settings = parseConfig(yaml, '/tmp', { TRYTON_PASSWORD: 'x' }).endpointSettings.erp as { produce: string[] };
    assert.deepEqual(declaredTypes(wms.produces, settings), ['shipment', 'receipt', 'inventory_adjustment', 'inventory_snapshot']);
    assert.deepEqual(declaredTypes(wms.accepts, settings), ['sales_order', 'order_cancel', 'purchase_order', 'item']);
    assert.throws(() => parseConfig(yaml.replace('produce: [shipment', 'produce: [sales_order'), '/tmp', { TRYTON_PASSWORD: 'x' }),
      (e: unknown) => e instanceof CausewayFault && e.errors.some((x) => x.path === '$.endpoints.erp.produce[0]'), 'an ERP document is not the warehouse\'s to produce');
  });
});

describe('tryton endpoint against a real Tryton', { skip }, () => {
  let tryton: TrytonServer;
  let store: Store;
  const logged: string[] = [];
  const logger = pino({ level: 'trace' }, new Writable({ write(chunk, _enc, done) { logged.push(String(chunk)); done(); } }));
  before(async () => {
    tryton = await startTryton();
    store = await openStore('sqlite::memory:');
  });
  after(async () => {
    await tryton?.stop();
    await store?.close();
  });

  const ctx = (): EndpointContext => ({ name: 'erp', tenant: 'acme', logger, store, baseDir: '/tmp', outbound: { allowPrivateNetworks: true, allow: [] } });
  const settingsFor = (db: TrytonDatabase, over: Partial<TrytonEndpointConfig> = {}): TrytonEndpointConfig => ({
    ...(parseConfig(yamlFor(db, '    produce: [item, sales_order, order_cancel, purchase_order, return_authorization]'), '/tmp', { TRYTON_PASSWORD: db.password }).endpointSettings.erp as TrytonEndpointConfig),
    ...over,
  });

  test('a poll turns each produced type into messages keyed by record version, with one cursor per type', async () => {
    const db = await tryton.freshDatabase();
    const rpc = connect(db);
    const sale = await confirmSale(rpc, [['WIDGET-1', 3]]);
    const purchase = await confirmPurchase(rpc, [['GADGET-2', 7]]);
    const ret = await confirmReturnSale(rpc, [['WIDGET-1', 1]]);
    const source = (await spec.createSource!(settingsFor(db), ctx())) as SourceRuntime;
    const first = await source.poll!(null, AbortSignal.timeout(30_000));
    const byType = new Map(first.messages.map((m) => [JSON.parse(m.body.toString()).type as string, m]));
    assert.deepEqual([...byType.keys()].sort(), ['item', 'purchase_order', 'return_authorization', 'sales_order']);
    assert.equal(first.messages.filter((m) => JSON.parse(m.body.toString()).type === 'item').length, 3, 'three goods in the master data');
    const order = byType.get('sales_order')!;
    assert.equal(order.codec, 'json');
    assert.match(order.partnerRef!, /^stock\.shipment\.out,\d+$/);
    assert.match(order.idempotencyKey!, new RegExp(`^tryton:${db.database}:stock\\.shipment\\.out:\\d+:\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`));
    assert.equal(JSON.parse(order.body.toString()).orderNumber, sale.number);
    assert.equal(JSON.parse(byType.get('purchase_order')!.body.toString()).poNumber, purchase.number);
    assert.equal(JSON.parse(byType.get('return_authorization')!.body.toString()).rmaNumber, ret.returnNumber);
    assert.match(byType.get('return_authorization')!.partnerRef!, /^stock\.shipment\.out\.return,\d+$/);
    const cursors = JSON.parse(first.cursor!) as Record<string, string>;
    assert.deepEqual(Object.keys(cursors).sort(), ['item', 'purchase_order', 'return_authorization', 'sales_order']);

    const second = await source.poll!(first.cursor!, AbortSignal.timeout(30_000));
    assert.equal(second.messages.length, 0, 'nothing changed since');
    assert.deepEqual(JSON.parse(second.cursor!), cursors);
    const reread = await source.poll!(null, AbortSignal.timeout(30_000));
    assert.deepEqual(reread.messages.map((m) => m.idempotencyKey).sort(), first.messages.map((m) => m.idempotencyKey).sort(),
      'reading the same versions again yields the same keys, which the inbox dedupes');

    const [shipmentId] = await rpc.search('stock.shipment.out', [['reference', '=', null]]);
    await rpc.button('stock.shipment.out', 'cancel', [shipmentId!]);
    const third = await source.poll!(second.cursor!, AbortSignal.timeout(30_000));
    assert.deepEqual(third.messages.map((m) => JSON.parse(m.body.toString()).type), ['order_cancel']);
    await assert.rejects(source.poll!('SO-1|2', AbortSignal.timeout(1000)), /not a Tryton endpoint cursor/);
  });

  test('inventory_snapshot: each configured warehouse\'s stock as of now, once per snapshotEveryMs', async () => {
    const db = await tryton.freshDatabase();
    const sink = (await spec.createSink!(settingsFor(db), ctx())) as SinkRuntime;
    const found = { type: 'inventory_adjustment', ...envelopeOf('a-1'), adjustmentNumber: 'ADJ-1', facility: 'DC1',
      lines: [{ sku: 'WIDGET-1', quantity: '12', uom: 'EA', reason: 'found' }, { sku: 'SERUM-LOT', lot: 'L-9', quantity: '5', uom: 'EA', reason: 'found' }] };
    assert.equal((await sink.deliver(message(found), AbortSignal.timeout(60_000))).kind, 'delivered');

    const hourly = (await spec.createSource!(settingsFor(db, { produce: ['inventory_snapshot'], snapshotEveryMs: 3_600_000 }), ctx())) as SourceRuntime;
    const startedAt = Date.now();
    const first = await hourly.poll!(null, AbortSignal.timeout(30_000));
    assert.equal(first.messages.length, 1, 'one snapshot per configured warehouse');
    const snapshot = JSON.parse(first.messages[0]!.body.toString());
    assert.equal(snapshot.type, 'inventory_snapshot');
    assert.equal(snapshot.facility, 'DC1');
    assert.equal(snapshot.scope, 'full');
    assert.ok(Date.parse(snapshot.asOf) >= startedAt - 1000, `as of now: ${snapshot.asOf}`);
    assert.deepEqual(snapshot.positions.map((p: any) => [p.sku, p.lot ?? null, p.onHand]).sort(), [['SERUM-LOT', 'L-9', '5'], ['WIDGET-1', null, '12']]);
    assert.equal(first.messages[0]!.idempotencyKey, snapshot.id);
    assert.deepEqual(Object.keys(JSON.parse(first.cursor!)), ['inventory_snapshot']);
    assert.equal((await hourly.poll!(first.cursor!, AbortSignal.timeout(30_000))).messages.length, 0, 'not again within the hour');

    const everyPoll = (await spec.createSource!(settingsFor(db, { produce: ['inventory_snapshot'], snapshotEveryMs: 0 }), ctx())) as SourceRuntime;
    const again = await everyPoll.poll!(first.cursor!, AbortSignal.timeout(30_000));
    assert.equal(again.messages.length, 1, 'snapshotEveryMs 0: at every poll');
  });

  test('deliver applies each accepted type and maps refusals, outages and foreign types to outcomes', async () => {
    const db = await tryton.freshDatabase();
    const rpc = connect(db);
    const sale = await confirmSale(rpc, [['WIDGET-1', 5]]);
    const sink = (await spec.createSink!(settingsFor(db), ctx())) as SinkRuntime;
    const signal = AbortSignal.timeout(60_000);
    const shipment = { type: 'shipment', ...envelopeOf('s-1'), shipmentNumber: 'WMS-1', orderNumber: sale.number, facility: 'DC1', shippedAt: hoursAgo(1),
      lines: [{ lineNumber: '1', sku: 'WIDGET-1', quantity: '5', uom: 'EA' }] };
    const delivered = await sink.deliver(message(shipment), signal);
    assert.equal(delivered.kind, 'delivered');
    assert.deepEqual(await sink.deliver(message(shipment), signal), delivered, 'a redelivery is delivered again, changing nothing');
    const [done] = await rpc.searchRead<{ state: string }>('stock.shipment.out', [['reference', '=', 'WMS-1']], ['state']);
    assert.equal(done!.state, 'done');

    const over = await sink.deliver(message({ ...shipment, shipmentNumber: 'WMS-2' }), signal);
    assert.equal(over.kind, 'permanent');
    assert.match(over.kind === 'permanent' ? over.error : '', /applying shipment WMS-2 for order .* to Tryton .*: no open customer shipment/);

    // What the rules tell the ERP of an order is noted on the sale, once.
    const status = { type: 'order_status', ...envelopeOf('st-1'), orderNumber: sale.number, status: 'shipped', reason: 'cancel rejected: shipped', facility: 'DC1' };
    const noted = await sink.deliver(message(status), signal);
    assert.equal(noted.kind, 'delivered');
    assert.deepEqual(await sink.deliver(message(status), signal), noted, 'noted once');
    const notes = await rpc.searchRead<{ message: string }>('ir.note', [['resource', '=', `sale.sale,${sale.id}`]], ['message']);
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.message, new RegExp(`^Warehouse status of order ${sale.number}: shipped \\(cancel rejected: shipped\\)`));

    const item = { type: 'item', ...envelopeOf('i-1'), sku: 'NEW-1', baseUom: 'EA' };
    const foreign = await sink.deliver(message(item), signal);
    assert.equal(foreign.kind, 'permanent');
    assert.match(foreign.kind === 'permanent' ? foreign.error : '', /Tryton does not take item documents/);
    const garbled = await sink.deliver(message({}, { payload: Buffer.from('<xml/>'), documentType: 'shipment' }), signal);
    assert.equal(garbled.kind, 'permanent');

    const receipt = { type: 'receipt', ...envelopeOf('r-1'), receiptNumber: 'RC-1', poNumber: 'PO-X', facility: 'DC1', lines: [{ sku: 'WIDGET-1', quantity: '1', uom: 'EA' }] };
    const down = (await spec.createSink!(settingsFor(db, { url: 'http://127.0.0.1:9' }), ctx())) as SinkRuntime;
    const outage = await down.deliver(message(receipt), signal);
    assert.equal(outage.kind, 'retryable', 'Tryton unreachable: the engine tries again later');

    const wrongPassword = 'not-the-password-7f3a';
    const refused = (await spec.createSink!(settingsFor(db, { password: wrongPassword }), ctx())) as SinkRuntime;
    const auth = await refused.deliver(message(receipt), signal);
    assert.equal(auth.kind, 'permanent');
    assert.match(auth.kind === 'permanent' ? auth.error : '', /wrong user or password|login refused/);
    assert.ok(!JSON.stringify(auth).includes(wrongPassword), 'the password is in no outcome');
    assert.ok(!logged.join('').includes(wrongPassword) && !logged.join('').includes(db.password), 'nor in any log line');
  });
});
