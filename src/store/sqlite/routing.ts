// SQLite rows of the routing facet.
import { promisedMeanwhile } from '../decisions.ts';
import { LedgerConflict } from '../facets/ledger.ts';
import type { RoutingRecord, RoutingWrites, StockReservation } from '../types.ts';
import type { Statements } from './statements.ts';

export function putRouting(sql: Statements, tenant: string, r: RoutingRecord, reservations: StockReservation[]): void {
  sql.q(`INSERT INTO routing_decisions (tenant, order_key, status, facility, decision, decided_at) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (tenant, order_key) DO UPDATE SET status = excluded.status, facility = excluded.facility, decision = excluded.decision, decided_at = excluded.decided_at`)
    .run(tenant, r.orderKey, r.status, r.facility, JSON.stringify(r.decision), r.decidedAt);
  sql.q('DELETE FROM routing_reservations WHERE tenant = ? AND order_key = ?').run(tenant, r.orderKey);
  const insert = sql.q('INSERT INTO routing_reservations (tenant, order_key, facility, sku, quantity) VALUES (?, ?, ?, ?, ?)');
  for (const s of reservations) insert.run(tenant, r.orderKey, s.facility, s.sku, s.quantity);
}

export function getRouting(sql: Statements, tenant: string, orderKey: string): RoutingRecord | undefined {
  const r = sql.q('SELECT * FROM routing_decisions WHERE tenant = ? AND order_key = ?').get(tenant, orderKey) as
    { order_key: string; status: string; facility: string | null; decision: string; decided_at: number } | undefined;
  return r && { orderKey: r.order_key, status: r.status, facility: r.facility, decision: JSON.parse(r.decision), decidedAt: Number(r.decided_at) };
}

export function releaseReservations(sql: Statements, tenant: string, orderKey: string, facility?: string): number {
  return facility === undefined
    ? sql.q('DELETE FROM routing_reservations WHERE tenant = ? AND order_key = ?').run(tenant, orderKey).changes
    : sql.q('DELETE FROM routing_reservations WHERE tenant = ? AND order_key = ? AND facility = ?').run(tenant, orderKey, facility).changes;
}

export function orderReservations(sql: Statements, tenant: string, orderKey: string): StockReservation[] {
  return sql.q('SELECT facility, sku, quantity FROM routing_reservations WHERE tenant = ? AND order_key = ? ORDER BY facility, sku').all(tenant, orderKey) as StockReservation[];
}

/** Inside the (IMMEDIATE, so single-writer) transaction of a message's outcome; throws LedgerConflict when stock was promised meanwhile. */
export function applyRoutingWrites(sql: Statements, w: RoutingWrites | undefined, messageIds: number[]): void {
  if (!w) return;
  const others = sql.q('SELECT facility, sku, quantity FROM routing_reservations WHERE tenant = ? AND facility = ? AND sku = ? AND order_key <> ?');
  for (const p of w.put ?? []) {
    const now = p.othersHeld.flatMap((s) => others.all(p.tenant, s.facility, s.sku, p.record.orderKey) as StockReservation[]);
    const taken = promisedMeanwhile(p.othersHeld, now);
    if (taken) throw new LedgerConflict([p.record.orderKey], messageIds, `other orders now hold ${taken.quantity} of ${taken.sku} at ${taken.facility}, more than when it was routed`);
    putRouting(sql, p.tenant, p.record, p.reservations);
  }
  for (const r of w.release ?? []) releaseReservations(sql, r.tenant, r.orderKey, r.facility);
  for (const r of w.restore ?? []) {
    if (r.record) putRouting(sql, r.tenant, r.record, r.reservations);
    else {
      sql.q('DELETE FROM routing_decisions WHERE tenant = ? AND order_key = ?').run(r.tenant, r.orderKey);
      releaseReservations(sql, r.tenant, r.orderKey);
    }
  }
  const insert = sql.q('INSERT INTO routing_reservations (tenant, order_key, facility, sku, quantity) VALUES (?, ?, ?, ?, ?)');
  for (const r of w.reserve ?? []) {
    releaseReservations(sql, r.tenant, r.orderKey, r.facility);
    for (const s of r.reservations) insert.run(r.tenant, r.orderKey, r.facility, s.sku, s.quantity);
  }
}

export function reservations(sql: Statements, tenant: string): StockReservation[] {
  return sql.q('SELECT facility, sku, quantity FROM routing_reservations WHERE tenant = ? ORDER BY facility, sku, order_key').all(tenant) as StockReservation[];
}

export function listRoutings(sql: Statements, tenant: string, page: { status?: string; before?: { decidedAt: number; orderKey: string }; limit?: number }): RoutingRecord[] {
  const where = ['tenant = ?'];
  const params: unknown[] = [tenant];
  if (page.status) { where.push('status = ?'); params.push(page.status); }
  if (page.before) { where.push('(decided_at < ? OR (decided_at = ? AND order_key < ?))'); params.push(page.before.decidedAt, page.before.decidedAt, page.before.orderKey); }
  const rows = sql.q(`SELECT * FROM routing_decisions WHERE ${where.join(' AND ')} ORDER BY decided_at DESC, order_key DESC LIMIT ?`)
    .all(...params, Math.max(1, Math.min(page.limit ?? 50, 1000))) as Array<{ order_key: string; status: string; facility: string | null; decision: string; decided_at: number }>;
  return rows.map((r) => ({ orderKey: r.order_key, status: r.status, facility: r.facility, decision: JSON.parse(r.decision), decidedAt: Number(r.decided_at) }));
}
