import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { PoolClient } from 'pg';
import type { NewDelivery, NewMessage } from '../../src/store/index.ts';
import { postgresMigrations } from '../../src/store/postgres/migrations.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { createTestDatabase, openTestPostgresStore, postgresUnavailable, type TestDatabase } from '../support/postgres.ts';
import { waitFor } from '../support/receiver.ts';
import { seededRandom } from '../support/seed.ts';
import { storeConformance } from './conformance/index.ts';

const skip = await postgresUnavailable();

const msg = (key: string, over: Partial<NewMessage> = {}): NewMessage => ({
  tenant: 'acme', endpoint: 'erp', codec: 'json', idempotencyKey: key, contentHash: `h-${key}`,
  body: Buffer.from(`{"k":"${key}"}`), receivedAt: 1000, ...over,
});

const delivery = (messageId: number, entityKey: string, n = 0): NewDelivery => ({
  tenant: 'acme', documentId: `doc-${messageId}-${n}`, documentType: 'sales_order', messageId, flow: 'orders', endpoint: 'wms', entityKey,
  payload: Buffer.from([messageId % 256, 0, 255]), contentType: 'application/json', idempotencyKey: `idem-${messageId}-${n}`,
  occurredAt: 900, receivedAt: 1000, maxAttempts: 3,
});

