/**
 * A real PostgreSQL for tests: the server at 127.0.0.1:5432 (user postgres, trust auth), or the one
 * CAUSEWAY_TEST_PG_URL names. Each test store gets a database of its own, dropped when it closes.
 *
 *   const skip = await postgresUnavailable();
 *   describe('...', { skip }, () => { ... await openTestPostgresStore() ... });
 *
 * Without a server the tests are skipped with the reason; with CAUSEWAY_REQUIRE_POSTGRES=1 or CI set
 * they fail instead, so a CI run can never pass by silently skipping them.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresMigrations } from '../../src/store/postgres/migrations.ts';
import { PostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { peerRequired } from './peers.ts';

export const TEST_PG_URL = process.env.CAUSEWAY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

let availability: Promise<string | undefined> | undefined;

/** Why PostgreSQL cannot be used by the tests, or undefined when it can. */
export function postgresUnavailable(): Promise<string | undefined> {
  availability ??= checkAvailability();
  return availability;
}

async function checkAvailability(): Promise<string | undefined> {
  let reason: string | undefined;
  try {
    await withAdmin(async (admin) => { await admin.query('SELECT 1'); });
  } catch (error) {
    reason = `PostgreSQL is not reachable at ${redact(TEST_PG_URL)} (${(error as Error).message}); set CAUSEWAY_TEST_PG_URL to use another server`;
  }
  if (reason && peerRequired('POSTGRES')) throw new Error(reason);
  return reason;
}

/** Creates an empty database with a name no other test run uses. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `causeway_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => withAdmin((admin) => dropDatabase(admin, name)),
  };
}

/** A migrated PostgresStore on a fresh database; closing the store drops the database. */
export async function openTestPostgresStore(options: { max?: number } = {}): Promise<PostgresStore> {
  const db = await createTestDatabase();
  const store = new TestPostgresStore(db, options.max);
  await store.migrate();
  return store;
}

/**
 * Brings an empty database to the schema as it stood before migration `version`, recorded as applied,
 * the way an older release left it: for tests and benchmarks of a migration on data written before it.
 */
export async function migrateBefore(db: pg.Pool, version: number): Promise<void> {
  await db.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at bigint NOT NULL)');
  for (const m of postgresMigrations.filter((x) => x.version < version)) {
    await db.query(m.sql);
    await db.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
  }
}

class TestPostgresStore extends PostgresStore {
  constructor(private readonly db: TestDatabase, max?: number) {
    super({ url: db.url, pool: { max } });
  }

  override async close(): Promise<void> {
    await super.close();
    await this.db.drop();
  }
}

/**
 * Drops a test database once its connections are gone. A pool's end() can resolve a moment before the
 * server has closed its last connection: ending that connection with FORCE then reaches a client no
 * longer listening for errors, and the error ends the test process. FORCE is kept for connections a
 * failed test left open, after a few seconds.
 */
async function dropDatabase(admin: pg.Client, name: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [name]);
    if (rows[0].n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

async function withAdmin<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: TEST_PG_URL, connectionTimeoutMillis: 3000 });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
