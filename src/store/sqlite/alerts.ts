// SQLite rows of the alerts facet.
import { clampLimit } from '../decisions.ts';
import { jsonText, sqliteRows as read, type Row } from '../rows.ts';
import type { Alert, NewAlert, Page } from '../types.ts';
import type { Statements } from './statements.ts';

/** True when the alert is new: one with its dedupe key is never raised again. */
export function writeAlert(sql: Statements, a: NewAlert): boolean {
  const r = sql.q(`INSERT INTO alerts (tenant, kind, subject, message, dedupe_key, detail, created_at) VALUES (@tenant, @kind, @subject, @message, @dedupeKey, @detail, @createdAt)
    ON CONFLICT (tenant, dedupe_key) DO NOTHING`).run({ ...a, detail: jsonText(a.detail) });
  return r.changes === 1;
}

export function listAlerts(sql: Statements, tenant: string, page: Page & { kind?: string } = {}): Alert[] {
  return (sql.q(`SELECT * FROM alerts WHERE tenant = ? AND (? IS NULL OR kind = ?) AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`)
    .all(tenant, page.kind ?? null, page.kind ?? null, page.before ?? null, page.before ?? null, clampLimit(page.limit)) as Row[]).map(read.alert);
}
