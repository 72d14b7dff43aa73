import type { Store } from './types.ts';
import { SqliteStore } from './sqlite/sqlite-store.ts';

/**
 * Opens the store a URL names: `sqlite:path/to/file.db` (or a bare path) for the embedded store,
 * `postgres://...` for PostgreSQL. Migrations are applied before it is returned.
 */
export async function openStore(url: string): Promise<Store> {
  let store: Store;
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresStore } = await import('./postgres/postgres-store.ts');
    store = new PostgresStore({ url });
  } else {
    const path = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : url;
    store = new SqliteStore({ path });
  }
  await store.migrate();
  return store;
}
