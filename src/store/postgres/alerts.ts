// PostgreSQL rows of the alerts facet.
import { jsonText } from '../rows.ts';
import type { NewAlert } from '../types.ts';
import type { Queryable } from './queryable.ts';

/** True when the alert is new: one with its dedupe key is never raised again. */
export async function raiseAlert(db: Queryable, a: NewAlert): Promise<boolean> {
  const r = await db.query(`INSERT INTO alerts (tenant, kind, subject, message, dedupe_key, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
    ON CONFLICT (tenant, dedupe_key) DO NOTHING`, [a.tenant, a.kind, a.subject, a.message, a.dedupeKey, jsonText(a.detail), a.createdAt]);
  return r.rowCount === 1;
}
