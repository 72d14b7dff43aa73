// The retention facet, written once in SQL both dialects read alike (see console-sql.ts for the
// port). Every statement names the tenant, and every removal runs as one short transaction over
// the batch of ids it was given.
import type { SqlPort } from './console-sql.ts';
import type { Row } from './rows.ts';
import type { ArchivedDocuments, ArchivedRaw, RetentionCandidate, RetentionCursor, RetentionStage, RetentionStore } from './types.ts';

const EMPTY = Buffer.alloc(0);
const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** A dead letter nobody replayed or resolved yet. */
const OPEN_DEAD_LETTER = `dl.replayed_at IS NULL AND NOT EXISTS (SELECT 1 FROM dead_letter_resolutions r WHERE r.dead_letter_id = dl.id)`;

/** 1 when nothing about message m is still open (see RetentionCandidate.settled). */
const SETTLED = `CASE WHEN m.status = 'pending'
  OR (m.status = 'quarantined' AND NOT EXISTS (SELECT 1 FROM dead_letters dl WHERE dl.tenant = m.tenant AND dl.kind = 'message' AND dl.ref_id = m.id AND NOT (${OPEN_DEAD_LETTER})))
  OR EXISTS (SELECT 1 FROM dead_letters dl WHERE dl.tenant = m.tenant AND dl.kind = 'message' AND dl.ref_id = m.id AND ${OPEN_DEAD_LETTER})
  OR EXISTS (SELECT 1 FROM deliveries x WHERE x.message_id = m.id AND x.tenant = m.tenant AND (x.status = 'pending'
    OR (x.status = 'dead' AND NOT EXISTS (SELECT 1 FROM dead_letters dl WHERE dl.tenant = x.tenant AND dl.kind = 'delivery' AND dl.ref_id = x.id AND NOT (${OPEN_DEAD_LETTER})))))
  OR EXISTS (SELECT 1 FROM rule_verdicts v WHERE v.tenant = m.tenant AND v.message_id = m.id AND v.verdict = 'hold'
    AND NOT EXISTS (SELECT 1 FROM rule_verdicts w WHERE w.tenant = v.tenant AND w.message_id = v.message_id AND w.document_id = v.document_id AND w.id > v.id))
  THEN 0 ELSE 1 END`;

/**
 * Per tenant, the messages received in [?, ?), how many are still open, and the document types
 * they produced: what decides whether a month may go whole (PostgreSQL's monthly partitions).
 */
export const MONTH_FACTS = `SELECT m.tenant, COUNT(*) AS messages, SUM(1 - ${SETTLED}) AS open,
    (SELECT array_agg(DISTINCT d.type) FROM documents d WHERE d.tenant = m.tenant AND d.received_at >= ? AND d.received_at < ?) AS types
  FROM messages m WHERE m.received_at >= ? AND m.received_at < ? GROUP BY m.tenant ORDER BY m.tenant`;

const STAGE: Record<RetentionStage, string> = {
  raw: `m.raw_pruned_at IS NULL AND m.status <> 'pending'`,
  documents: `m.documents_pruned_at IS NULL AND m.status <> 'pending'`,
  messages: 'm.documents_pruned_at IS NOT NULL AND m.raw_pruned_at IS NOT NULL',
};

function rawOf(r: Row): ArchivedRaw {
  return {
    messageId: Number(r.id), tenant: r.tenant, endpoint: r.endpoint, codec: r.codec, contentType: r.content_type, idempotencyKey: r.idempotency_key,
    contentHash: r.content_hash, receivedAt: Number(r.received_at),
  };
}

/** A row as plain JSON: payload bytes as base64, JSON columns parsed. */
function plain(r: Row, db: SqlPort, jsonColumns: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) {
    if (Buffer.isBuffer(v)) out[k] = { base64: v.toString('base64') };
    else if (jsonColumns.includes(k)) out[k] = db.json(v);
    else out[k] = v;
  }
  return out;
}

type AttemptTypes = { only?: string[]; exclude?: string[] };
type Query = { sql: string; params: unknown[] };

