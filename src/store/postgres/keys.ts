// PostgreSQL rows of the API keys facet.
import { postgresRows as read } from '../rows.ts';
import type { ApiKeyRecord, SignedRequestSighting } from '../types.ts';
import type { Queryable } from './queryable.ts';

export async function putApiKey(db: Queryable, key: ApiKeyRecord): Promise<void> {
  await db.query(`INSERT INTO api_keys (id, tenant, name, hash, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (id) DO UPDATE SET tenant = excluded.tenant, name = excluded.name, hash = excluded.hash, role = excluded.role`,
  [key.id, key.tenant, key.name, key.hash, key.role, key.createdAt]);
}

export async function findApiKey(db: Queryable, hash: string): Promise<ApiKeyRecord | undefined> {
  const { rows: [r] } = await db.query('SELECT * FROM api_keys WHERE hash = $1', [hash]);
  return r && read.apiKey(r);
}

export async function recordSignedRequest(db: Queryable, s: SignedRequestSighting): Promise<boolean> {
  await db.query('DELETE FROM signed_requests WHERE tenant = $1 AND endpoint = $2 AND seen_at < $3', [s.tenant, s.endpoint, s.at - s.keepMs]);
  // Two workers taking the same replayed request at once: the primary key lets one insert through.
  const { rowCount } = await db.query(`INSERT INTO signed_requests (tenant, endpoint, webhook_id, fingerprint, seen_at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT DO NOTHING`, [s.tenant, s.endpoint, s.id, s.fingerprint, s.at]);
  return rowCount === 1;
}
