import type pg from 'pg';
import type { PoolClient } from 'pg';
import { MONTH_FACTS } from '../retention-sql.ts';
import type { RetentionMonth } from '../types.ts';

// PostgreSQL keeps messages, documents, deliveries and attempts in one partition per UTC month of
// the message's received_at (migration 26), and a default partition for whatever arrives before
// its month's partition exists; causeway_month_partition() makes a month's partition and moves
// such rows into it. A month goes whole, by DROP TABLE, instead of row by row.

const PARTITIONED = ['attempts', 'deliveries', 'documents', 'messages'] as const;
/** Partitions are made this many months ahead of the current one, so none is made while its month's rows arrive. */
const MONTHS_AHEAD = 2;
/** How long dropping a month may wait for the tables: the pipeline queues behind a waiting DROP. */
const LOCK_TIMEOUT = '3s';

const monthStart = (t: number) => { const d = new Date(t); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1); };
const nextMonth = (start: number) => { const d = new Date(start); return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1); };
const suffix = (start: number) => new Date(start).toISOString().slice(0, 7).replace('-', '_');
const placeholders = (sql: string) => { let n = 0; return sql.replace(/\?/g, () => `$${++n}`); };

/** Starts of the months that have a partition of messages, oldest first. */
async function partitionedMonths(db: pg.Pool | PoolClient): Promise<number[]> {
  const rows = (await db.query(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'messages'::regclass`)).rows;
  return rows.map((r) => /_(\d{4})_(\d{2})$/.exec(r.relname as string))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Date.UTC(Number(m[1]), Number(m[2]) - 1, 1))
    .sort((a, b) => a - b);
}

async function monthFacts(db: pg.Pool | PoolClient, start: number, end: number): Promise<RetentionMonth['tenants']> {
  return (await db.query(placeholders(MONTH_FACTS), [start, end, start, end])).rows
    .map((r) => ({ tenant: r.tenant as string, messages: Number(r.messages), open: Number(r.open), types: (r.types as string[] | null) ?? [] }));
}

export async function retentionMonths(pool: pg.Pool, before: number): Promise<RetentionMonth[]> {
  const months: RetentionMonth[] = [];
  for (const start of await partitionedMonths(pool)) {
    const end = nextMonth(start);
    if (end > before) break;
    months.push({ start, end, tenants: await monthFacts(pool, start, end) });
  }
  return months;
}

export async function preparePartitions(pool: pg.Pool, now: number): Promise<string[]> {
  const have = new Set(await partitionedMonths(pool));
  const made: string[] = [];
  for (let start = monthStart(now), i = 0; i <= MONTHS_AHEAD; start = nextMonth(start), i++) {
    if (have.has(start)) continue;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
      for (const table of PARTITIONED) made.push((await client.query('SELECT causeway_month_partition($1, to_timestamp($2 / 1000.0) AT TIME ZONE \'UTC\') AS name', [table, start])).rows[0].name);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw new Error(`making the partitions of ${suffix(start).replace('_', '-')}: ${(e as Error).message}`, { cause: e });
    } finally {
      client.release();
    }
  }
  return made;
}

export async function dropRetentionMonth(pool: pg.Pool, start: number): Promise<boolean> {
  const end = nextMonth(start);
  const names = PARTITIONED.map((t) => `${t}_${suffix(start)}`);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    // Writes to this month wait from here on, so it cannot be opened again (a replay, an edit)
    // between the check below and the drop; other months are not held.
    await client.query(`LOCK TABLE ${names.join(', ')} IN SHARE MODE`);
    if ((await monthFacts(client, start, end)).some((t) => t.open > 0)) {
      await client.query('ROLLBACK');
      return false;
    }
    const ids = `SELECT id FROM messages WHERE received_at >= $1 AND received_at < $2`;
    const deadLetters = `SELECT id FROM dead_letters WHERE (kind = 'message' AND ref_id IN (${ids}))
      OR (kind = 'delivery' AND ref_id IN (SELECT id FROM deliveries WHERE received_at >= $1 AND received_at < $2))`;
    const range = [start, end];
    await client.query(`DELETE FROM message_keys k USING messages m WHERE m.received_at >= $1 AND m.received_at < $2
      AND k.tenant = m.tenant AND k.endpoint = m.endpoint AND k.idempotency_key = m.idempotency_key AND k.message_id = m.id`, range);
    await client.query(`DELETE FROM message_chunks WHERE upload IN (SELECT raw_upload FROM messages WHERE received_at >= $1 AND received_at < $2 AND raw_upload IS NOT NULL)`, range);
    await client.query(`DELETE FROM message_edits WHERE message_id IN (${ids})`, range);
    await client.query(`DELETE FROM rule_verdicts WHERE message_id IN (${ids})`, range);
    await client.query(`DELETE FROM dead_letter_resolutions WHERE dead_letter_id IN (${deadLetters})`, range);
    await client.query(`DELETE FROM dead_letters WHERE id IN (${deadLetters})`, range);
    await client.query(`DROP TABLE ${names.join(', ')}`);
    await client.query('COMMIT');
    return true;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    // 55P03: a lock not granted within lock_timeout; 40P01: a deadlock with a pipeline transaction.
    if (['55P03', '40P01'].includes((e as { code?: string }).code ?? '')) return false;
    throw new Error(`dropping the partitions of ${suffix(start).replace('_', '-')}: ${(e as Error).message}`, { cause: e });
  } finally {
    client.release();
  }
}
