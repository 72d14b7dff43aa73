/**
 * Pipeline benchmark on PostgreSQL with 1, 2 and 4 `causeway worker` processes sharing one
 * database: documents per second through inbox -> decode -> outbox -> webhook, and p99 latency
 * (accepted -> delivered) at a fixed offered load. PostgreSQL's raw batched insert rate is measured
 * first in the same run, as the ratio's base.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { percentiles } from '../src/engine/index.ts';
import type { NewMessage } from '../src/store/index.ts';
import { PostgresStore } from '../src/store/postgres/postgres-store.ts';
import { salesOrder } from '../test/support/documents.ts';
import { createTestDatabase, postgresUnavailable } from '../test/support/postgres.ts';

const BIN = fileURLToPath(new URL('../bin/causeway.js', import.meta.url));

export interface PostgresFigures {
  rawBatchedRowsPerSec: number;
  rawSingleTxPerSec: number;
  workers: Array<{ workers: number; docsPerSec: number; ratioToRawInsert: number; p50Ms: number; p99Ms: number; offeredPerSec: number }>;
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));

/** PostgreSQL's own rate here for a message-sized row: single-row commits, and 1,000-row INSERT ... SELECT unnest batches. */
async function measureRawInserts(url: string): Promise<{ batchedRowsPerSec: number; singleTxPerSec: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE TABLE raw_insert (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, k text UNIQUE, body bytea)');
    const body = Buffer.from(JSON.stringify(salesOrder('SO-0', 10)));
    let t = performance.now();
    const single = 1000;
    for (let i = 0; i < single; i++) await client.query('INSERT INTO raw_insert (k, body) VALUES ($1, $2)', [`s${i}`, body]);
    const singleTxPerSec = single / ((performance.now() - t) / 1000);
    const rows = 50_000;
    t = performance.now();
    for (let from = 0; from < rows; from += 1000) {
      const keys = Array.from({ length: 1000 }, (_, i) => `b${from + i}`);
      await client.query('INSERT INTO raw_insert (k, body) SELECT * FROM unnest($1::text[], $2::bytea[])', [keys, keys.map(() => body)]);
    }
    return { batchedRowsPerSec: rows / ((performance.now() - t) / 1000), singleTxPerSec };
  } finally {
    await client.end();
  }
}

async function startReceiver(): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => { n++; res.writeHead(200).end('{}'); });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`,
    count: () => n,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Starts a worker process and resolves once it has logged that it runs. */
function startWorker(config: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'worker', '-c', config], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('causeway started')) {
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before starting: ${out.slice(-500)}`)));
  });
}

function messages(from: number, count: number, receivedAt: number, prefix: string): NewMessage[] {
  return Array.from({ length: count }, (_, i) => {
    const body = Buffer.from(JSON.stringify(salesOrder(`${prefix}-${from + i}`, 10)));
    return {
      tenant: 'bench', endpoint: 'api', codec: 'json', contentType: 'application/json', idempotencyKey: `${prefix}-${from + i}`,
      contentHash: createHash('sha256').update(body).digest('hex'), body, receivedAt,
    };
  });
}

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`benchmark: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One worker count: a saturating burst for throughput, then a fixed offered load for latency. */
async function runWorkers(dir: string, workers: number, burst: number, rate: number, seconds: number): Promise<{ docsPerSec: number; p50: number; p99: number }> {
  const db = await createTestDatabase();
  const rec = await startReceiver();
  const store = new PostgresStore({ url: db.url, pool: { max: 4 } });
  const children: ChildProcess[] = [];
  try {
    await store.migrate();
    const config = join(dir, `causeway-${workers}.yaml`);
    writeFileSync(config, `
store: ${db.url}
defaultTenant: bench
log: { level: info }
worker: { batchSize: 200, leaseMs: 60000, idleMs: 10 }
endpoints:
  wms: { type: webhook, url: ${rec.url}, concurrency: 32, allowPrivateNetworks: true }
flows:
  - { name: orders, types: [sales_order], to: wms }
`);
    children.push(...(await Promise.all(Array.from({ length: workers }, () => startWorker(config)))));

    // Throughput: the whole burst accepted in 1,000-message batches (as group-committed API calls are), timed to the last delivery.
    const t = performance.now();
    for (let i = 0; i < burst; i += 1000) await store.acceptMessages(messages(i, Math.min(1000, burst - i), Date.now(), 'T'));
    await waitUntil(() => rec.count() >= burst, 300_000, `${burst} deliveries`);
    const docsPerSec = burst / ((performance.now() - t) / 1000);

    // Latency: `rate` orders a second in batches every 20 ms, accepted -> delivered as the store recorded it.
    const startedAt = Date.now();
    const total = rate * seconds;
    const perTick = Math.max(1, Math.round(rate / 50));
    let sent = 0;
    const start = performance.now();
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      if (due > sent) {
        const n = Math.min(due - sent, perTick * 4);
        await store.acceptMessages(messages(sent, n, Date.now(), 'L'));
        sent += n;
      } else await new Promise((r) => setTimeout(r, 2));
    }
    await waitUntil(() => rec.count() >= burst + total, 120_000, `${total} deliveries at ${rate}/s`);
    await new Promise((r) => setTimeout(r, 300));
    const sample = await store.kpiSample('bench', startedAt, Date.now());
    const p = percentiles(sample.syncFromReceived);
    return { docsPerSec, p50: p.p50 ?? NaN, p99: p.p99 ?? NaN };
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : undefined)));
    await store.close();
    await rec.close();
    await db.drop();
  }
}

export async function runPostgresBench(options: { burst?: number; rate?: number; seconds?: number; workerCounts?: number[] } = {}): Promise<PostgresFigures | undefined> {
  const unavailable = await postgresUnavailable().catch((e: Error) => e.message);
  if (unavailable) {
    console.log(`postgres: skipped — ${unavailable}`);
    return undefined;
  }
  const burst = options.burst ?? 10_000;
  const rate = options.rate ?? 500;
  const seconds = options.seconds ?? 6;
  const dir = mkdtempSync(join(tmpdir(), 'causeway-bench-pg-'));
  const db = await createTestDatabase();
  try {
    const raw = await measureRawInserts(db.url);
    console.log(`postgres raw: ${fmt(raw.singleTxPerSec)} single-row commits/s, ${fmt(raw.batchedRowsPerSec)} rows/s in 1,000-row INSERT ... unnest batches`);
    const figures: PostgresFigures = { rawBatchedRowsPerSec: raw.batchedRowsPerSec, rawSingleTxPerSec: raw.singleTxPerSec, workers: [] };
    for (const n of options.workerCounts ?? [1, 2, 4]) {
      const r = await runWorkers(dir, n, burst, rate, seconds);
      const ratio = r.docsPerSec / raw.batchedRowsPerSec;
      figures.workers.push({ workers: n, docsPerSec: r.docsPerSec, ratioToRawInsert: ratio, p50Ms: r.p50, p99Ms: r.p99, offeredPerSec: rate });
      console.log(`postgres, ${n} worker process${n > 1 ? 'es' : ''}: ${fmt(r.docsPerSec)} sales orders/s inbox -> webhook delivered (${ratio.toFixed(3)} x the raw batched insert rate); `
        + `at ${rate}/s offered: p50 ${r.p50} ms, p99 ${r.p99} ms accepted -> delivered`);
    }
    return figures;
  } finally {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runPostgresBench();
