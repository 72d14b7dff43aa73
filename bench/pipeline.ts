/**
 * Pipeline benchmark on the embedded store: the machine facts the figures depend on and raw
 * SQLite limits first (the ratios' base), then inbox -> outbox in process with a field map (with
 * and without the rules step) and with JSONata, then delivery to a webhook receiver on loopback,
 * single-order API calls against a bare Hono handler writing the same row, then latency at a
 * fixed offered load. Load generator and receiver run in the benchmark's process, so CPU per
 * order counts them too.
 */
import Database from 'better-sqlite3';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Agent, request } from 'undici';
import { startApiServer } from '../src/api/index.ts';
import { parseConfig } from '../src/endpoints.ts';
import { Hub, percentiles } from '../src/engine/index.ts';
import type { NewMessage } from '../src/store/index.ts';
import { salesOrder } from '../test/support/documents.ts';

const silent = pino({ level: 'silent' });

export interface PipelineFigures { [k: string]: number | string }

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

/** What the figures depend on besides the code: printed at the start and end of a run. */
export function machineFacts(): string {
  const cpu = cpus();
  return `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), node ${process.version}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;
}

/** CPU seconds the process used since `since` (all threads: SQLite's checkpointer too). */
function cpuSecondsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1e6;
}

/** SQLite's own ceiling here: single-row commits and 1,000-row transactions of a message-sized row. */
export function measureSqliteLimits(dir: string): { singleTxPerSec: number; batchedRowsPerSec: number } {
  const db = new Database(join(dir, 'raw.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, body BLOB)');
  const ins = db.prepare('INSERT INTO t (k, body) VALUES (?, ?)');
  const body = Buffer.from(JSON.stringify(salesOrder('SO-0', 10)));
  let t = performance.now();
  const single = 2000;
  for (let i = 0; i < single; i++) ins.run(`s${i}`, body);
  const singleTxPerSec = single / ((performance.now() - t) / 1000);
  const many = db.transaction((from: number) => { for (let i = 0; i < 1000; i++) ins.run(`b${from + i}`, body); });
  t = performance.now();
  const rows = 100_000;
  for (let i = 0; i < rows; i += 1000) many(i);
  const batchedRowsPerSec = rows / ((performance.now() - t) / 1000);
  db.close();
  return { singleTxPerSec, batchedRowsPerSec };
}

const API_KEY = 'bench-key-0123456789abcdefghijkl';

function config(dir: string, mapping: 'fields' | 'jsonata', url = 'http://127.0.0.1:9/unused', rules = true): string {
  return `
rules: { enabled: ${rules} }
store: sqlite:${join(dir, `hub-${mapping}-${Math.random().toString(36).slice(2)}.db`)}
defaultTenant: bench
api: { listen: 127.0.0.1:0, keys: [{ name: bench, tenant: bench, key: ${API_KEY} }] }
worker: { batchSize: 1000, leaseMs: 600000, idleMs: 5 }
endpoints:
  wms: { type: webhook, url: ${url}, concurrency: 64, allowPrivateNetworks: true }
flows:
  - { name: orders, types: [sales_order], to: wms, mapping: m }
codeTables:
  carriers: { UPSN: UPS_GROUND }
mappings:
  m:
${mapping === 'fields' ? `    fields:
      order_id: orderNumber
      ship_method: { from: carrier.scac, table: carriers }
      customer: customer.code
      ship_by: { from: occurredAt, format: date-compact }
      consignee.name: shipTo.name
      consignee.street: shipTo.lines[0]
      consignee.city: shipTo.city
      consignee.zip: shipTo.postalCode
      consignee.country: shipTo.country
      lines: { each: lines, fields: { line: lineNumber, item: sku, qty: { from: quantity, format: number }, unit: uom } }` :
`    jsonata: |
      { "order_id": orderNumber, "ship_method": $table("carriers", carrier.scac), "customer": customer.code,
        "ship_by": $replace($substring(occurredAt, 0, 10), "-", ""),
        "consignee": { "name": shipTo.name, "street": shipTo.lines[0], "city": shipTo.city, "zip": shipTo.postalCode, "country": shipTo.country },
        "lines": [lines.{ "line": lineNumber, "item": sku, "qty": $number(quantity), "unit": uom }] }`}
`;
}

/** Inbox -> documents -> deliveries in process: the part of the pipeline that is ours. */
export async function inboxToOutbox(dir: string, mapping: 'fields' | 'jsonata', count: number, rules = true): Promise<number> {
  return (await timedInboxToOutbox(dir, mapping, count, rules)).perSec;
}

/** The same, with the CPU seconds the timed part used (a steadier figure than the rate on a busy machine). */
export async function timedInboxToOutbox(dir: string, mapping: 'fields' | 'jsonata', count: number, rules = true): Promise<{ perSec: number; cpuSeconds: number }> {
  const hub = await Hub.start(parseConfig(config(dir, mapping, undefined, rules), dir), { logger: silent, delivery: false, processor: false, sources: false });
  const now = Date.now();
  const messages: NewMessage[] = [];
  for (let i = 0; i < count; i++) messages.push(hub.inbox.toNewMessage('bench', 'api', 'json', { body: Buffer.from(JSON.stringify(salesOrder(`SO-${i}`, 10))) }, now));
  const t = performance.now();
  const cpu = process.cpuUsage();
  for (let i = 0; i < messages.length; i += 1000) await hub.store.acceptMessages(messages.slice(i, i + 1000));
  for (;;) {
    const claimed = await hub.store.claimPendingMessages('bench', 1000, 600_000, Date.now());
    if (!claimed.length) break;
    await hub.store.completeMessages(await hub.processor.processBatch(claimed), Date.now());
  }
  const seconds = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const made = (await hub.store.kpiSample('bench', 0, Date.now() + 1)).backlog[0]?.pending ?? 0;
  await hub.stop();
  await hub.store.close();
  if (made !== count) throw new Error(`expected ${count} deliveries, found ${made}`);
  return { perSec: count / seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

async function receiver(): Promise<{ url: string; arrivals: number[]; close(): Promise<void> }> {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push(Date.now() - Number(req.headers['x-sent-at'] ?? 0));
      res.writeHead(200).end('{}');
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`,
    arrivals,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Whole pipeline in process: inbox -> processor -> webhook POST to a receiver on loopback. */
export async function endToEnd(dir: string, count: number): Promise<{ perSec: number; cpuSeconds: number }> {
  const rec = await receiver();
  const hub = await Hub.start(parseConfig(config(dir, 'fields', rec.url), dir), { logger: silent });
  const t = performance.now();
  const cpu = process.cpuUsage();
  const now = Date.now();
  const batch: NewMessage[] = [];
  for (let i = 0; i < count; i++) batch.push(hub.inbox.toNewMessage('bench', 'api', 'json', { body: Buffer.from(JSON.stringify(salesOrder(`SO-${i}`, 10))) }, now));
  for (let i = 0; i < batch.length; i += 1000) await hub.inbox.acceptBatch(batch.slice(i, i + 1000));
  while (rec.arrivals.length < count) await new Promise((r) => setTimeout(r, 5));
  const perSec = count / ((performance.now() - t) / 1000);
  const cpuSeconds = cpuSecondsSince(cpu);
  await hub.stop();
  await rec.close();
  return { perSec, cpuSeconds };
}

/** `clients` callers POSTing `bodies` in turn, each waiting for its answer; resolves when all are answered. */
async function postAll(url: string, bodies: string[], clients: number, headers: Record<string, string>): Promise<void> {
  const agent = new Agent({ connections: clients, keepAliveTimeout: 10_000 });
  let next = 0;
  try {
    await Promise.all(Array.from({ length: clients }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++];
        const res = await request(url, { method: 'POST', dispatcher: agent, body, headers: { ...headers, 'content-type': 'application/json' } });
        await res.body.dump();
        if (res.statusCode !== 202) throw new Error(`${url} answered ${res.statusCode}`);
      }
    }));
  } finally {
    await agent.close();
  }
}