/** Attempts of finished deliveries that ended before `before`, of the types asked for. */
function attemptsDue(tenant: string, before: number, types: AttemptTypes): Query {
  const params: unknown[] = [tenant, before];
  let typeFilter = '';
  if (types.only) {
    typeFilter = types.only.length ? ` AND x.document_type IN (${marks(types.only.length)})` : ' AND 1 = 0';
    params.push(...types.only);
  } else if (types.exclude?.length) {
    typeFilter = ` AND x.document_type NOT IN (${marks(types.exclude.length)})`;
    params.push(...types.exclude);
  }
  return {
    sql: `SELECT a.id FROM attempts a JOIN deliveries x ON x.id = a.delivery_id
      WHERE a.tenant = ? AND a.finished_at < ? AND x.status IN ('delivered', 'superseded')${typeFilter}`,
    params,
  };
}

/** Order and inbound ledgers in a final state, untouched since `before`, with nothing due. */
function ledgersDue(tenant: string, before: number): Query {
  return {
    sql: `SELECT entity_key, updated_at FROM ledgers WHERE tenant = ? AND updated_at < ? AND kind IN ('order', 'inbound')
      AND status IN ('shipped', 'cancelled', 'closed', 'received') AND due_at IS NULL`,
    params: [tenant, before],
  };
}

/** Runs finished before `before`, never the newest; a run kept for its decisions once only decided positions are left in it. */
function runsDue(tenant: string, before: number): Query {
  return {
    sql: `SELECT id FROM inventory_runs WHERE tenant = ? AND finished_at < ?
      AND id < (SELECT MAX(id) FROM inventory_runs WHERE tenant = ?)
      AND (NOT EXISTS (SELECT 1 FROM inventory_decisions dd WHERE dd.run_id = inventory_runs.id)
        OR EXISTS (SELECT 1 FROM inventory_results ir WHERE ir.run_id = inventory_runs.id
          AND NOT EXISTS (SELECT 1 FROM inventory_decisions dd WHERE dd.run_id = ir.run_id AND dd.position = ir.position)))`,
    params: [tenant, before, tenant],
  };
}

class RetentionSql {
  constructor(private readonly db: SqlPort) {}

  async retentionTenants(): Promise<string[]> {
    // Distinct tenants by walking the (tenant, received_at) index one tenant at a time, not by scanning every row.
    const rows = await this.db.all(`WITH RECURSIVE t(tenant) AS (
        SELECT MIN(tenant) FROM messages
        UNION ALL SELECT (SELECT MIN(tenant) FROM messages WHERE tenant > t.tenant) FROM t WHERE t.tenant IS NOT NULL)
      SELECT tenant FROM t WHERE tenant IS NOT NULL`, []);
    return rows.map((r) => r.tenant as string);
  }

  async storedBytes(tenant: string): Promise<number> {
    const [r] = await this.db.all(`SELECT COALESCE(SUM(COALESCE(body_bytes, length(body))), 0) AS n FROM messages WHERE tenant = ? AND raw_pruned_at IS NULL`, [tenant]);
    return Number(r?.n ?? 0);
  }

  async retentionCandidates(tenant: string, stage: RetentionStage, before: number, after: RetentionCursor | null, limit: number): Promise<RetentionCandidate[]> {
    const rows = await this.db.all(`SELECT m.id, m.received_at, ${SETTLED} AS settled FROM messages m
      WHERE m.tenant = ? AND m.received_at < ? AND ${STAGE[stage]} AND (m.received_at > ? OR (m.received_at = ? AND m.id > ?))
      ORDER BY m.received_at, m.id LIMIT ?`, [tenant, before, after?.receivedAt ?? -1, after?.receivedAt ?? -1, after?.id ?? 0, limit]);
    if (!rows.length) return [];
    const ids = rows.map((r) => Number(r.id));
    const types = new Map<number, string[]>();
    for (const t of await this.db.all(`SELECT DISTINCT message_id, type FROM documents WHERE tenant = ? AND message_id IN (${marks(ids.length)})`, [tenant, ...ids])) {
      const id = Number(t.message_id);
      types.set(id, [...(types.get(id) ?? []), t.type]);
    }
    return rows.map((r) => ({ id: Number(r.id), receivedAt: Number(r.received_at), types: types.get(Number(r.id)) ?? [], settled: Number(r.settled) === 1 }));
  }

