// PostgreSQL's monthly partitions: migration 26 converts a database with data in it (rows, ids,
// keys and indexes survive), rows that arrive before their month's partition wait in the default
// one and move in, and a prune drops a month whole when all of it may go, row by row otherwise.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { retentionSchema } from '../../src/config/retention.ts';
import { readArchive } from '../../src/engine/retention/archive.ts';
import { Pruner } from '../../src/engine/retention/pruner.ts';
import type { NewDelivery } from '../../src/store/index.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { createTestDatabase, migrateBefore, openTestPostgresStore, postgresUnavailable } from '../support/postgres.ts';

const skip = await postgresUnavailable();
const DAY = 86_400_000;
const NOW = Date.now();
const monthOf = (t: number) => new Date(t).toISOString().slice(0, 7);
/** The 10th of the month `back` months before NOW's, noon UTC. */
const monthsAgo = (back: number) => { const d = new Date(NOW); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 10, 12); };
const dir = mkdtempSync(join(tmpdir(), 'causeway-partitions-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function partitionsOf(db: pg.Pool, table: string): Promise<string[]> {
  return (await db.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = $1::regclass ORDER BY 1`, [table])).rows.map((r) => r.relname);
}

async function indexNames(db: pg.Pool, tables: string[]): Promise<string[]> {
  return (await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = ANY($1) ORDER BY 1`, [tables])).rows.map((r) => r.indexname);
}