function orderBodies(prefix: string, count: number, perCall: number): string[] {
  return Array.from({ length: count / perCall }, (_, c) => JSON.stringify(perCall === 1
    ? salesOrder(`${prefix}-${c}`, 10)
    : Array.from({ length: perCall }, (_, i) => salesOrder(`${prefix}-${c * perCall + i}`, 10))));
}

/**
 * Through the HTTP API: clients POST /v1/documents (`perCall` orders per call, as an array),
 * Causeway delivers each order by webhook. `acceptedPerSec` counts until the last call was
 * answered (stored, 202), `perSec` until the last order was delivered.
 */
export async function apiToWebhook(dir: string, count: number, clients: number, perCall = 1): Promise<{ perSec: number; acceptedPerSec: number; cpuSeconds: number }> {
  const rec = await receiver();
  const hub = await Hub.start(parseConfig(config(dir, 'fields', rec.url), dir), { logger: silent, idleMs: 5 });
  const api = await startApiServer(hub, { listen: '127.0.0.1:0' });
  const bodies = orderBodies(`A${perCall}`, count, perCall);
  const t = performance.now();
  const cpu = process.cpuUsage();
  await postAll(`${api.url}/v1/documents`, bodies, clients, { authorization: `Bearer ${API_KEY}` });
  const acceptedPerSec = count / ((performance.now() - t) / 1000);
  while (rec.arrivals.length < count) await new Promise((r) => setTimeout(r, 5));
  const perSec = count / ((performance.now() - t) / 1000);
  const cpuSeconds = cpuSecondsSince(cpu);
  await api.close();
  await hub.stop();
  await rec.close();
  return { perSec, acceptedPerSec, cpuSeconds };
}