  async rawForArchive(tenant: string, ids: number[]): Promise<ArchivedRaw[]> {
    if (!ids.length) return [];
    return (await this.db.all(`SELECT id, tenant, endpoint, codec, content_type, idempotency_key, content_hash, received_at FROM messages
      WHERE tenant = ? AND id IN (${marks(ids.length)}) ORDER BY id`, [tenant, ...ids])).map(rawOf);
  }

  async documentsForArchive(tenant: string, ids: number[]): Promise<ArchivedDocuments[]> {
    if (!ids.length) return [];
    const within = `tenant = ? AND message_id IN (${marks(ids.length)})`;
    const args = [tenant, ...ids];
    const messages = await this.db.all(`SELECT id, tenant, endpoint, codec, content_type, idempotency_key, content_hash, received_at, status, errors, generation, processed_at
      FROM messages WHERE tenant = ? AND id IN (${marks(ids.length)}) ORDER BY id`, args);
    const group = (rows: Row[]) => {
      const by = new Map<number, Row[]>();
      for (const r of rows) by.set(Number(r.message_id), [...(by.get(Number(r.message_id)) ?? []), r]);
      return by;
    };
    const documents = group(await this.db.all(`SELECT * FROM documents WHERE ${within} ORDER BY generation, id`, args));
    const deliveryRows = await this.db.all(`SELECT * FROM deliveries WHERE ${within} ORDER BY id`, args);
    const attempts = new Map<number, Row[]>();
    for (const a of await this.db.all(`SELECT a.* FROM attempts a JOIN deliveries x ON x.id = a.delivery_id WHERE x.tenant = ? AND x.message_id IN (${marks(ids.length)}) ORDER BY a.id`, args)) {
      attempts.set(Number(a.delivery_id), [...(attempts.get(Number(a.delivery_id)) ?? []), a]);
    }
    const deliveries = group(deliveryRows);
    const verdicts = group(await this.db.all(`SELECT * FROM rule_verdicts WHERE ${within} ORDER BY id`, args));
    return messages.map((m) => {
      const id = Number(m.id);
      return {
        message: { ...rawOf(m), status: m.status, errors: this.db.json(m.errors), generation: Number(m.generation), processedAt: m.processed_at === null ? null : Number(m.processed_at) },
        documents: (documents.get(id) ?? []).map((d) => plain(d, this.db, ['body'])),
        deliveries: (deliveries.get(id) ?? []).map((d) => ({ ...plain(d, this.db, []), attempts: (attempts.get(Number(d.id)) ?? []).map((a) => plain(a, this.db, [])) })),
        verdicts: (verdicts.get(id) ?? []).map((v) => plain(v, this.db, ['detail'])),
      };
    });
  }

  async pruneRaw(tenant: string, ids: number[], at: number, archivedTo: string | null): Promise<number> {
    if (!ids.length) return 0;
    const inIds = `IN (${marks(ids.length)})`;
    // Marked first, and only while still settled: a message replayed or dead-lettered since it was
    // listed keeps its bytes. The steps after touch only the rows marked at this instant.
    const marked = `SELECT id FROM messages WHERE tenant = ? AND id ${inIds} AND raw_pruned_at = ?`;
    const m = [tenant, ...ids, at];
    await this.db.steps([
      {
        sql: `UPDATE messages AS m SET raw_pruned_at = ?, archived_to = COALESCE(?, m.archived_to)
          WHERE m.tenant = ? AND m.id ${inIds} AND m.raw_pruned_at IS NULL AND m.status <> 'pending' AND ${SETTLED} = 1`,
        params: [at, archivedTo, tenant, ...ids],
      },
      { sql: `DELETE FROM message_chunks WHERE upload IN (SELECT raw_upload FROM messages WHERE id IN (${marked}) AND raw_upload IS NOT NULL)`, params: m },
      { sql: `UPDATE message_edits SET body_before = ? WHERE tenant = ? AND message_id IN (${marked})`, params: [EMPTY, tenant, ...m] },
      // The size stays: what was received is still described, only its bytes are gone.
      { sql: `UPDATE messages SET body_bytes = COALESCE(body_bytes, length(body)), body = ?, raw_upload = NULL WHERE id IN (${marked})`, params: [EMPTY, ...m] },
    ]);
    return this.countMarked(tenant, ids, 'raw_pruned_at', at);
  }

