// Files larger than the inbox holds in memory: dropped in a folder, stored in chunks, decoded part
// by part and committed in checkpoints; a broken set among them is rejected alone; a worker that
// takes a half-read file over carries on where the last checkpoint left it.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import pino from 'pino';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { SqliteStore, type MessageOutcome, type Store, type StoredMessage } from '../../src/store/index.ts';
import { INBOUND_FILE_BYTES } from '../../src/transports/index.ts';
import { openTestPostgresStore, postgresUnavailable } from '../support/postgres.ts';
import { waitFor } from '../support/receiver.ts';
import { generateX12 } from '../support/x12-files.ts';

const root = mkdtempSync(join(tmpdir(), 'causeway-large-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const PER_COMMIT = 400;
const PER_GROUP = 150;

const noPostgres = await postgresUnavailable();
const stores: Array<[string, () => Promise<Store>, string | undefined]> = [
  ['SQLite', async () => {
    const store = new SqliteStore({ path: join(runDir(), 'hub.db'), synchronous: 'NORMAL' });
    await store.migrate();
    return store;
  }, undefined],
  ['PostgreSQL', () => openTestPostgresStore(), noPostgres],
];
let current = '';
const runDir = () => current;

for (const [name, openStore, skip] of stores) describe(`large files through a folder endpoint, on ${name}`, { skip }, () => {
  let dir: string;
  let store: Store;
  let hub: Hub;
  let commits: Array<{ documents: number; checkpoint: boolean }>;

  async function start(options: { processor?: boolean } = {}): Promise<void> {
    dir = join(root, `run-${++n}`);
    current = dir;
    mkdirSync(join(dir, 'drop'), { recursive: true });
    store = await openStore();
    commits = [];
    const complete = store.completeMessages.bind(store);
    store.completeMessages = (outcomes: MessageOutcome[], now: number) => {
      for (const o of outcomes) commits.push({ documents: o.status === 'processed' ? o.documents.length : 0, checkpoint: o.status === 'processed' && !!o.checkpoint });
      return complete(outcomes, now);
    };
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
worker: { documentsPerCommit: ${PER_COMMIT}, leaseMs: 60000, idleMs: 20 }
endpoints:
  wms-in: { type: folder, inbox: ${join(dir, 'drop')}, minAgeMs: 0, pollIntervalMs: 20, codec: x12 }
flows: []
`, dir);
    hub = await Hub.start(loaded, { store, logger: pino({ level: 'silent' }), idleMs: 20, processor: options.processor });
  }

  afterEach(async () => {
    await hub.stop();
    await store.close();
  });

  /** Writes a generated file beside the folder and moves it in whole, as a partner's atomic upload does. */
  async function drop(name: string, mb: number, broken?: Set<number>, warned?: Set<number>) {
    const staged = join(dir, name);
    const made = await generateX12(staged, '940', mb, { setsPerGroup: PER_GROUP, broken, warned });
    renameSync(staged, join(dir, 'drop', name));
    return made;
  }

  const storedMessage = () => waitFor(() => store.listMessages({ tenant: 'acme' }).then((l) => l[0]), 120_000, 'the file stored');
  const settled = (id: number) => waitFor(async () => {
    const m = await store.getMessage('acme', id);
    return m && m.status !== 'pending' ? m : undefined;
  }, 300_000, 'the file processed');

  /** Order numbers of the documents committed for a message (this generation), with how many documents carry each. */
  async function orders(messageId: number): Promise<Map<number, number>> {
    const lineage = (await store.lineage('acme', messageId))!;
    const seen = new Map<number, number>();
    for (const d of lineage.documents) {
      if (d.type !== 'sales_order' || d.generation !== lineage.message.generation) continue;
      const order = Number((d.body as { orderNumber: string }).orderNumber.slice(2));
      seen.set(order, (seen.get(order) ?? 0) + 1);
    }
    return seen;
  }

  it('stores a file larger than the inbox holds in chunks and commits all its sets in bounded checkpoints', async () => {
    await start();
    const made = await drop('orders.edi', 3);
    assert.ok(made.bytes > 2 * INBOUND_FILE_BYTES, 'the file is larger than a message read whole');
    const m = await settled((await storedMessage()).id);
    assert.equal(m.chunked, true);
    assert.equal(m.size, made.bytes);
    assert.equal(m.status, 'processed', JSON.stringify(m.errors.slice(0, 3)));
    assert.deepEqual(m.errors, []);
    const seen = await orders(m.id);
    assert.equal(seen.size, made.sets, 'every set is a document');
    for (let i = 1; i <= made.sets; i++) assert.equal(seen.get(i), 1, `order SO${i} once`);
    const checkpoints = commits.filter((c) => c.checkpoint);
    assert.ok(checkpoints.length >= Math.floor(made.sets / PER_COMMIT) - 1, `${checkpoints.length} checkpoints for ${made.sets} sets`);
    // A checkpoint is taken once a part (one group) brings the batch to documentsPerCommit: never more than that plus one group.
    for (const c of commits) assert.ok(c.documents < PER_COMMIT + PER_GROUP, `${c.documents} documents in one commit`);
    assert.equal(commits.reduce((sum, c) => sum + c.documents, 0), made.sets);
  });

  it('rejects a broken set in the middle of a large file alone; its neighbours are committed', async () => {
    await start();
    const made = await drop('orders-with-a-bad-one.edi', 3, new Set([4321]));
    const m = await settled((await storedMessage()).id);
    assert.equal(m.status, 'processed');
    assert.equal(m.errors.length, 1, JSON.stringify(m.errors));
    assert.match(m.errors[0]!.message, /W01/);
    assert.equal(m.errors[0]!.position?.set, String(4321).padStart(5, '0'));
    const seen = await orders(m.id);
    assert.equal(seen.size, made.sets - 1);
    assert.equal(seen.has(4321), false);
    assert.ok(seen.has(4320) && seen.has(4322), 'the sets on either side are committed');
    const dead = await store.listDeadLetters('acme');
    assert.equal(dead.length, 1, 'the rejected set is dead-lettered with the message, whose raw bytes stay stored');
  });

  it('keeps the warnings of sets read across checkpoints with the message, and dead-letters nothing for them', async () => {
    await start();
    await drop('orders-without-ship-to.edi', 3, undefined, new Set([7, 4321]));
    const m = await settled((await storedMessage()).id);
    assert.equal(m.status, 'processed');
    assert.deepEqual(m.errors, []);
    assert.deepEqual(m.warnings.map((w) => [w.code, w.position?.set]), [['X12_SEGMENT_MISSING', '00007'], ['X12_SEGMENT_MISSING', '04321']]);
    assert.ok(commits.filter((c) => c.checkpoint).length >= 2, 'the two sets were committed in different checkpoints');
    assert.deepEqual(await store.listDeadLetters('acme'), []);
  });

  it('a worker that takes a half-read file over skips what was committed and commits the rest once', async () => {
    await start({ processor: false });
    const made = await drop('orders.edi', 3);
    const stored = await storedMessage();
    const leaseMs = 60_000;
    const [first] = await store.claimPendingMessages('w1', 10, leaseMs, Date.now());
    // The first worker stalls for good after its second checkpoint (a crash, as far as the store can tell).
    const complete = store.completeMessages;
    let calls = 0;
    store.completeMessages = (outcomes, now) => (++calls > 2 ? new Promise(() => undefined) : complete(outcomes, now));
    void hub.processor.processLarge(first as StoredMessage, { owner: 'w1', leaseMs });
    await waitFor(() => calls > 2, 120_000, 'two checkpoints of the first worker');
    store.completeMessages = complete;
    const halfway = (await store.getMessage('acme', stored.id))!;
    assert.equal(halfway.progress > 0, true);
    assert.equal(halfway.status, 'pending');
    const [again] = await store.claimPendingMessages('w2', 10, leaseMs, Date.now() + leaseMs + 1);
    assert.equal(again?.id, stored.id, 'the lapsed lease is taken over');
    const outcome = await hub.processor.processLarge(again!, { owner: 'w2', leaseMs });
    assert.equal(outcome?.status, 'processed');
    const seen = await orders(stored.id);
    assert.equal(seen.size, made.sets);
    for (const [order, count] of seen) assert.equal(count, 1, `order SO${order} committed once`);
  });
});