/**
 * The ceiling of a single-order call: a bare Hono handler on the same @hono/node-server that
 * only stores the body as one row (its key the content hash) in SQLite (WAL, synchronous=FULL),
 * one commit per call, driven by the same clients.
 */
export async function bareHonoIngest(dir: string, count: number, clients: number): Promise<{ perSec: number; cpuSeconds: number }> {
  const db = new Database(join(dir, `bare-${Math.random().toString(36).slice(2)}.db`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE messages (id INTEGER PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, body BLOB NOT NULL, received_at INTEGER NOT NULL)');
  const insert = db.prepare('INSERT INTO messages (idempotency_key, body, received_at) VALUES (?, ?, ?)');
  const app = new Hono();
  app.post('/v1/documents', async (c) => {
    const body = Buffer.from(await c.req.arrayBuffer());
    const r = insert.run(`sha256:${createHash('sha256').update(body).digest('hex')}`, body, Date.now());
    return c.json({ messageId: Number(r.lastInsertRowid) }, 202);
  });
  const { server, port } = await new Promise<{ server: ReturnType<typeof serve>; port: number }>((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => resolve({ server, port: info.port }));
  });
  const bodies = orderBodies('B', count, 1);
  const t = performance.now();
  const cpu = process.cpuUsage();
  await postAll(`http://127.0.0.1:${port}/v1/documents`, bodies, clients, {});
  const perSec = count / ((performance.now() - t) / 1000);
  const cpuSeconds = cpuSecondsSince(cpu);
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    (server as import('node:http').Server).closeIdleConnections?.();
  });
  db.close();
  return { perSec, cpuSeconds };
}

/**
 * Sync latency at a fixed offered load: one order every 1/rate seconds for `seconds`, each
 * accepted like an API call (its own group-committed inbox write), timed from acceptance to the
 * receiver's answer.
 */
export async function latencyAtLoad(dir: string, rate: number, seconds: number): Promise<{ p50: number; p99: number; max: number; sent: number }> {
  const rec = await receiver();
  const hub = await Hub.start(parseConfig(config(dir, 'fields', rec.url), dir), { logger: silent, idleMs: 5 });
  // Warm-up: connections, JIT.
  await Promise.all(Array.from({ length: 200 }, (_, i) => hub.inbox.acceptOne(hub.inbox.toNewMessage('bench', 'api', 'json', { body: Buffer.from(JSON.stringify(salesOrder(`W-${i}`, 10))) }))));
  while (rec.arrivals.length < 200) await new Promise((r) => setTimeout(r, 5));
  rec.arrivals.length = 0;
  const total = rate * seconds;
  const start = performance.now();
  const startedAt = Date.now();
  const sentAt: number[] = [];
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      while (sent < due) {
        const i = sent++;
        sentAt[i] = Date.now();
        void hub.inbox.acceptOne(hub.inbox.toNewMessage('bench', 'api', 'json', { body: Buffer.from(JSON.stringify(salesOrder(`L-${i}`, 10))) }, sentAt[i]));
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  while (rec.arrivals.length < total) await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 100));
  // Accepted (stored in the inbox) to the receiver's answer recorded, as the store saw it.
  const sample = await hub.store.kpiSample('bench', startedAt, Date.now());
  const p = percentiles(sample.syncFromReceived);
  await hub.stop();
  await rec.close();
  return { p50: p.p50 ?? NaN, p99: p.p99 ?? NaN, max: p.max ?? NaN, sent: p.count };
}

