import assert from 'node:assert/strict';
import { describe, it, beforeEach, afterEach } from 'node:test';
import { EdiReceiptConflict, type EdiGroup, type EdiReceipt, type MessageOutcome, type NewDelivery, type NewMessage, type Store, type StoredDelivery } from '../../src/store/index.ts';

/**
 * One behaviour suite for every Store implementation: a store feature without a test here does
 * not exist. `open` must give a fresh, migrated, empty store each time.
 */
export function storeConformance(name: string, open: () => Promise<Store>): void {
  describe(`${name} store conformance`, () => {
    let store: Store;
    beforeEach(async () => { store = await open(); });
    afterEach(async () => { await store.close(); });

    const msg = (over: Partial<NewMessage> = {}): NewMessage => ({
      tenant: 'acme', endpoint: 'erp', codec: 'json', idempotencyKey: 'k1', contentHash: 'h1',
      body: Buffer.from('{"a":1}'), receivedAt: 1000, ...over,
    });
    const delivery = (messageId: number, over: Partial<NewDelivery> = {}): NewDelivery => ({
      tenant: 'acme', documentId: `doc-${messageId}`, documentType: 'sales_order', messageId, flow: 'f', endpoint: 'wms', entityKey: 'order:1',
      payload: Buffer.from('x'), contentType: 'application/json', idempotencyKey: `idem-${messageId}`, occurredAt: 900,
      receivedAt: 1000, maxAttempts: 3, ...over,
    });
    async function processed(messageId: number, deliveries: NewDelivery[]): Promise<void> {
      await store.completeMessages([{
        messageId, status: 'processed',
        documents: deliveries.map((d) => ({ id: d.documentId, tenant: d.tenant, messageId, type: d.documentType, entityKey: d.entityKey, occurredAt: 900, receivedAt: 1000, body: { n: messageId } })),
        deliveries,
      }], 2000);
    }
    async function delivered(d: StoredDelivery, at: number): Promise<void> {
      await store.recordAttempts([{ deliveryId: d.id, tenant: d.tenant, startedAt: at, finishedAt: at, outcome: 'delivered' }], at);
    }
    const documentsOf = (claimed: StoredDelivery[]) => claimed.map((d) => d.documentId);

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

    // A key's queue is in the order its messages arrived (message id, then delivery id), and a
    // delivery waits until every earlier message of its tenant is decoded or quarantined.
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

    it('hands out control numbers that increase, survive reopening and wrap at the maximum', async () => {
      assert.equal(await store.nextControlNumber('acme', 'partner-a', 'ISA', 999_999_999), 1);
      assert.equal(await store.nextControlNumber('acme', 'partner-a', 'ISA', 999_999_999), 2);
      assert.equal(await store.nextControlNumber('acme', 'partner-a', 'GS', 999_999_999), 1);
      assert.equal(await store.nextControlNumber('other', 'partner-a', 'ISA', 999_999_999), 1);
      assert.equal(await store.nextControlNumber('acme', 'partner-a', 'ISA', 3), 3);
      assert.equal(await store.nextControlNumber('acme', 'partner-a', 'ISA', 3), 1);
      const many = await Promise.all(Array.from({ length: 50 }, () => store.nextControlNumber('acme', 'p', 'ST', 999_999_999)));
      assert.equal(new Set(many).size, 50);
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

    it('recognises an X12 interchange or set seen again within the window, not a replay of the same message', async () => {
      const r = { tenant: 'acme', kind: 'interchange' as const, key: 'ZZ:ACME3PL:000000007', partner: 'acme-3pl', windowMs: 1000 };
      assert.deepEqual(await store.recordEdiReceipt({ ...r, messageId: 1, at: 1000 }), { duplicate: false, firstMessageId: 1, count: 1 });
      assert.equal((await store.recordEdiReceipt({ ...r, messageId: 1, at: 1100 })).duplicate, false, 'a replay of the first message');
      assert.deepEqual(await store.recordEdiReceipt({ ...r, messageId: 2, at: 1500 }), { duplicate: true, firstMessageId: 1, count: 2 });
      assert.equal((await store.recordEdiReceipt({ ...r, messageId: 2, at: 1600 })).count, 2, 'a replay of the duplicate is not counted twice');
      assert.equal((await store.recordEdiReceipt({ ...r, tenant: 'other', messageId: 3, at: 1600 })).duplicate, false, 'per tenant');
      assert.equal((await store.recordEdiReceipt({ ...r, kind: 'set', messageId: 3, at: 1600 })).duplicate, false, 'per kind');
      assert.deepEqual(await store.recordEdiReceipt({ ...r, messageId: 4, at: 5000 }), { duplicate: false, firstMessageId: 4, count: 1 }, 'outside the window');
      await store.recordEdiReceipt({ ...r, messageId: 5, at: 5100 });
      const dups = await store.listEdiDuplicates('acme');
      assert.deepEqual(dups.map((d) => [d.kind, d.key, d.firstMessageId, d.lastMessageId, d.count]), [['interchange', 'ZZ:ACME3PL:000000007', 4, 5, 2]]);
      assert.equal((await store.listEdiDuplicates('other')).length, 0);
    });

    it('tracks outbound X12 groups until acknowledged, replaces a replay, marks overdue once', async () => {
      const g = (gcn: string, key: string, deadlineAt: number | null) => ({
        tenant: 'acme', partner: 'acme-3pl', interchangeControlNumber: `00000000${gcn}`, groupControlNumber: gcn, functionalId: 'OW',
        sets: [{ id: '940', controlNumber: `000${gcn}` }], deliveryKey: key, messageId: 1, endpoint: '3pl-out', sentAt: 1000, deadlineAt,
      });
      await store.recordEdiGroups([g('1', 'k1', 5000), g('2', 'k2', 3000), g('3', 'k3', null)]);
      // A replay reissued control numbers for k2: the group it wrote before is gone.
      await store.recordEdiGroups([g('4', 'k2', 3000)]);
      assert.deepEqual((await store.listEdiGroups({ tenant: 'acme' })).map((x) => [x.groupControlNumber, x.status]), [['4', 'sent'], ['3', 'sent'], ['1', 'sent']]);
      const acked = await store.reconcileEdiGroup('acme', 'acme-3pl', '000000001', { status: 'accepted_with_errors', messageId: 9, at: 2000, detail: { sets: [] } });
      assert.equal(acked!.status, 'accepted_with_errors');
      assert.equal(acked!.ackMessageId, 9);
      assert.deepEqual(acked!.ackDetail, { sets: [] });
      assert.deepEqual(acked!.sets, [{ id: '940', controlNumber: '0001' }]);
      assert.equal(await store.reconcileEdiGroup('acme', 'other-partner', '1', { status: 'accepted', messageId: 9, at: 2000 }), undefined);
      assert.equal(await store.reconcileEdiGroup('other', 'acme-3pl', '1', { status: 'accepted', messageId: 9, at: 2000 }), undefined);
      assert.deepEqual((await store.markOverdueEdiGroups(2999)).length, 0);
      assert.deepEqual((await store.markOverdueEdiGroups(3001)).map((x) => x.groupControlNumber), ['4']);
      assert.deepEqual((await store.markOverdueEdiGroups(9999)).length, 0, 'each group once; acknowledged and deadline-less ones never');
      assert.deepEqual((await store.listEdiGroups({ tenant: 'acme', status: 'overdue' })).map((x) => x.groupControlNumber), ['4']);
      // A late 997 still settles an overdue group.
      assert.equal((await store.reconcileEdiGroup('acme', 'acme-3pl', '4', { status: 'accepted', messageId: 10, at: 4000 }))!.status, 'accepted');
      assert.equal((await store.listEdiGroups({ tenant: 'acme', partner: 'nobody' })).length, 0);
    });

    it('checks an X12 receipt without recording it', async () => {
      const r = { tenant: 'acme', kind: 'interchange' as const, key: 'ZZ:ACME3PL:000000008', partner: 'acme-3pl', windowMs: 1000 };
      assert.deepEqual(await store.checkEdiReceipt({ ...r, messageId: 1, at: 1000 }), { duplicate: false, firstMessageId: 1, count: 1 });
      assert.deepEqual(await store.checkEdiReceipt({ ...r, messageId: 2, at: 1000 }), { duplicate: false, firstMessageId: 2, count: 1 }, 'nothing was recorded');
      await store.recordEdiReceipt({ ...r, messageId: 1, at: 1000 });
      assert.deepEqual(await store.checkEdiReceipt({ ...r, messageId: 2, at: 1500 }), { duplicate: true, firstMessageId: 1, count: 2 });
      assert.deepEqual(await store.checkEdiReceipt({ ...r, messageId: 1, at: 1500 }), { duplicate: false, firstMessageId: 1, count: 1 }, 'a replay of the first message');
      assert.deepEqual(await store.checkEdiReceipt({ ...r, messageId: 2, at: 2500 }), { duplicate: false, firstMessageId: 2, count: 1 }, 'outside the window');
      assert.deepEqual(await store.listEdiDuplicates('acme'), []);
    });

    describe('EDI writes commit with the message outcome', () => {
      const receipt = (messageId: number, duplicate: boolean): EdiReceipt & { duplicate: boolean } => ({
        tenant: 'acme', kind: 'interchange', key: 'ZZ:ACME3PL:000000009', partner: 'acme-3pl', messageId, at: 1000 + messageId, windowMs: 60_000, duplicate,
      });
      const sent = (gcn: string, messageId: number) => ({
        tenant: 'acme', partner: 'acme-3pl', interchangeControlNumber: `00000000${gcn}`, groupControlNumber: gcn, functionalId: 'OW',
        sets: [{ id: '940', controlNumber: `000${gcn}` }], deliveryKey: `cw-${messageId}-0-f`, messageId, endpoint: '3pl-out', sentAt: 1000, deadlineAt: 9000,
      });
      const outcome = (messageId: number, edi: NonNullable<MessageOutcome['edi']>): MessageOutcome => ({
        messageId, status: 'processed', documents: [{ id: `doc-${messageId}`, tenant: 'acme', messageId, type: 'inventory_snapshot', entityKey: 'stock:AMS1', occurredAt: 900, receivedAt: 1000, body: {} }],
        deliveries: [delivery(messageId)], edi,
      });
      const rejectedAlert = (group: EdiGroup) => ({ tenant: group.tenant, kind: 'x12_rejected', subject: `group ${group.groupControlNumber}`, message: `rejected ${group.interchangeControlNumber}`, dedupeKey: `rejected:${group.groupControlNumber}`, createdAt: 2000 });

      it('records receipts, tracks and reconciles groups and raises alerts in the one transaction, and reports what it raised', async () => {
        const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
        const first = await store.completeMessages([outcome(a.messageId, {
          receipts: [receipt(a.messageId, false)], groups: [sent('1', a.messageId)],
          alerts: [{ tenant: 'acme', kind: 'x12_overdue', subject: 's', message: 'm', dedupeKey: 'once', createdAt: 1 }],
        })], 2000);
        assert.deepEqual(first.alerts.map((x) => x.dedupeKey), ['once']);
        assert.deepEqual((await store.listEdiGroups({ tenant: 'acme' })).map((g) => [g.groupControlNumber, g.status]), [['1', 'sent']]);
        const ack = { status: 'rejected' as const, messageId: b.messageId, at: 2000 };
        const second = await store.completeMessages([outcome(b.messageId, {
          receipts: [receipt(b.messageId, true)],
          reconciliations: [
            { tenant: 'acme', partner: 'acme-3pl', groupControlNumber: '000001', ack, alertFor: rejectedAlert },
            { tenant: 'acme', partner: 'acme-3pl', groupControlNumber: '77', ack, alertFor: rejectedAlert },
          ],
          alerts: [{ tenant: 'acme', kind: 'x12_overdue', subject: 's', message: 'm', dedupeKey: 'once', createdAt: 1 }],
        })], 2000);
        assert.deepEqual(second.alerts.map((x) => [x.kind, x.message]), [['x12_rejected', 'rejected 000000001']], 'an alert raised before is not reported again');
        assert.deepEqual(second.unknownGroups.map((r) => r.groupControlNumber), ['77']);
        assert.equal((await store.listEdiGroups({ tenant: 'acme' }))[0]!.status, 'rejected');
        assert.deepEqual((await store.listEdiDuplicates('acme')).map((d) => [d.firstMessageId, d.lastMessageId, d.count]), [[a.messageId, b.messageId, 2]]);
        assert.deepEqual((await store.listAlerts('acme')).map((x) => x.dedupeKey), ['rejected:1', 'once']);
      });

      it('refuses the whole commit when a receipt\'s screened verdict no longer holds, naming the message', async () => {
        const [a, b, c] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' }), msg({ idempotencyKey: 'c' })]);
        await store.completeMessages([outcome(a.messageId, { receipts: [receipt(a.messageId, false)] })], 2000);
        // b was screened before a committed: it read "new". c screened after.
        await assert.rejects(
          store.completeMessages([outcome(c.messageId, { receipts: [receipt(c.messageId, true)] }), outcome(b.messageId, { receipts: [receipt(b.messageId, false)], groups: [sent('2', b.messageId)] })], 2000),
          (e: unknown) => e instanceof EdiReceiptConflict && e.code === 'EDI_RECEIPT_CONFLICT' && e.messageIds.join() === String(b.messageId),
        );
        for (const id of [b.messageId, c.messageId]) assert.equal((await store.getMessage('acme', id))!.status, 'pending', 'nothing of the batch committed');
        assert.deepEqual(await store.listEdiGroups({ tenant: 'acme' }), []);
        assert.deepEqual(await store.listEdiDuplicates('acme'), []);
        // Within one batch, an earlier outcome's receipt counts for a later one of the same key.
        await assert.rejects(store.completeMessages([outcome(b.messageId, { receipts: [receipt(b.messageId, true)] }), outcome(c.messageId, { receipts: [receipt(c.messageId, false)] })], 2000),
          (e: unknown) => e instanceof EdiReceiptConflict && e.messageIds.join() === String(c.messageId));
        await store.completeMessages([outcome(b.messageId, { receipts: [receipt(b.messageId, true)] }), outcome(c.messageId, { receipts: [receipt(c.messageId, true)] })], 2000);
        assert.deepEqual((await store.listEdiDuplicates('acme')).map((d) => [d.firstMessageId, d.lastMessageId, d.count]), [[a.messageId, c.messageId, 3]]);
      });

      it('lets exactly one of two workers racing on one interchange record it as new', async () => {
        const [a, b] = await store.acceptMessages([msg({ idempotencyKey: 'a' }), msg({ idempotencyKey: 'b' })]);
        // Both screened before either committed, so both read "new".
        const results = await Promise.allSettled([a, b].map((m) => store.completeMessages([outcome(m.messageId, { receipts: [receipt(m.messageId, false)] })], 2000)));
        const won = results.findIndex((r) => r.status === 'fulfilled');
        const lost = results.findIndex((r) => r.status === 'rejected');
        assert.ok(won >= 0 && lost >= 0, `one commits, one is refused: ${results.map((r) => r.status).join(', ')}`);
        const refusal = (results[lost] as PromiseRejectedResult).reason;
        assert.ok(refusal instanceof EdiReceiptConflict, String(refusal));
        assert.deepEqual(refusal.messageIds, [[a, b][lost]!.messageId]);
        assert.equal((await store.getMessage('acme', [a, b][lost]!.messageId))!.status, 'pending');
        assert.deepEqual(await store.checkEdiReceipt(receipt([a, b][lost]!.messageId, false)), { duplicate: true, firstMessageId: [a, b][won]!.messageId, count: 2 }, 'screened again, it is the duplicate');
      });
    });

    it('raises each alert once and lists them newest first', async () => {
      const a = { tenant: 'acme', kind: 'x12_rejected', subject: 'group 1', message: 'rejected', dedupeKey: 'x12:acme-3pl:1:rejected', createdAt: 1 };
      assert.equal(await store.raiseAlert({ ...a, detail: { code: 'AK5-5' } }), true);
      assert.equal(await store.raiseAlert(a), false);
      assert.equal(await store.raiseAlert({ ...a, kind: 'x12_overdue', dedupeKey: 'x12:acme-3pl:2:overdue', createdAt: 2 }), true);
      const all = await store.listAlerts('acme');
      assert.deepEqual(all.map((x) => x.kind), ['x12_overdue', 'x12_rejected']);
      assert.deepEqual(all[1]!.detail, { code: 'AK5-5' });
      assert.deepEqual((await store.listAlerts('acme', { kind: 'x12_rejected' })).length, 1);
      assert.deepEqual((await store.listAlerts('other')).length, 0);
    });

    it('finds API keys by hash only', async () => {
      await store.putApiKey({ id: 'k1', tenant: 'acme', name: 'erp', hash: 'sha256:abc', createdAt: 1 });
      assert.equal((await store.findApiKey('sha256:abc'))!.tenant, 'acme');
      assert.equal(await store.findApiKey('abc'), undefined);
    });

    it('applies migrations once: migrating again is harmless', async () => {
      await store.migrate();
      await store.acceptMessages([msg()]);
      await store.migrate();
      assert.equal((await store.listMessages({ tenant: 'acme' })).length, 1);
    });
  });
}
