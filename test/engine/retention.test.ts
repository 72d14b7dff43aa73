// Retention end to end over a SQLite file: which messages lose which parts under per-type and
// per-tenant settings, the archive written first and read back byte for byte, a dry run that
// changes nothing, an archive batch left half-written by a stopped pruner, and pages handed back.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { retentionSchema } from '../../src/config/retention.ts';
import { ArchiveWriter, readArchive } from '../../src/engine/retention/archive.ts';
import { RetentionPolicy } from '../../src/engine/retention/policy.ts';
import { Pruner } from '../../src/engine/retention/pruner.ts';
import { SqliteStore, type NewDelivery } from '../../src/store/index.ts';

const DAY = 86_400_000;
const NOW = Date.now();
const dir = mkdtempSync(join(tmpdir(), 'causeway-retention-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function records(path: string) {
  const out = [];
  for await (const r of readArchive(path)) out.push(r);
  return out;
}

describe('retention policy', () => {
  const policy = new RetentionPolicy(retentionSchema.parse({
    rawDays: 7, documentsDays: 30, byType: { inventory_snapshot: { documentsDays: 2 }, shipment: { documentsDays: 90 } },
    tenants: { globex: { documentsDays: 10, byType: { inventory_snapshot: { documentsDays: 1 } } } },
  }));

  it('takes the narrowest setting that says something', () => {
    assert.equal(policy.keepDays('acme', 'documentsDays'), 30);
    assert.equal(policy.keepDays('acme', 'documentsDays', 'inventory_snapshot'), 2);
    assert.equal(policy.keepDays('globex', 'documentsDays', 'inventory_snapshot'), 1);
    assert.equal(policy.keepDays('globex', 'documentsDays', 'sales_order'), 10, 'the tenant\'s own period beats the top level\'s by type');
    assert.equal(policy.keepDays('acme', 'attemptsDays'), undefined, 'unset: for ever');
  });

  it('keeps a message as long as the longest of its types asks', () => {
    assert.equal(policy.messageKeepDays('acme', 'documentsDays', ['inventory_snapshot', 'shipment']), 90);
    assert.equal(policy.messageKeepDays('acme', 'documentsDays', ['inventory_snapshot']), 2);
    assert.equal(policy.messageKeepDays('acme', 'documentsDays', []), 30);
    assert.equal(new RetentionPolicy(retentionSchema.parse({ documentsDays: 5, byType: { item: { rawDays: 1 } } })).messageKeepDays('acme', 'rawDays', ['item', 'sales_order']), undefined);
  });

  it('refuses a message row kept shorter than what it holds', () => {
    const r = retentionSchema.safeParse({ rawDays: 7, documentsDays: 30, messagesDays: 20 });
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error!.issues), /set documentsDays to at most 20/);
    assert.equal(retentionSchema.safeParse({ rawDays: 7, documentsDays: 30, messagesDays: 30 }).success, true);
  });
});

