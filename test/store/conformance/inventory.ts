import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { InventoryStore, LedgerStore, NewPositionResult, PipelineStore, Store } from '../../../src/store/index.ts';
import { msg, type OpenStore } from './fixtures.ts';

type S = InventoryStore & PipelineStore & Pick<LedgerStore, 'writeRules'>;

/** Stores one message with one stock document and, optionally, a delivery of it to `to`. */
async function stockDocument(store: S, key: string, body: Record<string, unknown>, occurredAt: number, to?: string, tenant = 'acme', endpoint = 'wms'): Promise<number> {
  const [{ messageId }] = await store.acceptMessages([msg({ tenant, endpoint, idempotencyKey: key, contentHash: key })]);
  const documentId = `${messageId}-1-0`;
  await store.completeMessages([{
    messageId, status: 'processed',
    documents: [{ id: documentId, tenant, messageId, type: body.type as string, entityKey: `stock:${body.facility}`, occurredAt, receivedAt: occurredAt, body }],
    deliveries: to ? [{
      tenant, documentId, documentType: body.type as string, messageId, flow: 'stock', endpoint: to, entityKey: `stock:${key}`, payload: Buffer.from('{}'),
      contentType: 'application/json', idempotencyKey: `idem-${key}`, occurredAt, receivedAt: occurredAt, maxAttempts: 3,
    }] : [],
  }], occurredAt);
  return messageId;
}

const result = (over: Partial<NewPositionResult> = {}): NewPositionResult => ({
  facility: 'DC1', sku: 'A', lot: '', uom: 'EA', status: 'match', difference: '0', correctedDifference: '0', detail: { explanation: '' }, ...over,
});

const run = (results: NewPositionResult[], over: Record<string, unknown> = {}) => ({
  tenant: 'acme', at: 5000, facility: null, trigger: 'api', startedAt: 5000, finishedAt: 5001,
  counts: { match: 1 }, accuracy: { overall: { compared: 1, agreeing: 1, rate: 1 } }, snapshots: {}, results, ...over,
});

