// PostgreSQL rows of the API keys facet.
import { postgresRows as read } from '../rows.ts';
import type { ApiKeyRecord } from '../types.ts';
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
