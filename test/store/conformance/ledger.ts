import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LedgerConflict, type LedgerWrite, type LedgerStore, type MessageOutcome, type NewVerdict, type PipelineStore, type Store } from '../../../src/store/index.ts';
import { delivery, msg, settling, type OpenStore } from './fixtures.ts';

const ledgerWrite = (over: Partial<LedgerWrite> = {}): LedgerWrite => ({
  tenant: 'acme', entityKey: 'order:SO-1', kind: 'order', reference: 'SO-1', version: 1, expectedVersion: 0, status: 'open',
  facility: 'DC1', dueAt: null, body: { lines: [{ sku: 'TEA-1', ordered: '12' }] }, ...over,
});

const verdictOf = (messageId: number, over: Partial<NewVerdict> = {}): NewVerdict => ({
  tenant: 'acme', entityKey: 'order:SO-1', documentId: `doc-${messageId}`, documentType: 'sales_order', messageId, verdict: 'apply',
  rule: 'ORDER_ACCEPTED', reason: 'Order SO-1 goes to the warehouse.', createdAt: 1500, ...over,
});

/**
 * The ledger facet: version-checked ledger rows and verdicts, written with a message's outcome in
 * its transaction or on their own; withdrawing superseded deliveries; lists and the due sweep.
 */