/** The inventory facet: stock documents with their deliveries, runs with results, one decision per variance, published availability. */
export function inventoryConformance(open: OpenStore<S>): void {
  describe('inventory', () => {
    let store: S & Pick<Store, 'close'>;
    beforeEach(async () => { store = await open(); });
    afterEach(async () => { await store.close(); });

    it('reads stock documents of a window with their deliveries, older undelivered movements too, of one tenant and facility', async () => {
      await stockDocument(store, 'snap-old', { type: 'inventory_snapshot', facility: 'DC1', asOf: 'x', positions: [] }, 100);
      await stockDocument(store, 'snap', { type: 'inventory_snapshot', facility: 'DC1', asOf: 'x', positions: [] }, 1000);
      const stuck = await stockDocument(store, 'ship-old', { type: 'shipment', facility: 'DC1' }, 200, 'erp');
      const done = await stockDocument(store, 'ship-done-old', { type: 'shipment', facility: 'DC1' }, 300, 'erp');
      await stockDocument(store, 'adj', { type: 'inventory_adjustment', facility: 'DC1' }, 1500, 'erp');
      await stockDocument(store, 'other-facility', { type: 'inventory_adjustment', facility: 'DC2' }, 1500, 'erp');
      await stockDocument(store, 'later', { type: 'receipt', facility: 'DC1' }, 9000, 'erp');
      await stockDocument(store, 'order', { type: 'sales_order', facility: 'DC1' }, 1500, 'wms');
      await stockDocument(store, 'other-tenant', { type: 'shipment', facility: 'DC1' }, 1500, 'erp', 'other');
      const claimed = await store.claimDueDeliveries('w', 10, 1000, 5000);
      const doneDelivery = claimed.find((d) => d.messageId === done)!;
      await store.recordAttempts([{ deliveryId: doneDelivery.id, tenant: 'acme', startedAt: 5000, finishedAt: 5000, outcome: 'delivered' }], 5000);
      await store.releaseDeliveries('w', claimed.filter((d) => d !== doneDelivery).map((d) => d.id));

      const rows = await store.stockDocuments('acme', { since: 1000, until: 2000, facility: 'DC1' });
      assert.deepEqual(rows.map((r) => r.type), ['shipment', 'inventory_snapshot', 'inventory_adjustment']);
      assert.equal(rows[0]!.messageId, stuck);
      assert.equal(rows[0]!.endpoint, 'wms');
      assert.deepEqual(rows[0]!.deliveries, [{ endpoint: 'erp', status: 'pending', deliveredAt: null }]);
      assert.deepEqual(rows[1]!.deliveries, []);
      assert.deepEqual(rows[1]!.body, { type: 'inventory_snapshot', facility: 'DC1', asOf: 'x', positions: [] });
      assert.equal((await store.stockDocuments('acme', { since: 1000, until: 2000 })).length, 4);
      assert.equal((await store.stockDocuments('other', { since: 0, until: 2000 })).length, 1);
      // Delivered long ago, it is outside the window; once back to pending (a replay of a dead one) it would be read.
      assert.ok(!(await store.stockDocuments('acme', { since: 1000, until: 2000 })).some((r) => r.messageId === done));
    });

    it('reads each stock document with the rules\' latest verdict on it: a hold, a hold released later, a refusal, none', async () => {
      const verdict = (messageId: number, documentId: string, v: 'apply' | 'hold' | 'refuse', rule: string, createdAt: number) => ({
        tenant: 'acme', entityKey: 'order:SO-1', documentId, documentType: 'shipment', messageId, verdict: v, rule, reason: `${rule} reason`, createdAt,
      });
      const [{ messageId: m }] = await store.acceptMessages([msg({ idempotencyKey: 'two-shipments', contentHash: 'two-shipments' })]);
      const doc = (i: number) => ({ id: `${m}-1-${i}`, tenant: 'acme', messageId: m, type: 'shipment', entityKey: 'order:SO-1', occurredAt: 1500, receivedAt: 1500, body: { type: 'shipment', facility: 'DC1', i } });
      await store.completeMessages([{
        messageId: m, status: 'processed', documents: [doc(0), doc(1), doc(2)], deliveries: [],
        rules: { verdicts: [verdict(m, `${m}-1-0`, 'hold', 'ORDER_NOT_SEEN', 1600), verdict(m, `${m}-1-1`, 'hold', 'ORDER_ON_HOLD', 1600)] },
      }], 1600);
      // The order came: the second is released and applied; the first waits on.
      await store.writeRules({ verdicts: [verdict(m, `${m}-1-1`, 'apply', 'SHIPMENT_APPLIED', 1700)] }, 1700);
      const plain = await stockDocument(store, 'plain', { type: 'shipment', facility: 'DC1' }, 1500, 'erp');
      const refused = await stockDocument(store, 'refused', { type: 'receipt', facility: 'DC1' }, 1500);
      await store.writeRules({ verdicts: [verdict(refused, `${refused}-1-0`, 'refuse', 'HOLD_EXPIRED', 1800)] }, 1800);
      await stockDocument(store, 'snap', { type: 'inventory_snapshot', facility: 'DC1', asOf: 'x', positions: [] }, 1500);
      // Another tenant's verdict on a document of the same id is not this tenant's.
      await store.writeRules({ verdicts: [{ ...verdict(plain, `${plain}-1-0`, 'refuse', 'ELSEWHERE', 1900), tenant: 'other' }] }, 1900);

      const rows = await store.stockDocuments('acme', { since: 1000, until: 2000 });
      const by = new Map(rows.map((r) => [r.documentId, r.verdict]));
      assert.deepEqual(by.get(`${m}-1-0`), { verdict: 'hold', rule: 'ORDER_NOT_SEEN', reason: 'ORDER_NOT_SEEN reason' });
      assert.deepEqual(by.get(`${m}-1-1`), { verdict: 'apply', rule: 'SHIPMENT_APPLIED', reason: 'SHIPMENT_APPLIED reason' });
      assert.equal(by.get(`${m}-1-2`), null);
      assert.equal(by.get(`${plain}-1-0`), null);
      assert.deepEqual(by.get(`${refused}-1-0`), { verdict: 'refuse', rule: 'HOLD_EXPIRED', reason: 'HOLD_EXPIRED reason' });
      assert.equal(rows.find((r) => r.type === 'inventory_snapshot')!.verdict, null);
    });

    it('gives the newest document of a type per entity key and endpoint', async () => {
      await stockDocument(store, 'a1', { type: 'item', facility: '-', v: 1 }, 100, undefined, 'acme', 'erp');
      await stockDocument(store, 'a2', { type: 'item', facility: '-', v: 2 }, 200, undefined, 'acme', 'erp');
      await stockDocument(store, 'a3', { type: 'item', facility: '-', v: 3 }, 150, undefined, 'acme', 'wms');
      await stockDocument(store, 'a4', { type: 'item', facility: '-', v: 4 }, 150, undefined, 'other', 'wms');
      const rows = await store.latestDocumentsOfType('acme', 'item');
      assert.deepEqual(rows.map((r) => [r.endpoint, (r.body as { v: number }).v]), [['erp', 2], ['wms', 3]]);
    });

    it('reads only the current generation of a replayed message', async () => {
      const id = await stockDocument(store, 'snap', { type: 'inventory_snapshot', facility: 'DC1', asOf: 'x', positions: [] }, 1000);
      await store.requeueMessages('acme', [id], 2000);
      assert.deepEqual(await store.stockDocuments('acme', { since: 0, until: 5000 }), []);
      await store.completeMessages([{ messageId: id, status: 'processed', documents: [{ id: `${id}-2-0`, tenant: 'acme', messageId: id, type: 'inventory_snapshot', entityKey: 'stock:DC1', occurredAt: 1000, receivedAt: 1000, body: { facility: 'DC1', v: 2 } }], deliveries: [] }], 3000);
      assert.deepEqual((await store.stockDocuments('acme', { since: 0, until: 5000 })).map((r) => r.body), [{ facility: 'DC1', v: 2 }]);
    });

    it('stores a run with its results in order, lists runs newest first and pages results, per tenant', async () => {
      const first = await store.saveReconciliation(run([result({ sku: 'A' }), result({ sku: 'B', status: 'variance', difference: '-3', correctedDifference: '-3', detail: { documents: [] } })]));
      const second = await store.saveReconciliation(run([result()], { facility: 'DC1', trigger: 'schedule' }));
      await store.saveReconciliation(run([result()], { tenant: 'other' }));
      assert.deepEqual((await store.listReconciliations('acme')).map((r) => r.id), [second.id, first.id]);
      assert.deepEqual((await store.listReconciliations('acme', { facility: 'DC1' })).map((r) => r.id), [second.id]);
      assert.deepEqual((await store.listReconciliations('acme', { wholeRuns: true })).map((r) => r.id), [first.id]);
      assert.deepEqual((await store.getReconciliation('acme', first.id))!.accuracy, { overall: { compared: 1, agreeing: 1, rate: 1 } });
      assert.equal(await store.getReconciliation('other', first.id), undefined);
      const results = await store.listReconciliationResults('acme', first.id);
      assert.deepEqual(results.map((r) => [r.position, r.sku, r.status, r.correctedDifference]), [[1, 'A', 'match', '0'], [2, 'B', 'variance', '-3']]);
      assert.deepEqual(results[1]!.detail, { documents: [] });
      assert.deepEqual((await store.listReconciliationResults('acme', first.id, { status: 'variance' })).map((r) => r.position), [2]);
      assert.deepEqual((await store.listReconciliationResults('acme', first.id, { after: 1, limit: 5 })).map((r) => r.position), [2]);
      assert.deepEqual(await store.listReconciliationResults('other', first.id), []);
    });

    it('stores many results of one run', async () => {
      const many = Array.from({ length: 12_345 }, (_, i) => result({ sku: `S${i}` }));
      const saved = await store.saveReconciliation(run(many));
      const last = await store.listReconciliationResults('acme', saved.id, { after: 12_340 });
      assert.deepEqual(last.map((r) => r.sku), ['S12340', 'S12341', 'S12342', 'S12343', 'S12344']);
    });

    it('keeps the first decision on a variance, whoever decides again, and only on variances of the tenant\'s run', async () => {
      const saved = await store.saveReconciliation(run([result(), result({ sku: 'B', status: 'variance', difference: '-3', correctedDifference: '-3' })]));
      const d = { tenant: 'acme', runId: saved.id, action: 'approved' as const, decidedBy: 'ops@acme', decidedAt: 6000 };
      const [approved] = await store.decideVariances([{ ...d, position: 2, note: 'counted twice' }]);
      assert.deepEqual({ ...approved, id: 0 }, { id: 0, tenant: 'acme', runId: saved.id, position: 2, facility: 'DC1', sku: 'B', lot: '', uom: 'EA', quantity: '-3', action: 'approved', decidedBy: 'ops@acme', decidedAt: 6000, note: 'counted twice' });
      const again = await store.decideVariances([{ ...d, position: 2, action: 'rejected', decidedBy: 'someone-else', decidedAt: 7000 }, { ...d, position: 1 }, { ...d, position: 99 }]);
      assert.deepEqual(again.map((x) => [x.position, x.action, x.decidedBy]), [[2, 'approved', 'ops@acme']]);
      assert.deepEqual(await store.decideVariances([{ ...d, tenant: 'other', position: 2 }]), []);
      assert.deepEqual((await store.listVarianceDecisions('acme')).map((x) => x.position), [2]);
      assert.deepEqual((await store.listVarianceDecisions('acme', { runId: saved.id + 1 })), []);
      assert.deepEqual(await store.listVarianceDecisions('other'), []);
    });

    it('drops pending availability deliveries a newer value supersedes, not those a worker holds, nor other keys or types', async () => {
      const availability = async (key: string, entityKey: string, type = 'inventory_availability', tenant = 'acme') => {
        const [{ messageId }] = await store.acceptMessages([msg({ tenant, endpoint: 'inventory', idempotencyKey: key, contentHash: key })]);
        await store.completeMessages([{ messageId, status: 'processed', documents: [], deliveries: [{
          tenant, documentId: `${messageId}-1-0`, documentType: type, messageId, flow: 'atp', endpoint: 'shop', entityKey, payload: Buffer.from('{}'),
          contentType: 'application/json', idempotencyKey: `i-${key}`, occurredAt: 1, receivedAt: 1, maxAttempts: 3,
        }] }], 1);
      };
      await availability('a1', 'availability:DC1:A');
      await availability('b1', 'availability:DC1:B');
      await availability('held', 'availability:DC1:C');
      await availability('other-type', 'availability:DC1:A', 'inventory_snapshot');
      await availability('other-tenant', 'availability:DC1:A', 'inventory_availability', 'other');
      const held = (await store.claimDueDeliveries('w', 10, 60_000, 1000)).find((d) => d.entityKey === 'availability:DC1:C' && d.tenant === 'acme')!;
      await store.releaseDeliveries('w', (await store.listDeliveries({ tenant: 'acme', status: 'pending' })).map((d) => d.id).filter((id) => id !== held.id));
      await store.recordAttempts([{ deliveryId: (await store.listDeliveries({ tenant: 'acme', entityKey: 'availability:DC1:B' }))[0]!.id, tenant: 'acme', startedAt: 1, finishedAt: 1, outcome: 'retryable', retryAt: 2 }], 1);
      assert.equal(await store.dropSupersededAvailability('acme', ['availability:DC1:A', 'availability:DC1:B', 'availability:DC1:C'], 2000), 2);
      const left = await store.listDeliveries({ tenant: 'acme' });
      assert.deepEqual(left.map((d) => [d.documentType, d.entityKey]).sort(), [['inventory_availability', 'availability:DC1:C'], ['inventory_snapshot', 'availability:DC1:A']]);
      assert.equal((await store.listDeliveries({ tenant: 'other' })).length, 1);
    });

    it('remembers the availability last published per facility and SKU', async () => {
      await store.recordPublishedAvailability('acme', [{ facility: 'DC1', sku: 'A', available: '5', publishedAt: 1 }, { facility: 'DC1', sku: 'B', available: '0', publishedAt: 1 }]);
      await store.recordPublishedAvailability('acme', [{ facility: 'DC1', sku: 'A', available: '4', publishedAt: 2 }]);
      const rows = (await store.listPublishedAvailability('acme')).sort((a, b) => (a.sku < b.sku ? -1 : 1));
      assert.deepEqual(rows, [{ facility: 'DC1', sku: 'A', available: '4', publishedAt: 2 }, { facility: 'DC1', sku: 'B', available: '0', publishedAt: 1 }]);
      assert.deepEqual(await store.listPublishedAvailability('other'), []);
    });
  });
}
