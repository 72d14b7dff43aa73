// PostgreSQL rows of the inventory facet.
import type { PoolClient } from 'pg';
import { clampLimit } from '../decisions.ts';
import { postgresInventoryRows as read } from '../inventory-rows.ts';
import type {
  LatestDocumentRow, NewReconciliationRun, NewVarianceDecision, Page, PublishedAvailability, ReconciliationRun, StockDocumentFilter, StockDocumentRow,
  StockDocumentVerdict, StoredPositionResult, VarianceDecision,
} from '../types.ts';
import type { Queryable } from './queryable.ts';

const STOCK_TYPES = ['inventory_snapshot', 'shipment', 'receipt', 'inventory_adjustment', 'return_receipt'];
/** Results are written this many to a statement: one round trip each, well under the parameter limit. */
const RESULTS_PER_INSERT = 5000;

export async function stockDocuments(db: Queryable, tenant: string, f: StockDocumentFilter): Promise<StockDocumentRow[]> {
  // Only a message's current generation counts: a replay's documents replace the earlier ones.
  // Two reads, each on its own index: the window, and movements older than it still undelivered.
  const { rows: inWindow } = await db.query(`SELECT d.id, d.message_id, d.type, m.endpoint, d.occurred_at, d.body FROM documents d
    JOIN messages m ON m.id = d.message_id AND m.generation = d.generation
    WHERE d.tenant = $1 AND d.type = ANY($2) AND d.occurred_at >= $3 AND d.occurred_at <= $4
      AND ($5::text IS NULL OR d.body->>'facility' = $5)`, [tenant, STOCK_TYPES, f.since, f.until, f.facility ?? null]);
  const { rows: older } = await db.query(`SELECT DISTINCT d.id, d.message_id, d.type, m.endpoint, d.occurred_at, d.body FROM deliveries x
    JOIN documents d ON d.id = x.document_id JOIN messages m ON m.id = d.message_id AND m.generation = d.generation
    WHERE x.tenant = $1 AND x.status <> 'delivered' AND x.document_type = ANY($2) AND d.occurred_at < $3
      AND ($4::text IS NULL OR d.body->>'facility' = $4)`, [tenant, STOCK_TYPES.slice(1), f.since, f.facility ?? null]);
  const docs = [...older, ...inWindow].sort((a, b) => a.occurred_at - b.occurred_at);
  const movements = docs.filter((d) => d.type !== 'inventory_snapshot');
  const byDocument = new Map<string, StockDocumentRow['deliveries']>();
  if (movements.length) {
    const { rows } = await db.query(`SELECT document_id, endpoint, status, delivered_at FROM deliveries WHERE message_id = ANY($1) AND document_id = ANY($2)`,
      [[...new Set(movements.map((d) => d.message_id))], movements.map((d) => d.id)]);
    for (const x of rows) {
      const list = byDocument.get(x.document_id) ?? [];
      list.push({ endpoint: x.endpoint, status: x.status, deliveredAt: x.delivered_at });
      byDocument.set(x.document_id, list);
    }
  }
  // The rules step's latest verdict per document (a released document's apply comes after its hold).
  const verdicts = new Map<string, StockDocumentVerdict>();
  if (movements.length) {
    const { rows } = await db.query(`SELECT DISTINCT ON (document_id) document_id, verdict, rule, reason FROM rule_verdicts
      WHERE tenant = $1 AND message_id = ANY($2) AND document_id = ANY($3) ORDER BY document_id, id DESC`,
    [tenant, [...new Set(movements.map((d) => d.message_id))], movements.map((d) => d.id)]);
    for (const v of rows) verdicts.set(v.document_id, { verdict: v.verdict, rule: v.rule, reason: v.reason });
  }
  return docs.map((d) => ({
    documentId: d.id, messageId: d.message_id, type: d.type, endpoint: d.endpoint, occurredAt: d.occurred_at, body: d.body,
    deliveries: byDocument.get(d.id) ?? [], verdict: verdicts.get(d.id) ?? null,
  }));
}