export function ledgerConformance(open: OpenStore<LedgerStore & PipelineStore>): void {
  describe('ledger', () => {
    let store: LedgerStore & PipelineStore & Pick<Store, 'close'>;
    beforeEach(async () => { store = await open(); });
    afterEach(async () => { await store.close(); });
    const { processed } = settling(() => store);

    async function claimed(n = 1): Promise<number[]> {
      const ids = (await store.acceptMessages(Array.from({ length: n }, (_, i) => msg({ idempotencyKey: `m${i}` })))).map((a) => a.messageId);
      await store.claimPendingMessages('w', 10, 1000, 1000);
      return ids;
    }

    function outcome(messageId: number, rules: NonNullable<Extract<MessageOutcome, { status: 'processed' }>['rules']>): MessageOutcome {
      const d = delivery(messageId);
      return {
        messageId, status: 'processed', deliveries: [d], rules,
        documents: [{ id: d.documentId, tenant: 'acme', messageId, type: 'sales_order', entityKey: d.entityKey, occurredAt: 900, receivedAt: 1000, body: { n: messageId } }],
      };
    }

    it('writes a new ledger and moves it on only from the version it was decided on', async () => {
      await store.writeRules({ ledgers: [ledgerWrite()] }, 2000);
      const [row] = await store.getLedgers('acme', ['order:SO-1', 'order:none']);
      assert.deepEqual({ ...row, body: row!.body }, {
        tenant: 'acme', entityKey: 'order:SO-1', kind: 'order', reference: 'SO-1', version: 1, status: 'open', facility: 'DC1', dueAt: null,
        updatedAt: 2000, body: { lines: [{ sku: 'TEA-1', ordered: '12' }] },
      });
      await assert.rejects(store.writeRules({ ledgers: [ledgerWrite()] }, 2100), LedgerConflict, 'a second creation conflicts');
      await assert.rejects(store.writeRules({ ledgers: [ledgerWrite({ expectedVersion: 2, version: 3 })] }, 2100), LedgerConflict);
      await store.writeRules({ ledgers: [ledgerWrite({ expectedVersion: 1, version: 2, status: 'shipped', dueAt: 5000 })] }, 2200);
      const [moved] = await store.getLedgers('acme', ['order:SO-1']);
      assert.equal(moved!.version, 2);
      assert.equal(moved!.status, 'shipped');
      assert.equal(moved!.dueAt, 5000);
      assert.deepEqual(await store.getLedgers('other', ['order:SO-1']), [], 'another tenant sees nothing');
    });

    it('reads an order ledger back exactly as it was written, whatever its lines and lists hold', async () => {
      const body = {
        kind: 'order', version: 1, entityKey: 'order:SO-1', orderNumber: 'SO-1', known: true,
        lines: [
          { lineNumber: '1', sku: 'TEA-1', uom: 'EA', ordered: '12', shipped: '0', cancelled: '0' },
          { lineNumber: '2', sku: 'TEA-2', uom: 'CS', ordered: '5', shipped: '2', cancelled: '1' },
          { lineNumber: '3', sku: 'TEA-3', uom: 'EA', ordered: '1', shipped: '0', cancelled: '0', lot: 'L7', status: 'picked' },
          { lineNumber: '4', sku: 'TEA-4', uom: 'EA', ordered: '0', shipped: '3', cancelled: '0', unordered: true },
        ],
        send: { state: 'pending', documentId: 'd1', routedAt: '2026-01-02T00:00:00.000Z' },
        acknowledgments: [], statuses: [{ status: 'picked', source: 'warehouse', at: '2026-01-02T01:00:00.000Z', documentId: 'd2' }],
        progress: 0, shipments: [], cancels: [], returns: [], holds: [], parked: [], lastApplied: {},
      };
      await store.writeRules({ ledgers: [ledgerWrite({ body })] }, 2000);
      const [row] = await store.getLedgers('acme', ['order:SO-1']);
      assert.deepEqual(row!.body, body);
      const moved = { ...body, version: 2, progress: 3, holds: [{ by: 'operator', reason: 'credit', since: '2026-01-02T02:00:00.000Z' }] };
      await store.writeRules({ ledgers: [ledgerWrite({ expectedVersion: 1, version: 2, body: moved })] }, 2100);
      const [again] = await store.getLedgers('acme', ['order:SO-1']);
      assert.deepEqual(again!.body, moved);
    });

    it('commits ledgers and verdicts with the message outcome, and shows the verdicts in lineage', async () => {
      const [a] = await claimed();
      await store.completeMessages([outcome(a!, { ledgers: [ledgerWrite()], verdicts: [verdictOf(a!)] })], 2000);
      assert.equal((await store.getLedgers('acme', ['order:SO-1'])).length, 1);
      const lin = await store.lineage('acme', a!);
      assert.deepEqual(lin!.verdicts.map((v) => [v.documentId, v.verdict, v.rule, v.entityKey]), [[`doc-${a}`, 'apply', 'ORDER_ACCEPTED', 'order:SO-1']]);
      const byEntity = await store.listVerdicts('acme', { entityKey: 'order:SO-1' });
      assert.equal(byEntity.length, 1);
      assert.equal(byEntity[0]!.path, undefined);
      assert.deepEqual(await store.listVerdicts('other', { entityKey: 'order:SO-1' }), []);
    });

    it('refuses the whole commit when one ledger write is stale: nothing of it is written and the message stays pending', async () => {
      await store.writeRules({ ledgers: [ledgerWrite()] }, 1500);
      const [a, b] = await claimed(2);
      const good = outcome(a!, { ledgers: [ledgerWrite({ entityKey: 'order:SO-2', reference: 'SO-2' })], verdicts: [verdictOf(a!)] });
      const stale = outcome(b!, { ledgers: [ledgerWrite({ expectedVersion: 0 })], verdicts: [verdictOf(b!)] });
      const refused = await store.completeMessages([good, stale], 2000).then(() => undefined, (e: unknown) => e);
      assert.ok(refused instanceof LedgerConflict);
      assert.deepEqual(refused.messageIds, [b]);
      assert.deepEqual(await store.getLedgers('acme', ['order:SO-2']), [], 'the good half rolled back with it');
      assert.equal((await store.getMessage('acme', a!))!.status, 'pending');
      assert.equal((await store.listVerdicts('acme', { entityKey: 'order:SO-1' })).length, 0);
      await store.completeMessages([good], 2100);
      assert.equal((await store.getLedgers('acme', ['order:SO-2'])).length, 1);
    });

    it('withdraws pending deliveries a newer document supersedes, keeps the newer one, and counts them', async () => {
      const [a, b, c] = await claimed(3);
      const snap = (m: number, occurredAt: number) => delivery(m, { documentType: 'inventory_snapshot', entityKey: 'stock:DC1', documentId: `snap-${m}`, occurredAt });
      await processed(a!, [snap(a!, 100)]);
      await processed(b!, [snap(b!, 200), delivery(b!, { documentId: 'so', entityKey: 'stock:DC1', documentType: 'sales_order', endpoint: 'erp', idempotencyKey: 'other', occurredAt: 50 })]);
      await store.completeMessages([{
        messageId: c!, status: 'processed', documents: [], deliveries: [snap(c!, 300)],
        rules: { supersede: [{ tenant: 'acme', entityKey: 'stock:DC1', documentType: 'inventory_snapshot', occurredBefore: 300, keep: `snap-${c}`, required: false, reason: 'a newer snapshot supersedes it' }] },
      }], 3000);
      const all = await store.listDeliveries({ tenant: 'acme', entityKey: 'stock:DC1' });
      const byDoc = Object.fromEntries(all.map((d) => [d.documentId, d.status]));
      assert.deepEqual(byDoc, { [`snap-${a}`]: 'superseded', [`snap-${b}`]: 'superseded', [`snap-${c}`]: 'pending', so: 'pending' });
      assert.equal(all.find((d) => d.documentId === `snap-${a}`)!.lastError, 'a newer snapshot supersedes it');
      const claimedNow = await store.claimDueDeliveries('s', 10, 1000, 4000);
      assert.deepEqual(claimedNow.map((d) => d.documentId).sort(), [`snap-${c}`, 'so'].sort(), 'a superseded delivery is never sent');
      const k = await store.kpiSample('acme', 0, 5000);
      assert.equal(k.superseded, 2);
    });

    it('refuses a required withdrawal of a delivery already on its way, and takes one still waiting', async () => {
      const [a, b] = await claimed(2);
      await processed(a!, [delivery(a!, { documentId: 'so-1' })]);
      await store.claimDueDeliveries('sender', 10, 10_000, 3000);
      const withdraw = { tenant: 'acme', entityKey: 'order:1', documentType: 'sales_order', documentIds: ['so-1'], required: true, reason: 'cancelled before it was delivered' };
      const refused = await store.completeMessages([{ messageId: b!, status: 'processed', documents: [], deliveries: [], rules: { supersede: [withdraw] } }], 4000)
        .then(() => undefined, (e: unknown) => e);
      assert.ok(refused instanceof LedgerConflict);
      assert.equal((await store.listDeliveries({ tenant: 'acme' }))[0]!.status, 'pending');
      await store.releaseDeliveries('sender', (await store.listDeliveries({ tenant: 'acme' })).map((d) => d.id));
      await store.completeMessages([{ messageId: b!, status: 'processed', documents: [], deliveries: [], rules: { supersede: [withdraw] } }], 4000);
      assert.equal((await store.listDeliveries({ tenant: 'acme' }))[0]!.status, 'superseded');
    });

    it('lists ledgers by kind, status, facility and time, in key order, per tenant', async () => {
      await store.writeRules({
        ledgers: [
          ledgerWrite({ entityKey: 'order:A', reference: 'A', status: 'open' }),
          ledgerWrite({ entityKey: 'order:B', reference: 'B', status: 'held', facility: 'DC2' }),
          ledgerWrite({ entityKey: 'order:C', reference: 'C', status: 'shipped' }),
          ledgerWrite({ entityKey: 'inbound:P', reference: 'P', kind: 'inbound', status: 'expected' }),
          ledgerWrite({ tenant: 'other', entityKey: 'order:Z', reference: 'Z' }),
        ],
      }, 1000);
      await store.writeRules({ ledgers: [ledgerWrite({ entityKey: 'order:D', reference: 'D', status: 'open' })] }, 5000);
      const keys = async (f: Partial<Parameters<LedgerStore['listLedgers']>[0]>) =>
        (await store.listLedgers({ tenant: 'acme', kind: 'order', ...f })).map((l) => l.reference);
      assert.deepEqual(await keys({}), ['A', 'B', 'C', 'D']);
      assert.deepEqual(await keys({ status: ['open', 'held'] }), ['A', 'B', 'D']);
      assert.deepEqual(await keys({ facility: 'DC2' }), ['B']);
      assert.deepEqual(await keys({ from: 2000 }), ['D']);
      assert.deepEqual(await keys({ to: 2000 }), ['A', 'B', 'C']);
      assert.deepEqual(await keys({ after: 'order:B', limit: 1 }), ['C']);
      assert.deepEqual(await keys({ kind: 'inbound' }), ['P']);
    });

    it('hands the sweep the ledgers whose due time has come, of every tenant, oldest due first', async () => {
      await store.writeRules({
        ledgers: [
          ledgerWrite({ entityKey: 'order:A', dueAt: 3000 }),
          ledgerWrite({ entityKey: 'order:B', dueAt: 1000, tenant: 'other' }),
          ledgerWrite({ entityKey: 'order:C', dueAt: 9000 }),
          ledgerWrite({ entityKey: 'order:D', dueAt: null }),
        ],
      }, 500);
      assert.deepEqual((await store.listDueLedgers(5000, 10)).map((l) => `${l.tenant}/${l.entityKey}`), ['other/order:B', 'acme/order:A']);
    });

    it('dead-letters a message the rules refused later, and counts verdicts in the KPI sample', async () => {
      const [a] = await claimed();
      await processed(a!, []);
      await store.writeRules({
        verdicts: [verdictOf(a!, { verdict: 'hold', rule: 'ORDER_NOT_SEEN', createdAt: 2000 }), verdictOf(a!, { verdict: 'refuse', rule: 'HOLD_EXPIRED', path: '$', detail: { x: 1 }, createdAt: 3000 })],
        deadLetters: [{ tenant: 'acme', messageId: a!, reason: 'HOLD_EXPIRED: the order never came' }],
      }, 3000);
      const dl = await store.listDeadLetters('acme');
      assert.deepEqual(dl.map((d) => [d.kind, d.refId, d.reason]), [['message', a, 'HOLD_EXPIRED: the order never came']]);
      const k = await store.kpiSample('acme', 0, 5000);
      assert.deepEqual(k.verdicts, { apply: 0, hold: 1, refuse: 1, stale: 0 });
      assert.deepEqual((await store.kpiSample('other', 0, 5000)).verdicts, { apply: 0, hold: 0, refuse: 0, stale: 0 });
      const [, refused] = await store.listVerdicts('acme', { messageId: a! });
      assert.equal(refused!.path, '$');
      assert.deepEqual(refused!.detail, { x: 1 });
    });

    it('writes what a later refusal owes its partner with the refusal, and nothing of it when the ledger moved on', async () => {
      const [a] = await claimed();
      await processed(a!, []);
      await store.writeRules({ ledgers: [ledgerWrite()] }, 2000);
      const owed = (key: string) => delivery(a!, { documentId: 'held-1', documentType: 'acknowledgment', flow: 'edifact-aperak', idempotencyKey: key });
      const refusal = (expectedVersion: number, key: string) => ({
        ledgers: [ledgerWrite({ expectedVersion, version: expectedVersion + 1 })],
        deadLetters: [{ tenant: 'acme', messageId: a!, reason: 'HOLD_EXPIRED: the order never came' }],
        deliveries: [owed(key)],
      });
      await assert.rejects(store.writeRules(refusal(5, 'stale'), 3000), LedgerConflict);
      assert.deepEqual(await store.listDeliveries({ tenant: 'acme' }), [], 'a refused write sends nothing');
      await store.writeRules(refusal(1, 'answer'), 3000);
      const [sent] = await store.listDeliveries({ tenant: 'acme' });
      assert.deepEqual([sent!.status, sent!.flow, sent!.documentType, sent!.idempotencyKey, sent!.messageId], ['pending', 'edifact-aperak', 'acknowledgment', 'answer', a]);
      assert.equal((await store.listDeadLetters('acme')).length, 1);
      assert.deepEqual((await store.claimDueDeliveries('sender', 10, 10_000, 4000)).map((d) => d.id), [sent!.id], 'it is sent like any delivery');
    });

    it('reads stored documents by id for the tenant only', async () => {
      const [a] = await claimed();
      await processed(a!, [delivery(a!, { documentId: 'held-1' })]);
      const docs = await store.getDocuments('acme', ['held-1', 'nothing']);
      assert.deepEqual(docs, [{ id: 'held-1', messageId: a, body: { n: a } }]);
      assert.deepEqual(await store.getDocuments('other', ['held-1']), []);
    });

    it('finds the ledgers stuck by a time through the stuck time each write keeps', async () => {
      await store.writeRules({ ledgers: [
        ledgerWrite({ entityKey: 'order:SO-1', reference: 'SO-1', stuckAt: 5000 }),
        ledgerWrite({ entityKey: 'order:SO-2', reference: 'SO-2', stuckAt: 9000 }),
        ledgerWrite({ entityKey: 'order:SO-3', reference: 'SO-3', stuckAt: null }),
        ledgerWrite({ entityKey: 'order:SO-4', reference: 'SO-4', stuckAt: 4000, status: 'held' }),
        ledgerWrite({ tenant: 'other', entityKey: 'order:SO-5', reference: 'SO-5', stuckAt: 1000 }),
      ] }, 2000);
      const keys = (rows: Array<{ entityKey: string }>) => rows.map((r) => r.entityKey);
      assert.deepEqual(keys(await store.listLedgers({ tenant: 'acme', kind: 'order', stuckBy: 6000 })), ['order:SO-1', 'order:SO-4']);
      assert.deepEqual(keys(await store.listLedgers({ tenant: 'acme', kind: 'order', stuckBy: 6000, status: ['open'] })), ['order:SO-1']);
      assert.deepEqual(keys(await store.listLedgers({ tenant: 'acme', kind: 'order', stuckBy: 6000, after: 'order:SO-1' })), ['order:SO-4']);
      // Moved on (shipped): no longer a candidate.
      await store.writeRules({ ledgers: [ledgerWrite({ entityKey: 'order:SO-1', reference: 'SO-1', expectedVersion: 1, version: 2, status: 'shipped', stuckAt: null })] }, 2100);
      assert.deepEqual(keys(await store.listLedgers({ tenant: 'acme', kind: 'order', stuckBy: 6000 })), ['order:SO-4']);
    });
  });
}