describe('postgres', { skip }, () => {
  storeConformance('postgres', () => openTestPostgresStore());

  describe('several workers on one database', () => {
    let db: TestDatabase;
    let workers: PostgresStore[];
    before(async () => {
      db = await createTestDatabase();
      workers = Array.from({ length: 4 }, () => new PostgresStore({ url: db.url, pool: { max: 4 } }));
      await Promise.all(workers.map((w) => w.migrate()));
    });
    after(async () => {
      await Promise.all(workers.map((w) => w.close()));
      await db.drop();
    });

    it('migrates once when several processes start together', async () => {
      const fresh = await createTestDatabase();
      const stores = Array.from({ length: 3 }, () => new PostgresStore({ url: fresh.url }));
      try {
        await Promise.all(stores.map((s) => s.migrate()));
        const rows = (await stores[0].pool.query('SELECT version FROM schema_migrations ORDER BY version')).rows;
        assert.deepEqual(rows.map((r) => r.version), postgresMigrations.map((m) => m.version));
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await fresh.drop();
      }
    });

    it('hands out unique control numbers across 4 pools x 100 calls', async () => {
      const numbers = await Promise.all(workers.flatMap((w) => Array.from({ length: 100 }, () => w.nextControlNumber('acme', 'partner-x', 'ISA', 999_999_999))));
      assert.equal(new Set(numbers).size, 400);
      assert.deepEqual([...numbers].sort((a, b) => a - b), Array.from({ length: 400 }, (_, i) => i + 1));
    });

    it('gives a scheduled job to exactly one of several workers racing for it', async () => {
      for (let round = 0; round < 20; round++) {
        const won = await Promise.all(workers.map((w, i) => w.tryAcquireJobLease(`poll:race-${round}`, `w${i}`, 30_000, 1000)));
        assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${won}`);
      }
    });

    it('never leases one message to two workers', async () => {
      const accepted = await workers[0].acceptMessages(Array.from({ length: 600 }, (_, i) => msg(`m-${i}`, { tenant: 'claims' })));
      const claimed: number[][] = workers.map(() => []);
      await Promise.all(workers.map(async (w, i) => {
        for (;;) {
          const batch = await w.claimPendingMessages(`w${i}`, 7, 60_000, Date.now());
          if (batch.length === 0) return;
          claimed[i].push(...batch.map((m) => m.id));
        }
      }));
      const all = claimed.flat();
      assert.equal(new Set(all).size, all.length, 'a message was leased twice');
      assert.deepEqual(all.sort((a, b) => a - b), accepted.map((a) => a.messageId).sort((a, b) => a - b));
      assert.ok(claimed.filter((c) => c.length > 0).length > 1, 'the work was shared between workers');
    });

    it('keeps each key in order and held by one worker while workers decode and deliver concurrently', async (t) => {
      const random = seededRandom(t);
      const tenant = 'acme';
      const accepted = await workers[0].acceptMessages(Array.from({ length: 240 }, (_, i) => msg(`o-${i}`)));
      const keys = Array.from({ length: 6 }, (_, i) => `order:${i}`);
      let decoding = workers.length;
      // Engine side: each worker turns its claimed messages into two deliveries on shared keys.
      const decode = workers.map(async (w, i) => {
        try {
          for (;;) {
            const batch = await w.claimPendingMessages(`engine-${i}`, 5, 60_000, Date.now());
            if (batch.length === 0) return;
            await w.completeMessages(batch.map((m) => ({
              messageId: m.id, status: 'processed' as const, documents: [],
              deliveries: [delivery(m.id, keys[m.id % keys.length], 0), delivery(m.id, keys[(m.id + 1) % keys.length], 1)],
            })), Date.now());
          }
        } finally {
          decoding--;
        }
      });
      // Outbox side: a key held by one worker must never be handed to another.
      const holder = new Map<string, string>();
      const deliveredOrder = new Map<string, number[]>();
      const violations: string[] = [];
      const deliver = workers.map(async (w, i) => {
        const owner = `outbox-${i}`;
        for (;;) {
          const batch = await w.claimDueDeliveries(owner, 4, 60_000, Date.now());
          if (batch.length === 0) {
            if (decoding === 0 && (await w.listDeliveries({ tenant, status: 'pending', limit: 1 })).length === 0) return;
            await new Promise((r) => setTimeout(r, 2));
            continue;
          }
          for (const d of batch) {
            const other = holder.get(d.entityKey);
            if (other) violations.push(`${d.entityKey} handed to ${owner} while ${other} holds it`);
            holder.set(d.entityKey, owner);
          }
          await new Promise((r) => setTimeout(r, random() * 3));
          for (const d of batch) {
            holder.delete(d.entityKey);
            deliveredOrder.set(d.entityKey, [...(deliveredOrder.get(d.entityKey) ?? []), d.messageId]);
          }
          await w.recordAttempts(batch.map((d) => ({ deliveryId: d.id, tenant, startedAt: Date.now(), finishedAt: Date.now(), outcome: 'delivered' as const })), Date.now());
        }
      });
      await Promise.all([...decode, ...deliver]);
      assert.deepEqual(violations, []);
      let total = 0;
      for (const key of keys) {
        const order = deliveredOrder.get(key) ?? [];
        total += order.length;
        assert.deepEqual(order, [...order].sort((a, b) => a - b), `${key} went out of message arrival order`);
        assert.equal(new Set(order).size, order.length, `${key}: a delivery went out twice`);
      }
      assert.equal(total, accepted.length * 2, 'every delivery went out exactly once');
    });

    it('does not hand out a replayed dead head while a later delivery of its key is held', async () => {
      const [w1, w2] = workers;
      const [a, b] = await w1.acceptMessages([msg('dead-a', { tenant: 'replay' }), msg('dead-b', { tenant: 'replay' })]);
      const onKey = (id: number) => ({ ...delivery(id, 'order:replay'), tenant: 'replay' });
      await w1.completeMessages([
        { messageId: a.messageId, status: 'processed', documents: [], deliveries: [onKey(a.messageId)] },
        { messageId: b.messageId, status: 'processed', documents: [], deliveries: [onKey(b.messageId)] },
      ], 2000);
      const [head] = await w1.claimDueDeliveries('w1', 10, 60_000, 3000);
      await w1.recordAttempts([{ deliveryId: head.id, tenant: 'replay', startedAt: 3000, finishedAt: 3001, outcome: 'permanent', error: 'unknown SKU' }], 3001);
      const [follower] = await w1.claimDueDeliveries('w1', 10, 60_000, 3002);
      assert.equal(follower.messageId, b.messageId);
      assert.equal(await w2.requeueDeadDeliveries('replay', [head.id], 3003), 1);
      assert.deepEqual(await w2.claimDueDeliveries('w2', 10, 60_000, 3004), [], 'the key is still held by w1');
      await w1.recordAttempts([{ deliveryId: follower.id, tenant: 'replay', startedAt: 3005, finishedAt: 3006, outcome: 'delivered' }], 3006);
      assert.deepEqual((await w2.claimDueDeliveries('w2', 10, 60_000, 3007)).map((d) => d.id), [head.id]);
    });

    it('keeps a key in commit order when a worker stalls between writing its deliveries and committing', async () => {
      const [slow, fast, outbox] = workers;
      const [a, b] = await fast.acceptMessages([msg('stall-a', { tenant: 'stall' }), msg('stall-b', { tenant: 'stall' })]);
      const onKey = (id: number) => ({ ...delivery(id, 'order:stall'), tenant: 'stall' });
      const stall = stallNextCommit(slow);
      const first = slow.completeMessages([{ messageId: a.messageId, status: 'processed', documents: [], deliveries: [onKey(a.messageId)] }], 2000);
      await stall.reached;
      const second = fast.completeMessages([{ messageId: b.messageId, status: 'processed', documents: [], deliveries: [onKey(b.messageId)] }], 2000);
      let early;
      try {
        // The fast worker has gone as far as it can: committed, or queued behind the stalled one's key lock.
        let finished = false;
        second.then(() => { finished = true; }, () => { finished = true; });
        await waitFor(async () => finished || (await lockWaiters(outbox)) > 0, 10_000, 'the fast worker to commit or wait on a lock');
        early = await outbox.claimDueDeliveries('outbox', 10, 60_000, 3000);
      } finally {
        stall.release();
        await Promise.all([first, second]);
      }
      assert.deepEqual(early, [], 'nothing of the key may go out before the earlier write commits');
      const [head] = await outbox.claimDueDeliveries('outbox', 10, 60_000, 3001);
      assert.equal(head.messageId, a.messageId);
      await outbox.recordAttempts([{ deliveryId: head.id, tenant: 'stall', startedAt: 3001, finishedAt: 3002, outcome: 'delivered' }], 3002);
      assert.deepEqual((await outbox.claimDueDeliveries('outbox', 10, 60_000, 3003)).map((d) => d.messageId), [b.messageId]);
    });

    it('keeps a key from other claimers while a claim of it is still committing', async () => {
      const [w1, w2, w3] = workers;
      const [a, b] = await w1.acceptMessages([msg('race-a', { tenant: 'race' }), msg('race-b', { tenant: 'race' })]);
      const onKey = (id: number) => ({ ...delivery(id, 'order:race'), tenant: 'race' });
      await w1.completeMessages([
        { messageId: a.messageId, status: 'processed', documents: [], deliveries: [onKey(a.messageId)] },
        { messageId: b.messageId, status: 'processed', documents: [], deliveries: [onKey(b.messageId)] },
      ], 2000);
      const [head] = await w1.claimDueDeliveries('w1', 10, 60_000, 3000);
      await w1.recordAttempts([{ deliveryId: head.id, tenant: 'race', startedAt: 3000, finishedAt: 3001, outcome: 'permanent', error: 'unknown SKU' }], 3001);
      const stall = stallNextCommit(w1);
      const followerClaim = w1.claimDueDeliveries('w1', 10, 60_000, 3002);
      await stall.reached;
      let rival;
      try {
        assert.equal(await w3.requeueDeadDeliveries('race', [head.id], 3003), 1);
        rival = await w2.claimDueDeliveries('w2', 10, 60_000, 3004);
      } finally {
        stall.release();
      }
      assert.deepEqual((await followerClaim).map((d) => d.messageId), [b.messageId]);
      assert.deepEqual(rival, [], 'w1 is taking the key');
    });

    it('delivers a key in message arrival order when a later message\'s worker commits first', async () => {
      const [early, late, outbox] = workers;
      const [a, b] = await early.acceptMessages([msg('arrival-released', { tenant: 'arrival' }), msg('arrival-picked', { tenant: 'arrival' })]);
      const [first] = await early.claimPendingMessages('early', 1, 60_000, 1000);
      const [second] = await late.claimPendingMessages('late', 1, 60_000, 1000);
      assert.deepEqual([first.id, second.id], [a.messageId, b.messageId]);
      const onKey = (id: number) => ({ ...delivery(id, 'order:arrival'), tenant: 'arrival' });
      await late.completeMessages([{ messageId: b.messageId, status: 'processed', documents: [], deliveries: [onKey(b.messageId)] }], 1100);
      assert.deepEqual(await outbox.claimDueDeliveries('outbox', 10, 60_000, 1200), [], 'the earlier message is not decoded yet');
      await early.completeMessages([{ messageId: a.messageId, status: 'processed', documents: [], deliveries: [onKey(a.messageId)] }], 1300);
      const [head] = await outbox.claimDueDeliveries('outbox', 10, 60_000, 1400);
      assert.equal(head.messageId, a.messageId, 'released before picked, though picked was committed first');
      await outbox.recordAttempts([{ deliveryId: head.id, tenant: 'arrival', startedAt: 1400, finishedAt: 1401, outcome: 'delivered' }], 1401);
      assert.deepEqual((await outbox.claimDueDeliveries('outbox', 10, 60_000, 1402)).map((d) => d.messageId), [b.messageId]);
    });

    it('accepts a batch of 500 messages in a few statements, duplicates inside the batch included', async () => {
      let statements = 0;
      const counting = new PostgresStore({ url: db.url, pool: { max: 1 } });
      counting.pool.on('connect', (client) => {
        const query = client.query.bind(client) as (...args: unknown[]) => unknown;
        (client as { query: unknown }).query = (...args: unknown[]) => { statements++; return query(...args); };
      });
      try {
        const batch = Array.from({ length: 500 }, (_, i) => msg(`b-${i % 499}`, { tenant: 'batch', body: Buffer.from([i % 256, 0, 13, 10]) }));
        const accepted = await counting.acceptMessages(batch, { tenant: 'batch', endpoint: 'erp', value: 'page-2' });
        assert.ok(statements <= 5, `${statements} statements for one batch`);
        assert.equal(accepted.filter((a) => a.duplicate).length, 1);
        assert.equal(accepted[499].messageId, accepted[0].messageId);
        const ids = accepted.slice(0, 499).map((a) => a.messageId);
        assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'ids follow arrival order');
        const first = await counting.getMessage('batch', accepted[0].messageId);
        assert.equal(first!.duplicates, 1);
        assert.deepEqual(first!.body, Buffer.from([0, 0, 13, 10]));
        assert.equal(await counting.getCursor('batch', 'erp'), 'page-2');
      } finally {
        await counting.close();
      }
    });
  });
});

/** How many sessions on the store's database are waiting for a lock. */
async function lockWaiters(store: PostgresStore): Promise<number> {
  const { rows } = await store.pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
  return rows[0].n;
}

/** Holds the next COMMIT a store sends until released: a worker stalled at the worst moment. */
function stallNextCommit(store: PostgresStore): { reached: Promise<void>; release(): void } {
  let reached!: () => void;
  let release!: () => void;
  const reachedP = new Promise<void>((r) => { reached = r; });
  const released = new Promise<void>((r) => { release = r; });
  let armed = true;
  const original = store.pool.connect.bind(store.pool) as () => Promise<PoolClient>;
  (store.pool as { connect: unknown }).connect = async () => {
    const client = await original();
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as { query: unknown }).query = async (...args: unknown[]) => {
      if (armed && args[0] === 'COMMIT') {
        armed = false;
        (store.pool as { connect: unknown }).connect = original;
        (client as { query: unknown }).query = query;
        reached();
        await released;
      }
      return query(...args);
    };
    return client;
  };
  return { reached: reachedP, release };
}
