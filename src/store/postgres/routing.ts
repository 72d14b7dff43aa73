// PostgreSQL rows of the routing facet.
import { promisedMeanwhile } from '../decisions.ts';
import { LedgerConflict } from '../facets/ledger.ts';
import type { MessageOutcome, RoutingRecord, RoutingWrites, StockReservation } from '../types.ts';
import type { Queryable } from './queryable.ts';

export async function putRouting(db: Queryable, tenant: string, r: RoutingRecord, reservations: StockReservation[]): Promise<void> {
  await db.query(`INSERT INTO routing_decisions (tenant, order_key, status, facility, decision, decided_at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (tenant, order_key) DO UPDATE SET status = excluded.status, facility = excluded.facility, decision = excluded.decision, decided_at = excluded.decided_at`,
  [tenant, r.orderKey, r.status, r.facility, JSON.stringify(r.decision), r.decidedAt]);
  await db.query('DELETE FROM routing_reservations WHERE tenant = $1 AND order_key = $2', [tenant, r.orderKey]);
  if (reservations.length) {
    await db.query(`INSERT INTO routing_reservations (tenant, order_key, facility, sku, quantity)
      SELECT $1, $2, f, s, q FROM unnest($3::text[], $4::text[], $5::text[]) AS t(f, s, q)`,
    [tenant, r.orderKey, reservations.map((s) => s.facility), reservations.map((s) => s.sku), reservations.map((s) => s.quantity)]);
  }
}

export async function getRouting(db: Queryable, tenant: string, orderKey: string): Promise<RoutingRecord | undefined> {
  const { rows: [r] } = await db.query('SELECT * FROM routing_decisions WHERE tenant = $1 AND order_key = $2', [tenant, orderKey]);
  return r && { orderKey: r.order_key, status: r.status, facility: r.facility, decision: r.decision, decidedAt: Number(r.decided_at) };
}

export async function releaseReservations(db: Queryable, tenant: string, orderKey: string, facility?: string): Promise<number> {
  const { rowCount } = facility === undefined
    ? await db.query('DELETE FROM routing_reservations WHERE tenant = $1 AND order_key = $2', [tenant, orderKey])
    : await db.query('DELETE FROM routing_reservations WHERE tenant = $1 AND order_key = $2 AND facility = $3', [tenant, orderKey, facility]);
  return rowCount ?? 0;
}

export async function orderReservations(db: Queryable, tenant: string, orderKey: string): Promise<StockReservation[]> {
  const { rows } = await db.query('SELECT facility, sku, quantity FROM routing_reservations WHERE tenant = $1 AND order_key = $2 ORDER BY facility, sku', [tenant, orderKey]);
  return rows as StockReservation[];
}

/** Advisory lock class of a tenant's stock of one SKU at one facility, as routing reserves it. */
const STOCK_LOCK_CLASS = 1_130_460_532;

/**
 * Locks the stock every routing put of the batch takes, before any is checked: a worker committing
 * orders for the same SKU at the same facility waits here until this one commits, then reads what
 * it reserved. Taken in hash order, all at once, so two committing workers never wait in a cycle.
 */
export async function lockReservedStock(db: Queryable, outcomes: readonly MessageOutcome[]): Promise<void> {
  const keys = outcomes.flatMap((o) => (o.status === 'processed' ? o.routing?.put ?? [] : []).flatMap((p) => p.othersHeld.map((s) => [p.tenant, s.facility, s.sku] as const)));
  if (!keys.length) return;
  await db.query(`SELECT pg_advisory_xact_lock(${STOCK_LOCK_CLASS}, k.h)
    FROM (SELECT DISTINCT hashtext(u.tenant || E'\\x1f' || u.facility || E'\\x1f' || u.sku) AS h FROM unnest($1::text[], $2::text[], $3::text[]) AS u(tenant, facility, sku)) k
    ORDER BY k.h`, [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2])]);
}

/** Inside the transaction of a message's outcome, after lockReservedStock; throws LedgerConflict when stock was promised meanwhile. */
export async function applyRoutingWrites(db: Queryable, w: RoutingWrites | undefined, messageIds: number[]): Promise<void> {
  if (!w) return;
  for (const p of w.put ?? []) {
    if (p.othersHeld.length) {
      const { rows } = await db.query(`SELECT r.facility, r.sku, r.quantity FROM routing_reservations r
        JOIN unnest($2::text[], $3::text[]) AS k(facility, sku) ON r.facility = k.facility AND r.sku = k.sku
        WHERE r.tenant = $1 AND r.order_key <> $4`, [p.tenant, p.othersHeld.map((s) => s.facility), p.othersHeld.map((s) => s.sku), p.record.orderKey]);
      const taken = promisedMeanwhile(p.othersHeld, rows as StockReservation[]);
      if (taken) throw new LedgerConflict([p.record.orderKey], messageIds, `other orders now hold ${taken.quantity} of ${taken.sku} at ${taken.facility}, more than when it was routed`);
    }
    await putRouting(db, p.tenant, p.record, p.reservations);
  }
  for (const r of w.release ?? []) await releaseReservations(db, r.tenant, r.orderKey, r.facility);
  for (const r of w.restore ?? []) {
    if (r.record) await putRouting(db, r.tenant, r.record, r.reservations);
    else {
      await db.query('DELETE FROM routing_decisions WHERE tenant = $1 AND order_key = $2', [r.tenant, r.orderKey]);
      await releaseReservations(db, r.tenant, r.orderKey);
    }
  }
  for (const r of w.reserve ?? []) {
    await releaseReservations(db, r.tenant, r.orderKey, r.facility);
    if (r.reservations.length) {
      await db.query(`INSERT INTO routing_reservations (tenant, order_key, facility, sku, quantity)
        SELECT $1, $2, $3, s, q FROM unnest($4::text[], $5::text[]) AS t(s, q)`,
      [r.tenant, r.orderKey, r.facility, r.reservations.map((s) => s.sku), r.reservations.map((s) => s.quantity)]);
    }
  }
}

export async function reservations(db: Queryable, tenant: string): Promise<StockReservation[]> {
  const { rows } = await db.query('SELECT facility, sku, quantity FROM routing_reservations WHERE tenant = $1 ORDER BY facility, sku, order_key', [tenant]);
  return rows as StockReservation[];
}

export async function listRoutings(db: Queryable, tenant: string, page: { status?: string; before?: { decidedAt: number; orderKey: string }; limit?: number }): Promise<RoutingRecord[]> {
  const where = ['tenant = $1'];
  const params: unknown[] = [tenant];
  if (page.status) { params.push(page.status); where.push(`status = $${params.length}`); }
  if (page.before) {
    params.push(page.before.decidedAt, page.before.orderKey);
    where.push(`(decided_at < $${params.length - 1} OR (decided_at = $${params.length - 1} AND order_key < $${params.length}))`);
  }
  params.push(Math.max(1, Math.min(page.limit ?? 50, 1000)));
  const { rows } = await db.query(`SELECT * FROM routing_decisions WHERE ${where.join(' AND ')} ORDER BY decided_at DESC, order_key DESC LIMIT $${params.length}`, params);
  return rows.map((r) => ({ orderKey: r.order_key, status: r.status, facility: r.facility, decision: r.decision, decidedAt: Number(r.decided_at) }));
}