  async pruneDocuments(tenant: string, ids: number[], at: number, archivedTo: string | null): Promise<number> {
    if (!ids.length) return 0;
    const inIds = `IN (${marks(ids.length)})`;
    // As for raw: marked while settled, then only the marked messages lose their rows.
    const marked = `SELECT id FROM messages WHERE tenant = ? AND id ${inIds} AND documents_pruned_at = ?`;
    const m = [tenant, ...ids, at];
    const deliveriesOf = `SELECT id FROM deliveries WHERE tenant = ? AND message_id IN (${marked})`;
    const deadLetters = `SELECT id FROM dead_letters WHERE tenant = ? AND ((kind = 'delivery' AND ref_id IN (${deliveriesOf})) OR (kind = 'message' AND ref_id IN (${marked})))`;
    const dl = [tenant, tenant, ...m, ...m];
    await this.db.steps([
      {
        sql: `UPDATE messages AS m SET documents_pruned_at = ?, archived_to = COALESCE(?, m.archived_to)
          WHERE m.tenant = ? AND m.id ${inIds} AND m.documents_pruned_at IS NULL AND m.status <> 'pending' AND ${SETTLED} = 1`,
        params: [at, archivedTo, tenant, ...ids],
      },
      { sql: `DELETE FROM attempts WHERE tenant = ? AND delivery_id IN (${deliveriesOf})`, params: [tenant, tenant, ...m] },
      { sql: `DELETE FROM dead_letter_resolutions WHERE dead_letter_id IN (${deadLetters})`, params: dl },
      { sql: `DELETE FROM dead_letters WHERE id IN (${deadLetters})`, params: dl },
      { sql: `DELETE FROM deliveries WHERE tenant = ? AND message_id IN (${marked})`, params: [tenant, ...m] },
      { sql: `DELETE FROM rule_verdicts WHERE tenant = ? AND message_id IN (${marked})`, params: [tenant, ...m] },
      { sql: `DELETE FROM documents WHERE tenant = ? AND message_id IN (${marked})`, params: [tenant, ...m] },
    ]);
    return this.countMarked(tenant, ids, 'documents_pruned_at', at);
  }

  async pruneMessageRows(tenant: string, ids: number[]): Promise<number> {
    if (!ids.length) return 0;
    const inIds = `IN (${marks(ids.length)})`;
    const gone = `SELECT id FROM messages WHERE tenant = ? AND id ${inIds} AND documents_pruned_at IS NOT NULL AND raw_pruned_at IS NOT NULL`;
    const before = await this.db.all(gone, [tenant, ...ids]);
    await this.db.steps([
      { sql: `DELETE FROM message_edits WHERE tenant = ? AND message_id IN (${gone})`, params: [tenant, tenant, ...ids] },
      { sql: `DELETE FROM messages WHERE id IN (${gone})`, params: [tenant, ...ids] },
    ]);
    return before.length;
  }

  async countPrunable(tenant: string, what: 'attempts' | 'ledgers' | 'reconciliations', before: number, types: AttemptTypes = {}): Promise<number> {
    const q = what === 'attempts' ? attemptsDue(tenant, before, types) : what === 'ledgers' ? ledgersDue(tenant, before) : runsDue(tenant, before);
    const [r] = await this.db.all(`SELECT COUNT(*) AS n FROM (${q.sql}) due`, q.params);
    return Number(r?.n ?? 0);
  }

