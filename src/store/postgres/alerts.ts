// PostgreSQL rows of the alerts facet.
import { clampLimit } from '../decisions.ts';
import { jsonText, postgresRows as read } from '../rows.ts';
import type { Alert, NewAlert, Page } from '../types.ts';
import type { Queryable } from './queryable.ts';

/** True when the alert is new: one with its dedupe key is never raised again. */
export async function raiseAlert(db: Queryable, a: NewAlert): Promise<boolean> {
  const r = await db.query(`INSERT INTO alerts (tenant, kind, subject, message, dedupe_key, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (tenant, dedupe_key) DO NOTHING`, [a.tenant, a.kind, a.subject, a.message, a.dedupeKey, jsonText(a.detail), a.createdAt]);
  return r.rowCount === 1;
}

export async function listAlerts(db: Queryable, tenant: string, page: Page & { kind?: string } = {}): Promise<Alert[]> {
  const { rows } = await db.query(`SELECT * FROM alerts WHERE tenant = $1 AND ($2::text IS NULL OR kind = $2) AND ($3::bigint IS NULL OR id < $3) ORDER BY id DESC LIMIT $4`,
    [tenant, page.kind ?? null, page.before ?? null, clampLimit(page.limit)]);
  return rows.map(read.alert);
}