export async function saveReconciliation(c: PoolClient, run: NewReconciliationRun): Promise<ReconciliationRun> {
  const { results, ...h } = run;
  const { rows: [row] } = await c.query(`INSERT INTO inventory_runs (tenant, at, facility, trigger, started_at, finished_at, counts, accuracy, snapshots)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
  [h.tenant, h.at, h.facility, h.trigger, h.startedAt, h.finishedAt, JSON.stringify(h.counts), JSON.stringify(h.accuracy), JSON.stringify(h.snapshots)]);
  for (let from = 0; from < results.length; from += RESULTS_PER_INSERT) {
    const part = results.slice(from, from + RESULTS_PER_INSERT);
    const col = <K extends keyof (typeof part)[number]>(k: K) => part.map((r) => r[k]);
    await c.query(`INSERT INTO inventory_results (run_id, position, tenant, facility, sku, lot, uom, status, difference, corrected_difference, detail)
      SELECT $1, from_ + n, $2, f, s, l, u, st, d, cd, dt::jsonb
      FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[]) WITH ORDINALITY AS t(f, s, l, u, st, d, cd, dt, n),
        (SELECT $3::integer AS from_) AS base`,
    [row.id, run.tenant, from, col('facility'), col('sku'), col('lot'), col('uom'), col('status'), col('difference'), col('correctedDifference'), part.map((r) => JSON.stringify(r.detail))]);
  }
  return read.run(row);
}

export async function listReconciliations(db: Queryable, tenant: string, page: Page & { facility?: string; wholeRuns?: boolean } = {}): Promise<ReconciliationRun[]> {
  const { rows } = await db.query(`SELECT * FROM inventory_runs WHERE tenant = $1 AND ($2::text IS NULL OR facility = $2) AND (NOT $5 OR facility IS NULL) AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4`,
    [tenant, page.facility ?? null, page.before ?? null, clampLimit(page.limit), page.wholeRuns ?? false]);
  return rows.map(read.run);
}

export async function getReconciliation(db: Queryable, tenant: string, id: number): Promise<ReconciliationRun | undefined> {
  const { rows: [r] } = await db.query('SELECT * FROM inventory_runs WHERE tenant = $1 AND id = $2', [tenant, id]);
  return r && read.run(r);
}

export async function listReconciliationResults(db: Queryable, tenant: string, runId: number, f: { status?: string; facility?: string; after?: number; limit?: number } = {}): Promise<StoredPositionResult[]> {
  const { rows } = await db.query(`SELECT * FROM inventory_results WHERE run_id = $1 AND tenant = $2 AND ($3::text IS NULL OR status = $3) AND ($4::text IS NULL OR facility = $4)
    AND position > $5 ORDER BY position LIMIT $6`, [runId, tenant, f.status ?? null, f.facility ?? null, f.after ?? 0, clampLimit(f.limit)]);
  return rows.map(read.result);
}

export async function decideVariances(c: PoolClient, decisions: NewVarianceDecision[]): Promise<VarianceDecision[]> {
  const out: VarianceDecision[] = [];
  for (const d of decisions) {
    await c.query(`INSERT INTO inventory_decisions (tenant, run_id, position, facility, sku, lot, uom, quantity, action, decided_by, decided_at, note)
      SELECT r.tenant, r.run_id, r.position, r.facility, r.sku, r.lot, r.uom, r.corrected_difference, $4, $5, $6, $7
      FROM inventory_results r WHERE r.run_id = $2 AND r.position = $3 AND r.tenant = $1 AND r.status = 'variance'
      ON CONFLICT (tenant, run_id, position) DO NOTHING`, [d.tenant, d.runId, d.position, d.action, d.decidedBy, d.decidedAt, d.note ?? null]);
    const { rows: [row] } = await c.query('SELECT * FROM inventory_decisions WHERE tenant = $1 AND run_id = $2 AND position = $3', [d.tenant, d.runId, d.position]);
    if (row) out.push(read.decision(row));
  }
  return out;
}

export async function listVarianceDecisions(db: Queryable, tenant: string, page: Page & { runId?: number } = {}): Promise<VarianceDecision[]> {
  const { rows } = await db.query(`SELECT * FROM inventory_decisions WHERE tenant = $1 AND ($2::bigint IS NULL OR run_id = $2) AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4`,
    [tenant, page.runId ?? null, page.before ?? null, clampLimit(page.limit)]);
  return rows.map(read.decision);
}

export async function listPublishedAvailability(db: Queryable, tenant: string): Promise<PublishedAvailability[]> {
  const { rows } = await db.query('SELECT facility, sku, available, published_at FROM inventory_availability WHERE tenant = $1', [tenant]);
  return rows.map((r) => ({ facility: r.facility, sku: r.sku, available: r.available, publishedAt: r.published_at }));
}

export async function recordPublishedAvailability(db: Queryable, tenant: string, rows: PublishedAvailability[]): Promise<void> {
  if (!rows.length) return;
  await db.query(`INSERT INTO inventory_availability (tenant, facility, sku, available, published_at)
    SELECT $1, f, s, a, p FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[]) AS t(f, s, a, p)
    ON CONFLICT (tenant, facility, sku) DO UPDATE SET available = excluded.available, published_at = excluded.published_at`,
  [tenant, rows.map((r) => r.facility), rows.map((r) => r.sku), rows.map((r) => r.available), rows.map((r) => r.publishedAt)]);
}

export async function latestDocumentsOfType(db: Queryable, tenant: string, type: string): Promise<LatestDocumentRow[]> {
  const { rows } = await db.query(`SELECT DISTINCT ON (d.entity_key, m.endpoint) d.id, m.endpoint, d.entity_key, d.occurred_at, d.body
    FROM documents d JOIN messages m ON m.id = d.message_id AND m.generation = d.generation WHERE d.tenant = $1 AND d.type = $2
    ORDER BY d.entity_key, m.endpoint, d.occurred_at DESC, d.id DESC`, [tenant, type]);
  return rows.map((r) => ({ documentId: r.id, endpoint: r.endpoint, entityKey: r.entity_key, occurredAt: r.occurred_at, body: r.body }));
}

export async function dropSupersededAvailability(c: PoolClient, tenant: string, entityKeys: string[], now: number): Promise<number> {
  if (!entityKeys.length) return 0;
  // A claim in progress holds its row: the lease it writes makes the row fail this condition when re-checked.
  const { rows } = await c.query(`SELECT id FROM deliveries WHERE tenant = $1 AND entity_key = ANY($2) AND document_type = 'inventory_availability' AND status = 'pending'
    AND (lease_until IS NULL OR lease_until < $3) FOR UPDATE SKIP LOCKED`, [tenant, entityKeys, now]);
  if (!rows.length) return 0;
  const ids = rows.map((r) => r.id);
  await c.query('DELETE FROM attempts WHERE delivery_id = ANY($1)', [ids]);
  return (await c.query('DELETE FROM deliveries WHERE id = ANY($1)', [ids])).rowCount ?? 0;
}
