import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { clampLimit, judgeAttempt, judgeCompletion, keptErrorsText, settledBy } from '../decisions.ts';
import { DELIVERY_COLUMNS, MESSAGE_COLUMNS, sqliteColumns as columns, sqliteRows as read, toKpiSample, type Row } from '../rows.ts';
import type {
  RetentionMonth, AcceptedMessage, ApiKeyRecord, RoutingRecord, SignedRequestSighting, StockReservation, AttemptRecord, CompletionReport, DeadLetter, EdiGroup, EdiGroupFilter, EdiGroupSent,
  EdiReceipt, EdiReceiptRow, EdiReceiptVerdict, EdiReconciliation, SentGroupDocument, KpiSample, Lineage, MessageOutcome, NewAlert, NewDelivery,
  NewMessage, Page, Store,
  StoredDelivery, StoredDocument, StoredMessage, LedgerFilter, LedgerRow, RulesWrites, VerdictRow,
} from '../types.ts';
import * as alerts from './alerts.ts';
import { consoleFacet, type SharedConsole, type SqlPort } from '../console-sql.ts';
import { retentionFacet, type SharedRetention } from '../retention-sql.ts';
import { billingFacet } from '../billing-sql.ts';
import { inventoryFacet } from '../inventory-facet.ts';
import type { BillingStore, InventoryStore } from '../types.ts';
import { BackgroundCheckpointer } from './checkpointer.ts';
import * as edi from './edi.ts';
import * as inventory from './inventory.ts';
import * as keys from './keys.ts';
import * as ledger from './ledger.ts';
import * as routing from './routing.ts';
import { sqliteMigrations } from './migrations.ts';
import { Statements } from './statements.ts';
import { MessageLeaseLost, ORPHAN_UPLOAD_MS, stageLargeBodies } from '../raw.ts';

const EMPTY = Buffer.alloc(0);

// The claims' texts, built once: a statement is found by its text, and a text built per call is hashed again each time.
const CLAIM_MESSAGES = `UPDATE messages SET lease_owner = @owner, lease_until = @until
      WHERE id IN (SELECT id FROM messages WHERE status = 'pending' AND (lease_until IS NULL OR lease_until < @now) ORDER BY id LIMIT @limit)
      RETURNING ${MESSAGE_COLUMNS.join(', ')}`;

const CLAIM_DELIVERIES = `UPDATE deliveries SET lease_owner = @owner, lease_until = @until
      WHERE id IN (
        SELECT d.id FROM deliveries d
        WHERE d.status = 'pending' AND d.available_at <= @now AND (d.lease_until IS NULL OR d.lease_until < @now)
          AND d.endpoint NOT IN (SELECT value FROM json_each(@skip))
          AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.status = 'pending' AND m.tenant = d.tenant AND m.id < d.message_id)
          AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.status = 'pending' AND e.tenant = d.tenant
                          AND e.endpoint = d.endpoint AND e.entity_key = d.entity_key AND (e.message_id, e.id) < (d.message_id, d.id))
          AND NOT EXISTS (SELECT 1 FROM deliveries e WHERE e.status = 'pending' AND e.tenant = d.tenant
                          AND e.endpoint = d.endpoint AND e.entity_key = d.entity_key AND e.lease_until >= @now AND e.id <> d.id)
        ORDER BY d.available_at, d.id LIMIT @limit)
      RETURNING ${DELIVERY_COLUMNS.join(', ')}`;

const isCheckpoint = (o: MessageOutcome) => o.status === 'processed' && o.checkpoint !== undefined;

export interface SqliteStoreOptions {
  /** File path, or ':memory:' for throwaway use. */
  path: string;
  /**
   * FULL fsyncs the WAL on every commit: an acknowledged message survives power loss, not only a
   * process crash. NORMAL survives process crashes only. Group commit makes FULL affordable.
   */
  synchronous?: 'FULL' | 'NORMAL';
}

// The retention, console and billing methods, assigned in the constructor from retention-sql.ts, console-sql.ts and billing-sql.ts.
export interface SqliteStore extends SharedRetention, SharedConsole, BillingStore, InventoryStore {}

/** The embedded store: one SQLite file in WAL mode, for `causeway serve` on one machine and the demo. */
export class SqliteStore implements Store {
  readonly dialect = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly sql: Statements;

