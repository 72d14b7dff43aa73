// SQLite rows of the alerts facet.
import { jsonText } from '../rows.ts';
import type { NewAlert } from '../types.ts';
import type { Statements } from './statements.ts';

/** True when the alert is new: one with its dedupe key is never raised again. */
export function writeAlert(sql: Statements, a: NewAlert): boolean {
  const r = sql.q(`INSERT INTO alerts (tenant, kind, subject, message, dedupe_key, detail, created_at) VALUES (@tenant, @kind, @subject, @message, @dedupeKey, @detail, @createdAt)
    ON CONFLICT (tenant, dedupe_key) DO NOTHING`).run({ ...a, detail: jsonText(a.detail) });
  return r.changes === 1;
}
