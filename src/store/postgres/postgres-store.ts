import pg from 'pg';
import type { PoolClient } from 'pg';
import { clampLimit, judgeAttempt, judgeCompletion, keptErrorsText, settledBy } from '../decisions.ts';
import { integerFromBigint, postgresRows as read, toKpiSample, type Row } from '../rows.ts';
import type {
  RetentionMonth, AcceptedMessage, ApiKeyRecord, RoutingRecord, SignedRequestSighting, StockReservation, AttemptRecord, CompletionReport, DeadLetter, EdiGroup, EdiGroupFilter, EdiGroupSent,
  EdiReceipt, EdiReceiptRow, EdiReceiptVerdict, EdiReconciliation, SentGroupDocument, KpiSample, Lineage, MessageOutcome, NewAlert, NewDelivery, NewMessage, Page,
  Store, StoredDelivery,
  StoredDocument, StoredMessage, LedgerFilter, LedgerRow, RulesWrites, VerdictRow,
} from '../types.ts';
import * as alerts from './alerts.ts';
import * as partitions from './partitions.ts';
import { consoleFacet, type SharedConsole, type SqlPort } from '../console-sql.ts';
import { retentionFacet, type SharedRetention } from '../retention-sql.ts';
import { billingFacet } from '../billing-sql.ts';
import { inventoryFacet } from '../inventory-facet.ts';
import type { BillingStore, InventoryStore } from '../types.ts';
import * as edi from './edi.ts';
import * as inventory from './inventory.ts';
import * as keys from './keys.ts';
import * as ledger from './ledger.ts';
import * as routing from './routing.ts';
import { postgresMigrations } from './migrations.ts';
import { MessageLeaseLost, ORPHAN_UPLOAD_MS, stageLargeBodies } from '../raw.ts';

const EMPTY = Buffer.alloc(0);

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  pool?: { max?: number };
}

/** Session advisory lock held while migrating, so workers starting together migrate once. */
const MIGRATION_LOCK = 7_163_001_401;
/**
 * Class id of the transaction advisory locks taken per (tenant, endpoint, entity key): inserting
 * into a key's queue and claiming its head both hold it, which keeps a key's deliveries in commit
 * order and lets one worker at a time decide what of that key may be handed out.
 */
const KEY_LOCK_CLASS = 1_130_460_531;
const keyHash = (t: string) => `hashtext(${t}.tenant || E'\\x1f' || ${t}.endpoint || E'\\x1f' || ${t}.entity_key)`;

/**
 * Every message of the delivery's tenant that arrived before its own is decoded (or quarantined).
 * Relies on no message staying pending for ever (a lapsed lease is taken over, a message that
 * cannot be processed is quarantined): one left pending would hold back the rest of its tenant.
 */
const DECODED_BEFORE = `d.message_id <= coalesce((SELECT min(m.id) FROM messages m WHERE m.status = 'pending' AND m.tenant = d.tenant), d.message_id)`;

// Deadlocks and serialization failures are transient by definition: the whole transaction is retried.
const TRANSIENT = new Set(['40P01', '40001']);
const MAX_TRANSACTION_TRIES = 5;

/** bigint columns are read as numbers (rows.ts says why), so these rows go through the mapping SQLite's rows do. */
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? integerFromBigint : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

// The retention, console and billing methods, assigned in the constructor from retention-sql.ts, console-sql.ts and billing-sql.ts.
export interface PostgresStore extends SharedRetention, SharedConsole, BillingStore, InventoryStore {}

/**
 * The production store: PostgreSQL through a connection pool, shared by several worker processes
 * on several machines. Work is claimed with row leases (FOR UPDATE SKIP LOCKED); a dead worker's
 * leases expire and are taken over.
 */
export class PostgresStore implements Store {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  private closed = false;

  constructor(options: PostgresStoreOptions) {
    this.pool = new pg.Pool({ connectionString: options.url, max: options.pool?.max ?? 10, types });
    // An idle connection dropped by the server is discarded by the pool; without a listener it would crash the process.
    this.pool.on('error', () => {});
    const numbered = (sql: string) => { let n = 0; return sql.replace(/\?/g, () => `$${++n}`); };
    const port: SqlPort = {
      all: async (sql, params) => (await this.pool.query(numbered(sql), params)).rows,
      run: async (sql, params) => (await this.pool.query(numbered(sql), params)).rowCount ?? 0,
      steps: async (steps) => {
        const undo = new Error('a step changed nothing');
        try {
          await this.transaction(async (c) => {
            for (const s of steps) if (((await c.query(numbered(s.sql), s.params)).rowCount ?? 0) === 0 && s.mustChange) throw undo;
          });
          return true;
        } catch (e) {
          if (e === undo) return false;
          throw e;
        }
      },
      json: (v) => v ?? null,
      jsonField: (column, field) => `${column}->>'${field}'`,
      read,
    };
    // Retention, the console and billing are written once over the port; their methods become this store's own.
    Object.assign(this, retentionFacet(port), consoleFacet(port), billingFacet(port, 'seq'));
    // Inventory: this dialect's SQL, bound by the facet shared with SQLite (writes in a transaction).
    Object.assign(this, inventoryFacet(inventory, this.pool, (work) => this.transaction(async (c) => work(c))));
  }

