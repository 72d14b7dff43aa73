// A split order goes out as one part per facility. When a warehouse rejects its part, or ships it
// short, that part is matched back to the order it was split from: what it held is routed again
// per the policy, under the part's own number, and the order's other parts stay where they are.
// On SQLite, with the decision kept on the order and shown in the message's lineage.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import type { FacilityOutcome, RoutingDecision } from '../../src/routing/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { salesOrder } from '../support/documents.ts';
import { messageSender } from '../support/process.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CONFIG = `
defaultTenant: acme
endpoints:
  wms-chi: { type: webhook, url: http://127.0.0.1:9/chi }
  wms-dal: { type: webhook, url: http://127.0.0.1:9/dal }
  wms-atl: { type: webhook, url: http://127.0.0.1:9/atl }
flows:
  - { name: orders-to-chi, types: [sales_order], facilities: [CHI], to: wms-chi }
  - { name: orders-to-dal, types: [sales_order], facilities: [DAL], to: wms-dal }
  - { name: orders-to-atl, types: [sales_order], facilities: [ATL], to: wms-atl }
routing:
  facilities:
    CHI: { endpoint: wms-chi, coordinates: { lat: 41.88, lon: -87.63 }, serviceArea: { countries: [US] } }
    DAL: { endpoint: wms-dal, coordinates: { lat: 32.78, lon: -96.8 }, serviceArea: { countries: [US] } }
    ATL: { endpoint: wms-atl, coordinates: { lat: 33.75, lon: -84.39 }, serviceArea: { countries: [US] } }
  policy: split
`;

const NEW_YORK = { name: 'Midtown', lines: ['1 Main St'], city: 'New York', region: 'NY', postalCode: '10001', country: 'US' };
// Tea is only in Chicago; coffee in Atlanta (nearer New York) and Dallas: the order is split.
const STOCK = { CHI: { TEA: '10' }, ATL: { COFFEE: '5' }, DAL: { COFFEE: '5' } };
const ORDER = salesOrder('SO-S', 1, {
  facility: 'auto', shipTo: NEW_YORK,
  lines: [{ lineNumber: 1, sku: 'TEA', quantity: '8', uom: 'EA' }, { lineNumber: 2, sku: 'COFFEE', quantity: '5', uom: 'EA' }],
});
const rejection = (reference: string, message: string) => ({
  type: 'acknowledgment', status: 'rejected', occurredAt: new Date().toISOString(),
  acknowledges: { documentType: 'sales_order', reference }, errors: [{ code: 'REFUSED', message }],
});

describe('a rejected or short part of a split order is routed again, its other parts stay (sqlite)', () => {
  /** url: where the warehouses' webhooks post, with the delivery worker running; else nothing is delivered. */
  async function open(url?: string) {
    const dir = mkdtempSync(join(tmpdir(), 'causeway-split-parts-'));
    dirs.push(dir);
    const store: Store = await openStore(`sqlite:${join(dir, 'hub.db')}`);
    const config = url ? CONFIG.replaceAll('http://127.0.0.1:9', url).replace(/(url: [^ ]+) }/g, '$1, allowPrivateNetworks: true }') : CONFIG;
    const hub = await Hub.start(parseConfig(config, dir), { store, logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: url !== undefined, idleMs: 20 });
    const send = messageSender(store, hub);
    const asOf = new Date(Date.now() - 60_000).toISOString();
    for (const [facility, skus] of Object.entries(STOCK)) {
      await send({ type: 'inventory_snapshot', facility, asOf, occurredAt: asOf, positions: Object.entries(skus).map(([sku, onHand]) => ({ sku, onHand, uom: 'EA' })) });
    }
    const reserved = async () => (await store.reservations('acme')).map((r) => `${r.facility} ${r.sku} ${r.quantity}`).sort();
    const deliveriesOf = async (orderNumber: string) => (await store.listDeliveries({ tenant: 'acme', entityKey: `order:${orderNumber}` })).reverse().map((d) => `${d.documentType}->${d.endpoint}`);
    type Kept = RoutingDecision & { history: Array<RoutingDecision & { outcome: FacilityOutcome }> };
    const decision = async () => (await store.getRouting('acme', 'order:SO-S'))!.decision as Kept;
    const parts = (d: RoutingDecision) => d.assignments.map((a) => `${a.orderNumber ?? '-'} ${a.facility} ${a.lines.map((l) => `${l.sku}:${l.quantity}/${l.backordered}`).join(',')}`);
    /** Processes what is waiting (a rejection the delivery worker stored), as the processor would. */
    const processWaiting = async () => {
      const claimed = await waitFor(async () => { const c = await store.claimPendingMessages('test', 100, 60_000, Date.now()); return c.length ? c : undefined; }, 10_000, 'a message to process');
      await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
    };
    return { store, send, processWaiting, reserved, deliveriesOf, decision, parts, close: async () => { await hub.stop(); await store.close(); } };
  }

  it('a warehouse rejecting its part: that part goes to the next site under its own number, the other part stays', async () => {
    const { store, send, reserved, deliveriesOf, decision, parts, close } = await open();
    try {
      await send(ORDER);
      assert.deepEqual(await deliveriesOf('SO-S-CHI'), ['sales_order->wms-chi']);
      assert.deepEqual(await deliveriesOf('SO-S-ATL'), ['sales_order->wms-atl']);
      assert.deepEqual(await reserved(), ['ATL COFFEE 5', 'CHI TEA 8']);

      const ack = await send(rejection('SO-S-ATL', 'no dock for this order'));
      assert.deepEqual(await deliveriesOf('SO-S-ATL'), ['sales_order->wms-atl', 'sales_order->wms-dal'], 'the coffee goes to Dallas');
      assert.deepEqual(await deliveriesOf('SO-S-CHI'), ['sales_order->wms-chi'], 'the Chicago part is not sent again');
      assert.deepEqual(await reserved(), ['CHI TEA 8', 'DAL COFFEE 5']);
      const kept = await decision();
      assert.equal(kept.status, 'split');
      assert.deepEqual(parts(kept), ['SO-S-CHI CHI TEA:8/0', 'SO-S-ATL DAL COFFEE:5/0']);
      assert.deepEqual(kept.history.map((h) => h.outcome), [{ facility: 'ATL', kind: 'rejected', why: 'no dock for this order', part: 'SO-S-ATL' }]);
      assert.match(kept.reason, /^part SO-S-ATL: /);
      // The lineage of the rejection shows what went out again, and why.
      const rest = (await store.lineage('acme', ack))!.documents.find((d) => d.type === 'sales_order')!.body as { orderNumber: string; facility: string; extensions: { routing: { remainderOf: unknown } } };
      assert.equal(rest.orderNumber, 'SO-S-ATL');
      assert.equal(rest.facility, 'DAL');
      assert.deepEqual(rest.extensions.routing.remainderOf, { facility: 'ATL', outcome: 'rejected', part: 'SO-S-ATL' });

      // Dallas rejects it too: no site is left with coffee; the part is backordered or unroutable, and Chicago's stays.
      await send(rejection('SO-S-ATL', 'cannot ship'));
      assert.deepEqual(await deliveriesOf('SO-S-CHI'), ['sales_order->wms-chi']);
      assert.ok(!(await deliveriesOf('SO-S-ATL')).slice(2).some((d) => d.endsWith('wms-atl') || d.endsWith('wms-dal')), 'neither site that rejected it is asked again');
      assert.deepEqual((await reserved()).filter((r) => r.startsWith('CHI')), ['CHI TEA 8']);
      const last = await decision();
      assert.deepEqual(last.history.map((h) => `${h.outcome.part} ${h.outcome.facility}`), ['SO-S-ATL ATL', 'SO-S-ATL DAL']);
      assert.ok(parts(last).includes('SO-S-CHI CHI TEA:8/0'), parts(last).join('; '));
      assert.match(last.reason, /^part SO-S-ATL: /);
      assert.notEqual(last.status, 'split', `the order says its part did not find a site: ${last.status}`);
    } finally {
      await close();
    }
  });

  it('a part shipped short at its site: the shortfall is routed again, and a part shipped whole lets go of its stock', async () => {
    const { send, reserved, deliveriesOf, decision, parts, close } = await open();
    try {
      await send(ORDER);
      const at = new Date().toISOString();
      // Atlanta ships 3 of its 5 coffee and closes the part: Dallas gets the 2 left under the part's number.
      await send({ type: 'shipment', shipmentNumber: 'SH-ATL', orderNumber: 'SO-S-ATL', facility: 'ATL', shippedAt: at, occurredAt: at, complete: true, lines: [{ lineNumber: 2, sku: 'COFFEE', quantity: '3', uom: 'EA' }] });
      assert.deepEqual(await deliveriesOf('SO-S-ATL'), ['sales_order->wms-atl', 'sales_order->wms-dal']);
      assert.deepEqual(await reserved(), ['CHI TEA 8', 'DAL COFFEE 2']);
      assert.deepEqual(parts(await decision()), ['SO-S-CHI CHI TEA:8/0', 'SO-S-ATL DAL COFFEE:2/0']);
      // Chicago ships its part whole: nothing is routed again, and its stock is let go.
      await send({ type: 'shipment', shipmentNumber: 'SH-CHI', orderNumber: 'SO-S-CHI', facility: 'CHI', shippedAt: at, occurredAt: at, complete: true, lines: [{ lineNumber: 1, sku: 'TEA', quantity: '8', uom: 'EA' }] });
      assert.deepEqual(await deliveriesOf('SO-S-CHI'), ['sales_order->wms-chi']);
      assert.deepEqual(await reserved(), ['DAL COFFEE 2']);
    } finally {
      await close();
    }
  });

  it('a warehouse refusing its part\'s delivery for good: the part is routed again as if rejected', async () => {
    const receiver = await startReceiver((r) => (r.path === '/atl' ? 422 : 200));
    const { store, send, processWaiting, reserved, deliveriesOf, decision, parts, close } = await open(receiver.url);
    try {
      await send(ORDER);
      // Atlanta answers 422: the delivery is dead, and its refusal comes back as Atlanta's rejection of its part.
      await waitFor(async () => (await store.listDeliveries({ tenant: 'acme', entityKey: 'order:SO-S-ATL', status: 'dead' })).length > 0 || undefined, 10_000, 'the Atlanta part refused');
      await processWaiting();
      assert.deepEqual(await deliveriesOf('SO-S-ATL'), ['sales_order->wms-atl', 'sales_order->wms-dal']);
      assert.deepEqual(await deliveriesOf('SO-S-CHI'), ['sales_order->wms-chi']);
      assert.deepEqual(await reserved(), ['CHI TEA 8', 'DAL COFFEE 5']);
      const kept = await decision();
      assert.deepEqual(parts(kept), ['SO-S-CHI CHI TEA:8/0', 'SO-S-ATL DAL COFFEE:5/0']);
      assert.match((kept.history[0]!.outcome as { why?: string }).why ?? '', /refused the order's delivery: receiver answered HTTP 422/);
    } finally {
      await close();
      await receiver.close();
    }
  });
});