describe('postgres monthly partitions', { skip }, () => {
  it('converts a database with data in it: rows, ids, keys and indexes survive', async () => {
    const db = await createTestDatabase();
    const pool = new pg.Pool({ connectionString: db.url });
    const store = new PostgresStore({ url: db.url });
    try {
      // The schema as it was before migration 26, filled the way the old code filled it.
      await migrateBefore(pool, 26);
      const before = await indexNames(pool, ['messages', 'documents', 'deliveries', 'attempts']);
      const old = monthsAgo(5);
      for (const [i, at] of [old, old + DAY, NOW].entries()) {
        const [m] = (await pool.query(`INSERT INTO messages (tenant, endpoint, codec, idempotency_key, content_hash, body, received_at, status)
          VALUES ('acme', 'erp', 'json', $1, 'h', '\\x7b7d', $2, 'processed') RETURNING id`, [`k-${i}`, at])).rows;
        await pool.query(`INSERT INTO documents (id, tenant, message_id, generation, type, entity_key, occurred_at, received_at, body)
          VALUES ($1, 'acme', $2, 1, 'sales_order', $3, $4, $4, '{}')`, [`doc-${i}`, m.id, `SO-${i}`, at]);
        const [d] = (await pool.query(`INSERT INTO deliveries (tenant, document_id, document_type, message_id, flow, endpoint, entity_key, payload, content_type,
            idempotency_key, occurred_at, received_at, status, max_attempts, available_at, created_at)
          VALUES ('acme', $1, 'sales_order', $2, 'f', 'wms', $3, '\\x00', 'application/json', $4, $5, $5, 'delivered', 3, $5, $5) RETURNING id`, [`doc-${i}`, m.id, `SO-${i}`, `idem-${i}`, at])).rows;
        await pool.query(`INSERT INTO attempts (delivery_id, tenant, started_at, finished_at, outcome) VALUES ($1, 'acme', $2, $2, 'delivered')`, [d.id, at + 5000]);
      }
      const rows = async () => Promise.all(['messages', 'documents', 'deliveries', 'attempts'].map(async (t) => (await pool.query(`SELECT * FROM ${t} ORDER BY 1`)).rows));
      const [messages, documents, deliveries, attempts] = await rows();

      await store.migrate();

      const [m2, doc2, del2, att2] = await rows();
      assert.deepEqual(m2, messages, 'every message, with its id');
      assert.deepEqual(doc2, documents);
      assert.deepEqual(del2, deliveries);
      assert.deepEqual(att2.map(({ received_at: r, ...a }) => a), attempts);
      assert.deepEqual(att2.map((a) => a.received_at), deliveries.map((d) => d.received_at), 'an attempt takes its delivery\'s month');
      assert.ok((await partitionsOf(pool, 'messages')).includes(`messages_${monthOf(old).replace('-', '_')}`), 'a partition for each month with rows');
      assert.deepEqual((await pool.query(`SELECT count(*)::int AS n FROM messages_default`)).rows[0].n, 0, 'none left in the default partition');
      const after = await indexNames(pool, ['messages', 'documents', 'deliveries', 'attempts']);
      for (const name of before.filter((n) => !n.endsWith('_pkey') && !n.endsWith('_key'))) assert.ok(after.includes(name), `index ${name} is built again`);
      assert.deepEqual((await pool.query(`SELECT array_agg(a.attname::text ORDER BY a.attname) AS cols FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = 'messages'::regclass AND i.indisprimary`)).rows[0].cols, ['id', 'received_at'], 'the primary key holds the partition key');

      // The old idempotency keys still dedupe, across months, and new ids follow the old ones.
      const again = await store.acceptMessages([
        { tenant: 'acme', endpoint: 'erp', codec: 'json', idempotencyKey: 'k-0', contentHash: 'h', body: Buffer.from('{}'), receivedAt: NOW },
        { tenant: 'acme', endpoint: 'erp', codec: 'json', idempotencyKey: 'new', contentHash: 'h', body: Buffer.from('{}'), receivedAt: NOW },
        { tenant: 'acme', endpoint: 'erp', codec: 'json', idempotencyKey: 'new', contentHash: 'h', body: Buffer.from('{}'), receivedAt: NOW },
      ]);
      assert.deepEqual(again.map((a) => a.duplicate), [true, false, true]);
      assert.equal(again[0]!.messageId, Number(messages[0].id));
      assert.equal(again[1]!.messageId, again[2]!.messageId);
      assert.ok(again[1]!.messageId > Math.max(...messages.map((m) => Number(m.id))));
      assert.equal((await store.getMessage('acme', Number(messages[0].id)))!.duplicates, 1);
      await assert.rejects(pool.query(`INSERT INTO message_keys VALUES ('acme', 'erp', 'new', 0, 0)`), /duplicate key/, 'a key is unique across months');
      const [d] = await store.claimDueDeliveries('w', 10, 60_000, NOW, []).then(async () => (await store.listDeliveries({ tenant: 'acme' })));
      assert.ok(d, 'deliveries read back through the partitioned table');
    } finally {
      await store.close();
      await pool.end();
      await db.drop();
    }
  });

  it('keeps a row that arrives before its month\'s partition in the default one, and moves it in when the month is made', async () => {
    const store = await openTestPostgresStore();
    try {
      const early = monthsAgo(-6);
      const [a] = await store.acceptMessages([{ tenant: 'acme', endpoint: 'erp', codec: 'json', idempotencyKey: 'early', contentHash: 'h', body: Buffer.from('{}'), receivedAt: early }]);
      assert.equal((await store.pool.query('SELECT count(*)::int AS n FROM messages_default')).rows[0].n, 1);
      const made = await store.preparePartitions(early);
      assert.ok(made.includes(`messages_${monthOf(early).replace('-', '_')}`), made.join(', '));
      assert.equal((await store.pool.query('SELECT count(*)::int AS n FROM messages_default')).rows[0].n, 0, 'moved into its month');
      assert.equal((await store.getMessage('acme', a!.messageId))!.receivedAt, early);
      assert.deepEqual(await store.preparePartitions(early), [], 'made once');
    } finally {
      await store.close();
    }
  });

  it('drops a month whole when all of it may go, and prunes a month with an open message row by row', async () => {
    const store = await openTestPostgresStore();
    try {
      const closed = monthsAgo(4);
      const open = monthsAgo(3);
      await store.preparePartitions(closed);
      await store.preparePartitions(open);
      const message = async (key: string, at: number, tenant: string, pending = false) => {
        const [a] = await store.acceptMessages([{ tenant, endpoint: 'in', codec: 'json', idempotencyKey: key, contentHash: key, body: Buffer.from(`{"key":"${key}"}`), receivedAt: at }]);
        const id = a!.messageId;
        const d: NewDelivery = {
          tenant, documentId: `doc-${key}`, documentType: 'sales_order', messageId: id, flow: 'f', endpoint: 'out', entityKey: `k:${key}`, payload: Buffer.from('p'),
          contentType: 'application/json', idempotencyKey: `i-${key}`, occurredAt: at, receivedAt: at, maxAttempts: 3,
        };
        await store.completeMessages([{ messageId: id, status: 'processed', documents: [{ id: d.documentId, tenant, messageId: id, type: 'sales_order', entityKey: d.entityKey, occurredAt: at, receivedAt: at, body: { key } }], deliveries: [d] }], at);
        if (!pending) {
          const delivery = (await store.listDeliveries({ tenant })).find((x) => x.messageId === id)!;
          await store.recordAttempts([{ deliveryId: delivery.id, tenant, startedAt: at, finishedAt: at + 1000, outcome: 'delivered' }], at + 1000);
        }
        return id;
      };
      const gone = [await message('a', closed, 'acme'), await message('b', closed + DAY, 'acme'), await message('g', closed, 'globex')];
      const settled = await message('s', open, 'acme');
      const waiting = await message('w', open + DAY, 'acme', true);
      const recent = await message('r', NOW - DAY, 'acme');
      const archive = join(dir, 'archive');
      const config = retentionSchema.parse({ rawDays: 30, documentsDays: 30, messagesDays: 30, archive: { folder: archive }, pauseMs: 0, batchSize: 2 });
      const pruner = new Pruner({ store, config, now: () => NOW });
      const partition = (t: number) => `messages_${monthOf(t).replace('-', '_')}`;

      const dry = await pruner.prune('acme', { dryRun: true });
      assert.ok(dry.months.includes(monthOf(closed)) && !dry.months.includes(monthOf(open)), `only a month with nothing open: ${dry.months.join(', ')}`);
      assert.ok((await partitionsOf(store.pool, 'messages')).includes(partition(closed)), 'a dry run drops nothing');

      const r = await pruner.prune('acme');
      assert.deepEqual(r.months, dry.months, 'the dry run told what goes (the empty months made ahead with the old ones too)');
      const left = await partitionsOf(store.pool, 'messages');
      assert.ok(!left.includes(partition(closed)), `${partition(closed)} is dropped: ${left.join(', ')}`);
      for (const t of ['documents', 'deliveries', 'attempts']) assert.ok(!(await partitionsOf(store.pool, t)).includes(`${t}_${monthOf(closed).replace('-', '_')}`), `with its ${t}`);
      assert.ok(left.includes(partition(open)), 'the month with an open message stays');
      for (const id of gone.slice(0, 2)) assert.equal(await store.getMessage('acme', id), undefined);
      assert.equal(await store.getMessage('globex', gone[2]!), undefined, 'every tenant of the month had nothing open and nothing kept');
      assert.equal(r.messages, 2 + 1, 'this tenant\'s two of the dropped month and the settled one of the other month, row by row');
      assert.equal(await store.getMessage('acme', settled), undefined);
      assert.equal((await store.lineage('acme', waiting))!.deliveries.length, 1, 'the open one keeps everything');
      assert.equal((await store.getMessage('acme', recent))!.pruned, undefined);

      // The archive has what the drop removed, for both tenants; their keys are forgotten.
      const files = r.archived.filter((f) => f.endsWith(`${new Date(closed).toISOString().slice(0, 10)}.jsonl.gz`));
      assert.deepEqual(files.map((f) => f.split('/')[0]).sort(), ['acme', 'globex']);
      const kinds = [];
      for await (const rec of readArchive(join(archive, files.find((f) => f.startsWith('acme/'))!))) kinds.push(`${rec.kind}:${rec.messageId}`);
      assert.ok(kinds.includes(`raw:${gone[0]}`) && kinds.includes(`documents:${gone[0]}`), kinds.join(', '));
      assert.ok(readdirSync(join(archive, 'globex')).length > 0);
      const [back] = await store.acceptMessages([{ tenant: 'acme', endpoint: 'in', codec: 'json', idempotencyKey: 'a', contentHash: 'a', body: Buffer.from('{}'), receivedAt: NOW }]);
      assert.equal(back!.duplicate, false, 'a resend after its month went is taken as new');
    } finally {
      await store.close();
    }
  });
});
