// SQLite rows of the inventory facet.
import { clampLimit } from '../decisions.ts';
import { sqliteInventoryRows as read } from '../inventory-rows.ts';
import type { Row } from '../rows.ts';
import type {
  LatestDocumentRow, NewReconciliationRun, NewVarianceDecision, Page, PublishedAvailability, ReconciliationRun, StockDocumentFilter, StockDocumentRow,
  StockDocumentVerdict, StoredPositionResult, VarianceDecision,
} from '../types.ts';
import type { Statements } from './statements.ts';

const STOCK_TYPES = `('inventory_snapshot', 'shipment', 'receipt', 'inventory_adjustment', 'return_receipt')`;
const MOVEMENT_TYPES = `('shipment', 'receipt', 'inventory_adjustment', 'return_receipt')`;

export function stockDocuments(sql: Statements, tenant: string, f: StockDocumentFilter): StockDocumentRow[] {
  // Only a message's current generation counts: a replay's documents replace the earlier ones.
  // Two reads, each on its own index: the window, and movements older than it still undelivered.
  const inWindow = sql.q(`SELECT d.id, d.message_id, d.type, m.endpoint, d.occurred_at, d.body FROM documents d
    JOIN messages m ON m.id = d.message_id AND m.generation = d.generation
    WHERE d.tenant = @tenant AND d.type IN ${STOCK_TYPES} AND d.occurred_at >= @since AND d.occurred_at <= @until
      AND (@facility IS NULL OR json_extract(d.body, '$.facility') = @facility)`).all({ tenant, since: f.since, until: f.until, facility: f.facility ?? null }) as Row[];
  const older = sql.q(`SELECT DISTINCT d.id, d.message_id, d.type, m.endpoint, d.occurred_at, d.body FROM deliveries x
    JOIN documents d ON d.id = x.document_id JOIN messages m ON m.id = d.message_id AND m.generation = d.generation
    WHERE x.tenant = @tenant AND x.status <> 'delivered' AND x.document_type IN ${MOVEMENT_TYPES} AND d.occurred_at < @since
      AND (@facility IS NULL OR json_extract(d.body, '$.facility') = @facility)`).all({ tenant, since: f.since, facility: f.facility ?? null }) as Row[];
  const docs = [...older, ...inWindow].sort((a, b) => a.occurred_at - b.occurred_at);
  const deliveries = sql.q('SELECT endpoint, status, delivered_at FROM deliveries WHERE message_id = ? AND document_id = ?');
  const verdicts = latestVerdicts(sql, tenant, docs.filter((d) => d.type !== 'inventory_snapshot'));
  return docs.map((d) => ({
    documentId: d.id, messageId: d.message_id, type: d.type, endpoint: d.endpoint, occurredAt: d.occurred_at, body: JSON.parse(d.body),
    deliveries: d.type === 'inventory_snapshot' ? [] : (deliveries.all(d.message_id, d.id) as Row[]).map((x) => ({ endpoint: x.endpoint, status: x.status, deliveredAt: x.delivered_at })),
    verdict: verdicts.get(d.id) ?? null,
  }));
}

/**
 * The rules step's latest verdict per document, read once per message (its verdicts, on the
 * message index, in order): a file of many shipments costs one read, not one per shipment. A
 * released document's verdicts carry its own message, so its hold and its later apply are both there.
 */
function latestVerdicts(sql: Statements, tenant: string, docs: Row[]): Map<string, StockDocumentVerdict> {
  const out = new Map<string, StockDocumentVerdict>();
  if (docs.length === 0) return out;
  const wanted = new Set(docs.map((d) => d.id as string));
  const read = sql.q('SELECT document_id, verdict, rule, reason FROM rule_verdicts WHERE tenant = ? AND message_id = ? ORDER BY id');
  for (const messageId of new Set(docs.map((d) => d.message_id as number))) {
    for (const v of read.all(tenant, messageId) as Row[]) {
      if (wanted.has(v.document_id)) out.set(v.document_id, { verdict: v.verdict, rule: v.rule, reason: v.reason });
    }
  }
  return out;
}