  async pruneAttempts(tenant: string, before: number, types: AttemptTypes, limit: number): Promise<number> {
    const q = attemptsDue(tenant, before, types);
    return this.db.run(`DELETE FROM attempts WHERE id IN (${q.sql} ORDER BY a.finished_at LIMIT ?)`, [...q.params, limit]);
  }

  async pruneLedgers(tenant: string, before: number, limit: number): Promise<number> {
    const q = ledgersDue(tenant, before);
    const rows = await this.db.all(`${q.sql} ORDER BY updated_at LIMIT ?`, [...q.params, limit]);
    if (!rows.length) return 0;
    const keys = rows.map((r) => r.entity_key as string);
    const inKeys = `IN (${marks(keys.length)})`;
    await this.db.steps([
      { sql: `DELETE FROM rule_verdicts WHERE tenant = ? AND entity_key ${inKeys}`, params: [tenant, ...keys] },
      { sql: `DELETE FROM ledgers WHERE tenant = ? AND entity_key ${inKeys} AND updated_at < ?`, params: [tenant, ...keys, before] },
    ]);
    return keys.length;
  }

  async pruneReconciliations(tenant: string, before: number, limit: number): Promise<number> {
    const q = runsDue(tenant, before);
    const rows = await this.db.all(`${q.sql} ORDER BY id LIMIT ?`, [...q.params, limit]);
    if (!rows.length) return 0;
    const ids = rows.map((r) => Number(r.id));
    const inIds = `IN (${marks(ids.length)})`;
    const decided = `EXISTS (SELECT 1 FROM inventory_decisions dd WHERE dd.run_id = inventory_runs.id)`;
    await this.db.steps([
      {
        sql: `DELETE FROM inventory_results WHERE tenant = ? AND run_id ${inIds}
          AND NOT EXISTS (SELECT 1 FROM inventory_decisions dd WHERE dd.run_id = inventory_results.run_id AND dd.position = inventory_results.position)`,
        params: [tenant, ...ids],
      },
      { sql: `DELETE FROM inventory_runs WHERE tenant = ? AND id ${inIds} AND NOT ${decided}`, params: [tenant, ...ids] },
    ]);
    return ids.length;
  }

  private async countMarked(tenant: string, ids: number[], column: 'raw_pruned_at' | 'documents_pruned_at', at: number): Promise<number> {
    const [r] = await this.db.all(`SELECT COUNT(*) AS n FROM messages WHERE tenant = ? AND id IN (${marks(ids.length)}) AND ${column} = ?`, [tenant, ...ids, at]);
    return Number(r?.n ?? 0);
  }
}

/** The facet as a store carries it: every method but compacting and monthly partitions, which are the dialect's own. */
export type SharedRetention = Omit<RetentionStore, 'compactAfterPrune' | 'retentionMonths' | 'dropRetentionMonth' | 'preparePartitions'>;

/** The retention methods over a port, bound, for a store to take on as its own (Object.assign in its constructor). */
export function retentionFacet(port: SqlPort): SharedRetention {
  const sql = new RetentionSql(port);
  return {
    retentionTenants: () => sql.retentionTenants(),
    storedBytes: (tenant) => sql.storedBytes(tenant),
    retentionCandidates: (...a) => sql.retentionCandidates(...a),
    rawForArchive: (...a) => sql.rawForArchive(...a),
    documentsForArchive: (...a) => sql.documentsForArchive(...a),
    pruneRaw: (...a) => sql.pruneRaw(...a),
    pruneDocuments: (...a) => sql.pruneDocuments(...a),
    pruneMessageRows: (...a) => sql.pruneMessageRows(...a),
    pruneAttempts: (...a) => sql.pruneAttempts(...a),
    countPrunable: (...a) => sql.countPrunable(...a),
    pruneLedgers: (...a) => sql.pruneLedgers(...a),
    pruneReconciliations: (...a) => sql.pruneReconciliations(...a),
  };
}
