import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { BillingStore, LedgerStore, NewUsageEvent, PipelineStore, Store } from '../../../src/store/index.ts';
import { msg, type OpenStore } from './fixtures.ts';

type Facets = BillingStore & PipelineStore & LedgerStore;

const event = (over: Partial<NewUsageEvent> = {}): NewUsageEvent => ({
  tenant: 'acme', key: 'shipment:SH-1', kind: 'order', quantity: '1', facility: 'DC1', occurredAt: 1000, documentId: 'd1', messageId: 1, ...over,
});

/** Billing: applied documents for the usage sweep, usage recorded once ever, and periods closed once. */
export function billingConformance(open: OpenStore<Facets>): void {
  describe('billing', () => {
    let store: Facets & Pick<Store, 'close'>;
    beforeEach(async () => { store = await open(); });
    afterEach(async () => { await store.close(); });

    /** A processed message with one document of `type`, and optionally the rules' verdict on it. */
    const applied = async (key: string, type: string, over: { tenant?: string; verdict?: 'apply' | 'hold' | 'refuse' } = {}) => {
      const tenant = over.tenant ?? 'acme';
      const [a] = await store.acceptMessages([msg({ idempotencyKey: key, tenant })]);
      const messageId = a!.messageId;
      const documentId = `doc-${key}`;
      await store.completeMessages([{
        messageId, status: 'processed', deliveries: [],
        documents: [{ id: documentId, tenant, messageId, type, entityKey: `order:${key}`, occurredAt: 900, receivedAt: 1000, body: { type, key } }],
        ...(over.verdict ? { rules: { verdicts: [{ tenant, entityKey: `order:${key}`, documentId, documentType: type, messageId, verdict: over.verdict, rule: 'R', reason: 'r', createdAt: 1500 }] } } : {}),
      }], 2000);
      return { messageId, documentId };
    };

    it('lists the documents of billable types the hub applied, of one tenant, after the cursor', async () => {
      const a = await applied('a', 'shipment');
      await applied('b', 'sales_order');
      const c = await applied('c', 'receipt', { verdict: 'apply' });
      await applied('d', 'shipment', { verdict: 'hold' });
      await applied('e', 'shipment', { verdict: 'refuse' });
      await applied('f', 'shipment', { tenant: 'globex' });
      const [pending] = await store.acceptMessages([msg({ idempotencyKey: 'g' })]);
      assert.ok(pending);
      const first = await store.appliedDocuments('acme', ['shipment', 'receipt'], null, 100);
      assert.deepEqual([...new Set(first.documents.map((d) => d.documentId))].sort(), [a.documentId, c.documentId],
        'held and refused documents, other types, pending messages and another tenant\'s are not listed');
      assert.deepEqual(first.documents.find((d) => d.documentId === a.documentId)?.body, { type: 'shipment', key: 'a' });
      assert.equal(first.documents.find((d) => d.documentId === a.documentId)?.messageId, a.messageId);
      const again = await store.appliedDocuments('acme', ['shipment', 'receipt'], first.next, 100);
      assert.deepEqual(again.next, first.next, 'nothing new: the cursor stays');
    });

    it('sees a held document once a later verdict applies it', async () => {
      const held = await applied('h', 'shipment', { verdict: 'hold' });
      const before = await store.appliedDocuments('acme', ['shipment'], null, 100);
      assert.deepEqual(before.documents, []);
      await store.writeRules({ verdicts: [{ tenant: 'acme', entityKey: 'order:h', documentId: held.documentId, documentType: 'shipment', messageId: held.messageId, verdict: 'apply', rule: 'RELEASED', reason: 'r', createdAt: 3000 }] }, 3000);
      const after = await store.appliedDocuments('acme', ['shipment'], before.next, 100);
      assert.deepEqual([...new Set(after.documents.map((d) => d.documentId))], [held.documentId]);
    });

    it('records each usage event once, however often it is offered, with the cursor', async () => {
      const events = [event(), event({ kind: 'order_unit', quantity: '12.5' }), event({ tenant: 'acme', key: 'receipt:R-1', kind: 'receipt' })];
      assert.equal(await store.recordUsage('acme', events, { document: 7, verdict: 3 }, 5000), 3);
      assert.equal(await store.recordUsage('acme', events, { document: 9, verdict: 3 }, 6000), 0, 'a replay records nothing');
      assert.equal(await store.recordUsage('acme', [event({ quantity: '99' })], null, 6000), 0, 'the first event of a key and kind stands');
      assert.deepEqual(await store.billingCursor('acme'), { document: 9, verdict: 3 });
      assert.equal(await store.billingCursor('globex'), null);
      await store.recordUsage('globex', [event({ tenant: 'globex' })], null, 5000);
      const rows = await store.listUsageEvents('acme');
      assert.equal(rows.length, 3);
      assert.deepEqual(rows.find((r) => r.kind === 'order_unit'), { ...events[1], id: rows.find((r) => r.kind === 'order_unit')!.id, recordedAt: 5000, invoicePeriod: null });
      assert.equal((await store.listUsageEvents('globex')).length, 1, 'the same key of another tenant is its own');
      await assert.rejects(store.recordUsage('acme', [event({ tenant: 'globex', key: 'x' })], null, 1), /tenant/);
    });

    it('records a day\'s storage once, with the day it counted through', async () => {
      assert.equal(await store.storageCountedThrough('acme'), null);
      const storage = event({ key: 'storage:DC1:2024-01-31', kind: 'storage_unit_day', quantity: '10.5', documentId: 'positions:DC1@2024-02-01T00:00:00.000Z', messageId: 0 });
      assert.equal(await store.recordStorage('acme', [storage], '2024-01-31', 50), 1);
      assert.equal(await store.recordStorage('acme', [storage], '2024-01-31', 60), 0);
      assert.equal(await store.recordStorage('acme', [], '2024-02-01', 70), 0);
      assert.equal(await store.storageCountedThrough('acme'), '2024-02-01');
      assert.equal(await store.storageCountedThrough('globex'), null);
      await store.recordUsage('acme', [event()], { document: 4, verdict: 2 }, 80);
      assert.deepEqual(await store.billingCursor('acme'), { document: 4, verdict: 2 }, 'the two cursors are kept apart');
      assert.equal(await store.storageCountedThrough('acme'), '2024-02-01');
    });

    it('sums unbilled usage exactly, and closes a period once: its lines never change', async () => {
      await store.recordUsage('acme', [
        event({ key: 'shipment:1', kind: 'order_unit', quantity: '0.1', occurredAt: 100 }),
        event({ key: 'shipment:2', kind: 'order_unit', quantity: '0.2', occurredAt: 200 }),
        event({ key: 'shipment:3', kind: 'order_unit', quantity: '5', occurredAt: 5000 }),
        event({ tenant: 'acme', key: 'shipment:1', kind: 'order', quantity: '1', occurredAt: 100 }),
      ], null, 10);
      await store.recordUsage('globex', [event({ tenant: 'globex', kind: 'order_unit', quantity: '7', occurredAt: 100 })], null, 10);
      assert.deepEqual(await store.unbilledUsage('acme', 1000), { order_unit: '0.3', order: '1' }, 'exact decimals, before the end only');
      const lines = [{ line: 1, kind: 'order', tier: 1, quantity: '1', unitPrice: '1.5', amount: '1.50' }, { line: 2, kind: 'order_unit', tier: 1, quantity: '0.3', unitPrice: '2', amount: '0.60' }];
      assert.equal(await store.closeBillingPeriod({ tenant: 'acme', period: '1970-01', currency: 'EUR', total: '2.10', closedAt: 20, lines, before: 1000 }), true);
      assert.equal(await store.closeBillingPeriod({ tenant: 'acme', period: '1970-01', currency: 'USD', total: '9.99', closedAt: 30, lines: [lines[0]!], before: 9000 }), false,
        'a closed period is not closed again');
      const closed = await store.billingPeriod('acme', '1970-01');
      assert.deepEqual(closed, { tenant: 'acme', period: '1970-01', currency: 'EUR', total: '2.10', closedAt: 20, lines });
      assert.equal(await store.billingPeriod('globex', '1970-01'), undefined);
      assert.deepEqual((await store.listUsageEvents('acme', { invoicePeriod: '1970-01', kind: 'order_unit' })).map((e) => e.key).sort(), ['shipment:1', 'shipment:2']);
      assert.deepEqual((await store.listUsageEvents('acme', { invoicePeriod: null })).map((e) => e.key), ['shipment:3'], 'usage after the end stays unbilled');
      assert.deepEqual(await store.unbilledUsage('acme', 1000), {}, 'billed usage is not billed again');
      // Usage of the closed month that arrives late is billed by the next close, never by the closed one.
      await store.recordUsage('acme', [event({ key: 'shipment:late', kind: 'order_unit', quantity: '4', occurredAt: 300 })], null, 40);
      assert.deepEqual(await store.unbilledUsage('acme', 9000), { order_unit: '9' });
      assert.deepEqual((await store.billingPeriod('acme', '1970-01'))!.lines, lines);
      assert.deepEqual(await store.unbilledUsage('globex', 1000), { order_unit: '7' }, 'another tenant\'s usage is untouched');
    });
  });
}
