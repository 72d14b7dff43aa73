// Routing and the rules together: the stock routing reserves for an order stands only when the rules
// let the order go out. A held order holds nothing; a held or refused change of an order already out
// leaves that order's decision and reservation as they were; the remainder a warehouse shipped short
// goes to the next site. On SQLite and PostgreSQL, committed with the message's outcome.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { contentHash, Hub } from '../../src/engine/index.ts';
import type { RoutingDecision } from '../../src/routing/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { salesOrder } from '../support/documents.ts';
import { openTestPostgresStore, postgresUnavailable } from '../support/postgres.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const CONFIG = (policy: string, onChange = 'keep') => `
defaultTenant: acme
endpoints:
  wms-chi: { type: webhook, url: http://127.0.0.1:9/chi }
  wms-dal: { type: webhook, url: http://127.0.0.1:9/dal }
flows:
  - { name: orders-to-chi, types: [sales_order], facilities: [CHI], to: wms-chi }
  - { name: orders-to-dal, types: [sales_order], facilities: [DAL], to: wms-dal }
routing:
  facilities:
    CHI: { endpoint: wms-chi, coordinates: { lat: 41.88, lon: -87.63 }, serviceArea: { countries: [US] } }
    DAL: { endpoint: wms-dal, coordinates: { lat: 32.78, lon: -96.8 }, serviceArea: { countries: [US] } }
  policy: ${policy}
  onChange: ${onChange}
`;

const NEW_YORK = { name: 'Midtown', lines: ['1 Main St'], city: 'New York', region: 'NY', postalCode: '10001', country: 'US' };
const order = (orderNumber: string, quantity: string, over: Record<string, unknown> = {}) =>
  salesOrder(orderNumber, 1, { facility: 'auto', shipTo: NEW_YORK, lines: [{ lineNumber: 1, sku: 'TEA', quantity, uom: 'EA' }], ...over });

/** The message a dead worker held, once its lease has lapsed. */
async function waitForClaim(store: Store) {
  for (;;) {
    const claimed = await store.claimPendingMessages('w2', 10, 60_000, Date.now());
    if (claimed.length) return claimed;
    await new Promise((r) => setTimeout(r, 5));
  }
}

const pgSkip = await postgresUnavailable();
for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`routing reservations follow the rules' verdicts (${dialect})`, { skip: dialect === 'postgres' ? pgSkip : undefined }, () => {
    async function open(policy = 'complete', stock: Record<string, string> = { CHI: '10', DAL: '10' }, onChange = 'keep') {
      const dir = mkdtempSync(join(tmpdir(), 'causeway-routing-verdicts-'));
      dirs.push(dir);
      const store: Store = dialect === 'postgres' ? await openTestPostgresStore() : await openStore(`sqlite:${join(dir, 'hub.db')}`);
      const hub = await Hub.start(parseConfig(CONFIG(policy, onChange), dir), { store, logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
      let key = 0;
      const send = async (doc: unknown) => {
        const body = Buffer.from(JSON.stringify(doc));
        const [a] = await store.acceptMessages([{ tenant: 'acme', endpoint: 'api', codec: 'json', body, contentHash: contentHash(body), idempotencyKey: `k-${++key}`, receivedAt: Date.now() }]);
        const claimed = await store.claimPendingMessages('test', 100, 60_000, Date.now());
        await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
        return a!.messageId;
      };
      const asOf = new Date(Date.now() - 60_000).toISOString();
      for (const [facility, onHand] of Object.entries(stock)) {
        await send({ type: 'inventory_snapshot', facility, asOf, occurredAt: asOf, positions: [{ sku: 'TEA', onHand, uom: 'EA' }] });
      }
      const verdictsOf = async (messageId: number) => (await store.lineage('acme', messageId))!.verdicts.map((v) => `${v.verdict} ${v.rule}`);
      const reserved = async () => (await store.reservations('acme')).map((r) => `${r.facility} ${r.sku} ${r.quantity}`);
      const deliveriesOf = async (orderNumber: string) => (await store.listDeliveries({ tenant: 'acme', entityKey: `order:${orderNumber}` })).reverse().map((d) => `${d.documentType}->${d.endpoint}`);
      /** Stores an order as received, for a test to claim and process as it wants. */
      const receive = async (doc: unknown) => {
        const body = Buffer.from(JSON.stringify(doc));
        const [a] = await store.acceptMessages([{ tenant: 'acme', endpoint: 'api', codec: 'json', body, contentHash: contentHash(body), idempotencyKey: `k-${++key}`, receivedAt: Date.now() }]);
        return a!.messageId;
      };
      /** Another worker on the same store, with its own router. */
      const worker = () => Hub.start(parseConfig(CONFIG(policy, onChange), dir), { store, workerId: 'other', logger: pino({ level: 'silent' }), sources: false, processor: false, delivery: false });
      return { store, hub, send, receive, worker, verdictsOf, reserved, deliveriesOf, close: async () => { await hub.stop(); await store.close(); } };
    }

    it('a held order gives back the stock its routing took, so the next order gets it', async () => {
      const { store, send, verdictsOf, reserved, close } = await open('complete', { CHI: '10' });
      try {
        // No city: the rules hold the order for its address; it is not sent, and holds nothing.
        const held = await send(order('SO-HELD', '6', { shipTo: { ...NEW_YORK, city: '' } }));
        assert.deepEqual(await verdictsOf(held), ['hold ORDER_ADDRESS_INVALID']);
        assert.deepEqual(await reserved(), []);
        assert.equal((await store.getRouting('acme', 'order:SO-HELD'))!.facility, 'CHI', 'the decision is kept for when it is released');
        const next = await send(order('SO-NEXT', '6'));
        assert.deepEqual(await verdictsOf(next), ['apply ORDER_ACCEPTED']);
        assert.equal((await store.getRouting('acme', 'order:SO-NEXT'))!.status, 'routed', 'all 10 were free for it');
        assert.deepEqual(await reserved(), ['CHI TEA 6']);
      } finally {
        await close();
      }
    });

    it('a change of an order already out that the rules hold leaves that order with its decision and reservation', async () => {
      // Routed afresh (onChange: reroute), the change goes to Dallas; the rules hold it for its address.
      const { store, send, verdictsOf, reserved, deliveriesOf, close } = await open('complete', { CHI: '5', DAL: '10' }, 'reroute');
      try {
        const first = await send(order('SO-CHANGE', '4'));
        assert.deepEqual(await verdictsOf(first), ['apply ORDER_ACCEPTED']);
        assert.deepEqual(await reserved(), ['CHI TEA 4']);
        const decidedAt = (await store.getRouting('acme', 'order:SO-CHANGE'))!.decidedAt;
        const [delivery] = await store.claimDueDeliveries('w', 10, 60_000, Date.now());
        await store.recordAttempts([{ deliveryId: delivery!.id, tenant: 'acme', startedAt: Date.now(), finishedAt: Date.now(), outcome: 'delivered' }], Date.now());
        // A new version with a broken address: the rules hold it.
        // Six: more than Chicago has (its own four count as free for it), so routed afresh it goes to Dallas.
        const change = await send(order('SO-CHANGE', '6', { occurredAt: '2026-11-22T10:00:00+01:00', shipTo: { ...NEW_YORK, city: '' } }));
        assert.deepEqual(await verdictsOf(change), ['hold ORDER_ADDRESS_INVALID']);
        assert.deepEqual(await deliveriesOf('SO-CHANGE'), ['sales_order->wms-chi'], 'nothing more went out');
        assert.deepEqual(await reserved(), ['CHI TEA 4'], 'Chicago has the order and holds its stock');
        const stored = (await store.getRouting('acme', 'order:SO-CHANGE'))!;
        assert.equal(stored.facility, 'CHI');
        assert.equal(stored.decidedAt, decidedAt);
      } finally {
        await close();
      }
    });

    it('a new version of an order already sent stays at its site, what the site lacks backordered there', async () => {
      const { store, send, reserved, deliveriesOf, close } = await open('complete', { CHI: '5', DAL: '10' });
      try {
        await send(order('SO-KEEP', '4'));
        assert.deepEqual(await reserved(), ['CHI TEA 4']);
        // Six now: Chicago has five (its own four among them), Dallas ten. Routed afresh it would go to Dallas, a second warehouse.
        await send(order('SO-KEEP', '6', { occurredAt: '2026-11-22T10:00:00+01:00' }));
        assert.deepEqual(await deliveriesOf('SO-KEEP'), ['sales_order->wms-chi', 'sales_order->wms-chi']);
        const decision = (await store.getRouting('acme', 'order:SO-KEEP'))!.decision as RoutingDecision;
        assert.equal(decision.status, 'backordered');
        assert.deepEqual(decision.assignments.map((a) => [a.facility, a.lines.map((l) => `${l.quantity}/${l.backordered}`)]), [['CHI', ['6/1']]]);
        assert.match(decision.reason, /^kept at CHI: a new version of an order already sent there/);
        assert.deepEqual(await reserved(), ['CHI TEA 5']);
      } finally {
        await close();
      }
    });

    it('a new version of an order that a site rejected goes to the site it was routed to after', async () => {
      const { store, send, deliveriesOf, close } = await open('complete', { CHI: '10', DAL: '10' });
      try {
        await send(order('SO-REJ', '4'));
        await send({ type: 'acknowledgment', status: 'rejected', occurredAt: new Date().toISOString(), acknowledges: { documentType: 'sales_order', reference: 'SO-REJ' }, errors: [{ code: 'NO_STOCK', message: 'cannot pick' }] });
        assert.deepEqual(await deliveriesOf('SO-REJ'), ['sales_order->wms-chi', 'sales_order->wms-dal']);
        await send(order('SO-REJ', '3', { occurredAt: '2026-11-22T10:00:00+01:00' }));
        assert.deepEqual(await deliveriesOf('SO-REJ'), ['sales_order->wms-chi', 'sales_order->wms-dal', 'sales_order->wms-dal']);
        assert.equal((await store.getRouting('acme', 'order:SO-REJ'))!.facility, 'DAL');
      } finally {
        await close();
      }
    });

    it('holds nothing for an order whose outcome was never committed (a crash), and decides it afresh when it is processed again', async () => {
      const { store, hub, receive, verdictsOf, reserved, close } = await open('complete', { CHI: '10' });
      try {
        const held = await receive(order('SO-CRASH', '6', { shipTo: { ...NEW_YORK, city: '' } }));
        const claimed = await store.claimPendingMessages('w1', 10, 1, Date.now());
        await hub.processor.processBatch(claimed);
        // The worker dies before its commit: routing wrote nothing of its own.
        assert.deepEqual(await reserved(), []);
        assert.equal(await store.getRouting('acme', 'order:SO-CRASH'), undefined);
        const again = await waitForClaim(store);
        await hub.processor.commitOutcomes(again, await hub.processor.processBatch(again));
        assert.deepEqual(await verdictsOf(held), ['hold ORDER_ADDRESS_INVALID']);
        assert.deepEqual(await reserved(), [], 'held as a first version: it holds nothing');
      } finally {
        await close();
      }
    });

    it('two workers routing the last units at once: the second to commit is routed again on what the first took', async () => {
      const { store, hub, receive, worker, reserved, deliveriesOf, close } = await open('complete', { CHI: '10', DAL: '10' });
      const other = await worker();
      try {
        await receive(order('SO-A', '6'));
        await receive(order('SO-B', '6'));
        const [a] = await store.claimPendingMessages('w1', 1, 60_000, Date.now());
        const [b] = await store.claimPendingMessages('w2', 1, 60_000, Date.now());
        // Both read Chicago's ten before either commits, and both pick it.
        const decidedA = await hub.processor.processBatch([a!]);
        const decidedB = await other.processor.processBatch([b!]);
        await hub.processor.commitOutcomes([a!], decidedA);
        await other.processor.commitOutcomes([b!], decidedB);
        assert.deepEqual(await deliveriesOf('SO-A'), ['sales_order->wms-chi']);
        assert.deepEqual(await deliveriesOf('SO-B'), ['sales_order->wms-dal'], 'Chicago has four left: SO-B goes to Dallas');
        assert.deepEqual(await reserved(), ['CHI TEA 6', 'DAL TEA 6']);
        // In one batch, the second order counts the first's stock before anything is committed.
        await receive(order('SO-C', '3'));
        await receive(order('SO-D', '3'));
        const both = await store.claimPendingMessages('w1', 10, 60_000, Date.now());
        await hub.processor.commitOutcomes(both, await hub.processor.processBatch(both));
        assert.deepEqual(await deliveriesOf('SO-C'), ['sales_order->wms-chi']);
        assert.deepEqual(await deliveriesOf('SO-D'), ['sales_order->wms-dal']);
      } finally {
        await other.stop();
        await close();
      }
    });

    it('the remainder of a short shipment goes to the next site, not refused as a change below what shipped', async () => {
      const { store, send, verdictsOf, reserved, deliveriesOf, close } = await open('backorder', { CHI: '10', DAL: '10' });
      try {
        await send(order('SO-REST', '5'));
        assert.deepEqual(await deliveriesOf('SO-REST'), ['sales_order->wms-chi']);
        const shippedAt = new Date().toISOString();
        const ship = await send({
          type: 'shipment', shipmentNumber: 'SH-REST-1', orderNumber: 'SO-REST', facility: 'CHI', shippedAt, occurredAt: shippedAt, complete: true,
          lines: [{ lineNumber: 1, sku: 'TEA', quantity: '3', uom: 'EA' }],
        });
        const verdicts = await verdictsOf(ship);
        assert.equal(verdicts[0], 'apply SHIPMENT_APPLIED');
        assert.ok(!verdicts.some((v) => v.startsWith('refuse')), verdicts.join('; '));
        assert.deepEqual(await deliveriesOf('SO-REST'), ['sales_order->wms-chi', 'sales_order->wms-dal'], 'the 2 left go to Dallas');
        const rest = (await store.lineage('acme', ship))!.documents.find((d) => d.type === 'sales_order')!.body as { facility: string; lines: Array<{ quantity: string }>; extensions: { routing: RoutingDecision } };
        assert.equal(rest.facility, 'DAL');
        assert.deepEqual(rest.lines.map((l) => l.quantity), ['2']);
        assert.deepEqual(await reserved(), ['DAL TEA 2']);
        // The order still asks for 5; Dallas ships the 2 left, and it is shipped in full.
        const lastAt = new Date().toISOString();
        const last = await send({
          type: 'shipment', shipmentNumber: 'SH-REST-2', orderNumber: 'SO-REST', facility: 'DAL', shippedAt: lastAt, occurredAt: lastAt, complete: true,
          lines: [{ lineNumber: 1, sku: 'TEA', quantity: '2', uom: 'EA' }],
        });
        assert.deepEqual(await verdictsOf(last), ['apply SHIPMENT_APPLIED']);
        const [row] = await store.getLedgers('acme', ['order:SO-REST']);
        assert.equal(row!.status, 'shipped');
        assert.deepEqual((row!.body as { lines: Array<{ ordered: string }> }).lines.map((l) => l.ordered), ['5']);
        assert.deepEqual(await reserved(), []);
      } finally {
        await close();
      }
    });
  });
}