  async migrate(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
        const applied = new Set((await client.query('SELECT version FROM schema_migrations')).rows.map((r) => r.version as number));
        for (const m of postgresMigrations) {
          if (applied.has(m.version)) continue;
          await client.query('BEGIN');
          try {
            await client.query(m.sql);
            await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw new Error(`applying PostgreSQL migration ${m.version} (${m.name}): ${(error as Error).message}`, { cause: error });
          }
        }
        // A hub started after a long stop finds this month's partitions (the scheduled pass makes the next ones).
        await partitions.preparePartitions(this.pool, Date.now());
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private async query(sql: string, params: unknown[] = []): Promise<Row[]> {
    return (await this.pool.query(sql, params)).rows;
  }

  private async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    for (let tries = 1; ; tries++) {
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => { broken = rollbackError; });
        if (!broken && tries < MAX_TRANSACTION_TRIES && TRANSIENT.has((error as { code?: string }).code ?? '')) continue;
        throw error;
      } finally {
        client.release(broken);
      }
    }
  }

  async acceptMessages(messages: NewMessage[], cursor?: { tenant: string; endpoint: string; value: string }): Promise<AcceptedMessage[]> {
    if (messages.length === 0 && !cursor) return [];
    const uploads = await this.uploadLargeBodies(messages);
    try {
      return await this.insertMessages(messages, uploads, cursor);
    } catch (e) {
      if (uploads.size) await this.query('DELETE FROM message_chunks WHERE upload = ANY($1::text[])', [[...uploads.values()]]).catch(() => undefined);
      throw e;
    }
  }

  /** Writes each streamed body's chunks under a new upload id before the messages' transaction; one already stored under its key is not uploaded again. */
  private async uploadLargeBodies(messages: NewMessage[]): Promise<Map<number, string>> {
    if (!messages.some((m) => m.stream)) return new Map();
    await this.query(`DELETE FROM message_chunks WHERE staged_at < $1
      AND upload NOT IN (SELECT raw_upload FROM messages WHERE raw_upload IS NOT NULL)`, [Date.now() - ORPHAN_UPLOAD_MS]);
    return stageLargeBodies(messages, {
      stored: async (m) => (await this.query('SELECT 1 FROM message_keys WHERE tenant = $1 AND endpoint = $2 AND idempotency_key = $3', [m.tenant, m.endpoint, m.idempotencyKey])).length > 0,
      put: (upload, seq, chunk) => this.query('INSERT INTO message_chunks (upload, seq, data, staged_at) VALUES ($1, $2, $3, $4)', [upload, seq, chunk, Date.now()]),
      drop: (uploads) => this.query('DELETE FROM message_chunks WHERE upload = ANY($1::text[])', [uploads]),
    });
  }

  async *readMessageBody(tenant: string, id: number): AsyncIterable<Buffer> {
    const [m] = await this.query('SELECT raw_upload, CASE WHEN raw_upload IS NULL THEN body END AS body FROM messages WHERE tenant = $1 AND id = $2', [tenant, id]);
    if (!m) return;
    if (m.raw_upload === null) {
      yield m.body;
      return;
    }
    for (let seq = 0; ; seq++) {
      const [r] = await this.query('SELECT data FROM message_chunks WHERE upload = $1 AND seq = $2', [m.raw_upload, seq]);
      if (!r) return;
      yield r.data;
    }
  }

  private insertMessages(messages: NewMessage[], uploads: Map<number, string>, cursor?: { tenant: string; endpoint: string; value: string }): Promise<AcceptedMessage[]> {
    return this.transaction(async (c) => {
      // The key is claimed first, in message_keys (unique across the monthly partitions), with the
      // id the message takes; a key already there, or earlier in the batch, inserts no message.
      const inserted = (await c.query(`WITH m AS (
          SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[], $8::text[], $9::bigint[], $10::text[], $11::bigint[]) WITH ORDINALITY
            AS m(tenant, endpoint, codec, content_type, idempotency_key, content_hash, body, partner_ref, received_at, raw_upload, body_bytes, ord)),
        k AS (INSERT INTO message_keys (tenant, endpoint, idempotency_key, message_id, received_at)
          SELECT tenant, endpoint, idempotency_key, nextval('messages_id_seq'), received_at FROM m ORDER BY ord
          ON CONFLICT DO NOTHING
          RETURNING tenant, endpoint, idempotency_key, message_id)
        INSERT INTO messages (id, tenant, endpoint, codec, content_type, idempotency_key, content_hash, body, partner_ref, received_at, raw_upload, body_bytes)
        OVERRIDING SYSTEM VALUE
        SELECT DISTINCT ON (k.message_id) k.message_id, m.tenant, m.endpoint, m.codec, m.content_type, m.idempotency_key, m.content_hash, m.body, m.partner_ref, m.received_at, m.raw_upload, m.body_bytes
        FROM k JOIN m ON m.tenant = k.tenant AND m.endpoint = k.endpoint AND m.idempotency_key = k.idempotency_key
        ORDER BY k.message_id, m.ord
        RETURNING id, tenant, endpoint, idempotency_key`, [
        messages.map((m) => m.tenant), messages.map((m) => m.endpoint), messages.map((m) => m.codec), messages.map((m) => m.contentType ?? null),
        messages.map((m) => m.idempotencyKey), messages.map((m) => m.contentHash), messages.map((m, i) => (uploads.has(i) ? EMPTY : m.body)),
        messages.map((m) => m.partnerRef ?? null), messages.map((m) => m.receivedAt),
        messages.map((_, i) => uploads.get(i) ?? null), messages.map((m) => m.stream?.size ?? m.body.length),
      ])).rows;
      if (uploads.size) {
        // A streamed body whose key was taken meanwhile (a duplicate): its chunks belong to no message.
        await c.query(`DELETE FROM message_chunks WHERE upload = ANY($1::text[])
          AND upload NOT IN (SELECT raw_upload FROM messages WHERE raw_upload = ANY($1::text[]))`, [[...uploads.values()]]);
      }
      const originals = new Map(inserted.map((r) => [dedupeKey(r.tenant, r.endpoint, r.idempotency_key), r.id as number]));
      // The first of a key in the batch is the new message; later ones, and keys already stored, are duplicates.
      const firstSeen = new Set<string>();
      const duplicates = new Map<string, { tenant: string; endpoint: string; idempotencyKey: string; n: number }>();
      const keys = messages.map((m) => {
        const key = dedupeKey(m.tenant, m.endpoint, m.idempotencyKey);
        const fresh = originals.has(key) && !firstSeen.has(key);
        firstSeen.add(key);
        if (!fresh) {
          const d = duplicates.get(key);
          if (d) d.n++;
          else duplicates.set(key, { tenant: m.tenant, endpoint: m.endpoint, idempotencyKey: m.idempotencyKey, n: 1 });
        }
        return { key, fresh };
      });
      if (duplicates.size > 0) {
        const d = [...duplicates.values()];
        const bumped = (await c.query(`UPDATE messages m SET duplicates = m.duplicates + d.n
          FROM unnest($1::text[], $2::text[], $3::text[], $4::integer[]) AS d(tenant, endpoint, idempotency_key, n)
          JOIN message_keys k ON k.tenant = d.tenant AND k.endpoint = d.endpoint AND k.idempotency_key = d.idempotency_key
          WHERE m.id = k.message_id AND m.received_at = k.received_at
          RETURNING m.id, m.tenant, m.endpoint, m.idempotency_key`,
        [d.map((x) => x.tenant), d.map((x) => x.endpoint), d.map((x) => x.idempotencyKey), d.map((x) => x.n)])).rows;
        for (const r of bumped) originals.set(dedupeKey(r.tenant, r.endpoint, r.idempotency_key), r.id);
      }
      if (cursor) await writeCursor(c, cursor.tenant, cursor.endpoint, cursor.value);
      return keys.map(({ key, fresh }) => {
        const messageId = originals.get(key);
        if (messageId === undefined) throw new Error(`accepting messages: duplicate ${key.replaceAll('\u0000', '/')} has no stored original`);
        return { messageId, duplicate: !fresh };
      });
    });
  }

  async claimPendingMessages(owner: string, limit: number, leaseMs: number, now: number): Promise<StoredMessage[]> {
    const rows = await this.query(`UPDATE messages SET lease_owner = $1, lease_until = $2
      WHERE id IN (SELECT id FROM messages WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < $3)
                   ORDER BY id LIMIT $4 FOR UPDATE SKIP LOCKED)
      RETURNING *`, [owner, now + leaseMs, now, limit]);
    return rows.map(read.message).sort((a, b) => a.id - b.id);
  }

  async completeMessages(outcomes: MessageOutcome[], now: number): Promise<CompletionReport> {
    if (outcomes.length === 0) return { alerts: [], unknownGroups: [] };
    return this.transaction(async (c) => {
      const report: CompletionReport = { alerts: [], unknownGroups: [] };
      // A checkpoint lost in a crash only means the message is read again from the one before (see the SQLite store).
      if (outcomes.every((o) => o.status === 'processed' && o.checkpoint)) await c.query('SET LOCAL synchronous_commit = off');
      // A worker that stalled past its lease may finish a message another worker took over and
      // completed meanwhile: only the first completion counts, the late one writes nothing.
      const rows = (await c.query(`SELECT id, lease_owner FROM messages WHERE id = ANY($1::bigint[]) AND status = 'pending' ORDER BY id FOR UPDATE`,
        [outcomes.map((o) => o.messageId)])).rows;
      const open = new Set(rows.map((r) => r.id as number));
      const owners = new Map(rows.map((r) => [r.id as number, r.lease_owner as string | null]));
      for (const o of outcomes) {
        if (o.owner !== undefined && owners.get(o.messageId) !== o.owner) throw new MessageLeaseLost(o.messageId);
      }
      outcomes = outcomes.filter((o) => open.has(o.messageId));
      if (outcomes.length === 0) return report;
      // First, so that an outcome screened on a stale read is refused before anything else is written.
      await edi.recordScreenedReceipts(c, outcomes);
      for (const o of outcomes) await edi.applyEdiWrites(c, o.edi, report);
      const processed = outcomes.filter((o) => o.status === 'processed');
      const documents = processed.flatMap((o) => o.documents);
      const deliveries = processed.flatMap((o) => o.deliveries);
      // Key locks before the documents, as before: ids drawn after them make a key's queue order its commit order.
      await lockDeliveryKeys(c, deliveries);
      if (documents.length > 0) {
        await c.query(`INSERT INTO documents (id, tenant, message_id, generation, type, entity_key, occurred_at, received_at, body)
          SELECT u.id, u.tenant, u.message_id, (SELECT generation FROM messages m WHERE m.id = u.message_id), u.type, u.entity_key,
                 u.occurred_at, u.received_at, u.body::jsonb
          FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[]) WITH ORDINALITY
            AS u(id, tenant, message_id, type, entity_key, occurred_at, received_at, body, ord)
          ORDER BY u.ord`, [
          documents.map((d) => d.id), documents.map((d) => d.tenant), documents.map((d) => d.messageId), documents.map((d) => d.type),
          documents.map((d) => d.entityKey), documents.map((d) => d.occurredAt), documents.map((d) => d.receivedAt),
          documents.map((d) => JSON.stringify(d.body)),
        ]);
      }
      await insertDeliveries(c, deliveries, now);
      for (const o of processed) await ledger.applyRulesWrites(c, o.rules, now, [o.messageId]);
      await routing.lockReservedStock(c, processed);
      for (const o of processed) await routing.applyRoutingWrites(c, o.routing, [o.messageId]);
      for (const o of outcomes) {
        if (o.status !== 'processed' || !o.checkpoint) continue;
        await c.query('UPDATE messages SET progress = $1, errors = $2::jsonb, lease_until = $3 WHERE id = $4',
          [o.checkpoint.progress, keptErrorsText(o), o.checkpoint.leaseUntil, o.messageId]);
      }
      outcomes = outcomes.filter((o) => o.status !== 'processed' || !o.checkpoint);
      if (outcomes.length === 0) return report;
      const verdicts = outcomes.map(judgeCompletion);
      await c.query(`WITH u AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS u(id, status, errors, reason, ord)),
        done AS (UPDATE messages m SET status = u.status, errors = u.errors::jsonb, processed_at = $5, lease_owner = NULL, lease_until = NULL
                 FROM u WHERE m.id = u.id RETURNING m.id, m.tenant, m.endpoint)
        INSERT INTO dead_letters (tenant, kind, ref_id, endpoint, reason, created_at)
        SELECT done.tenant, 'message', done.id, done.endpoint, u.reason, $5 FROM done JOIN u ON u.id = done.id
        WHERE u.reason IS NOT NULL ORDER BY u.ord`, [
        outcomes.map((o) => o.messageId), verdicts.map((v) => v.status),
        verdicts.map((v) => v.errors && JSON.stringify(v.errors)), verdicts.map((v) => v.deadLetterReason), now,
      ]);
      return report;
    });
  }

  /**
   * Only the head of a (tenant, endpoint, entity key) queue is handed out, and only while no other
   * pending delivery of that key is under a live lease. A queue is in the order its messages
   * arrived (message id, then delivery id): workers decode in parallel and may commit a later
   * message first, so a delivery also waits until every earlier message of its tenant is decoded
   * (no pending message with a lower id), after which its queue holds all it must follow. SKIP LOCKED alone
   * cannot promise that: it decides on a snapshot taken before another claimer commits. So the
   * candidates' key locks are taken first and the rule is checked again in a later statement,
   * whose snapshot sees every claim and insert that finished before the key lock was granted.
   */
  async claimDueDeliveries(owner: string, limit: number, leaseMs: number, now: number, skipEndpoints: string[] = []): Promise<StoredDelivery[]> {
    const rows = await this.transaction(async (c) => {
      // Walk the due index in order and stop at the limit. After a burst the statistics lag, and the
      // planner would collect and sort every pending delivery on each claim: O(backlog) per claim.
      await c.query('SET LOCAL enable_sort = off; SET LOCAL enable_bitmapscan = off');
      const heads = (await c.query(`SELECT d.id, d.tenant, d.endpoint, d.entity_key FROM deliveries d
        WHERE d.status = 'pending' AND d.available_at <= $1 AND (d.lease_until IS NULL OR d.lease_until < $1)
          AND d.endpoint <> ALL($2::text[])
          AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.status = 'pending' AND e.tenant = d.tenant
                          AND e.endpoint = d.endpoint AND e.entity_key = d.entity_key AND (e.message_id, e.id) < (d.message_id, d.id))
          AND ${DECODED_BEFORE}
        ORDER BY d.available_at, d.id LIMIT $3
        FOR UPDATE OF d SKIP LOCKED`, [now, skipEndpoints, limit])).rows;
      if (heads.length === 0) return [];
      // try-locks never wait, so claimers cannot deadlock; a busy key is simply left for the next round.
      const free = (await c.query(`SELECT u.id FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS u(id, tenant, endpoint, entity_key)
        WHERE pg_try_advisory_xact_lock(${KEY_LOCK_CLASS}, ${keyHash('u')})`,
      [heads.map((h) => h.id), heads.map((h) => h.tenant), heads.map((h) => h.endpoint), heads.map((h) => h.entity_key)])).rows;
      if (free.length === 0) return [];
      return (await c.query(`UPDATE deliveries d SET lease_owner = $1, lease_until = $2
        WHERE d.id = ANY($3::bigint[]) AND d.status = 'pending'
          AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.status = 'pending' AND e.tenant = d.tenant
                          AND e.endpoint = d.endpoint AND e.entity_key = d.entity_key AND e.id <> d.id
                          AND ((e.message_id, e.id) < (d.message_id, d.id) OR e.lease_until >= $4))
          AND ${DECODED_BEFORE}
        RETURNING d.*`, [owner, now + leaseMs, free.map((r) => r.id), now])).rows;
    });
    return rows.map(read.delivery).sort((a, b) => a.id - b.id);
  }

  async releaseDeliveries(owner: string, deliveryIds: number[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.query(`UPDATE deliveries SET lease_owner = NULL, lease_until = NULL
      WHERE id = ANY($2::bigint[]) AND lease_owner = $1 AND status = 'pending'`, [owner, deliveryIds]);
  }

  async recordAttempts(attempts: AttemptRecord[], now: number): Promise<void> {
    if (attempts.length === 0) return;
    await this.transaction(async (c) => {
      const current = new Map((await c.query(`SELECT id, tenant, status, attempts, max_attempts, endpoint, available_at, delivered_at, partner_ref, last_error, received_at
        FROM deliveries WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [attempts.map((a) => a.deliveryId)])).rows.map((r) => [r.id as number, r]));
      const logged: AttemptRecord[] = [];
      const deadLetters: Array<{ tenant: string; refId: number; endpoint: string; reason: string }> = [];
      const settled: NewDelivery[] = [];
      for (const a of attempts) {
        const d = current.get(a.deliveryId);
        if (!d || d.tenant !== a.tenant) continue;
        logged.push(a);
        const verdict = judgeAttempt({ status: d.status, attempts: d.attempts, maxAttempts: d.max_attempts }, a, now);
        if (verdict.next === 'unchanged') continue;
        d.attempts = verdict.attempts;
        if (verdict.next === 'delivered') Object.assign(d, { status: 'delivered', delivered_at: verdict.deliveredAt, partner_ref: verdict.partnerRef });
        else if (verdict.next === 'retry') Object.assign(d, { available_at: verdict.availableAt, last_error: verdict.lastError });
        else {
          Object.assign(d, { status: 'dead', last_error: verdict.lastError });
          deadLetters.push({ tenant: a.tenant, refId: a.deliveryId, endpoint: d.endpoint, reason: verdict.deadLetterReason });
        }
        const settledAs = settledBy(verdict);
        if (settledAs) settled.push(...(a.onSettled?.[settledAs] ?? []));
        d.touched = true;
      }
      if (logged.length === 0) return;
      // An attempt lives in the month partition of its delivery (its received_at).
      await c.query(`INSERT INTO attempts (delivery_id, tenant, started_at, finished_at, outcome, status_code, response, partner_ref, error, received_at)
        SELECT u.delivery_id, u.tenant, u.started_at, u.finished_at, u.outcome, u.status_code, u.response, u.partner_ref, u.error, u.received_at
        FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::integer[], $7::text[], $8::text[], $9::text[], $10::bigint[]) WITH ORDINALITY
          AS u(delivery_id, tenant, started_at, finished_at, outcome, status_code, response, partner_ref, error, received_at, ord)
        ORDER BY u.ord`, [
        logged.map((a) => a.deliveryId), logged.map((a) => a.tenant), logged.map((a) => a.startedAt), logged.map((a) => a.finishedAt),
        logged.map((a) => a.outcome), logged.map((a) => a.statusCode ?? null), logged.map((a) => a.response ?? null),
        logged.map((a) => a.partnerRef ?? null), logged.map((a) => a.error ?? null), logged.map((a) => current.get(a.deliveryId)!.received_at),
      ]);
      const changed = [...current.values()].filter((d) => d.touched);
      if (changed.length > 0) await c.query(`UPDATE deliveries d SET status = u.status, attempts = u.attempts, available_at = u.available_at, delivered_at = u.delivered_at,
          partner_ref = u.partner_ref, last_error = u.last_error, lease_owner = NULL, lease_until = NULL
        FROM unnest($1::bigint[], $2::text[], $3::integer[], $4::bigint[], $5::bigint[], $6::text[], $7::text[])
          AS u(id, status, attempts, available_at, delivered_at, partner_ref, last_error)
        WHERE d.id = u.id`, [
        changed.map((d) => d.id), changed.map((d) => d.status), changed.map((d) => d.attempts), changed.map((d) => d.available_at),
        changed.map((d) => d.delivered_at), changed.map((d) => d.partner_ref), changed.map((d) => d.last_error),
      ]);
      if (deadLetters.length > 0) {
        await c.query(`INSERT INTO dead_letters (tenant, kind, ref_id, endpoint, reason, created_at)
          SELECT u.tenant, 'delivery', u.ref_id, u.endpoint, u.reason, $5
          FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[]) WITH ORDINALITY AS u(tenant, ref_id, endpoint, reason, ord)
          ORDER BY u.ord`, [deadLetters.map((x) => x.tenant), deadLetters.map((x) => x.refId), deadLetters.map((x) => x.endpoint), deadLetters.map((x) => x.reason), now]);
      }
      await lockDeliveryKeys(c, settled);
      await insertDeliveries(c, settled, now);
    });
  }

  async getMessage(tenant: string, id: number): Promise<StoredMessage | undefined> {
    const [r] = await this.query('SELECT * FROM messages WHERE tenant = $1 AND id = $2', [tenant, id]);
    return r && read.message(r);
  }

  async findLatestDocument(tenant: string, type: string, entityKey: string): Promise<StoredDocument | undefined> {
    const [r] = await this.query(`SELECT * FROM documents WHERE tenant = $1 AND entity_key = $2 AND type = $3
      ORDER BY occurred_at DESC, seq DESC LIMIT 1`, [tenant, entityKey, type]);
    return r && read.document(r);
  }

  async listDeadLetters(tenant: string, page: Page & { includeReplayed?: boolean } = {}): Promise<DeadLetter[]> {
    const rows = await this.query(`SELECT * FROM dead_letters WHERE tenant = $1 AND ($2 OR replayed_at IS NULL)
      AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4`, [tenant, page.includeReplayed === true, page.before ?? null, clampLimit(page.limit)]);
    return rows.map(read.deadLetter);
  }

  async lineage(tenant: string, messageId: number): Promise<Lineage | undefined> {
    const message = await this.getMessage(tenant, messageId);
    if (!message) return undefined;
    const [documents, deliveries, attempts, verdicts] = await Promise.all([
      this.query('SELECT * FROM documents WHERE tenant = $1 AND message_id = $2 ORDER BY generation, seq', [tenant, messageId]),
      this.query('SELECT * FROM deliveries WHERE tenant = $1 AND message_id = $2 ORDER BY id', [tenant, messageId]),
      this.query(`SELECT a.* FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
        WHERE a.tenant = $1 AND d.tenant = $1 AND d.message_id = $2 ORDER BY a.id`, [tenant, messageId]),
      ledger.listVerdicts(this.pool, tenant, { messageId }),
    ]);
    const log = attempts.map(read.attempt);
    return {
      message,
      documents: documents.map(read.document),
      deliveries: deliveries.map(read.delivery).map((d) => ({ ...d, attemptLog: log.filter((a) => a.deliveryId === d.id) })),
      verdicts,
    };
  }

  async requeueMessages(tenant: string, messageIds: number[], now: number): Promise<number> {
    const [r] = await this.query(`WITH requeued AS (
        UPDATE messages SET status = 'pending', generation = generation + 1, progress = 0, errors = NULL, lease_owner = NULL, lease_until = NULL
        WHERE tenant = $1 AND id = ANY($2::bigint[]) AND status <> 'pending' AND raw_pruned_at IS NULL RETURNING id),
      closed AS (UPDATE dead_letters SET replayed_at = $3 WHERE tenant = $1 AND kind = 'message' AND ref_id = ANY($2::bigint[]) AND replayed_at IS NULL)
      SELECT count(*) AS n FROM requeued`, [tenant, messageIds, now]);
    return r.n;
  }

  async requeueMessageWindow(tenant: string, from: number, to: number, endpoint: string | undefined, now: number): Promise<number> {
    const [r] = await this.query(`WITH requeued AS (
        UPDATE messages SET status = 'pending', generation = generation + 1, progress = 0, errors = NULL, lease_owner = NULL, lease_until = NULL
        WHERE tenant = $1 AND received_at >= $2 AND received_at < $3 AND ($4::text IS NULL OR endpoint = $4) AND status <> 'pending' AND raw_pruned_at IS NULL RETURNING id),
      closed AS (UPDATE dead_letters SET replayed_at = $5 WHERE tenant = $1 AND kind = 'message' AND ref_id IN (SELECT id FROM requeued) AND replayed_at IS NULL)
      SELECT count(*) AS n FROM requeued`, [tenant, from, to, endpoint ?? null, now]);
    return r.n;
  }

  async requeueDeadDeliveries(tenant: string, deliveryIds: number[] | 'all', now: number): Promise<number> {
    const ids = deliveryIds === 'all' ? null : deliveryIds;
    const [r] = await this.query(`WITH requeued AS (
        UPDATE deliveries SET status = 'pending', attempts = 0, available_at = $3, lease_owner = NULL, lease_until = NULL
        WHERE tenant = $1 AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[])) AND status = 'dead' RETURNING id),
      closed AS (UPDATE dead_letters SET replayed_at = $3 WHERE tenant = $1 AND kind = 'delivery' AND replayed_at IS NULL
                 AND (ref_id IN (SELECT id FROM requeued) OR ref_id = ANY($2::bigint[])))
      SELECT count(*) AS n FROM requeued`, [tenant, ids, now]);
    return r.n;
  }

  async getCursor(tenant: string, endpoint: string): Promise<string | null> {
    const [r] = await this.query('SELECT value FROM source_cursors WHERE tenant = $1 AND endpoint = $2', [tenant, endpoint]);
    return r ? r.value : null;
  }

  async setCursor(tenant: string, endpoint: string, value: string): Promise<void> {
    await writeCursor(this.pool, tenant, endpoint, value);
  }

  async kpiSample(tenant: string | undefined, since: number, now: number): Promise<KpiSample> {
    const p = [since, now, tenant ?? null];
    const [lat, [att], [dl], [msg], backlog, o2s, verdicts, [superseded]] = await Promise.all([
      this.query(`SELECT delivered_at - occurred_at AS o, delivered_at - received_at AS r FROM deliveries
        WHERE status = 'delivered' AND delivered_at >= $1 AND delivered_at <= $2 AND ($3::text IS NULL OR tenant = $3)
        ORDER BY delivered_at DESC LIMIT 200000`, p),
      this.query(`SELECT count(*) AS n, count(*) FILTER (WHERE outcome <> 'delivered') AS failed FROM attempts
        WHERE finished_at >= $1 AND finished_at <= $2 AND ($3::text IS NULL OR tenant = $3)`, p),
      this.query(`SELECT count(*) AS n FROM dead_letters
        WHERE created_at >= $1 AND created_at <= $2 AND kind = 'delivery' AND ($3::text IS NULL OR tenant = $3)`, p),
      this.query(`SELECT count(*) AS n, count(*) FILTER (WHERE status = 'quarantined') AS q, coalesce(sum(duplicates), 0)::bigint AS dup FROM messages
        WHERE received_at >= $1 AND received_at <= $2 AND ($3::text IS NULL OR tenant = $3)`, p),
      this.query(`SELECT endpoint, count(*) AS n, min(created_at) AS oldest FROM deliveries
        WHERE status = 'pending' AND ($1::text IS NULL OR tenant = $1) GROUP BY endpoint ORDER BY endpoint`, [tenant ?? null]),
      this.query(`SELECT s.occurred_at AS shipment_at, s.body->>'shippedAt' AS shipped_at, min(o.occurred_at) AS order_at FROM documents s
        JOIN documents o ON o.tenant = s.tenant AND o.entity_key = s.entity_key AND o.type = 'sales_order'
        WHERE s.type = 'shipment' AND s.received_at >= $1 AND s.received_at <= $2 AND ($3::text IS NULL OR s.tenant = $3)
        GROUP BY s.id, s.received_at LIMIT 100000`, p),
      this.query(`SELECT verdict, count(*) AS n FROM rule_verdicts WHERE created_at >= $1 AND created_at <= $2 AND ($3::text IS NULL OR tenant = $3) GROUP BY verdict`, p),
      this.query(`SELECT count(*) AS n FROM deliveries WHERE superseded_at >= $1 AND superseded_at <= $2 AND ($3::text IS NULL OR tenant = $3)`, p),
    ]);
    return toKpiSample({ latencies: lat, attempts: att, deadLetters: dl, messages: msg, backlog, orderToShipment: o2s, verdicts, superseded: superseded! });
  }

  async tryAcquireJobLease(job: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    // The upsert's row lock decides between workers racing for the same job.
    const r = await this.pool.query(`INSERT INTO job_leases AS l (job, owner, lease_until) VALUES ($1, $2, $3)
      ON CONFLICT (job) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
      WHERE l.owner = excluded.owner OR l.lease_until < $4`, [job, owner, now + ttlMs, now]);
    return r.rowCount === 1;
  }

  async releaseJobLease(job: string, owner: string): Promise<void> {
    await this.query('DELETE FROM job_leases WHERE job = $1 AND owner = $2', [job, owner]);
  }

  // The EDI, alerts and API keys facets: their rows are written by their own modules, inside the
  // outcome's transaction when a message's completion carries them.

  recordEdiReceipt(receipt: EdiReceipt): Promise<EdiReceiptVerdict> {
    return this.transaction((c) => edi.recordEdiReceipt(c, receipt));
  }

  checkEdiReceipt(receipt: EdiReceipt): Promise<EdiReceiptVerdict> {
    return edi.checkEdiReceipt(this.pool, receipt);
  }

  listEdiDuplicates(tenant: string, page?: Page): Promise<EdiReceiptRow[]> {
    return edi.listEdiDuplicates(this.pool, tenant, page);
  }

  async recordEdiGroups(groups: EdiGroupSent[]): Promise<void> {
    if (groups.length === 0) return;
    await this.transaction((c) => edi.recordEdiGroups(c, groups));
  }

  sentGroupDocument(tenant: string, partner: string, groupControlNumber: string): Promise<SentGroupDocument | undefined> {
    return edi.sentGroupDocument(this.pool, tenant, partner, groupControlNumber);
  }

  reconcileEdiGroup(tenant: string, partner: string, groupControlNumber: string, ack: EdiReconciliation['ack']): Promise<EdiGroup | undefined> {
    return edi.reconcileEdiGroup(this.pool, tenant, partner, groupControlNumber, ack);
  }

  /** One UPDATE ... RETURNING: workers running the check together each get a group at most once between them. */
  markOverdueEdiGroups(now: number): Promise<EdiGroup[]> {
    return edi.markOverdueEdiGroups(this.pool, now);
  }

  listEdiGroups(filter: EdiGroupFilter): Promise<EdiGroup[]> {
    return edi.listEdiGroups(this.pool, filter);
  }

  nextControlNumber(tenant: string, scope: string, kind: string, max: number): Promise<number> {
    return edi.nextControlNumber(this.pool, tenant, scope, kind, max);
  }

  lastControlNumberSeen(tenant: string, scope: string, kind: string): Promise<number | null> {
    return edi.lastControlNumberSeen(this.pool, tenant, scope, kind);
  }

  raiseAlert(alert: NewAlert): Promise<boolean> {
    return alerts.raiseAlert(this.pool, alert);
  }

  getLedgers(tenant: string, entityKeys: string[]): Promise<LedgerRow[]> {
    return ledger.getLedgers(this.pool, tenant, entityKeys);
  }

  listLedgers(filter: LedgerFilter): Promise<LedgerRow[]> {
    return ledger.listLedgers(this.pool, filter);
  }

  listDueLedgers(now: number, limit: number): Promise<LedgerRow[]> {
    return ledger.listDueLedgers(this.pool, now, limit);
  }

  async writeRules(writes: RulesWrites, now: number): Promise<void> {
    await this.transaction(async (c) => {
      // Key locks first, as a message's completion takes them: ids drawn after them make a key's queue order its commit order.
      const deliveries = writes.deliveries ?? [];
      await lockDeliveryKeys(c, deliveries);
      await insertDeliveries(c, deliveries, now);
      await ledger.applyRulesWrites(c, writes, now);
    });
  }

  listVerdicts(tenant: string, by: { entityKey?: string; messageId?: number; limit?: number }): Promise<VerdictRow[]> {
    return ledger.listVerdicts(this.pool, tenant, by);
  }

  deliveriesOfDocument(tenant: string, documentId: string): Promise<StoredDelivery[]> {
    return ledger.deliveriesOfDocument(this.pool, tenant, documentId);
  }

  getDocuments(tenant: string, ids: string[]): Promise<Array<{ id: string; messageId: number; body: unknown }>> {
    return ledger.getDocuments(this.pool, tenant, ids);
  }

  putApiKey(key: ApiKeyRecord): Promise<void> {
    return keys.putApiKey(this.pool, key);
  }

  findApiKey(hash: string): Promise<ApiKeyRecord | undefined> {
    return keys.findApiKey(this.pool, hash);
  }

  putRouting(tenant: string, record: RoutingRecord, reservations: StockReservation[]): Promise<void> {
    return this.transaction((c) => routing.putRouting(c, tenant, record, reservations));
  }

  getRouting(tenant: string, orderKey: string): Promise<RoutingRecord | undefined> {
    return routing.getRouting(this.pool, tenant, orderKey);
  }

  async listRoutings(tenant: string, page: { status?: string; before?: { decidedAt: number; orderKey: string }; limit?: number }): Promise<RoutingRecord[]> {
    return routing.listRoutings(this.pool, tenant, page);
  }

  releaseReservations(tenant: string, orderKey: string, facility?: string): Promise<number> {
    return routing.releaseReservations(this.pool, tenant, orderKey, facility);
  }

  orderReservations(tenant: string, orderKey: string): Promise<StockReservation[]> {
    return routing.orderReservations(this.pool, tenant, orderKey);
  }

  reservations(tenant: string): Promise<StockReservation[]> {
    return routing.reservations(this.pool, tenant);
  }

  recordSignedRequest(sighting: SignedRequestSighting): Promise<boolean> {
    return keys.recordSignedRequest(this.pool, sighting);
  }

  async compactAfterPrune(): Promise<number> {
    // PostgreSQL's autovacuum reclaims the dead rows; nothing to do here.
    return 0;
  }

  retentionMonths(before: number): Promise<RetentionMonth[]> {
    return partitions.retentionMonths(this.pool, before);
  }

  dropRetentionMonth(start: number): Promise<boolean> {
    return partitions.dropRetentionMonth(this.pool, start);
  }

  preparePartitions(now: number): Promise<string[]> {
    return partitions.preparePartitions(this.pool, now);
  }

}

async function writeCursor(db: pg.Pool | PoolClient, tenant: string, endpoint: string, value: string): Promise<void> {
  await db.query(`INSERT INTO source_cursors (tenant, endpoint, value, updated_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (tenant, endpoint) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, [tenant, endpoint, value, Date.now()]);
}

function dedupeKey(tenant: string, endpoint: string, idempotencyKey: string): string {
  return `${tenant}\u0000${endpoint}\u0000${idempotencyKey}`;
}

/** Takes the write-side lock of every (tenant, endpoint, entity key) the deliveries belong to. */
async function lockDeliveryKeys(c: PoolClient, deliveries: NewDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  // Taken in hash order so two completing workers never wait on each other in a cycle; ids
  // drawn after the lock make a key's queue order its commit order.
  await c.query(`SELECT pg_advisory_xact_lock(${KEY_LOCK_CLASS}, k.h)
    FROM (SELECT DISTINCT ${keyHash('u')} AS h FROM unnest($1::text[], $2::text[], $3::text[]) AS u(tenant, endpoint, entity_key)) k
    ORDER BY k.h`, [deliveries.map((d) => d.tenant), deliveries.map((d) => d.endpoint), deliveries.map((d) => d.entityKey)]);
}

/** Inserts deliveries in one statement; call lockDeliveryKeys in the same transaction first. */
async function insertDeliveries(c: PoolClient, deliveries: NewDelivery[], now: number): Promise<void> {
  if (deliveries.length === 0) return;
  await c.query(`INSERT INTO deliveries (tenant, document_id, document_type, message_id, flow, endpoint, entity_key, payload, content_type,
      idempotency_key, occurred_at, received_at, max_attempts, available_at, created_at)
    SELECT u.tenant, u.document_id, u.document_type, u.message_id, u.flow, u.endpoint, u.entity_key, u.payload, u.content_type,
           u.idempotency_key, u.occurred_at, u.received_at, u.max_attempts, $14, $14
    FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::bytea[], $9::text[], $10::text[],
                $11::bigint[], $12::bigint[], $13::integer[]) WITH ORDINALITY
      AS u(tenant, document_id, document_type, message_id, flow, endpoint, entity_key, payload, content_type, idempotency_key,
           occurred_at, received_at, max_attempts, ord)
    ORDER BY u.ord`, [
    deliveries.map((d) => d.tenant), deliveries.map((d) => d.documentId), deliveries.map((d) => d.documentType), deliveries.map((d) => d.messageId), deliveries.map((d) => d.flow),
    deliveries.map((d) => d.endpoint), deliveries.map((d) => d.entityKey), deliveries.map((d) => d.payload), deliveries.map((d) => d.contentType),
    deliveries.map((d) => d.idempotencyKey), deliveries.map((d) => d.occurredAt), deliveries.map((d) => d.receivedAt),
    deliveries.map((d) => d.maxAttempts), now,
  ]);

}