  private readonly synchronous: 'FULL' | 'NORMAL';
  private readonly checkpointer: BackgroundCheckpointer | undefined;

  constructor(options: SqliteStoreOptions) {
    this.db = new Database(options.path);
    this.sql = new Statements(this.db);
    const port: SqlPort = {
      all: async (sql, params) => this.sql.q(sql).all(...params) as Row[],
      run: async (sql, params) => this.sql.q(sql).run(...params).changes,
      steps: async (steps) => {
        const undo = new Error('a step changed nothing');
        try {
          this.db.transaction(() => {
            for (const s of steps) if (this.sql.q(s.sql).run(...s.params).changes === 0 && s.mustChange) throw undo;
          }).immediate();
          return true;
        } catch (e) {
          if (e === undo) return false;
          throw e;
        }
      },
      json: (v) => (v === null || v === undefined ? null : JSON.parse(v as string)),
      jsonField: (column, field) => `json_extract(${column}, '$.${field}')`,
      read,
    };
    // Retention, the console and billing are written once over the port; their methods become this store's own.
    Object.assign(this, retentionFacet(port), consoleFacet(port), billingFacet(port, 'rowid'));
    // Inventory: this dialect's SQL, bound by the facet shared with PostgreSQL (writes in an immediate transaction).
    Object.assign(this, inventoryFacet(inventory, this.sql, async (work) => this.db.transaction(() => work(this.sql)).immediate()));
    // A new file hands pages freed by pruning back with incremental vacuum (no effect on an existing one).
    this.db.pragma('auto_vacuum = INCREMENTAL');
    this.db.pragma('journal_mode = WAL');
    this.synchronous = options.synchronous ?? 'FULL';
    this.db.pragma(`synchronous = ${this.synchronous}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    if (options.path !== ':memory:') {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new BackgroundCheckpointer(options.path, createRequire(import.meta.url).resolve('better-sqlite3'));
    }
  }

  async migrate(): Promise<void> {
    this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    const applied = new Set(this.db.prepare('SELECT version FROM schema_migrations').all().map((r: any) => r.version as number));
    for (const m of sqliteMigrations) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
      }).immediate();
    }
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.sql.clear();
    if (this.db.open) this.db.close();
  }

  async acceptMessages(messages: NewMessage[], cursor?: { tenant: string; endpoint: string; value: string }): Promise<AcceptedMessage[]> {
    const uploads = await this.uploadLargeBodies(messages);
    const insert = this.sql.q(`INSERT INTO messages (tenant, endpoint, codec, content_type, idempotency_key, content_hash, body, partner_ref, received_at, raw_upload, body_bytes)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (tenant, endpoint, idempotency_key) DO NOTHING`);
    const bump = this.sql.q('UPDATE messages SET duplicates = duplicates + 1 WHERE tenant = ? AND endpoint = ? AND idempotency_key = ? RETURNING id');
    const dropUpload = this.sql.q('DELETE FROM message_chunks WHERE upload = ?');
    try {
      return this.db.transaction(() => {
        const out: AcceptedMessage[] = [];
        messages.forEach((m, i) => {
          const rawUpload = uploads.get(i) ?? null;
          // Positional: a copy of each message bound by name cost more than binding its fields.
          const r = insert.run(
            m.tenant, m.endpoint, m.codec, m.contentType ?? null, m.idempotencyKey, m.contentHash, rawUpload ? EMPTY : m.body, m.partnerRef ?? null, m.receivedAt,
            rawUpload, m.stream?.size ?? m.body.length,
          );
          if (r.changes === 1) out.push({ messageId: Number(r.lastInsertRowid), duplicate: false });
          else {
            if (rawUpload) dropUpload.run(rawUpload);
            out.push({ messageId: (bump.get(m.tenant, m.endpoint, m.idempotencyKey) as Row).id, duplicate: true });
          }
        });
        if (cursor) this.writeCursor(cursor.tenant, cursor.endpoint, cursor.value);
        return out;
      }).immediate();
    } catch (e) {
      for (const upload of uploads.values()) dropUpload.run(upload);
      throw e;
    }
  }

  /**
   * Writes each streamed body's chunks under a new upload id, before the transaction that inserts
   * the messages: one already stored under its key is not uploaded again. The chunks skip the fsync;
   * the messages' commit (synchronous FULL) syncs the log up to and including them.
   */
  private async uploadLargeBodies(messages: NewMessage[]): Promise<Map<number, string>> {
    if (!messages.some((m) => m.stream)) return new Map();
    const known = this.sql.q('SELECT 1 FROM messages WHERE tenant = ? AND endpoint = ? AND idempotency_key = ?');
    const put = this.sql.q('INSERT INTO message_chunks (upload, seq, data, staged_at) VALUES (?, ?, ?, ?)');
    const drop = this.sql.q('DELETE FROM message_chunks WHERE upload = ?');
    this.withoutFsync(() => this.sql.q(`DELETE FROM message_chunks WHERE staged_at < ?
      AND upload NOT IN (SELECT raw_upload FROM messages WHERE raw_upload IS NOT NULL)`).run(Date.now() - ORPHAN_UPLOAD_MS));
    return stageLargeBodies(messages, {
      stored: (m) => known.get(m.tenant, m.endpoint, m.idempotencyKey) !== undefined,
      put: (upload, seq, chunk) => this.withoutFsync(() => put.run(upload, seq, chunk, Date.now())),
      drop: (uploads) => { for (const upload of uploads) drop.run(upload); },
    });
  }

  async *readMessageBody(tenant: string, id: number): AsyncIterable<Buffer> {
    const m = this.sql.q('SELECT raw_upload, CASE WHEN raw_upload IS NULL THEN body END AS body FROM messages WHERE tenant = ? AND id = ?').get(tenant, id) as Row | undefined;
    if (!m) return;
    if (m.raw_upload === null) {
      yield m.body;
      return;
    }
    const chunk = this.sql.q('SELECT data FROM message_chunks WHERE upload = ? AND seq = ?');
    for (let seq = 0; ; seq++) {
      const r = chunk.get(m.raw_upload, seq) as Row | undefined;
      if (!r) return;
      yield r.data;
    }
  }

  /**
   * A lease lost to a power cut only means the work is claimable again, so claims skip the fsync;
   * the next durable commit syncs the log up to and including them.
   */
  private withoutFsync<T>(fn: () => T): T {
    if (this.synchronous === 'NORMAL') return fn();
    this.db.pragma('synchronous = NORMAL');
    try {
      return fn();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }

  async claimPendingMessages(owner: string, limit: number, leaseMs: number, now: number): Promise<StoredMessage[]> {
    const rows = this.withoutFsync(() => this.sql.q(CLAIM_MESSAGES).raw(true).all({ owner, until: now + leaseMs, now, limit })) as unknown[][];
    return rows.map(columns.message).sort((a, b) => a.id - b.id);
  }

  private insertDeliveries(deliveries: NewDelivery[] | undefined, now: number): void {
    if (!deliveries?.length) return;
    const insert = this.sql.q(`INSERT INTO deliveries (tenant, document_id, document_type, message_id, flow, endpoint, entity_key, payload, content_type,
      idempotency_key, occurred_at, received_at, max_attempts, available_at, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    // Positional: a copy of each delivery with the time added, bound by name, cost more than its insert's own work.
    for (const d of deliveries) {
      insert.run(d.tenant, d.documentId, d.documentType, d.messageId, d.flow, d.endpoint, d.entityKey, d.payload, d.contentType, d.idempotencyKey, d.occurredAt, d.receivedAt, d.maxAttempts, now, now);
    }
  }

  async completeMessages(outcomes: MessageOutcome[], now: number): Promise<CompletionReport> {
    const stillPending = this.sql.q(`SELECT 1 FROM messages WHERE id = ? AND status = 'pending'`);
    const holds = this.sql.q(`SELECT 1 FROM messages WHERE id = ? AND status = 'pending' AND lease_owner = ?`);
    const checkpoint = this.sql.q('UPDATE messages SET progress = ?, errors = ?, lease_until = ? WHERE id = ?');
    const insertDoc = this.sql.q(`INSERT INTO documents (id, tenant, message_id, generation, type, entity_key, occurred_at, received_at, body)
      VALUES (?, ?, ?, (SELECT generation FROM messages WHERE id = ?), ?, ?, ?, ?, ?)`);
    const done = this.sql.q(`UPDATE messages SET status = ?, errors = ?, processed_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`);
    const deadLetter = this.sql.q(`INSERT INTO dead_letters (tenant, kind, ref_id, endpoint, reason, created_at)
      SELECT tenant, 'message', id, endpoint, ?, ? FROM messages WHERE id = ?`);
    const commit = this.db.transaction(() => {
      const report: CompletionReport = { alerts: [], unknownGroups: [] };
      // A worker that stalled past its lease may finish a message another worker took over and
      // completed meanwhile: only the first completion counts, the late one writes nothing.
      const open = outcomes.filter((o) => stillPending.get(o.messageId) !== undefined);
      for (const o of outcomes) {
        if (o.owner !== undefined && holds.get(o.messageId, o.owner) === undefined) throw new MessageLeaseLost(o.messageId);
      }
      // The IMMEDIATE transaction holds the one writer lock from here on: these verdicts are final.
      edi.recordScreenedReceipts(this.sql, open);
      for (const o of open) {
        edi.applyEdiWrites(this.sql, o.edi, report);
        if (o.status === 'processed') {
          for (const d of o.documents) {
            insertDoc.run(d.id, d.tenant, d.messageId, d.messageId, d.type, d.entityKey, d.occurredAt, d.receivedAt, JSON.stringify(d.body));
          }
          this.insertDeliveries(o.deliveries, now);
          ledger.applyRulesWrites(this.sql, o.rules, now, [o.messageId]);
          routing.applyRoutingWrites(this.sql, o.routing, [o.messageId]);
        }
        if (o.status === 'processed' && o.checkpoint) {
          checkpoint.run(o.checkpoint.progress, keptErrorsText(o), o.checkpoint.leaseUntil, o.messageId);
          continue;
        }
        const verdict = judgeCompletion(o);
        done.run(verdict.status, verdict.errors && JSON.stringify(verdict.errors), now, o.messageId);
        if (verdict.deadLetterReason !== null) deadLetter.run(verdict.deadLetterReason, now, o.messageId);
      }
      return report;
    });
    // A checkpoint lost to a power cut only means the message is read again from the one before,
    // its documents lost with it (same transaction) and nothing delivered yet (its deliveries wait
    // for the message to end): checkpoints skip the fsync, the final commit syncs them all.
    return outcomes.every(isCheckpoint) ? this.withoutFsync(() => commit.immediate()) : commit.immediate();
  }

  /**
   * Only the head of a (tenant, endpoint, entity key) queue is handed out, and only while no other
   * pending delivery of that key is under a live lease. A queue is in the order its messages
   * arrived (message id, then delivery id), replays included: a replayed message keeps its id and a
   * requeued dead delivery its own, so both go back to their place. A delivery also waits until
   * every earlier message of its tenant is decoded or quarantined, because until then its queue may
   * still lack a delivery it must follow: after a crash, the cancel of an order is decoded while the
   * large message holding the order waits for its dead worker's lease to lapse.
   *
   * That wait ends only because no message stays pending for ever: a lapsed lease is taken over,
   * and a message that cannot be processed is quarantined (a failing batch is split until the
   * culprit is found). A message left pending would hold back every later delivery of its tenant.
   *
   * The claim (CLAIM_DELIVERIES, at the top of this file) runs constantly, so each test is an index
   * search: messages_by_status for the earlier message (SQLite's plan picks it over
   * messages_pending_by_tenant), deliveries_queue for the earlier delivery and the live lease. The message test
   * comes first: a delivery held back behind an undecoded message then costs one seek. SQLite has
   * one writer at a time, so nothing commits between the tests and the lease.
   */
  async claimDueDeliveries(owner: string, limit: number, leaseMs: number, now: number, skipEndpoints: string[] = []): Promise<StoredDelivery[]> {
    const rows = this.withoutFsync(() => this.sql.q(CLAIM_DELIVERIES).raw(true).all({ owner, until: now + leaseMs, now, limit, skip: JSON.stringify(skipEndpoints) })) as unknown[][];
    return rows.map(columns.delivery).sort((a, b) => a.id - b.id);
  }

  async releaseDeliveries(owner: string, deliveryIds: number[]): Promise<void> {
    const release = this.sql.q(`UPDATE deliveries SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND status = 'pending'`);
    this.db.transaction(() => {
      for (const id of deliveryIds) release.run(id, owner);
    }).immediate();
  }

  async recordAttempts(attempts: AttemptRecord[], now: number): Promise<void> {
    const insert = this.sql.q(`INSERT INTO attempts (delivery_id, tenant, started_at, finished_at, outcome, status_code, response, partner_ref, error)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const get = this.sql.q('SELECT attempts, max_attempts, endpoint, status FROM deliveries WHERE id = ? AND tenant = ?');
    const delivered = this.sql.q(`UPDATE deliveries SET status = 'delivered', attempts = ?, delivered_at = ?, partner_ref = ?,
      lease_owner = NULL, lease_until = NULL WHERE id = ?`);
    const retry = this.sql.q(`UPDATE deliveries SET attempts = ?, available_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`);
    const dead = this.sql.q(`UPDATE deliveries SET status = 'dead', attempts = ?, last_error = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`);
    const deadLetter = this.sql.q(`INSERT INTO dead_letters (tenant, kind, ref_id, endpoint, reason, created_at) VALUES (?, 'delivery', ?, ?, ?, ?)`);
    this.db.transaction(() => {
      for (const a of attempts) {
        const current = get.get(a.deliveryId, a.tenant) as Row | undefined;
        if (!current) continue;
        insert.run(a.deliveryId, a.tenant, a.startedAt, a.finishedAt, a.outcome, a.statusCode ?? null, a.response ?? null, a.partnerRef ?? null, a.error ?? null);
        const verdict = judgeAttempt({ status: current.status, attempts: current.attempts, maxAttempts: current.max_attempts }, a, now);
        if (verdict.next === 'delivered') delivered.run(verdict.attempts, verdict.deliveredAt, verdict.partnerRef, a.deliveryId);
        else if (verdict.next === 'retry') retry.run(verdict.attempts, verdict.availableAt, verdict.lastError, a.deliveryId);
        else if (verdict.next === 'dead') {
          dead.run(verdict.attempts, verdict.lastError, a.deliveryId);
          deadLetter.run(a.tenant, a.deliveryId, current.endpoint, verdict.deadLetterReason, now);
        }
        const settled = settledBy(verdict);
        if (settled) this.insertDeliveries(a.onSettled?.[settled], now);
      }
    }).immediate();
  }

  async getMessage(tenant: string, id: number): Promise<StoredMessage | undefined> {
    const r = this.sql.q('SELECT * FROM messages WHERE tenant = ? AND id = ?').get(tenant, id) as Row | undefined;
    return r && read.message(r);
  }

  async findLatestDocument(tenant: string, type: string, entityKey: string): Promise<StoredDocument | undefined> {
    const r = this.sql.q(`SELECT * FROM documents WHERE tenant = ? AND entity_key = ? AND type = ? ORDER BY occurred_at DESC, rowid DESC LIMIT 1`)
      .get(tenant, entityKey, type) as Row | undefined;
    return r && read.document(r);
  }

  async listDeadLetters(tenant: string, page: Page & { includeReplayed?: boolean } = {}): Promise<DeadLetter[]> {
    const rows = this.sql.q(`SELECT * FROM dead_letters WHERE tenant = @tenant AND (@all = 1 OR replayed_at IS NULL)
      AND (@before IS NULL OR id < @before) ORDER BY id DESC LIMIT @limit`)
      .all({ tenant, all: page.includeReplayed ? 1 : 0, before: page.before ?? null, limit: clampLimit(page.limit) }) as Row[];
    return rows.map(read.deadLetter);
  }

  async lineage(tenant: string, messageId: number): Promise<Lineage | undefined> {
    const message = await this.getMessage(tenant, messageId);
    if (!message) return undefined;
    const documents = (this.sql.q('SELECT * FROM documents WHERE tenant = ? AND message_id = ? ORDER BY generation, rowid').all(tenant, messageId) as Row[]).map(read.document);
    const deliveries = (this.sql.q('SELECT * FROM deliveries WHERE tenant = ? AND message_id = ? ORDER BY id').all(tenant, messageId) as Row[]).map(read.delivery);
    const attemptsOf = this.sql.q('SELECT * FROM attempts WHERE tenant = ? AND delivery_id = ? ORDER BY id');
    return {
      message,
      documents,
      deliveries: deliveries.map((d) => ({ ...d, attemptLog: (attemptsOf.all(tenant, d.id) as Row[]).map(read.attempt) })),
      verdicts: ledger.listVerdicts(this.sql, tenant, { messageId }),
    };
  }

  async requeueMessages(tenant: string, messageIds: number[], now: number): Promise<number> {
    const requeue = this.sql.q(`UPDATE messages SET status = 'pending', generation = generation + 1, progress = 0, errors = NULL, lease_owner = NULL, lease_until = NULL
      WHERE tenant = ? AND id = ? AND status <> 'pending' AND raw_pruned_at IS NULL`);
    const closeDl = this.sql.q(`UPDATE dead_letters SET replayed_at = ? WHERE tenant = ? AND kind = 'message' AND ref_id = ? AND replayed_at IS NULL`);
    return this.db.transaction(() => {
      let n = 0;
      for (const id of messageIds) {
        n += requeue.run(tenant, id).changes;
        closeDl.run(now, tenant, id);
      }
      return n;
    }).immediate();
  }

  async requeueMessageWindow(tenant: string, from: number, to: number, endpoint: string | undefined, now: number): Promise<number> {
    const ids = (this.sql.q(`SELECT id FROM messages WHERE tenant = ? AND received_at >= ? AND received_at < ? AND (? IS NULL OR endpoint = ?) AND status <> 'pending'`)
      .all(tenant, from, to, endpoint ?? null, endpoint ?? null) as Row[]).map((r) => r.id as number);
    return this.requeueMessages(tenant, ids, now);
  }

  async requeueDeadDeliveries(tenant: string, deliveryIds: number[] | 'all', now: number): Promise<number> {
    const ids = deliveryIds === 'all'
      ? (this.sql.q(`SELECT id FROM deliveries WHERE tenant = ? AND status = 'dead'`).all(tenant) as Row[]).map((r) => r.id as number)
      : deliveryIds;
    const requeue = this.sql.q(`UPDATE deliveries SET status = 'pending', attempts = 0, available_at = ?, lease_owner = NULL, lease_until = NULL
      WHERE tenant = ? AND id = ? AND status = 'dead'`);
    const closeDl = this.sql.q(`UPDATE dead_letters SET replayed_at = ? WHERE tenant = ? AND kind = 'delivery' AND ref_id = ? AND replayed_at IS NULL`);
    return this.db.transaction(() => {
      let n = 0;
      for (const id of ids) {
        n += requeue.run(now, tenant, id).changes;
        closeDl.run(now, tenant, id);
      }
      return n;
    }).immediate();
  }

  async getCursor(tenant: string, endpoint: string): Promise<string | null> {
    const r = this.sql.q('SELECT value FROM source_cursors WHERE tenant = ? AND endpoint = ?').get(tenant, endpoint) as Row | undefined;
    return r ? r.value : null;
  }

  async setCursor(tenant: string, endpoint: string, value: string): Promise<void> {
    this.writeCursor(tenant, endpoint, value);
  }

  private writeCursor(tenant: string, endpoint: string, value: string): void {
    this.sql.q(`INSERT INTO source_cursors (tenant, endpoint, value, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (tenant, endpoint) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`).run(tenant, endpoint, value, Date.now());
  }

  async kpiSample(tenant: string | undefined, since: number, now: number): Promise<KpiSample> {
    const t = tenant ?? null;
    const lat = this.sql.q(`SELECT delivered_at - occurred_at AS o, delivered_at - received_at AS r FROM deliveries
      WHERE status = 'delivered' AND delivered_at >= ? AND delivered_at <= ? AND (? IS NULL OR tenant = ?) ORDER BY delivered_at DESC LIMIT 200000`)
      .all(since, now, t, t) as Row[];
    const att = this.sql.q(`SELECT COUNT(*) AS n, SUM(CASE WHEN outcome <> 'delivered' THEN 1 ELSE 0 END) AS failed FROM attempts
      WHERE finished_at >= ? AND finished_at <= ? AND (? IS NULL OR tenant = ?)`).get(since, now, t, t) as Row;
    const dl = this.sql.q(`SELECT COUNT(*) AS n FROM dead_letters WHERE created_at >= ? AND created_at <= ? AND kind = 'delivery' AND (? IS NULL OR tenant = ?)`).get(since, now, t, t) as Row;
    const msg = this.sql.q(`SELECT COUNT(*) AS n, SUM(CASE WHEN status = 'quarantined' THEN 1 ELSE 0 END) AS q, SUM(duplicates) AS dup FROM messages
      WHERE received_at >= ? AND received_at <= ? AND (? IS NULL OR tenant = ?)`).get(since, now, t, t) as Row;
    const backlog = this.sql.q(`SELECT endpoint, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries WHERE status = 'pending' AND (? IS NULL OR tenant = ?) GROUP BY endpoint ORDER BY endpoint`)
      .all(t, t) as Row[];
    const o2s = this.sql.q(`SELECT s.occurred_at AS shipment_at, json_extract(s.body, '$.shippedAt') AS shipped_at, MIN(o.occurred_at) AS order_at FROM documents s
      JOIN documents o ON o.tenant = s.tenant AND o.entity_key = s.entity_key AND o.type = 'sales_order'
      WHERE s.type = 'shipment' AND s.received_at >= ? AND s.received_at <= ? AND (? IS NULL OR s.tenant = ?) GROUP BY s.id LIMIT 100000`)
      .all(since, now, t, t) as Row[];
    const verdicts = this.sql.q(`SELECT verdict, COUNT(*) AS n FROM rule_verdicts WHERE created_at >= ? AND created_at <= ? AND (? IS NULL OR tenant = ?) GROUP BY verdict`)
      .all(since, now, t, t) as Row[];
    const superseded = this.sql.q(`SELECT COUNT(*) AS n FROM deliveries WHERE superseded_at >= ? AND superseded_at <= ? AND (? IS NULL OR tenant = ?)`).get(since, now, t, t) as Row;
    return toKpiSample({ latencies: lat, attempts: att, deadLetters: dl, messages: msg, backlog, orderToShipment: o2s, verdicts, superseded });
  }

  async tryAcquireJobLease(job: string, owner: string, ttlMs: number, now: number): Promise<boolean> {
    const r = this.sql.q(`INSERT INTO job_leases (job, owner, lease_until) VALUES (@job, @owner, @until)
      ON CONFLICT (job) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
      WHERE job_leases.owner = excluded.owner OR job_leases.lease_until < @now`).run({ job, owner, until: now + ttlMs, now });
    return r.changes === 1;
  }

  async releaseJobLease(job: string, owner: string): Promise<void> {
    this.sql.q('DELETE FROM job_leases WHERE job = ? AND owner = ?').run(job, owner);
  }

  // The EDI, alerts and API keys facets: their rows are written by their own modules, inside the
  // outcome's transaction when a message's completion carries them.

  async recordEdiReceipt(r: EdiReceipt): Promise<EdiReceiptVerdict> {
    return this.db.transaction(() => edi.writeEdiReceipt(this.sql, r)).immediate();
  }

  async checkEdiReceipt(r: EdiReceipt): Promise<EdiReceiptVerdict> {
    return edi.checkEdiReceipt(this.sql, r);
  }

  async listEdiDuplicates(tenant: string, page?: Page): Promise<EdiReceiptRow[]> {
    return edi.listEdiDuplicates(this.sql, tenant, page);
  }

  async recordEdiGroups(groups: EdiGroupSent[]): Promise<void> {
    this.db.transaction(() => edi.writeEdiGroups(this.sql, groups)).immediate();
  }

  async sentGroupDocument(tenant: string, partner: string, groupControlNumber: string): Promise<SentGroupDocument | undefined> {
    return edi.sentGroupDocument(this.sql, tenant, partner, groupControlNumber);
  }

  async reconcileEdiGroup(tenant: string, partner: string, groupControlNumber: string, ack: EdiReconciliation['ack']): Promise<EdiGroup | undefined> {
    return edi.reconcileEdiGroup(this.sql, tenant, partner, groupControlNumber, ack);
  }

  async markOverdueEdiGroups(now: number): Promise<EdiGroup[]> {
    return edi.markOverdueEdiGroups(this.sql, now);
  }

  async listEdiGroups(filter: EdiGroupFilter): Promise<EdiGroup[]> {
    return edi.listEdiGroups(this.sql, filter);
  }

  async nextControlNumber(tenant: string, scope: string, kind: string, max: number): Promise<number> {
    return edi.nextControlNumber(this.sql, tenant, scope, kind, max);
  }

  async lastControlNumberSeen(tenant: string, scope: string, kind: string): Promise<number | null> {
    return edi.lastControlNumberSeen(this.sql, tenant, scope, kind);
  }

  async raiseAlert(alert: NewAlert): Promise<boolean> {
    return alerts.writeAlert(this.sql, alert);
  }

  async getLedgers(tenant: string, entityKeys: string[]): Promise<LedgerRow[]> {
    return ledger.getLedgers(this.sql, tenant, entityKeys);
  }

  async listLedgers(filter: LedgerFilter): Promise<LedgerRow[]> {
    return ledger.listLedgers(this.sql, filter);
  }

  async listDueLedgers(now: number, limit: number): Promise<LedgerRow[]> {
    return ledger.listDueLedgers(this.sql, now, limit);
  }

  async writeRules(writes: RulesWrites, now: number): Promise<void> {
    this.db.transaction(() => {
      ledger.applyRulesWrites(this.sql, writes, now);
      this.insertDeliveries(writes.deliveries, now);
    }).immediate();
  }

  async listVerdicts(tenant: string, by: { entityKey?: string; messageId?: number; limit?: number }): Promise<VerdictRow[]> {
    return ledger.listVerdicts(this.sql, tenant, by);
  }

  async deliveriesOfDocument(tenant: string, documentId: string): Promise<StoredDelivery[]> {
    return ledger.deliveriesOfDocument(this.sql, tenant, documentId);
  }

  async getDocuments(tenant: string, ids: string[]): Promise<Array<{ id: string; messageId: number; body: unknown }>> {
    return ledger.getDocuments(this.sql, tenant, ids);
  }

  async putApiKey(key: ApiKeyRecord): Promise<void> {
    keys.putApiKey(this.sql, key);
  }

  async findApiKey(hash: string): Promise<ApiKeyRecord | undefined> {
    return keys.findApiKey(this.sql, hash);
  }

  async putRouting(tenant: string, record: RoutingRecord, reservations: StockReservation[]): Promise<void> {
    this.db.transaction(() => routing.putRouting(this.sql, tenant, record, reservations)).immediate();
  }

  async getRouting(tenant: string, orderKey: string): Promise<RoutingRecord | undefined> {
    return routing.getRouting(this.sql, tenant, orderKey);
  }

  async listRoutings(tenant: string, page: { status?: string; before?: { decidedAt: number; orderKey: string }; limit?: number }): Promise<RoutingRecord[]> {
    return routing.listRoutings(this.sql, tenant, page);
  }

  async releaseReservations(tenant: string, orderKey: string, facility?: string): Promise<number> {
    return routing.releaseReservations(this.sql, tenant, orderKey, facility);
  }

  async orderReservations(tenant: string, orderKey: string): Promise<StockReservation[]> {
    return routing.orderReservations(this.sql, tenant, orderKey);
  }

  async reservations(tenant: string): Promise<StockReservation[]> {
    return routing.reservations(this.sql, tenant);
  }

  async recordSignedRequest(sighting: SignedRequestSighting): Promise<boolean> {
    return keys.recordSignedRequest(this.sql, sighting);
  }

  // One file, no partitions: every prune removes rows, and compactAfterPrune hands the pages back.
  async retentionMonths(): Promise<RetentionMonth[]> {
    return [];
  }

  async dropRetentionMonth(): Promise<boolean> {
    return false;
  }

  async preparePartitions(): Promise<string[]> {
    return [];
  }

  async compactAfterPrune(): Promise<number> {
    // Only a file created with incremental auto-vacuum can hand pages back without a full VACUUM.
    if (Number(this.db.pragma('auto_vacuum', { simple: true })) !== 2) return 0;
    const free = Number(this.db.pragma('freelist_count', { simple: true }));
    if (free > 0) this.db.pragma('incremental_vacuum');
    return free - Number(this.db.pragma('freelist_count', { simple: true }));
  }

}

