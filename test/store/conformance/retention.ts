import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ConsoleStore, InventoryStore, LedgerStore, PipelineStore, RetentionStore, Store } from '../../../src/store/index.ts';
import { delivery, msg, settling, type OpenStore } from './fixtures.ts';

type Facets = RetentionStore & PipelineStore & LedgerStore & ConsoleStore & InventoryStore;

const collect = async (body: AsyncIterable<Buffer>) => {
  const parts: Buffer[] = [];
  for await (const p of body) parts.push(p);
  return Buffer.concat(parts);
};

/** Retention: candidates with what decides them, and removals that touch only settled rows of one tenant. */
export function retentionConformance(open: OpenStore<Facets>): void {
  describe('retention', () => {
    let store: Facets & Pick<Store, 'close'>;
    const settle = settling(() => store);
    beforeEach(async () => { store = await open(); });
    afterEach(async () => { await store.close(); });

    /** A processed message with one delivered delivery (an attempt at 2500). */
    const deliveredMessage = async (key: string, over: Parameters<typeof msg>[0] = {}) => {
      const [a] = await store.acceptMessages([msg({ idempotencyKey: key, ...over })]);
      const id = a!.messageId;
      await settle.processed(id, [delivery(id, { documentId: `doc-${key}`, idempotencyKey: `idem-${key}`, tenant: over.tenant ?? 'acme' })]);
      const d = (await store.listDeliveries({ tenant: over.tenant ?? 'acme' })).find((x) => x.messageId === id);
      await settle.delivered(d!, 2500);
      return id;
    };

    it('lists candidates oldest first with their types and whether anything is still open, per tenant', async () => {
      const done = await deliveredMessage('a', { receivedAt: 1000 });
      const [p] = await store.acceptMessages([msg({ idempotencyKey: 'b', receivedAt: 1100 })]);
      await settle.processed(p!.messageId, [delivery(p!.messageId, { documentId: 'doc-b', idempotencyKey: 'idem-b', documentType: 'shipment' })]);
      await deliveredMessage('c', { receivedAt: 1200, tenant: 'globex' });
      const all = await store.retentionCandidates('acme', 'raw', 5000, null, 10);
      assert.deepEqual(all.map((c) => [c.id, c.types, c.settled]), [[done, ['sales_order'], true], [p!.messageId, ['shipment'], false]],
        'a message whose delivery is pending is not settled; another tenant\'s is not listed');
      assert.deepEqual((await store.retentionCandidates('acme', 'raw', 1100, null, 10)).map((c) => c.id), [done], 'only those received before the cutoff');
      assert.deepEqual((await store.retentionCandidates('acme', 'raw', 5000, { receivedAt: 1000, id: done }, 10)).map((c) => c.id), [p!.messageId], 'paged by cursor');
      assert.deepEqual(await store.retentionTenants(), ['acme', 'globex']);
    });

    it('prunes raw bytes of settled messages only, keeping their size and refusing their replay', async () => {
      const done = await deliveredMessage('a');
      const [q] = await store.acceptMessages([msg({ idempotencyKey: 'q' })]);
      await store.completeMessages([{ messageId: q!.messageId, status: 'quarantined', errors: [{ code: 'DOC_INVALID', path: '$.x', message: 'bad' }] }], 2000);
      const other = await deliveredMessage('o', { tenant: 'globex' });
      assert.equal(await store.pruneRaw('acme', [done, q!.messageId, other], 9000, 'acme/1970-01-01.jsonl.gz'), 1, 'the quarantined one is open; the other tenant\'s is not touched');
      const m = (await store.getMessage('acme', done))!;
      assert.equal(m.body.length, 0);
      assert.equal(m.size, 7, 'the size received is still told');
      assert.deepEqual(m.pruned, { rawAt: 9000, documentsAt: null, archive: 'acme/1970-01-01.jsonl.gz' });
      assert.equal((await collect(store.readMessageBody('acme', done))).length, 0);
      assert.equal((await store.getMessage('acme', q!.messageId))!.body.toString(), '{"a":1}');
      assert.equal((await store.getMessage('globex', other))!.pruned, undefined);
      assert.equal(await store.requeueMessages('acme', [done], 9500), 0, 'a message without its bytes cannot be decoded again');
      assert.equal(await store.pruneRaw('acme', [done], 9600, null), 0, 'pruned once');

      // Resolving the quarantined message's dead letter settles it.
      const [dl] = await store.listOpenDeadLetters('acme', 10);
      await store.resolveDeadLetters('acme', [dl!.id], 'ops', 9700);
      assert.equal((await store.retentionCandidates('acme', 'raw', 99_999, null, 10)).find((c) => c.id === q!.messageId)?.settled, true);
      assert.equal(await store.pruneRaw('acme', [q!.messageId], 9800, null), 1);
    });

    it('prunes documents, deliveries, attempts and verdicts, leaving the message row to say so', async () => {
      const id = await deliveredMessage('a');
      await store.writeRules({ verdicts: [{ tenant: 'acme', entityKey: 'order:1', documentId: 'doc-a', documentType: 'sales_order', messageId: id, verdict: 'apply', rule: 'APPLY', reason: 'ok', createdAt: 2000 }] }, 2000);
      const archived = await store.documentsForArchive('acme', [id]);
      assert.equal(archived.length, 1);
      assert.equal(archived[0]!.documents.length, 1);
      assert.equal(archived[0]!.deliveries[0]!.attempts.length, 1);
      assert.equal(archived[0]!.verdicts.length, 1);
      assert.equal(await store.pruneDocuments('acme', [id], 9000, null), 1);
      const lineage = (await store.lineage('acme', id))!;
      assert.deepEqual([lineage.documents.length, lineage.deliveries.length, lineage.verdicts.length], [0, 0, 0]);
      assert.equal(lineage.message.pruned?.documentsAt, 9000);
      assert.equal((await store.listDeliveries({ tenant: 'acme' })).length, 0);
    });

    it('keeps the documents of a message the rules hold, until they decide it again', async () => {
      const [a] = await store.acceptMessages([msg()]);
      const id = a!.messageId;
      await store.completeMessages([{
        messageId: id, status: 'processed', documents: [{ id: 'ship-1', tenant: 'acme', messageId: id, type: 'shipment', entityKey: 'order:9', occurredAt: 900, receivedAt: 1000, body: {} }], deliveries: [],
        rules: { verdicts: [{ tenant: 'acme', entityKey: 'order:9', documentId: 'ship-1', documentType: 'shipment', messageId: id, verdict: 'hold', rule: 'ORDER_UNKNOWN', reason: 'waits', createdAt: 2000 }] },
      }], 2000);
      assert.equal((await store.retentionCandidates('acme', 'documents', 99_999, null, 10))[0]!.settled, false);
      assert.equal(await store.pruneDocuments('acme', [id], 9000, null), 0);
      await store.writeRules({ verdicts: [{ tenant: 'acme', entityKey: 'order:9', documentId: 'ship-1', documentType: 'shipment', messageId: id, verdict: 'stale', rule: 'DUPLICATE', reason: 'seen', createdAt: 3000 }] }, 3000);
      assert.equal(await store.pruneDocuments('acme', [id], 9000, null), 1, 'decided again, it may go');
    });

    it('keeps a dead delivery\'s message until the dead letter is resolved', async () => {
      const [a] = await store.acceptMessages([msg()]);
      await settle.processed(a!.messageId, [delivery(a!.messageId)]);
      const [d] = await store.listDeliveries({ tenant: 'acme' });
      await store.recordAttempts([{ deliveryId: d!.id, tenant: 'acme', startedAt: 2100, finishedAt: 2100, outcome: 'permanent', error: '422' }], 2100);
      assert.equal(await store.pruneDocuments('acme', [a!.messageId], 9000, null), 0);
      const [dl] = await store.listOpenDeadLetters('acme', 10);
      await store.resolveDeadLetters('acme', [dl!.id], 'ops', 9100);
      assert.equal(await store.pruneDocuments('acme', [a!.messageId], 9200, null), 1);
      assert.equal(await store.countOpenDeadLetters('acme', 'delivery'), 0);
    });

    it('removes message rows only once both their bytes and their documents are gone', async () => {
      const id = await deliveredMessage('a');
      assert.equal(await store.pruneMessageRows('acme', [id]), 0);
      await store.pruneRaw('acme', [id], 9000, null);
      assert.equal(await store.pruneMessageRows('acme', [id]), 0);
      await store.pruneDocuments('acme', [id], 9000, null);
      assert.deepEqual((await store.retentionCandidates('acme', 'messages', 99_999, null, 10)).map((c) => c.id), [id]);
      assert.equal(await store.pruneMessageRows('globex', [id]), 0);
      assert.equal(await store.pruneMessageRows('acme', [id]), 1);
      assert.equal(await store.getMessage('acme', id), undefined);
      // Its idempotency key is forgotten with it: the same message again is new.
      const [again] = await store.acceptMessages([msg({ idempotencyKey: 'a' })]);
      assert.equal(again!.duplicate, false);
    });

    it('prunes attempts of finished deliveries by age and type, counting first when asked', async () => {
      const a = await deliveredMessage('a');
      const [p] = await store.acceptMessages([msg({ idempotencyKey: 'p' })]);
      await settle.processed(p!.messageId, [delivery(p!.messageId, { documentId: 'doc-p', idempotencyKey: 'idem-p' })]);
      const pending = (await store.listDeliveries({ tenant: 'acme' })).find((x) => x.messageId === p!.messageId);
      await store.recordAttempts([{ deliveryId: pending!.id, tenant: 'acme', startedAt: 2000, finishedAt: 2000, outcome: 'retryable', retryAt: 3000, error: '503' }], 2000);
      assert.equal(await store.countPrunable('acme', 'attempts', 9000), 1, 'a pending delivery keeps its attempts');
      assert.equal(await store.pruneAttempts('acme', 9000, { only: ['shipment'] }, 10), 0);
      assert.equal(await store.pruneAttempts('acme', 9000, { exclude: ['sales_order'] }, 10), 0);
      assert.equal(await store.pruneAttempts('acme', 2000, {}, 10), 0, 'too young');
      assert.equal(await store.pruneAttempts('acme', 9000, { only: ['sales_order'] }, 10), 1);
      assert.equal((await store.lineage('acme', a))!.deliveries[0]!.attemptLog.length, 0);
      assert.equal((await store.lineage('acme', p!.messageId))!.deliveries[0]!.attemptLog.length, 1);
    });

    it('prunes ledgers of finished orders with their verdicts, never open ones', async () => {
      const ledger = (key: string, status: string) => ({ tenant: 'acme', entityKey: key, kind: 'order' as const, reference: key, version: 1, expectedVersion: 0, status, facility: null, dueAt: null, body: {} });
      await store.writeRules({
        ledgers: [ledger('order:1', 'shipped'), ledger('order:2', 'open')],
        verdicts: [{ tenant: 'acme', entityKey: 'order:1', documentId: 'd1', documentType: 'shipment', messageId: 1, verdict: 'apply', rule: 'APPLY', reason: 'ok', createdAt: 1000 }],
      }, 1000);
      assert.equal(await store.countPrunable('acme', 'ledgers', 500), 0);
      assert.equal(await store.countPrunable('acme', 'ledgers', 5000), 1);
      assert.equal(await store.pruneLedgers('globex', 5000, 10), 0);
      assert.equal(await store.pruneLedgers('acme', 5000, 10), 1);
      assert.deepEqual((await store.getLedgers('acme', ['order:1', 'order:2'])).map((l) => l.entityKey), ['order:2']);
      assert.deepEqual(await store.listVerdicts('acme', { entityKey: 'order:1' }), []);
    });

    it('prunes old reconciliation runs but the newest, keeping positions someone decided on', async () => {
      const save = (at: number) => store.saveReconciliation({
        tenant: 'acme', at, facility: null, trigger: 'test', startedAt: at, finishedAt: at, counts: {}, accuracy: {}, snapshots: {},
        results: [1, 2].map((n) => ({ facility: 'F1', sku: `S${n}`, lot: '', uom: 'EA', status: 'variance', difference: '1', correctedDifference: '1', detail: {} })),
      });
      const old = await save(1000);
      const decided = await save(2000);
      await save(3000);
      await store.decideVariances([{ tenant: 'acme', runId: decided.id, position: 2, action: 'approved', decidedBy: 'ops', decidedAt: 2500 }]);
      assert.equal(await store.countPrunable('acme', 'reconciliations', 10_000), 2);
      assert.equal(await store.pruneReconciliations('acme', 10_000, 10), 2);
      assert.deepEqual((await store.listReconciliations('acme')).map((r) => r.at), [3000, 2000], 'the newest stays, the decided run stays');
      assert.equal(await store.getReconciliation('acme', old.id), undefined);
      assert.deepEqual((await store.listReconciliationResults('acme', decided.id)).map((r) => r.position), [2]);
      assert.equal(await store.pruneReconciliations('acme', 10_000, 10), 0, 'nothing left to take from the decided run');
    });
  });
}
