// Rows of the inventory facet as both stores return them: JSON columns come as text from SQLite
// and parsed from PostgreSQL; the rest is alike.
import type { Row } from './rows.ts';
import type { ReconciliationRun, StoredPositionResult, VarianceDecision } from './types.ts';

type ReadJson = (value: unknown) => any;
const fromText: ReadJson = (v) => (typeof v === 'string' ? JSON.parse(v) : v);

function mapping(json: ReadJson) {
  return {
    run: (r: Row): ReconciliationRun => ({
      id: r.id, tenant: r.tenant, at: r.at, facility: r.facility, trigger: r.trigger, startedAt: r.started_at, finishedAt: r.finished_at,
      counts: json(r.counts), accuracy: json(r.accuracy), snapshots: json(r.snapshots),
    }),
    result: (r: Row): StoredPositionResult => ({
      runId: r.run_id, position: r.position, facility: r.facility, sku: r.sku, lot: r.lot, uom: r.uom, status: r.status,
      difference: r.difference, correctedDifference: r.corrected_difference, detail: json(r.detail),
    }),
    decision: (r: Row): VarianceDecision => ({
      id: r.id, tenant: r.tenant, runId: r.run_id, position: r.position, facility: r.facility, sku: r.sku, lot: r.lot, uom: r.uom,
      quantity: r.quantity, action: r.action, decidedBy: r.decided_by, decidedAt: r.decided_at, ...(r.note !== null ? { note: r.note } : {}),
    }),
  };
}

export const sqliteInventoryRows = mapping(fromText);
export const postgresInventoryRows = mapping((v) => v);
