import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { MessageLeaseLost, RAW_CHUNK_BYTES, type MessageOutcome, type PipelineStore, type RawSource, type Store } from '../../../src/store/index.ts';
import { delivery, documentsOf, msg, settling, type OpenStore } from './fixtures.ts';

/** The pipeline facet: inbox, messages and their outcomes, deliveries and attempts, replays, cursors, job leases, KPIs. */
export function pipelineConformance(open: OpenStore<PipelineStore>): void {
  describe('pipeline', () => {
    let store: PipelineStore & Pick<Store, 'close'>;
    beforeEach(async () => { store = await open(); });
    afterEach(async () => { await store.close(); });
    const { processed, delivered } = settling(() => store);

    it('keeps raw bytes verbatim and answers a duplicate with the original id', async () => {
      const raw = Buffer.from([0, 1, 2, 255, 10, 13]);
      const [a] = await store.acceptMessages([msg({ body: raw })]);
      const [b] = await store.acceptMessages([msg({ body: Buffer.from('other') })]);
      assert.equal(a.duplicate, false);
      assert.equal(b.duplicate, true);
      assert.equal(b.messageId, a.messageId);
      const m = await store.getMessage('acme', a.messageId);
      assert.deepEqual(Buffer.from(m!.body), raw);
      assert.equal(m!.duplicates, 1);
      assert.equal(m!.status, 'pending');
    });

    it('dedupes per tenant and endpoint, not across them', async () => {
      const r = await store.acceptMessages([msg(), msg({ tenant: 'other' }), msg({ endpoint: 'api' })]);
      assert.deepEqual(r.map((x) => x.duplicate), [false, false, false]);
    });

    it('never shows one tenant another tenant\'s data', async () => {
      const [a] = await store.acceptMessages([msg()]);
      assert.equal(await store.getMessage('other', a.messageId), undefined);
      assert.equal((await store.listMessages({ tenant: 'other' })).length, 0);
      assert.equal(await store.lineage('other', a.messageId), undefined);
    });

    it('stores the source cursor atomically with the messages', async () => {
      await store.acceptMessages([msg()], { tenant: 'acme', endpoint: 'erp', value: 'c-1' });
      assert.equal(await store.getCursor('acme', 'erp'), 'c-1');
      await store.setCursor('acme', 'erp', 'c-2');
      assert.equal(await store.getCursor('acme', 'erp'), 'c-2');
      assert.equal(await store.getCursor('other', 'erp'), null);
    });

    it('leases pending messages once, and hands over an expired lease', async () => {
      await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
      const first = await store.claimPendingMessages('w1', 10, 1000, 5000);
      assert.equal(first.length, 2);
      assert.equal((await store.claimPendingMessages('w2', 10, 1000, 5500)).length, 0);
      assert.equal((await store.claimPendingMessages('w2', 10, 1000, 6001)).length, 2);
    });

    it('hands out claimed messages and deliveries exactly as they read when looked up', async () => {
      const [a] = await store.acceptMessages([msg({ partnerRef: 'ISA-000000101', contentType: 'application/json' })]);
      const [claimed] = await store.claimPendingMessages('w', 10, 1000, 1000);
      assert.deepEqual(claimed, await store.getMessage('acme', a.messageId));
      await processed(a.messageId, [delivery(a.messageId, { payload: Buffer.from([0, 1, 254, 255]) })]);
      const [d] = await store.claimDueDeliveries('w', 10, 1000, 3000);
      assert.deepEqual(Buffer.from(d.payload), Buffer.from([0, 1, 254, 255]));
      assert.deepEqual(d, (await store.deliveriesOfDocument('acme', d.documentId))[0]);
    });

    it('commits documents and deliveries with the message outcome; quarantine makes a dead letter', async () => {
      const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
      await store.claimPendingMessages('w', 10, 1000, 1000);
      await processed(a.messageId, [delivery(a.messageId)]);
      await store.completeMessages([{ messageId: b.messageId, status: 'quarantined', errors: [{ code: 'DOC_INVALID', path: '$.lines[0].sku', message: 'required' }] }], 2000);
      const lin = await store.lineage('acme', a.messageId);
      assert.equal(lin!.message.status, 'processed');
      assert.equal(lin!.documents.length, 1);
      assert.deepEqual(lin!.documents[0].body, { n: a.messageId });
      assert.equal(lin!.deliveries.length, 1);
      const q = await store.getMessage('acme', b.messageId);
      assert.equal(q!.status, 'quarantined');
      assert.equal(q!.errors[0].path, '$.lines[0].sku');
      const dl = await store.listDeadLetters('acme');
      assert.equal(dl.length, 1);
      assert.equal(dl[0].kind, 'message');
      assert.match(dl[0].reason, /\$\.lines\[0\]\.sku/);
      assert.equal((await store.claimPendingMessages('w', 10, 1000, 9999)).length, 0);
    });

    it('keeps a message\'s warnings apart from its errors, and dead-letters for its errors only', async () => {
      const [a, b, c] = await store.acceptMessages([msg({ idempotencyKey: 'w1' }), msg({ idempotencyKey: 'w2' }), msg({ idempotencyKey: 'w3' })]);
      await store.claimPendingMessages('w', 10, 1000, 1000);
      const warning = { code: 'X12_CODE_UNKNOWN', path: '$', message: 'read as other' };
      await store.completeMessages([
        { messageId: a.messageId, status: 'processed', documents: [], deliveries: [], warnings: [warning] },
        { messageId: b.messageId, status: 'processed', documents: [], deliveries: [], errors: [{ code: 'X12_ELEMENT_MISSING', message: 'set 2 rejected' }], warnings: [warning] },
        { messageId: c.messageId, status: 'quarantined', errors: [], warnings: [warning] },
      ], 2000);
      const [wa, wb, wc] = await Promise.all([a, b, c].map((m) => store.getMessage('acme', m.messageId)));
      assert.deepEqual([wa!.errors, wa!.warnings.map((w) => w.code)], [[], ['X12_CODE_UNKNOWN']]);
      assert.deepEqual([wb!.errors.map((e) => e.code), wb!.warnings.map((w) => w.code)], [['X12_ELEMENT_MISSING'], ['X12_CODE_UNKNOWN']]);
      assert.deepEqual([wc!.status, wc!.errors, wc!.warnings.length], ['quarantined', [], 1]);
      const dl = await store.listDeadLetters('acme');
      assert.deepEqual(dl.map((d) => d.refId).sort(), [b.messageId, c.messageId].sort(), 'a warning alone makes no dead letter');
      assert.ok(dl.every((d) => !/read as other/.test(d.reason)), dl.map((d) => d.reason).join(' | '));
      // A replay begins the message again: what its last reading found goes with it.
      await store.requeueMessages('acme', [a.messageId], 3000);
      assert.deepEqual((await store.getMessage('acme', a.messageId))!.warnings, []);
    });

    it('dead-letters a quarantined message even when no error was given', async () => {
      const [a] = await store.acceptMessages([msg()]);
      await store.completeMessages([{ messageId: a.messageId, status: 'quarantined', errors: [] }], 2000);
      assert.equal((await store.getMessage('acme', a.messageId))!.status, 'quarantined');
      const dl = await store.listDeadLetters('acme');
      assert.deepEqual(dl.map((d) => [d.kind, d.refId]), [['message', a.messageId]]);
      assert.notEqual(dl[0]!.reason, '', 'the dead letter says why');
    });

    it('lets only the first completion of a message count when its lease lapsed and was taken over', async () => {
      const [a] = await store.acceptMessages([msg()]);
      const [claimedByStale] = await store.claimPendingMessages('stale', 1, 100, 1000);
      assert.equal(claimedByStale!.id, a.messageId);
      assert.deepEqual(await store.claimPendingMessages('successor', 10, 60_000, 1050), [], 'the lease is still live');
      const [taken] = await store.claimPendingMessages('successor', 10, 60_000, 1101);
      assert.equal(taken!.id, a.messageId, 'taken over once the lease lapsed');
      const outcome = (n: number): MessageOutcome => ({
        messageId: a.messageId, status: 'processed',
        documents: [{ id: `lapse-doc-${n}`, tenant: 'acme', messageId: a.messageId, type: 'sales_order', entityKey: 'order:1', occurredAt: 900, receivedAt: 1000, body: { n } }],
        deliveries: [delivery(a.messageId, { documentId: `lapse-doc-${n}`, idempotencyKey: `lapse-${n}` })],
      });
      await store.completeMessages([outcome(1)], 1200);
      await store.completeMessages([outcome(2)], 1300);
      const lineage = await store.lineage('acme', a.messageId);
      assert.deepEqual(lineage!.documents.map((d) => d.id), ['lapse-doc-1']);
      assert.equal(lineage!.deliveries.length, 1, 'one delivery, one effect');
      assert.equal(lineage!.message.processedAt, 1200);
    });

    it('keeps a delivery delivered when a worker whose lease lapsed reports a failure later', async () => {
      const [a] = await store.acceptMessages([msg()]);
      await processed(a.messageId, [delivery(a.messageId)]);
      const [held] = await store.claimDueDeliveries('stale', 10, 100, 3000);
      const [taken] = await store.claimDueDeliveries('successor', 10, 60_000, 3101);
      assert.equal(taken!.id, held!.id);
      await store.recordAttempts([{ deliveryId: taken!.id, tenant: 'acme', startedAt: 3101, finishedAt: 3102, outcome: 'delivered', partnerRef: 'R-1' }], 3102);
      await store.recordAttempts([{ deliveryId: held!.id, tenant: 'acme', startedAt: 3000, finishedAt: 3200, outcome: 'permanent', error: 'HTTP 422' }], 3200);
      const [d] = await store.listDeliveries({ tenant: 'acme' });
      assert.equal(d!.status, 'delivered');
      assert.equal(d!.partnerRef, 'R-1');
      assert.deepEqual(await store.listDeadLetters('acme'), []);
      const lineage = await store.lineage('acme', a.messageId);
      assert.deepEqual(lineage!.deliveries[0]!.attemptLog.map((x) => x.outcome), ['delivered', 'permanent'], 'both attempts are in the log');
    });

    it('dead-letters a permanent failure at once and replays it with the same idempotency key', async () => {
      const [a] = await store.acceptMessages([msg()]);
      await processed(a.messageId, [delivery(a.messageId)]);
      const [d] = await store.claimDueDeliveries('w', 10, 30_000, 3000);
      await store.recordAttempts([{ deliveryId: d.id, tenant: 'acme', startedAt: 3000, finishedAt: 3001, outcome: 'permanent', statusCode: 422, error: 'unknown SKU' }], 3001);
      assert.equal((await store.listDeliveries({ tenant: 'acme', status: 'dead' })).length, 1);
      assert.equal(await store.requeueDeadDeliveries('other', 'all', 4000), 0);
      assert.equal(await store.requeueDeadDeliveries('acme', 'all', 4000), 1);
      const [again] = await store.claimDueDeliveries('w', 10, 30_000, 4000);
      assert.equal(again.idempotencyKey, d.idempotencyKey);
      assert.equal(again.attempts, 0);
      assert.equal((await store.listDeadLetters('acme')).length, 0);
      assert.equal((await store.listDeadLetters('acme', { includeReplayed: true }))[0].replayedAt, 4000);
    });

    it('replays messages one by one and by time window, as a new generation', async () => {
      const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a', receivedAt: 1000 }), msg({ idempotencyKey: 'b', receivedAt: 5000 })]);
      await processed(a.messageId, [delivery(a.messageId)]);
      await processed(b.messageId, [delivery(b.messageId, { documentId: 'doc-b1' })]);
      assert.equal(await store.requeueMessages('acme', [a.messageId], 6000), 1);
      const again = await store.getMessage('acme', a.messageId);
      assert.equal(again!.status, 'pending');
      assert.equal(again!.generation, 2);
      assert.equal(await store.requeueMessageWindow('acme', 4000, 6000, undefined, 6000), 1);
      assert.equal((await store.getMessage('acme', b.messageId))!.generation, 2);
      await store.claimPendingMessages('w', 10, 1000, 7000);
      await processed(b.messageId, [delivery(b.messageId, { documentId: 'doc-b2', idempotencyKey: 'idem-b2' })]);
      const lin = await store.lineage('acme', b.messageId);
      assert.deepEqual(lin!.documents.map((d) => [d.id, d.generation]), [['doc-b1', 1], ['doc-b2', 2]]);
    });

    it('keeps the rejected parts of a partly processed message and finds the latest document of a key', async () => {
      const [a] = await store.acceptMessages([msg()]);
      await store.completeMessages([{
        messageId: a.messageId, status: 'processed', errors: [{ code: 'X12_SE_COUNT', message: 'SE01 says 12 segments, the set has 9' }],
        documents: [
          { id: 'i1', tenant: 'acme', messageId: a.messageId, type: 'item', entityKey: 'item:A', occurredAt: 100, receivedAt: 1000, body: { v: 1 } },
          { id: 'i2', tenant: 'acme', messageId: a.messageId, type: 'item', entityKey: 'item:A', occurredAt: 200, receivedAt: 1000, body: { v: 2 } },
        ],
        deliveries: [],
      }], 2000);
      const m = await store.getMessage('acme', a.messageId);
      assert.equal(m!.status, 'processed');
      assert.equal(m!.errors[0].code, 'X12_SE_COUNT');
      assert.match((await store.listDeadLetters('acme'))[0].reason, /SE01/);
      assert.deepEqual((await store.findLatestDocument('acme', 'item', 'item:A'))!.body, { v: 2 });
      assert.equal(await store.findLatestDocument('other', 'item', 'item:A'), undefined);
    });

    it('filters messages and deliveries', async () => {
      const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a', endpoint: 'erp' }), msg({ idempotencyKey: 'b', endpoint: 'api', receivedAt: 9000 })]);
      await processed(a.messageId, [delivery(a.messageId, { entityKey: 'order:7' })]);
      assert.deepEqual((await store.listMessages({ tenant: 'acme', endpoint: 'api' })).map((m) => m.id), [b.messageId]);
      assert.deepEqual((await store.listMessages({ tenant: 'acme', status: 'processed' })).map((m) => m.id), [a.messageId]);
      assert.deepEqual((await store.listMessages({ tenant: 'acme', from: 5000 })).map((m) => m.id), [b.messageId]);
      assert.equal((await store.listDeliveries({ tenant: 'acme', entityKey: 'order:7' })).length, 1);
      assert.equal((await store.listDeliveries({ tenant: 'acme', type: 'sales_order' })).length, 1);
      assert.equal((await store.listDeliveries({ tenant: 'acme', type: 'shipment' })).length, 0);
      assert.equal((await store.listMessages({ tenant: 'acme', limit: 1 })).length, 1);
    });

    it('gives back deliveries that were leased but not attempted', async () => {
      const [a] = await store.acceptMessages([msg()]);
      await processed(a.messageId, [delivery(a.messageId)]);
      const [d] = await store.claimDueDeliveries('w1', 10, 60_000, 3000);
      await store.releaseDeliveries('w2', [d.id]);
      assert.equal((await store.claimDueDeliveries('w2', 10, 60_000, 3001)).length, 0, 'only the lease holder can release');
      await store.releaseDeliveries('w1', [d.id]);
      const [again] = await store.claimDueDeliveries('w2', 10, 60_000, 3002);
      assert.equal(again.id, d.id);
      assert.equal(again.attempts, 0);
    });

    it('adds the settled-outcome deliveries with the outcome, and only when it settles', async () => {
      const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
      await processed(a.messageId, [delivery(a.messageId, { maxAttempts: 2, entityKey: 'order:A' })]);
      await processed(b.messageId, [delivery(b.messageId, { entityKey: 'order:B' })]);
      const event = (d: { id: number; messageId: number; entityKey: string }, how: string) => ({
        ...delivery(d.messageId, { entityKey: d.entityKey }), documentType: 'delivery_outcome', flow: 'delivery-outcomes', endpoint: 'bus',
        idempotencyKey: `outcome-${d.id}-${how}`, payload: Buffer.from(how),
      });
      const claimed = await store.claimDueDeliveries('w', 10, 60_000, 3000);
      const da = claimed.find((d) => d.entityKey === 'order:A')!;
      const db = claimed.find((d) => d.entityKey === 'order:B')!;
      const settle = (d: typeof da) => ({ delivered: [event(d, 'delivered')], dead: [event(d, 'dead')] });
      await store.recordAttempts([
        { deliveryId: da.id, tenant: 'acme', startedAt: 3000, finishedAt: 3001, outcome: 'retryable', retryAt: 3500, onSettled: settle(da) },
        { deliveryId: db.id, tenant: 'acme', startedAt: 3000, finishedAt: 3001, outcome: 'delivered', onSettled: settle(db) },
      ], 3001);
      let bus = await store.listDeliveries({ tenant: 'acme', endpoint: 'bus' });
      assert.deepEqual(bus.map((d) => Buffer.from(d.payload).toString()), ['delivered'], 'a retry settles nothing');
      const [again] = await store.claimDueDeliveries('w', 10, 60_000, 3500, ['bus']);
      assert.equal(again.id, da.id);
      await store.recordAttempts([{ deliveryId: da.id, tenant: 'acme', startedAt: 3500, finishedAt: 3501, outcome: 'retryable', onSettled: settle(da) }], 3501);
      bus = await store.listDeliveries({ tenant: 'acme', endpoint: 'bus' });
      assert.deepEqual(bus.map((d) => [d.idempotencyKey, Buffer.from(d.payload).toString()]).sort(), [[`outcome-${da.id}-dead`, 'dead'], [`outcome-${db.id}-delivered`, 'delivered']]);
      await store.recordAttempts([{ deliveryId: db.id, tenant: 'acme', startedAt: 3600, finishedAt: 3601, outcome: 'delivered', onSettled: settle(db) }], 3601);
      assert.equal((await store.listDeliveries({ tenant: 'acme', endpoint: 'bus' })).length, 2, 'a late report on a settled delivery adds nothing');
    });

    it('skips endpoints whose circuit is open', async () => {
      const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
      await processed(a.messageId, [delivery(a.messageId, { endpoint: 'down', entityKey: 'k1' })]);
      await processed(b.messageId, [delivery(b.messageId, { endpoint: 'up', entityKey: 'k2' })]);
      const claimed = await store.claimDueDeliveries('w', 10, 30_000, 3000, ['down']);
      assert.deepEqual(claimed.map((d) => d.endpoint), ['up']);
    });

    it('times order to shipment from the shipment\'s shippedAt when it gives the second, else from its occurredAt', async () => {
      const [a] = await store.acceptMessages([msg({ idempotencyKey: 'o2s' })]);
      const order = (n: number, occurredAt: number) => ({ id: `so-${n}`, tenant: 'acme', messageId: a.messageId, type: 'sales_order', entityKey: `order:o2s-${n}`, occurredAt, receivedAt: occurredAt, body: {} });
      const shipment = (n: number, occurredAt: number, shippedAt: string) => ({ id: `sh-${n}`, tenant: 'acme', messageId: a.messageId, type: 'shipment', entityKey: `order:o2s-${n}`, occurredAt, receivedAt: 5_000_000, body: { shippedAt } });
      const at = (ms: number) => new Date(ms).toISOString();
      await store.completeMessages([{
        messageId: a.messageId, status: 'processed',
        documents: [
          // A 945 whose shipping time carries seconds: it, not the envelope's minute, is when it shipped.
          order(1, 1_000_000), shipment(1, 1_140_000, at(1_012_500)),
          // Only to the minute (HHMM): the envelope time (occurredAt) is used.
          order(2, 1_000_000), shipment(2, 1_140_000, at(960_000)),
          // Offsets are honoured.
          order(3, 1_000_000), shipment(3, 1_140_000, '1970-01-01T01:16:41.5+01:00'),
        ],
        deliveries: [],
      }], 5_000_000);
      const k = await store.kpiSample('acme', 4_000_000, 6_000_000);
      assert.deepEqual([...k.orderToShipment].sort((x, y) => x - y), [12_500, 140_000, 1_500].sort((x, y) => x - y));
    });

    it('samples the KPIs: latency, error rate, backlog, order to shipment', async () => {
      const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
      await store.completeMessages([{
        messageId: a.messageId, status: 'processed',
        documents: [
          { id: 'so', tenant: 'acme', messageId: a.messageId, type: 'sales_order', entityKey: 'order:1', occurredAt: 100, receivedAt: 1000, body: {} },
          { id: 'sh', tenant: 'acme', messageId: a.messageId, type: 'shipment', entityKey: 'order:1', occurredAt: 3_600_100, receivedAt: 3_600_200, body: {} },
        ],
        deliveries: [delivery(a.messageId, { documentId: 'so', entityKey: 'a' }), delivery(a.messageId, { documentId: 'sh', entityKey: 'b' })],
      }], 2000);
      await processed(b.messageId, [delivery(b.messageId, { entityKey: 'c' })]);
      const claimed = await store.claimDueDeliveries('w', 10, 30_000, 3000);
      assert.equal(claimed.length, 3);
      await store.recordAttempts([
        { deliveryId: claimed[0].id, tenant: 'acme', startedAt: 3000, finishedAt: 3100, outcome: 'delivered' },
        { deliveryId: claimed[1].id, tenant: 'acme', startedAt: 3000, finishedAt: 3100, outcome: 'retryable', retryAt: 10_000 },
      ], 3100);
      const k = await store.kpiSample('acme', 0, 4_000_000);
      assert.deepEqual(k.syncFromReceived, [2100]);
      assert.deepEqual(k.syncFromOccurred, [2200]);
      assert.equal(k.attempts, 2);
      assert.equal(k.failedAttempts, 1);
      assert.equal(k.messages, 2);
      assert.deepEqual(k.backlog, [{ endpoint: 'wms', pending: 2, oldestAt: 2000 }]);
      assert.deepEqual(k.orderToShipment, [3_600_000]);
      assert.equal((await store.kpiSample('other', 0, 4_000_000)).messages, 0);
    });

    it('leases a scheduled job to one owner at a time, hands it over when it lapses', async () => {
      assert.equal(await store.tryAcquireJobLease('poll:erp', 'w1', 1000, 0), true);
      assert.equal(await store.tryAcquireJobLease('poll:erp', 'w2', 1000, 500), false);
      assert.equal(await store.tryAcquireJobLease('poll:erp', 'w1', 1000, 900), true, 'the holder renews');
      assert.equal(await store.tryAcquireJobLease('poll:erp', 'w2', 1000, 1500), false, 'renewed until 1900');
      assert.equal(await store.tryAcquireJobLease('other-job', 'w2', 1000, 1500), true);
      assert.equal(await store.tryAcquireJobLease('poll:erp', 'w2', 1000, 1901), true, 'a lapsed lease is taken over');
      await store.releaseJobLease('poll:erp', 'w1');
      assert.equal(await store.tryAcquireJobLease('poll:erp', 'w1', 1000, 2000), false, 'only the holder releases');
      await store.releaseJobLease('poll:erp', 'w2');
      assert.equal(await store.tryAcquireJobLease('poll:erp', 'w1', 1000, 2000), true);
    });

    // A key's queue is in the order its messages arrived (message id, then delivery id), replays
    // back in their place, and a delivery waits until every earlier message of its tenant is
    // decoded or quarantined.
    describe('delivery order per entity key', () => {
      it('hands out only the head of each entity key queue, keys in parallel', async () => {
        const [a, b, c] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' }), msg({ idempotencyKey: 'c' })]);
        await processed(a.messageId, [delivery(a.messageId, { entityKey: 'order:1' })]);
        await processed(b.messageId, [delivery(b.messageId, { entityKey: 'order:1' })]);
        await processed(c.messageId, [delivery(c.messageId, { entityKey: 'order:2' })]);
        const claimed = await store.claimDueDeliveries('w', 10, 30_000, 3000);
        assert.deepEqual(claimed.map((d) => d.documentId).sort(), [`doc-${a.messageId}`, `doc-${c.messageId}`]);
        assert.equal((await store.claimDueDeliveries('w2', 10, 30_000, 3000)).length, 0, 'leased heads are not handed out twice');
        await store.recordAttempts(claimed.map((d) => ({ deliveryId: d.id, tenant: 'acme', startedAt: 3000, finishedAt: 3010, outcome: 'delivered' as const, partnerRef: 'P-' + d.id })), 3010);
        const next = await store.claimDueDeliveries('w', 10, 30_000, 3020);
        assert.deepEqual(next.map((d) => d.documentId), [`doc-${b.messageId}`]);
      });

      it('keeps a key blocked while its head waits for a retry, then dead-letters after max attempts', async () => {
        const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
        await processed(a.messageId, [delivery(a.messageId, { maxAttempts: 2 })]);
        await processed(b.messageId, [delivery(b.messageId)]);
        const [head] = await store.claimDueDeliveries('w', 10, 30_000, 3000);
        await store.recordAttempts([{ deliveryId: head.id, tenant: 'acme', startedAt: 3000, finishedAt: 3001, outcome: 'retryable', statusCode: 503, retryAt: 4000 }], 3001);
        assert.equal((await store.claimDueDeliveries('w', 10, 30_000, 3500)).length, 0, 'the follower waits behind its head');
        const [again] = await store.claimDueDeliveries('w', 10, 30_000, 4000);
        assert.equal(again.id, head.id);
        assert.equal(again.attempts, 1);
        await store.recordAttempts([{ deliveryId: head.id, tenant: 'acme', startedAt: 4000, finishedAt: 4001, outcome: 'retryable', statusCode: 503, retryAt: 5000 }], 4001);
        const dead = await store.listDeliveries({ tenant: 'acme', status: 'dead' });
        assert.equal(dead.length, 1);
        assert.equal(dead[0].attempts, 2);
        const dl = await store.listDeadLetters('acme');
        assert.equal(dl[0].kind, 'delivery');
        assert.match(dl[0].reason, /2 attempts.*503/);
        const [follower] = await store.claimDueDeliveries('w', 10, 30_000, 4002);
        assert.equal(follower.documentId, `doc-${b.messageId}`, 'a dead head no longer blocks its key');
        const lin = await store.lineage('acme', a.messageId);
        assert.equal(lin!.deliveries[0].attemptLog.length, 2);
        assert.equal(lin!.deliveries[0].attemptLog[0].statusCode, 503);
      });

      it('holds back a replayed dead head while a later delivery of its key is in flight', async () => {
        const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
        await processed(a.messageId, [delivery(a.messageId)]);
        await processed(b.messageId, [delivery(b.messageId)]);
        const [head] = await store.claimDueDeliveries('w1', 10, 60_000, 3000);
        await store.recordAttempts([{ deliveryId: head.id, tenant: 'acme', startedAt: 3000, finishedAt: 3001, outcome: 'permanent', error: 'unknown SKU' }], 3001);
        const [follower] = await store.claimDueDeliveries('w1', 10, 60_000, 3002);
        assert.equal(follower.messageId, b.messageId);
        assert.equal(await store.requeueDeadDeliveries('acme', [head.id], 3003), 1);
        assert.deepEqual(await store.claimDueDeliveries('w2', 10, 60_000, 3004), [], 'the key is still held');
        await store.recordAttempts([{ deliveryId: follower.id, tenant: 'acme', startedAt: 3005, finishedAt: 3006, outcome: 'delivered' }], 3006);
        assert.deepEqual((await store.claimDueDeliveries('w2', 10, 60_000, 3007)).map((d) => d.id), [head.id]);
      });

      it('holds a later message\'s deliveries while an earlier message of the tenant is not decoded, leased or not', async () => {
        const [order, cancel] = await store.acceptMessages([msg({ idempotencyKey: 'order' }), msg({ idempotencyKey: 'cancel' })]);
        // The cancel is decoded first: the order's worker is slow, or died holding it.
        await processed(cancel.messageId, [
          delivery(cancel.messageId, { documentId: 'cancel', documentType: 'order_cancel', entityKey: 'order:1' }),
          delivery(cancel.messageId, { documentId: 'other-key', documentType: 'order_cancel', entityKey: 'order:2' }),
        ]);
        assert.deepEqual(await store.claimDueDeliveries('w', 10, 30_000, 3000), [], 'the order is pending');
        const [leased] = await store.claimPendingMessages('dead-worker', 10, 30_000, 3000);
        assert.equal(leased.id, order.messageId);
        assert.deepEqual(await store.claimDueDeliveries('w', 10, 30_000, 3001), [], 'the order is leased');
        assert.deepEqual(await store.claimDueDeliveries('w', 10, 30_000, 40_000), [], 'the order\'s lease lapsed, it is still not decoded');
        await processed(order.messageId, [delivery(order.messageId, { documentId: 'order', entityKey: 'order:1' })]);
        const first = await store.claimDueDeliveries('w', 10, 30_000, 40_001);
        assert.deepEqual(documentsOf(first).sort(), ['order', 'other-key'], 'the order goes first though its delivery was written last');
        await Promise.all(first.map((d) => delivered(d, 40_002)));
        assert.deepEqual(documentsOf(await store.claimDueDeliveries('w', 10, 30_000, 40_003)), ['cancel']);
      });

      it('lets a quarantined earlier message hold nothing back', async () => {
        const [bad, cancel] = await store.acceptMessages([msg({ idempotencyKey: 'bad' }), msg({ idempotencyKey: 'cancel' })]);
        await processed(cancel.messageId, [delivery(cancel.messageId, { documentId: 'cancel' })]);
        assert.deepEqual(await store.claimDueDeliveries('w', 10, 30_000, 3000), []);
        await store.completeMessages([{ messageId: bad.messageId, status: 'quarantined', errors: [{ code: 'DOC_INVALID', message: 'no order number' }] }], 3001);
        assert.deepEqual(documentsOf(await store.claimDueDeliveries('w', 10, 30_000, 3002)), ['cancel']);
      });

      it('does not hold a tenant back for another tenant\'s undecoded message', async () => {
        const [slow, fast] = await store.acceptMessages([msg({ tenant: 'other', idempotencyKey: 'slow' }), msg({ idempotencyKey: 'fast' })]);
        const [leased] = await store.claimPendingMessages('w', 1, 30_000, 2000);
        assert.equal(leased.id, slow.messageId);
        await processed(fast.messageId, [delivery(fast.messageId, { documentId: 'fast' })]);
        assert.deepEqual(documentsOf(await store.claimDueDeliveries('w', 10, 30_000, 3000)), ['fast']);
      });

      it('keeps an order before its cancel when both messages are replayed, whichever is decoded again first', async () => {
        const [order, cancel] = await store.acceptMessages([msg({ idempotencyKey: 'order' }), msg({ idempotencyKey: 'cancel' })]);
        await processed(order.messageId, [delivery(order.messageId, { documentId: 'order-1' })]);
        await processed(cancel.messageId, [delivery(cancel.messageId, { documentId: 'cancel-1', documentType: 'order_cancel' })]);
        for (const at of [3000, 3001]) for (const d of await store.claimDueDeliveries('w', 10, 30_000, at)) await delivered(d, at);
        assert.equal(await store.requeueMessageWindow('acme', 0, 2000, undefined, 4000), 2);
        await processed(cancel.messageId, [delivery(cancel.messageId, { documentId: 'cancel-2', documentType: 'order_cancel' })]);
        assert.deepEqual(await store.claimDueDeliveries('w', 10, 30_000, 4001), [], 'the replayed order is not decoded again yet');
        await processed(order.messageId, [delivery(order.messageId, { documentId: 'order-2' })]);
        const [first] = await store.claimDueDeliveries('w', 10, 30_000, 4002);
        assert.equal(first.documentId, 'order-2');
        await delivered(first, 4003);
        assert.deepEqual(documentsOf(await store.claimDueDeliveries('w', 10, 30_000, 4004)), ['cancel-2']);
      });

      it('puts a replayed message back in its place: later messages wait for it, and it goes before their deliveries not yet handed out', async () => {
        const [order, cancel] = await store.acceptMessages([msg({ idempotencyKey: 'order' }), msg({ idempotencyKey: 'cancel' })]);
        await processed(order.messageId, [delivery(order.messageId, { documentId: 'order-1' })]);
        await delivered((await store.claimDueDeliveries('w', 10, 30_000, 3000))[0], 3000);
        await processed(cancel.messageId, [delivery(cancel.messageId, { documentId: 'cancel', documentType: 'order_cancel' })]);
        assert.equal(await store.requeueMessages('acme', [order.messageId], 3001), 1);
        assert.deepEqual(await store.claimDueDeliveries('w', 10, 30_000, 3002), [], 'the cancel waits while the order is decoded again');
        await processed(order.messageId, [delivery(order.messageId, { documentId: 'order-2' })]);
        const [first] = await store.claimDueDeliveries('w', 10, 30_000, 3003);
        assert.equal(first.documentId, 'order-2', 'the order still comes before its cancel');
        await delivered(first, 3004);
        assert.deepEqual(documentsOf(await store.claimDueDeliveries('w', 10, 30_000, 3005)), ['cancel']);
      });

      it('holds a replayed message\'s deliveries while a later delivery of their key is in flight, and hands them out once it settles', async () => {
        const [order, cancel] = await store.acceptMessages([msg({ idempotencyKey: 'order' }), msg({ idempotencyKey: 'cancel' })]);
        await processed(order.messageId, [delivery(order.messageId, { documentId: 'order-1' })]);
        await delivered((await store.claimDueDeliveries('w1', 10, 60_000, 3000))[0], 3000);
        await processed(cancel.messageId, [delivery(cancel.messageId, { documentId: 'cancel', documentType: 'order_cancel' })]);
        const [inFlight] = await store.claimDueDeliveries('w1', 10, 60_000, 3001);
        assert.equal(inFlight.documentId, 'cancel');
        assert.equal(await store.requeueMessages('acme', [order.messageId], 3002), 1);
        await processed(order.messageId, [delivery(order.messageId, { documentId: 'order-2' })]);
        assert.deepEqual(await store.claimDueDeliveries('w2', 10, 60_000, 3003), [], 'the cancel is in flight');
        await store.recordAttempts([{ deliveryId: inFlight.id, tenant: 'acme', startedAt: 3001, finishedAt: 3004, outcome: 'retryable', retryAt: 9000 }], 3004);
        assert.deepEqual(documentsOf(await store.claimDueDeliveries('w2', 10, 60_000, 3005)), ['order-2'], 'not stuck behind the cancel\'s retry');
      });

      it('puts a requeued dead delivery back in its place, before a later delivery of its key waiting for a retry', async () => {
        const [order, cancel] = await store.acceptMessages([msg({ idempotencyKey: 'order' }), msg({ idempotencyKey: 'cancel' })]);
        // Decoded in the other order: the cancel's delivery has the lower id.
        await processed(cancel.messageId, [delivery(cancel.messageId, { documentId: 'cancel', documentType: 'order_cancel' })]);
        await processed(order.messageId, [delivery(order.messageId, { documentId: 'order' })]);
        const [head] = await store.claimDueDeliveries('w', 10, 30_000, 3000);
        assert.equal(head.documentId, 'order');
        await store.recordAttempts([{ deliveryId: head.id, tenant: 'acme', startedAt: 3000, finishedAt: 3001, outcome: 'permanent', error: 'unknown SKU' }], 3001);
        const [follower] = await store.claimDueDeliveries('w', 10, 30_000, 3002);
        assert.equal(follower.documentId, 'cancel', 'a dead head no longer blocks its key');
        await store.recordAttempts([{ deliveryId: follower.id, tenant: 'acme', startedAt: 3002, finishedAt: 3003, outcome: 'retryable', retryAt: 5000 }], 3003);
        assert.equal(await store.requeueDeadDeliveries('acme', [head.id], 4000), 1);
        const [again] = await store.claimDueDeliveries('w', 10, 30_000, 5000);
        assert.equal(again.id, head.id, 'the order goes before its cancel');
        await delivered(again, 5001);
        assert.deepEqual((await store.claimDueDeliveries('w', 10, 30_000, 5002)).map((d) => d.id), [follower.id]);
      });
    });
    describe('large raw messages', () => {
      // Bytes of every value, in uneven pieces, over several chunks.
      const bytes = Buffer.alloc(RAW_CHUNK_BYTES * 2 + 12345);
      for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 11)) & 0xff;
      const source = (b: Buffer): RawSource => ({
        size: b.length,
        async *open() {
          for (let at = 0; at < b.length; at += 300_001) yield b.subarray(at, at + 300_001);
        },
      });
      const read = async (id: number, tenant = 'acme') => {
        const parts: Buffer[] = [];
        for await (const c of store.readMessageBody(tenant, id)) parts.push(Buffer.from(c));
        return Buffer.concat(parts);
      };

      it('stores a streamed body in chunks and reads it back verbatim; an inline one reads as one chunk', async () => {
        const [big, small] = await store.acceptMessages([msg({ body: Buffer.alloc(0), stream: source(bytes) }), msg({ idempotencyKey: 'k2' })],
          { tenant: 'acme', endpoint: 'erp', value: 'after-big' });
        const m = (await store.getMessage('acme', big.messageId))!;
        assert.equal(m.chunked, true);
        assert.equal(m.size, bytes.length);
        assert.equal(m.body.length, 0);
        assert.equal(m.progress, 0);
        assert.ok((await read(big.messageId)).equals(bytes));
        assert.equal((await read(big.messageId, 'other')).length, 0, 'another tenant reads nothing');
        assert.equal((await store.getMessage('acme', small.messageId))!.chunked, false);
        assert.equal((await read(small.messageId)).toString(), '{"a":1}');
        assert.equal(await store.getCursor('acme', 'erp'), 'after-big');
      });

      it('answers a streamed duplicate with the original, and refuses a body that is not the size announced', async () => {
        const [a] = await store.acceptMessages([msg({ body: Buffer.alloc(0), stream: source(bytes) })]);
        const [b] = await store.acceptMessages([msg({ body: Buffer.alloc(0), stream: source(bytes) })]);
        assert.deepEqual(b, { messageId: a.messageId, duplicate: true });
        await assert.rejects(store.acceptMessages([msg({ idempotencyKey: 'short', body: Buffer.alloc(0), stream: { ...source(bytes.subarray(10)), size: bytes.length } })]), /announced/);
        assert.equal((await store.listMessages({ tenant: 'acme' })).length, 1);
      });

      it('commits checkpoints while the lease is held, refuses them once it is not, and a replay starts over', async () => {
        const [a] = await store.acceptMessages([msg({ body: Buffer.alloc(0), stream: source(bytes) })]);
        await store.claimPendingMessages('w1', 10, 1000, 1000);
        const doc = (n: number) => ({ id: `d${n}`, tenant: 'acme', messageId: a.messageId, type: 'sales_order', entityKey: `order:${n}`, occurredAt: 900, receivedAt: 1000, body: { n } });
        await store.completeMessages([{ messageId: a.messageId, status: 'processed', documents: [doc(1)], deliveries: [], owner: 'w1', checkpoint: { progress: 1, leaseUntil: 5000 },
          errors: [{ code: 'X', message: 'one bad set' }] }], 1500);
        let m = (await store.getMessage('acme', a.messageId))!;
        assert.equal(m.status, 'pending');
        assert.equal(m.progress, 1);
        assert.deepEqual(m.errors.map((e) => e.code), ['X']);
        assert.equal((await store.claimPendingMessages('w2', 10, 1000, 4000)).length, 0, 'the checkpoint renewed the lease');
        await assert.rejects(store.completeMessages([{ messageId: a.messageId, status: 'processed', documents: [doc(2)], deliveries: [], owner: 'w2', checkpoint: { progress: 2, leaseUntil: 9000 } }], 4100),
          (e: Error) => e instanceof MessageLeaseLost);
        assert.equal((await store.claimPendingMessages('w2', 10, 1000, 5001)).length, 1, 'a lapsed lease is taken over');
        await assert.rejects(store.completeMessages([{ messageId: a.messageId, status: 'processed', documents: [doc(2)], deliveries: [], owner: 'w1' }], 5100),
          (e: Error) => e instanceof MessageLeaseLost);
        await store.completeMessages([{ messageId: a.messageId, status: 'processed', documents: [doc(2)], deliveries: [], owner: 'w2', errors: [{ code: 'X', message: 'one bad set' }] }], 5200);
        m = (await store.getMessage('acme', a.messageId))!;
        assert.equal(m.status, 'processed');
        assert.deepEqual((await store.lineage('acme', a.messageId))!.documents.map((d) => d.id), ['d1', 'd2']);
        assert.equal(await store.requeueMessages('acme', [a.messageId], 6000), 1);
        m = (await store.getMessage('acme', a.messageId))!;
        assert.equal(m.progress, 0);
        assert.ok((await read(a.messageId)).equals(bytes), 'the raw message stays for the replay');
      });
    });
  });
}
