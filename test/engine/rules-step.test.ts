// The rules step in the pipeline, through JSON: each document gets one verdict, visible in its
// message's lineage and counted in the KPIs; the ledger is written with the outcome; held documents
// are released in arrival order when their order comes; superseded deliveries are not sent.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import { CausewayFault } from '../../src/model/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { getOrder } from '../../src/engine/orders.ts';
import { sweepRules } from '../../src/engine/rules-sweep.ts';
import type { OrderLedger } from '../../src/engine/rules/index.ts';
import { SqliteStore, type NewMessage, type Store } from '../../src/store/index.ts';
import { salesOrder, shipment } from '../support/documents.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CONFIG = (extra = '') => `
defaultTenant: acme
endpoints:
  wms: { type: webhook, url: http://127.0.0.1:9/wms }
  erp: { type: webhook, url: http://127.0.0.1:9/erp }
flows:
  - { name: to-wms, types: [sales_order, order_cancel, inventory_snapshot], to: wms }
  - { name: to-erp, types: [shipment, order_status], to: erp }
${extra}`;

describe('the rules step in the pipeline', () => {
  let dir: string;
  let store: Store;
  let hub: Hub;
  let n = 0;

  async function start(extra = ''): Promise<void> {
    hub = await Hub.start(parseConfig(CONFIG(extra), dir), { store, logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-rules-step-'));
    dirs.push(dir);
    store = new SqliteStore({ path: join(dir, 'hub.db') });
    await store.migrate();
  });
  afterEach(async () => {
    await hub?.stop();
    await store.close();
  });

  /** Sends documents through the API endpoint, one message each, and processes them as one batch. */
  async function send(...docs: unknown[]): Promise<number[]> {
    const messages: NewMessage[] = docs.map((d) => {
      const body = Buffer.from(JSON.stringify(d));
      return { tenant: 'acme', endpoint: 'api', codec: 'json', idempotencyKey: `m${++n}`, contentHash: `h${n}`, body, receivedAt: Date.now() };
    });
    const ids = (await store.acceptMessages(messages)).map((a) => a.messageId);
    const claimed = await store.claimPendingMessages('test', 100, 60_000, Date.now());
    await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
    return ids;
  }

  const verdictsOf = async (messageId: number) => (await store.lineage('acme', messageId))!.verdicts.map((v) => `${v.verdict} ${v.rule}`);
  const deliveriesOf = async (entityKey: string) => (await store.listDeliveries({ tenant: 'acme', entityKey })).reverse().map((d) => `${d.documentType}->${d.endpoint} ${d.status}`);
  const ledgerOf = async (orderNumber: string) => (await store.getLedgers('acme', [`order:${orderNumber}`]))[0];

  it('holds a shipment that came before its order, and releases it when the order comes: one verdict each, in lineage', async () => {
    await start();
    const [ship] = await send(shipment('SO-1'));
    assert.deepEqual(await verdictsOf(ship!), ['hold ORDER_NOT_SEEN']);
    assert.deepEqual(await deliveriesOf('order:SO-1'), [], 'a held shipment is not delivered');
    assert.equal((await ledgerOf('SO-1'))!.status, 'not_seen');

    const [order] = await send(salesOrder('SO-1', 1));
    assert.deepEqual(await verdictsOf(order!), ['apply ORDER_ACCEPTED']);
    assert.deepEqual(await verdictsOf(ship!), ['hold ORDER_NOT_SEEN', 'apply SHIPMENT_APPLIED'], 'the shipment is decided again, under its own message');
    assert.deepEqual(await deliveriesOf('order:SO-1'), ['sales_order->wms pending', 'shipment->erp pending']);
    const row = (await ledgerOf('SO-1'))!;
    assert.equal(row.status, 'shipped');
    assert.equal((row.body as OrderLedger).shipments.length, 1);
    const k = await store.kpiSample('acme', 0, Date.now() + 1);
    assert.deepEqual(k.verdicts, { apply: 2, hold: 1, refuse: 0, stale: 0 });
  });

  it('refuses an over-shipment into the dead letters with its rule, and delivers nothing of it', async () => {
    await start();
    await send(salesOrder('SO-2', 1));
    const [ship] = await send(shipment('SO-2', { lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '3', uom: 'EA' }] }));
    assert.deepEqual(await verdictsOf(ship!), ['refuse OVER_SHIPMENT']);
    assert.deepEqual(await deliveriesOf('order:SO-2'), ['sales_order->wms pending']);
    const [dl] = await store.listDeadLetters('acme');
    assert.equal(dl!.refId, ship);
    assert.match(dl!.reason, /OVER_SHIPMENT/);
    assert.equal((await ledgerOf('SO-2'))!.status, 'open', 'the refused shipment did not count');
  });

  it('accepts the same over-shipment with a flag under a partner policy that says so', async () => {
    await start('rules: { partners: { api: { overShipment: { action: accept_and_flag } } } }');
    await send(salesOrder('SO-3', 1));
    const [ship] = await send(shipment('SO-3', { lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '3', uom: 'EA' }] }));
    assert.deepEqual(await verdictsOf(ship!), ['apply SHIPMENT_APPLIED']);
    assert.ok((await store.listAlerts('acme')).some((a) => a.kind === 'rules_over_shipment'), 'the flag is raised as an alert');
  });

  it('delivers a replayed message again without changing the ledger twice; a resent shipment number with other content is refused', async () => {
    await start();
    await send(salesOrder('SO-4', 1));
    const [first] = await send(shipment('SO-4'));
    const before = (await ledgerOf('SO-4'))!;
    await store.requeueMessages('acme', [first!], Date.now());
    const claimed = await store.claimPendingMessages('test', 10, 60_000, Date.now());
    await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
    assert.deepEqual(await verdictsOf(first!), ['apply SHIPMENT_APPLIED', 'apply REPLAYED']);
    const [other] = await send(shipment('SO-4', { trackingNumbers: ['1ZOTHER'] }));
    assert.deepEqual(await verdictsOf(other!), ['refuse SHIPMENT_RESENT_CHANGED']);
    const afterwards = (await ledgerOf('SO-4'))!;
    assert.deepEqual((afterwards.body as OrderLedger).shipments, (before.body as OrderLedger).shipments);
    assert.deepEqual((afterwards.body as OrderLedger).version, (before.body as OrderLedger).version);
    assert.deepEqual(await deliveriesOf('order:SO-4'), ['sales_order->wms pending', 'shipment->erp pending', 'shipment->erp pending']);
  });

  it('sends a change to an order already sent as a change, and nothing for a change the warehouse does not use', async () => {
    await start();
    await send(salesOrder('SO-5', 1));
    const [same] = await send(salesOrder('SO-5', 1, { occurredAt: '2026-11-22T10:00:00+01:00', customer: { code: 'C-100', name: 'Northwind Retail BV' } }));
    assert.deepEqual(await verdictsOf(same!), ['stale ORDER_NO_RELEVANT_CHANGE']);
    const [changed] = await send(salesOrder('SO-5', 1, { occurredAt: '2026-11-22T11:00:00+01:00', lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '4', uom: 'EA' }] }));
    assert.deepEqual(await verdictsOf(changed!), ['apply ORDER_CHANGED']);
    const sent = (await store.listDeliveries({ tenant: 'acme', entityKey: 'order:SO-5' })).reverse();
    assert.equal(sent.length, 2);
    assert.equal(JSON.parse(sent[1]!.payload.toString()).purpose, 'replace', 'the change goes as a replace of the order the warehouse has');
  });

  it('sends nothing for a new version of an order with the same content (an ERP record saved again), as it is no replay', async () => {
    await start();
    await send(salesOrder('SO-5B', 1));
    const [again] = await send(salesOrder('SO-5B', 1, { occurredAt: '2026-11-22T10:00:00+01:00' }));
    assert.deepEqual(await verdictsOf(again!), ['stale DUPLICATE']);
    assert.equal((await store.listDeliveries({ tenant: 'acme', entityKey: 'order:SO-5B' })).length, 1);
  });

  it('withdraws an order cancelled before it was delivered, and sends nothing to the warehouse', async () => {
    await start();
    const [order, cancel] = await send(salesOrder('SO-6', 1), { type: 'order_cancel', orderNumber: 'SO-6', reason: 'customer request' });
    assert.deepEqual(await verdictsOf(order!), ['apply ORDER_ACCEPTED']);
    assert.deepEqual(await verdictsOf(cancel!), ['stale CANCEL_BEFORE_SEND']);
    assert.deepEqual(await deliveriesOf('order:SO-6'), ['sales_order->wms superseded']);
    assert.equal((await ledgerOf('SO-6'))!.status, 'cancelled');
    assert.equal((await store.claimDueDeliveries('sender', 10, 1000, Date.now())).length, 0, 'nothing goes out');
  });

  it('drops at once a cancel of an order it never received: no delivery, and the order\'s ledger and lineage say why', async () => {
    await start();
    const [cancel] = await send({ type: 'order_cancel', orderNumber: 'SO-6B', reason: 'confirmed and cancelled in a minute' });
    assert.deepEqual(await verdictsOf(cancel!), ['stale CANCEL_BEFORE_SEND']);
    assert.deepEqual(await deliveriesOf('order:SO-6B'), []);
    assert.equal((await ledgerOf('SO-6B'))!.status, 'cancelled');
    const view = await getOrder(store, 'acme', 'SO-6B', hub.rules.general, Date.now());
    assert.equal(view!.status, 'cancelled');
    assert.match(view!.events[0]!.reason, /dropped: the order never reached Causeway, so it was never sent to the warehouse/);
    const [order] = await send(salesOrder('SO-6B', 1));
    assert.deepEqual(await verdictsOf(order!), ['stale ORDER_CANCELLED']);
    assert.deepEqual(await deliveriesOf('order:SO-6B'), [], 'the order, come late, is not sent either');
  });

  it('forwards the cancel instead when the order is already on its way to the warehouse', async () => {
    await start();
    await send(salesOrder('SO-7', 1));
    await store.claimDueDeliveries('sender', 10, 60_000, Date.now());
    const [cancel] = await send({ type: 'order_cancel', orderNumber: 'SO-7', reason: 'customer request' });
    assert.deepEqual(await verdictsOf(cancel!), ['apply CANCEL_FORWARDED']);
    assert.deepEqual(await deliveriesOf('order:SO-7'), ['sales_order->wms pending', 'order_cancel->wms pending']);
  });

  it('sends only the freshest stock snapshot of a facility: an older pending one is superseded, a late older one is stale', async () => {
    await start();
    const snap = (asOf: string) => ({ type: 'inventory_snapshot', facility: 'AMS1', asOf, occurredAt: asOf, scope: 'full', positions: [{ sku: 'SKU-1', onHand: '5', uom: 'EA' }] });
    const [a, b, c] = await send(snap('2026-11-22T08:00:00Z'), snap('2026-11-22T09:00:00Z'), snap('2026-11-22T07:00:00Z'));
    assert.deepEqual([...(await verdictsOf(a!)), ...(await verdictsOf(b!)), ...(await verdictsOf(c!))], ['apply STATE_APPLIED', 'apply STATE_APPLIED', 'stale OUT_OF_ORDER']);
    assert.deepEqual(await deliveriesOf('stock:AMS1'), ['inventory_snapshot->wms superseded', 'inventory_snapshot->wms pending']);
    const k = await store.kpiSample('acme', 0, Date.now() + 1);
    assert.equal(k.superseded, 1);
  });

  it('keeps stock freshness per sending system: an older count from one side is not stale against the other side\'s newer one', async () => {
    await start();
    const snap = (asOf: string) => ({ type: 'inventory_snapshot', facility: 'AMS2', asOf, occurredAt: asOf, scope: 'full', positions: [{ sku: 'SKU-1', onHand: '5', uom: 'EA' }] });
    const [fromApi] = await send(snap('2026-11-22T09:00:00Z'));
    const body = Buffer.from(JSON.stringify(snap('2026-11-22T08:00:00Z')));
    const [other] = (await store.acceptMessages([{ tenant: 'acme', endpoint: 'erp', codec: 'json', idempotencyKey: 'other-side', contentHash: 'other-side', body, receivedAt: Date.now() }])).map((a) => a.messageId);
    const claimed = await store.claimPendingMessages('test', 10, 60_000, Date.now());
    await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
    assert.deepEqual([...(await verdictsOf(fromApi!)), ...(await verdictsOf(other!))], ['apply STATE_APPLIED', 'apply STATE_APPLIED']);
    assert.deepEqual(await deliveriesOf('stock:AMS2'), ['inventory_snapshot->wms pending', 'inventory_snapshot->wms pending'], 'neither withdraws the other');
  });

  it('routes as before with the rules turned off', async () => {
    await start('rules: { enabled: false }');
    const [ship] = await send(shipment('SO-8'));
    assert.deepEqual(await verdictsOf(ship!), []);
    assert.deepEqual(await deliveriesOf('order:SO-8'), ['shipment->erp pending']);
  });

  it('decides again on the ledger as it is when another worker moved it on meanwhile', async () => {
    await start();
    await send(salesOrder('SO-9', 1));
    const messages = (await store.acceptMessages([shipment('SO-9')].map((d) => ({
      tenant: 'acme', endpoint: 'api', codec: 'json', idempotencyKey: 'racing', contentHash: 'racing', body: Buffer.from(JSON.stringify(d)), receivedAt: Date.now(),
    }))));
    const claimed = await store.claimPendingMessages('test', 10, 60_000, Date.now());
    const outcomes = await hub.processor.processBatch(claimed);
    // Another worker's commit on the same ledger lands between this one's decision and its commit.
    const [row] = await store.getLedgers('acme', ['order:SO-9']);
    await store.writeRules({ ledgers: [{ ...row!, expectedVersion: row!.version, version: row!.version + 1, body: { ...(row!.body as object), version: row!.version + 1 } }] }, Date.now());
    await hub.processor.commitOutcomes(claimed, outcomes);
    assert.deepEqual(await verdictsOf(messages[0]!.messageId), ['apply SHIPMENT_APPLIED'], 'one verdict, from the second decision');
    assert.equal((await ledgerOf('SO-9'))!.version, row!.version + 2);
  });

  it('refuses a held document whose order never came within the window, and dead-letters its message', async () => {
    await start('rules: { outOfOrder: { holdWindowMinutes: 60 } }');
    const [ship] = await send(shipment('SO-10'));
    const policy = hub.rules.general;
    assert.deepEqual(await sweepRules(store, policy, Date.now() + 30 * 60_000), [], 'nothing is due within the window');
    assert.deepEqual(await verdictsOf(ship!), ['hold ORDER_NOT_SEEN']);
    await sweepRules(store, policy, Date.now() + 61 * 60_000);
    assert.deepEqual(await verdictsOf(ship!), ['hold ORDER_NOT_SEEN', 'refuse HOLD_EXPIRED']);
    const [dl] = await store.listDeadLetters('acme');
    assert.equal(dl!.refId, ship);
    assert.match(dl!.reason, /HOLD_EXPIRED: Shipment SH-SO-10 was held .* has not arrived within 1 h/);
    assert.equal(((await ledgerOf('SO-10'))!.body as OrderLedger).parked.length, 0);
    assert.equal((await ledgerOf('SO-10'))!.dueAt, null, 'nothing more is due');
  });

  it('holds a document for the window of the flow it came under, which the sweep keeps to', async () => {
    mkdirSync(join(dir, 'fast'));
    hub = await Hub.start(parseConfig(`
defaultTenant: acme
endpoints:
  wms-fast: { type: folder, inbox: ${join(dir, 'fast')} }
  erp: { type: webhook, url: http://127.0.0.1:9/erp }
rules: { outOfOrder: { holdWindowMinutes: 60 } }
flows:
  - { name: fast-shipments, from: [wms-fast], types: [shipment], to: erp, rules: { outOfOrder: { holdWindowMinutes: 10 } } }
`, dir), { store, logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
    const [m] = await store.acceptMessages([{ tenant: 'acme', endpoint: 'wms-fast', codec: 'json', idempotencyKey: `m${++n}`, contentHash: `h${n}`, body: Buffer.from(JSON.stringify(shipment('SO-W'))), receivedAt: Date.now() }]);
    const claimed = await store.claimPendingMessages('test', 100, 60_000, Date.now());
    await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
    assert.deepEqual(await verdictsOf(m!.messageId), ['hold ORDER_NOT_SEEN']);
    assert.match((await store.listVerdicts('acme', { messageId: m!.messageId }))[0]!.reason, /refused if it has not within 10 min/);
    // The sweep knows no flow: it keeps to the 10 minutes the document was held under, not the top level's hour.
    await sweepRules(store, hub.rules.general, Date.now() + 11 * 60_000);
    assert.deepEqual(await verdictsOf(m!.messageId), ['hold ORDER_NOT_SEEN', 'refuse HOLD_EXPIRED']);
    const [dl] = await store.listDeadLetters('acme');
    assert.match(dl!.reason, /has not arrived within 10 min/);
  });

  it('raises a stuck order once: not shipped by its requested ship date', async () => {
    await start();
    await send(salesOrder('SO-11', 1, { requestedShipDate: '2026-01-05' }));
    const first = await sweepRules(store, hub.rules.general, Date.now());
    assert.deepEqual(first.map((a) => `${a.kind} ${a.subject}`), ['rules_ship_date_missed order:SO-11']);
    assert.match(first[0]!.message, /Order SO-11 was to ship by 2026-01-05 and is open, with 1 EA of SKU-1 still to ship/);
    assert.deepEqual(await sweepRules(store, hub.rules.general, Date.now()), [], 'once');
    assert.equal((await store.listAlerts('acme', { kind: 'rules_ship_date_missed' })).length, 1);
  });

  it('holds each order to the stuck SLA of the flow that sends it: the sweep, the order and the stuck list use it', async () => {
    mkdirSync(join(dir, 'a'));
    mkdirSync(join(dir, 'b'));
    hub = await Hub.start(parseConfig(`
defaultTenant: acme
endpoints:
  erp-express: { type: folder, inbox: ${join(dir, 'a')} }
  erp-standard: { type: folder, inbox: ${join(dir, 'b')} }
  wms: { type: webhook, url: http://127.0.0.1:9/wms }
rules: { stuck: { acknowledgeWithinMinutes: 60 } }
flows:
  - { name: express, from: [erp-express], types: [sales_order], to: wms, rules: { stuck: { acknowledgeWithinMinutes: 5, shipByRequestedDate: false } } }
  - { name: standard, from: [erp-standard], types: [sales_order], to: wms }
`, dir), { store, logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
    const sendFrom = async (endpoint: string, doc: unknown) => {
      await store.acceptMessages([{ tenant: 'acme', endpoint, codec: 'json', idempotencyKey: `m${++n}`, contentHash: `h${n}`, body: Buffer.from(JSON.stringify(doc)), receivedAt: Date.now() }]);
      const claimed = await store.claimPendingMessages('test', 100, 60_000, Date.now());
      await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
    };
    // Both were due yesterday; only the standard flow holds an order to its requested ship date.
    await sendFrom('erp-express', salesOrder('SO-X', 1, { requestedShipDate: '2026-01-05' }));
    await sendFrom('erp-standard', salesOrder('SO-S', 1, { requestedShipDate: '2026-01-05' }));
    const sentAt = Date.now();
    const due = await store.claimDueDeliveries('test', 100, 60_000, sentAt);
    assert.equal(due.length, 2);
    await store.recordAttempts(due.map((d) => ({ deliveryId: d.id, tenant: 'acme', startedAt: sentAt, finishedAt: sentAt, outcome: 'delivered' as const })), sentAt);

    const late = async (at: number) => (await sweepRules(store, hub.rules.general, at)).map((a) => `${a.kind} ${a.subject}`).sort();
    assert.deepEqual(await late(sentAt), ['rules_ship_date_missed order:SO-S'], 'the express flow does not hold its orders to the date');
    assert.deepEqual(await late(sentAt + 6 * 60_000), ['rules_ack_overdue order:SO-X'], 'the express flow allows 5 min for the acknowledgment');
    assert.equal(((await ledgerOf('SO-S'))!.body as OrderLedger).sla?.acknowledgeWithinMinutes, 60);
    assert.equal((await ledgerOf('SO-S'))!.dueAt, sentAt + 60 * 60_000 + 1, 'the standard order is looked at again when its own hour is up');
    assert.deepEqual(await late(sentAt + 61 * 60_000), ['rules_ack_overdue order:SO-S']);
    const x = await getOrder(store, 'acme', 'SO-X', hub.rules.general, sentAt + 6 * 60_000);
    assert.deepEqual(x!.stuck.map((s) => s.rule), ['ACK_OVERDUE'], 'the order view uses the flow\'s SLA too');
    assert.match(x!.stuck[0]!.reason, /\(allowed: 5 min\)/);
  });

  it('takes a document\'s side from its type, or from its endpoint\'s side: an order status from the ERP is its credit hold', async () => {
    mkdirSync(join(dir, 'erp-in'));
    mkdirSync(join(dir, 'shop-in'));
    hub = await Hub.start(parseConfig(`
defaultTenant: acme
endpoints:
  erp-in: { type: folder, side: erp, inbox: ${join(dir, 'erp-in')} }
  shop: { type: folder, side: partner, inbox: ${join(dir, 'shop-in')} }
  wms: { type: webhook, url: http://127.0.0.1:9/wms }
  erp: { type: webhook, url: http://127.0.0.1:9/erp }
flows:
  - { name: to-wms, from: [erp-in, api], types: [sales_order, order_status, order_cancel], to: wms }
  - { name: shop-orders, from: [shop], types: [sales_order], to: erp }
  - { name: to-erp, from: [api], types: [shipment], to: erp }
  - { name: statuses-to-erp, types: [order_status], to: erp }
`, dir), { store, logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
    const sendFrom = async (endpoint: string, doc: unknown) => {
      const [a] = await store.acceptMessages([{ tenant: 'acme', endpoint, codec: 'json', idempotencyKey: `m${++n}`, contentHash: `h${n}`, body: Buffer.from(JSON.stringify(doc)), receivedAt: Date.now() }]);
      const claimed = await store.claimPendingMessages('test', 100, 60_000, Date.now());
      await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
      return a!.messageId;
    };
    const hold = { type: 'order_status', orderNumber: 'SO-C1', status: 'on_hold', reason: 'credit hold' };
    // From the ERP's endpoint, an "on hold" status is the ERP's credit hold: the order is not sent.
    assert.deepEqual(await verdictsOf(await sendFrom('erp-in', hold)), ['stale ORDER_HOLD_SET']);
    assert.deepEqual(await verdictsOf(await sendFrom('erp-in', salesOrder('SO-C1', 1))), ['hold ORDER_ON_HOLD']);
    // The same status through an endpoint that says nothing is the warehouse's, by its type: it waits for its order.
    assert.deepEqual(await verdictsOf(await sendFrom('api', { ...hold, orderNumber: 'SO-C2' })), ['hold ORDER_NOT_SEEN']);
    // A shop's order into the ERP keeps no ledger.
    assert.deepEqual(await verdictsOf(await sendFrom('shop', salesOrder('SO-C3', 1))), ['apply PARTNER_EXCHANGE']);
    assert.equal(await ledgerOf('SO-C3'), undefined);
    assert.deepEqual(await deliveriesOf('order:SO-C3'), ['sales_order->erp pending']);
    // The shop's orders go to the ERP's endpoint, which does not make it the warehouse: "cancel rejected: shipped" goes there.
    await sendFrom('api', salesOrder('SO-C4', 1));
    await sendFrom('api', shipment('SO-C4'));
    assert.deepEqual(await verdictsOf(await sendFrom('api', { type: 'order_cancel', orderNumber: 'SO-C4' })), ['refuse CANCEL_AFTER_SHIPPED']);
    assert.ok((await deliveriesOf('order:SO-C4')).includes('order_status->erp pending'), (await deliveriesOf('order:SO-C4')).join(', '));
  });

  it('checks the rules settings where they are written: top level, per partner, per flow', () => {
    const refused = (() => { try { parseConfig(CONFIG(`  - { name: strict, types: [item], to: erp, rules: { overShipment: { action: sometimes } } }
rules:
  underShipment: forget
  partners:
    wms: { lots: { expired: ignore } }
    nobody: {}
`), dir); } catch (e) { return e as CausewayFault; } })();
    assert.ok(refused instanceof CausewayFault, 'the config is refused');
    const found = refused.errors.map((e) => e.path).sort();
    assert.deepEqual(found, ['$.flows[2].rules.overShipment.action', '$.rules.partners.nobody', '$.rules.partners.wms.lots.expired', '$.rules.underShipment']);
  });
});
