/**
 * How long PostgreSQL migration 26 (monthly partitions) takes on a database with data in it, so an
 * operator can plan its downtime. A database at schema version 25 is filled with bulk SQL: N
 * messages over the last twelve months, each with a document (about 1 kB of JSON), a delivery
 * (about 500 bytes of payload) and an attempt. The store's `migrate()` then runs migration 26 (one
 * transaction) and the migrations after it, as an upgrade does. The raw limit, in the same run: copying
 * the same four tables with `CREATE TABLE ... AS` and building the same indexes on the copies, which
 * is the work the migration cannot avoid.
 *   npm run bench -- --only pg-migration [--messages N]
 *   node --import tsx bench/pg-migration.ts [--messages N]
 */
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { createTestDatabase, migrateBefore, postgresUnavailable } from '../test/support/postgres.ts';

const TABLES = ['messages', 'documents', 'deliveries', 'attempts'] as const;
const DAY = 86_400_000;

export interface MigrationFigures {
  messages: number;
  rows: number;
  databaseMb: number;
  fillSeconds: number;
  migrationSeconds: number;
  copySeconds: number;
  /** Migration time over the bare copy's. */
  ratio: number;
}

/** N messages, each with a document, a delivery and an attempt, spread evenly over the year before `now`. */
async function fill(pool: pg.Pool, n: number, now: number): Promise<void> {
  const at = `(${now - 365 * DAY}::bigint + (g::bigint * ${Math.floor((365 * DAY) / n)}))`;
  const body = `convert_to('{"orderNumber":"SO-' || g || '","lines":[' || repeat('{"lineNumber":"1","sku":"SKU-00001","quantity":"12","uom":"EA"},', 14) || '{}]}', 'UTF8')`;
  const step = 250_000;
  for (let from = 1; from <= n; from += step) {
    const to = Math.min(n, from + step - 1);
    const g = `generate_series(${from}, ${to}) g`;
    await pool.query(`INSERT INTO messages (id, tenant, endpoint, codec, idempotency_key, content_hash, body, received_at, status)
      OVERRIDING SYSTEM VALUE SELECT g, 'acme', 'erp', 'json', 'key-' || g, md5(g::text), ${body}, ${at}, 'processed' FROM ${g}`);
    await pool.query(`INSERT INTO documents (id, tenant, message_id, generation, type, entity_key, occurred_at, received_at, body)
      SELECT 'doc-' || g, 'acme', g, 1, 'sales_order', 'order:SO-' || g, ${at}, ${at}, convert_from(${body}, 'UTF8')::jsonb FROM ${g}`);
    await pool.query(`INSERT INTO deliveries (id, tenant, document_id, document_type, message_id, flow, endpoint, entity_key, payload, content_type,
        idempotency_key, occurred_at, received_at, status, max_attempts, available_at, created_at)
      OVERRIDING SYSTEM VALUE SELECT g, 'acme', 'doc-' || g, 'sales_order', g, 'orders', 'wms', 'order:SO-' || g, substring(${body} FROM 1 FOR 500), 'application/json',
        'idem-' || g, ${at}, ${at}, 'delivered', 3, ${at}, ${at} FROM ${g}`);
    await pool.query(`INSERT INTO attempts (delivery_id, tenant, started_at, finished_at, outcome) SELECT g, 'acme', ${at} + 5000, ${at} + 5100, 'delivered' FROM ${g}`);
  }
  for (const t of ['messages', 'deliveries']) await pool.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), $1)`, [n]);
  await pool.query('VACUUM ANALYZE');
}

/** The bare copy: each table's rows into a new table, then the same indexes built on the copy. */
async function bareCopy(pool: pg.Pool): Promise<number> {
  const indexes = (await pool.query(`SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY($1)`, [TABLES])).rows as Array<{ tablename: string; indexdef: string }>;
  const started = performance.now();
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const t of TABLES) await client.query(`CREATE TABLE copy_${t} AS SELECT * FROM ${t}`);
    for (const [i, ix] of indexes.entries()) {
      // The same definition, on the copy and under a name of its own.
      const def = ix.indexdef.replace(/^CREATE (UNIQUE )?INDEX \S+ ON (?:public\.)?(\w+)/, (_m, unique: string | undefined, table: string) => `CREATE ${unique ?? ''}INDEX copy_ix_${i} ON copy_${table}`);
      await client.query(def);
    }
    await client.query('ROLLBACK');
  } finally {
    client.release();
  }
  return (performance.now() - started) / 1000;
}

export async function runPgMigrationBench(options: { messages?: number } = {}): Promise<MigrationFigures | undefined> {
  const why = await postgresUnavailable();
  if (why) {
    console.log(`skipped: ${why}`);
    return undefined;
  }
  const n = options.messages ?? 1_000_000;
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    await migrateBefore(pool, 26);
    const now = Date.now();
    let t = performance.now();
    await fill(pool, n, now);
    const fillSeconds = (performance.now() - t) / 1000;
    const databaseMb = Number((await pool.query('SELECT pg_database_size(current_database()) AS b')).rows[0].b) / 1048576;
    console.log(`database at schema 25 filled with ${n.toLocaleString('en-US')} messages and as many documents, deliveries and attempts `
      + `(${Math.round(databaseMb).toLocaleString('en-US')} MB) in ${fillSeconds.toFixed(0)} s; load average ${loadavg()[0].toFixed(1)}`);

    const copySeconds = await bareCopy(pool);
    // What an upgrade runs: the store's own migrate(), migration 26 and those after it, then this month's partitions.
    const store = new PostgresStore({ url: db.url });
    t = performance.now();
    try {
      await store.migrate();
    } finally {
      await store.close();
    }
    const migrationSeconds = (performance.now() - t) / 1000;
    const counts = await Promise.all(TABLES.map(async (x) => Number((await pool.query(`SELECT count(*) AS n FROM ${x}`)).rows[0].n)));
    if (counts.some((c) => c !== n)) throw new Error(`rows after the migration: ${TABLES.map((x, i) => `${x} ${counts[i]}`).join(', ')}; expected ${n} each`);
    const rows = n * TABLES.length;
    const figures: MigrationFigures = { messages: n, rows, databaseMb, fillSeconds, migrationSeconds, copySeconds, ratio: migrationSeconds / copySeconds };
    console.log(`migrate() from schema 25 (migration 26 and those after it): ${migrationSeconds.toFixed(1)} s for ${rows.toLocaleString('en-US')} rows `
      + `(${Math.round(rows / migrationSeconds).toLocaleString('en-US')} rows/s, ${(migrationSeconds / (n / 1e6)).toFixed(1)} s per million messages with their rows)`);
    console.log(`the bare copy of the same tables and their indexes: ${copySeconds.toFixed(1)} s; the migration takes ${figures.ratio.toFixed(2)} x as long; `
      + `every row is still there (${counts.map((c) => c.toLocaleString('en-US')).join(' / ')}); peak RSS of this process ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (the work is the server's)`);
    return figures;
  } finally {
    await pool.end();
    await db.drop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--messages');
  await runPgMigrationBench({ messages: at > 0 ? Number(process.argv[at + 1]) : undefined });
}