const msPerOrder = (cpuSeconds: number, orders: number) => `${((cpuSeconds * 1000) / orders).toFixed(3)} ms CPU per order`;

export async function runPipelineBench(): Promise<PipelineFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-bench-'));
  try {
    console.log(`machine at start: ${machineFacts()}`);
    const raw = measureSqliteLimits(dir);
    console.log(`sqlite on this disk (fsync rate): ${fmt(raw.singleTxPerSec)} single-row commits/s, ${fmt(raw.batchedRowsPerSec)} rows/s in 1,000-row transactions`);
    // What the rules step costs is measured on its own, with and without it in alternating fresh processes: `--only rules` (bench/rules-cost.ts).
    const orders = 20_000;
    const ruled = [await timedInboxToOutbox(dir, 'fields', orders), await timedInboxToOutbox(dir, 'fields', orders)].sort((a, b) => b.perSec - a.perSec)[0];
    const fields = ruled.perSec;
    console.log(`inbox -> outbox, field map: ${fmt(fields)} sales orders/s (10 lines each, the rules on), ${msPerOrder(ruled.cpuSeconds, orders)} = ${(fields / raw.batchedRowsPerSec).toFixed(2)} x the batched insert rate`);
    // The pipeline as it was before the rules step existed (the README's older figures were of that).
    const bare = await timedInboxToOutbox(dir, 'fields', orders, false);
    console.log(`  the same without the rules step: ${fmt(bare.perSec)} sales orders/s, ${msPerOrder(bare.cpuSeconds, orders)}`);
    const jsonata = await inboxToOutbox(dir, 'jsonata', 2_000);
    console.log(`inbox -> outbox, JSONata:   ${fmt(jsonata)} sales orders/s (${(fields / jsonata).toFixed(1)} x slower than the field map)`);
    const e2eOrders = 10_000;
    const e2e = await endToEnd(dir, e2eOrders);
    console.log(`inbox -> webhook delivered on loopback: ${fmt(e2e.perSec)} sales orders/s, ${msPerOrder(e2e.cpuSeconds, e2eOrders)} (hub, receiver and load in one process)`);
    const calls = 5_000;
    const ceiling = await bareHonoIngest(dir, calls, 32);
    const viaApi = await apiToWebhook(dir, calls, 32);
    console.log(`API ingest, 32 clients, one order per call: ${fmt(viaApi.acceptedPerSec)} calls/s answered 202 = ${(viaApi.acceptedPerSec / ceiling.perSec).toFixed(2)} x a bare Hono handler writing the same row (${fmt(ceiling.perSec)} calls/s, ${msPerOrder(ceiling.cpuSeconds, calls)})`);
    console.log(`  -> webhook delivered: ${fmt(viaApi.perSec)} sales orders/s, ${msPerOrder(viaApi.cpuSeconds, calls)} (clients, hub and receiver in one process)`);
    const batchedOrders = 10_000;
    const viaApiBatched = await apiToWebhook(dir, batchedOrders, 8, 50);
    console.log(`API ingest -> webhook delivered (8 clients, 50 orders per call): ${fmt(viaApiBatched.perSec)} sales orders/s, ${msPerOrder(viaApiBatched.cpuSeconds, batchedOrders)}`);
    const lat = await latencyAtLoad(dir, 500, 10);
    console.log(`sync latency at 500 orders/s offered for 10 s (accepted -> delivered): p50 ${lat.p50} ms, p99 ${lat.p99} ms, max ${lat.max} ms over ${lat.sent} orders`);
    console.log(`machine at end: ${machineFacts()}; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    return {
      apiToWebhookPerSec: viaApi.perSec, apiAcceptedPerSec: viaApi.acceptedPerSec, bareHonoPerSec: ceiling.perSec, apiBatchedToWebhookPerSec: viaApiBatched.perSec,
      latencyP50Ms: lat.p50, latencyP99Ms: lat.p99, sqliteSingleTxPerSec: raw.singleTxPerSec, sqliteBatchedRowsPerSec: raw.batchedRowsPerSec,
      fieldMapPerSec: fields, fieldMapWithoutRulesPerSec: bare.perSec, jsonataPerSec: jsonata, endToEndPerSec: e2e.perSec,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runPipelineBench();
