// SQLite rows of the API keys facet.
import { sqliteRows as read, type Row } from '../rows.ts';
import type { ApiKeyRecord, SignedRequestSighting } from '../types.ts';
import type { Statements } from './statements.ts';

export function putApiKey(sql: Statements, key: ApiKeyRecord): void {
  sql.q(`INSERT INTO api_keys (id, tenant, name, hash, role, created_at) VALUES (@id, @tenant, @name, @hash, @role, @createdAt)
    ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, name = excluded.name, hash = excluded.hash, role = excluded.role`).run(key);
}

export function findApiKey(sql: Statements, hash: string): ApiKeyRecord | undefined {
  const r = sql.q('SELECT * FROM api_keys WHERE hash = ?').get(hash) as Row | undefined;
  return r && read.apiKey(r);
}

export function recordSignedRequest(sql: Statements, s: SignedRequestSighting): boolean {
  sql.q('DELETE FROM signed_requests WHERE tenant = ? AND endpoint = ? AND seen_at < ?').run(s.tenant, s.endpoint, s.at - s.keepMs);
  const inserted = sql.q(`INSERT INTO signed_requests (tenant, endpoint, webhook_id, fingerprint, seen_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT DO NOTHING`).run(s.tenant, s.endpoint, s.id, s.fingerprint, s.at);
  return inserted.changes === 1;
}