describe('pruner', () => {
  let store: SqliteStore;
  let archive: string;
  beforeEach(async () => {
    store = new SqliteStore({ path: join(dir, `hub-${++n}.db`) });
    await store.migrate();
    archive = join(dir, `archive-${n}`);
  });
  afterEach(async () => { await store.close(); });

  /** A message received `ageDays` ago, processed into one document of `type` with a delivery, delivered unless `pending`. */
  async function message(key: string, ageDays: number, type: string, opts: { pending?: boolean; tenant?: string; body?: Buffer } = {}) {
    const tenant = opts.tenant ?? 'acme';
    const at = NOW - ageDays * DAY;
    const [a] = await store.acceptMessages([{ tenant, endpoint: 'in', codec: 'json', idempotencyKey: key, contentHash: key, body: opts.body ?? Buffer.from(`{"key":"${key}"}`), receivedAt: at }]);
    const id = a!.messageId;
    const d: NewDelivery = {
      tenant, documentId: `doc-${key}`, documentType: type, messageId: id, flow: 'f', endpoint: 'out', entityKey: `k:${key}`, payload: Buffer.from('p'),
      contentType: 'application/json', idempotencyKey: `i-${key}`, occurredAt: at, receivedAt: at, maxAttempts: 3,
    };
    await store.completeMessages([{ messageId: id, status: 'processed', documents: [{ id: d.documentId, tenant, messageId: id, type, entityKey: d.entityKey, occurredAt: at, receivedAt: at, body: { key } }], deliveries: [d] }], at);
    if (!opts.pending) {
      const delivery = (await store.listDeliveries({ tenant })).find((x) => x.messageId === id)!;
      await store.recordAttempts([{ deliveryId: delivery.id, tenant, startedAt: at, finishedAt: at + 1000, outcome: 'delivered' }], at + 1000);
    }
    return id;
  }

  it('prunes each message by the longest period of its types, archiving first, and keeps open ones', async () => {
    const config = retentionSchema.parse({
      rawDays: 7, documentsDays: 30, messagesDays: 60, attemptsDays: 20,
      byType: { inventory_snapshot: { documentsDays: 2 } }, archive: { folder: archive }, pauseMs: 0, batchSize: 2,
    });
    const veryOld = await message('very-old', 90, 'sales_order');
    const old = await message('old', 40, 'sales_order');
    const recent = await message('recent', 10, 'sales_order');
    const snapshot = await message('snapshot', 3, 'inventory_snapshot');
    const young = await message('young', 1, 'sales_order');
    const open = await message('open', 100, 'sales_order', { pending: true });
    const other = await message('other', 90, 'sales_order', { tenant: 'globex' });
    const pruner = new Pruner({ store, config, now: () => NOW });

    const dry = await pruner.prune('acme', { dryRun: true });
    assert.deepEqual([dry.raw, dry.documents, dry.keptOpen], [3, 3, 2], 'a dry run counts');
    assert.equal((await store.getMessage('acme', veryOld))!.pruned, undefined, 'and removes nothing');
    assert.equal(readdirSync(dir).includes(`archive-${n}`), false, 'nor archives');

    const r = await pruner.prune('acme');
    assert.deepEqual([r.raw, r.documents, r.messages, r.keptOpen], [3, 3, 1, 2], 'the very old message goes whole once both its parts went');
    assert.equal(await store.getMessage('acme', veryOld), undefined);
    assert.deepEqual((await store.getMessage('acme', old))!.pruned?.documentsAt, NOW);
    assert.equal((await store.getMessage('acme', recent))!.pruned?.documentsAt, null, '10 days: raw gone, documents kept 30');
    assert.equal((await store.getMessage('acme', recent))!.pruned?.rawAt, NOW);
    assert.equal((await store.getMessage('acme', snapshot))!.pruned?.documentsAt, NOW, 'snapshots kept 2 days');
    assert.equal((await store.getMessage('acme', snapshot))!.pruned?.rawAt, null, 'but their raw bytes 7');
    assert.equal((await store.getMessage('acme', young))!.pruned, undefined);
    const kept = (await store.lineage('acme', open))!;
    assert.equal(kept.message.body.toString(), '{"key":"open"}', 'a pending delivery keeps its message whole');
    assert.equal(kept.deliveries.length, 1);
    assert.equal((await store.getMessage('globex', other))!.pruned, undefined, 'another tenant is pruned on its own turn');

    // The archive holds what went, by day received, and gives the bytes back.
    const day = (age: number) => `acme/${new Date(NOW - age * DAY).toISOString().slice(0, 10)}.jsonl.gz`;
    assert.ok(r.archived.includes(day(40)) && r.archived.includes(day(3)), r.archived.join(', '));
    const back = await records(join(archive, day(40)));
    const raw = back.filter((x) => x.kind === 'raw-part' && x.messageId === old);
    assert.equal(Buffer.from(raw.map((x) => (x as { base64: string }).base64).join(''), 'base64').toString(), '{"key":"old"}');
    const docs = back.find((x) => x.kind === 'documents' && x.messageId === old) as unknown as { documents: Array<{ body: unknown }>; deliveries: Array<{ attempts: unknown[] }> };
    assert.deepEqual(docs.documents[0]!.body, { key: 'old' });
    assert.equal(docs.deliveries[0]!.attempts.length, 1);
    assert.equal((await store.getMessage('acme', old))!.pruned?.archive, day(40));

    // A second pass finds nothing more to do.
    const again = await pruner.prune('acme');
    assert.deepEqual([again.raw, again.documents, again.messages, again.attempts], [0, 0, 0, 0]);
  });

  it('prunes attempts, ledgers and reconciliation runs by their own periods', async () => {
    const config = retentionSchema.parse({ attemptsDays: 5, ledgerDays: 30, reconciliationDays: 14, pauseMs: 0 });
    const id = await message('a', 10, 'sales_order');
    await store.writeRules({ ledgers: [{ tenant: 'acme', entityKey: 'order:1', kind: 'order', reference: '1', version: 1, expectedVersion: 0, status: 'closed', facility: null, dueAt: null, body: {} }] }, NOW - 40 * DAY);
    for (const age of [20, 1]) {
      await store.saveReconciliation({ tenant: 'acme', at: NOW - age * DAY, facility: null, trigger: 't', startedAt: NOW - age * DAY, finishedAt: NOW - age * DAY, counts: {}, accuracy: {}, snapshots: {}, results: [] });
    }
    const r = await new Pruner({ store, config, now: () => NOW }).prune('acme');
    assert.deepEqual([r.attempts, r.ledgers, r.reconciliations, r.raw, r.documents], [1, 1, 1, 0, 0]);
    assert.equal((await store.lineage('acme', id))!.deliveries[0]!.attemptLog.length, 0);
    assert.equal((await store.listReconciliations('acme')).length, 1);
  });

  it('hands freed pages back to the file system', async () => {
    const config = retentionSchema.parse({ rawDays: 1, pauseMs: 0 });
    for (let i = 0; i < 40; i++) await message(`big-${i}`, 5, 'item', { body: Buffer.alloc(64 * 1024, i) });
    const path = join(dir, `hub-${n}.db`);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const before = statSync(path).size;
    const r = await new Pruner({ store, config, now: () => NOW }).prune('acme');
    assert.equal(r.raw, 40);
    assert.ok(r.pagesFreed > 0, 'pages were freed');
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    assert.ok(statSync(path).size < before / 2, `${statSync(path).size} bytes after, ${before} before`);
  });
});

describe('archive file', () => {
  it('finishes a batch a stopped pruner left pending, so the file reads whole', async () => {
    const folder = join(dir, 'archive-crash');
    const writer = new ArchiveWriter(folder);
    const file = writer.fileOf('acme', NOW);
    await writer.append(file, [{ kind: 'raw', tenant: 'acme', messageId: 1, prunedAt: NOW }]);
    const path = join(folder, file);
    const size = statSync(path).size;
    // The stop: the next batch was written in full beside the file and half appended to it.
    const batch = join(dir, 'batch.gz');
    await new ArchiveWriter(dir).append('batch.gz', [{ kind: 'raw', tenant: 'acme', messageId: 2, prunedAt: NOW }]);
    writeFileSync(`${path}.pending-${size}`, readFileSync(batch));
    appendFileSync(path, readFileSync(batch).subarray(0, 10));
    writeFileSync(`${path}.writing`, 'half a batch');
    await writer.append(file, [{ kind: 'raw', tenant: 'acme', messageId: 3, prunedAt: NOW }]);
    assert.deepEqual((await records(path)).map((r) => r.messageId), [1, 2, 3]);
    assert.deepEqual(readdirSync(join(folder, 'acme')), [file.split('/')[1]], 'nothing is left beside it');
  });
});