export function saveReconciliation(sql: Statements, run: NewReconciliationRun): ReconciliationRun {
  const { results, ...head } = run;
  const row = sql.q(`INSERT INTO inventory_runs (tenant, at, facility, trigger, started_at, finished_at, counts, accuracy, snapshots)
    VALUES (@tenant, @at, @facility, @trigger, @startedAt, @finishedAt, @counts, @accuracy, @snapshots) RETURNING *`)
    .get({ ...head, counts: JSON.stringify(head.counts), accuracy: JSON.stringify(head.accuracy), snapshots: JSON.stringify(head.snapshots) }) as Row;
  const insert = sql.q(`INSERT INTO inventory_results (run_id, position, tenant, facility, sku, lot, uom, status, difference, corrected_difference, detail)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const [i, r] of results.entries()) insert.run(row.id, i + 1, run.tenant, r.facility, r.sku, r.lot, r.uom, r.status, r.difference, r.correctedDifference, JSON.stringify(r.detail));
  return read.run(row);
}

export function listReconciliations(sql: Statements, tenant: string, page: Page & { facility?: string; wholeRuns?: boolean } = {}): ReconciliationRun[] {
  return (sql.q(`SELECT * FROM inventory_runs WHERE tenant = ? AND (? IS NULL OR facility = ?) AND (? = 0 OR facility IS NULL) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`)
    .all(tenant, page.facility ?? null, page.facility ?? null, page.wholeRuns ? 1 : 0, page.before ?? null, page.before ?? null, clampLimit(page.limit)) as Row[]).map(read.run);
}

export function getReconciliation(sql: Statements, tenant: string, id: number): ReconciliationRun | undefined {
  const r = sql.q('SELECT * FROM inventory_runs WHERE tenant = ? AND id = ?').get(tenant, id) as Row | undefined;
  return r && read.run(r);
}

export function listReconciliationResults(sql: Statements, tenant: string, runId: number, f: { status?: string; facility?: string; after?: number; limit?: number } = {}): StoredPositionResult[] {
  return (sql.q(`SELECT * FROM inventory_results WHERE run_id = ? AND tenant = ? AND (? IS NULL OR status = ?) AND (? IS NULL OR facility = ?) AND position > ?
    ORDER BY position LIMIT ?`).all(runId, tenant, f.status ?? null, f.status ?? null, f.facility ?? null, f.facility ?? null, f.after ?? 0, clampLimit(f.limit)) as Row[]).map(read.result);
}

export function decideVariances(sql: Statements, decisions: NewVarianceDecision[]): VarianceDecision[] {
  const insert = sql.q(`INSERT INTO inventory_decisions (tenant, run_id, position, facility, sku, lot, uom, quantity, action, decided_by, decided_at, note)
    SELECT r.tenant, r.run_id, r.position, r.facility, r.sku, r.lot, r.uom, r.corrected_difference, @action, @decidedBy, @decidedAt, @note
    FROM inventory_results r WHERE r.run_id = @runId AND r.position = @position AND r.tenant = @tenant AND r.status = 'variance'
    ON CONFLICT (tenant, run_id, position) DO NOTHING`);
  const find = sql.q('SELECT * FROM inventory_decisions WHERE tenant = ? AND run_id = ? AND position = ?');
  const out: VarianceDecision[] = [];
  for (const d of decisions) {
    insert.run({ ...d, note: d.note ?? null });
    const row = find.get(d.tenant, d.runId, d.position) as Row | undefined;
    if (row) out.push(read.decision(row));
  }
  return out;
}

export function listVarianceDecisions(sql: Statements, tenant: string, page: Page & { runId?: number } = {}): VarianceDecision[] {
  return (sql.q(`SELECT * FROM inventory_decisions WHERE tenant = ? AND (? IS NULL OR run_id = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`)
    .all(tenant, page.runId ?? null, page.runId ?? null, page.before ?? null, page.before ?? null, clampLimit(page.limit)) as Row[]).map(read.decision);
}

export function listPublishedAvailability(sql: Statements, tenant: string): PublishedAvailability[] {
  return (sql.q('SELECT facility, sku, available, published_at FROM inventory_availability WHERE tenant = ?').all(tenant) as Row[])
    .map((r) => ({ facility: r.facility, sku: r.sku, available: r.available, publishedAt: r.published_at }));
}

export function recordPublishedAvailability(sql: Statements, tenant: string, rows: PublishedAvailability[]): void {
  const upsert = sql.q(`INSERT INTO inventory_availability (tenant, facility, sku, available, published_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (tenant, facility, sku) DO UPDATE SET available = excluded.available, published_at = excluded.published_at`);
  for (const r of rows) upsert.run(tenant, r.facility, r.sku, r.available, r.publishedAt);
}

export function latestDocumentsOfType(sql: Statements, tenant: string, type: string): LatestDocumentRow[] {
  return (sql.q(`SELECT id, endpoint, entity_key, occurred_at, body FROM (
      SELECT d.id, m.endpoint, d.entity_key, d.occurred_at, d.body, ROW_NUMBER() OVER (PARTITION BY d.entity_key, m.endpoint ORDER BY d.occurred_at DESC, d.rowid DESC) AS n
      FROM documents d JOIN messages m ON m.id = d.message_id AND m.generation = d.generation WHERE d.tenant = ? AND d.type = ?)
    WHERE n = 1 ORDER BY entity_key, endpoint`).all(tenant, type) as Row[])
    .map((r) => ({ documentId: r.id, endpoint: r.endpoint, entityKey: r.entity_key, occurredAt: r.occurred_at, body: JSON.parse(r.body) }));
}

export function dropSupersededAvailability(sql: Statements, tenant: string, entityKeys: string[], now: number): number {
  const find = sql.q(`SELECT id FROM deliveries WHERE tenant = ? AND entity_key = ? AND document_type = 'inventory_availability' AND status = 'pending'
    AND (lease_until IS NULL OR lease_until < ?)`);
  const dropAttempts = sql.q('DELETE FROM attempts WHERE delivery_id = ?');
  const drop = sql.q('DELETE FROM deliveries WHERE id = ?');
  let n = 0;
  for (const key of entityKeys) {
    for (const { id } of find.all(tenant, key, now) as Row[]) {
      dropAttempts.run(id);
      n += drop.run(id).changes;
    }
  }
  return n;
}
