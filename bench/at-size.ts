/**
 * Flat at size: the same measures on an empty SQLite store and on one filled with bulk SQL
 * (5,000,000 messages by default, each with its document, delivery and attempt, over 90 days),
 * in the same run. Each must stay within 2x of its empty-store figure.
 *  - ingest: 10,000 orders accepted into the inbox, 500 a transaction, in five rounds (the median);
 *  - claim and process: those orders claimed, decoded, mapped and their deliveries written;
 *  - deliver: their deliveries claimed and POSTed to a receiver on loopback;
 *  - API latency, p50 and p99 over HTTP: a message's lineage, a page of messages, the last hour's KPIs.
 * `npm run bench -- --only at-size --messages 1000000` for a smaller store.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startApiServer } from '../src/api/index.ts';
import { parseConfig } from '../src/endpoints.ts';
import { Hub, percentiles } from '../src/engine/index.ts';
import { SqliteStore, type NewMessage } from '../src/store/index.ts';
import { salesOrder } from '../test/support/documents.ts';
import { fill } from './console.ts';

const silent = pino({ level: 'silent' });
const KEY = 'bench-at-size-key-0123456789abcdef';
const ORDERS = 10_000;
const INGEST_ROUND = 2_000;
/** Requests per API measure: a p99 of 1,000 is its tenth-slowest request, not one stall. */
const SAMPLES = 1_000;

export interface AtSizeFigures {
  messages: number;
  fillSeconds: number;
  rows: Array<{ measure: string; unit: string; empty: number; filled: number; ratio: number; within: boolean }>;
}

function config(path: string, url: string): string {
  return `
store: sqlite:${path}
defaultTenant: acme
api: { listen: 127.0.0.1:0, keys: [{ name: bench, tenant: acme, key: ${KEY} }] }
worker: { batchSize: 1000, leaseMs: 600000, idleMs: 5 }
endpoints:
  wms: { type: webhook, url: ${url}, concurrency: 64, allowPrivateNetworks: true }
flows:
  - { name: orders, types: [sales_order], to: wms, mapping: m }
mappings:
  m:
    fields:
      order_id: orderNumber
      customer: customer.code
      lines: { each: lines, fields: { line: lineNumber, item: sku, qty: { from: quantity, format: number }, unit: uom } }
`;
}

async function receiver(): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  let n = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      n++;
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders`,
    count: () => n,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

interface Measures { ingest: number; process: number; deliver: number; lineage: number[]; list: number[]; kpis: number[] }

/** The measures on the store at `path`, as it is. */
async function measure(dir: string, path: string): Promise<Measures> {
  const rec = await receiver();
  const loaded = parseConfig(config(path, rec.url), dir);
  // Ingest and processing first, with no delivery loop running, so each is timed alone.
  let hub = await Hub.start(loaded, { logger: silent, delivery: false, processor: false, sources: false });
  const now = Date.now();
  const messages: NewMessage[] = [];
  for (let i = 0; i < ORDERS; i++) messages.push(hub.inbox.toNewMessage('acme', 'api', 'json', { body: Buffer.from(JSON.stringify(salesOrder(`AT-${now}-${i}`, 10))) }, now));
  // Five rounds of 2,000, the median: one fsync stalled by the disk does not decide the figure.
  const rounds: number[] = [];
  for (let r = 0; r < ORDERS; r += INGEST_ROUND) {
    const started = performance.now();
    for (let i = r; i < r + INGEST_ROUND; i += 500) await hub.store.acceptMessages(messages.slice(i, i + 500));
    rounds.push(INGEST_ROUND / ((performance.now() - started) / 1000));
  }
  const ingest = percentiles(rounds).p50!;
  let t = performance.now();
  for (;;) {
    const claimed = await hub.store.claimPendingMessages('acme', 1000, 600_000, Date.now());
    if (!claimed.length) break;
    await hub.store.completeMessages(await hub.processor.processBatch(claimed), Date.now());
  }
  const process = ORDERS / ((performance.now() - t) / 1000);
  await hub.stop();

  hub = await Hub.start(loaded, { logger: silent, processor: false, sources: false });
  t = performance.now();
  while (rec.count() < ORDERS) await new Promise((r) => setTimeout(r, 5));
  const deliver = ORDERS / ((performance.now() - t) / 1000);
  await rec.close();

  const server = await startApiServer(hub, { listen: '127.0.0.1:0' });
  const ids = (await hub.store.listMessages({ tenant: 'acme', limit: 1 }))[0]!.id;
  const timed = async (url: string, times: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < times; i++) {
      const started = performance.now();
      const res = await fetch(server.url + url.replace('{r}', String(1 + Math.floor(((i * 7919) % 1000) / 1000 * ids))), { headers: { authorization: `Bearer ${KEY}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`benchmark: ${url} answered ${res.status}`);
      out.push(performance.now() - started);
    }
    return out;
  };
  // Ids spread over the whole store, so the lineage reads are not all in the cache's warm tail.
  const lineage = await timed('/v1/messages/{r}/lineage', SAMPLES);
  const list = await timed('/v1/messages?limit=50&before={r}', SAMPLES);
  // The last hour: the same traffic on both stores (a longer window holds more of the fill's days, not a bigger store).
  const kpis = await timed('/v1/kpis?window=1h', 100);
  await server.close();
  await hub.stop();
  return { ingest, process, deliver, lineage, list, kpis };
}

export async function runAtSizeBench(options: { messages?: number } = {}): Promise<AtSizeFigures> {
  const count = options.messages ?? 5_000_000;
  const dir = mkdtempSync(join(tmpdir(), 'causeway-bench-at-size-'));
  try {
    const empty = await measure(dir, join(dir, 'empty.db'));
    const filledPath = join(dir, 'filled.db');
    const migrated = new SqliteStore({ path: filledPath });
    await migrated.migrate();
    await migrated.close();
    const t = performance.now();
    // Filled 90 days back to now: the orders measured arrive after the last of them, as in a live store.
    fill(filledPath, count, Date.now() - 60_000);
    // The fill wrote gigabytes; the disk's write-back of them is not the filled store's to pay.
    execFileSync('sync');
    const fillSeconds = (performance.now() - t) / 1000;
    const filled = await measure(dir, filledPath);
    const p = (xs: number[], q: 'p50' | 'p99') => percentiles(xs)[q] ?? NaN;
    const rows: AtSizeFigures['rows'] = [];
    const throughput = (measure: string, e: number, f: number) => rows.push({ measure, unit: 'orders/s', empty: e, filled: f, ratio: e / f, within: e / f <= 2 });
    const latency = (measure: string, e: number, f: number) => rows.push({ measure, unit: 'ms', empty: e, filled: f, ratio: f / e, within: f / e <= 2 });
    throughput('ingest', empty.ingest, filled.ingest);
    throughput('claim and process', empty.process, filled.process);
    throughput('deliver', empty.deliver, filled.deliver);
    for (const q of ['p50', 'p99'] as const) {
      latency(`lineage ${q}`, p(empty.lineage, q), p(filled.lineage, q));
      latency(`message list ${q}`, p(empty.list, q), p(filled.list, q));
      latency(`KPIs (1h) ${q}`, p(empty.kpis, q), p(filled.kpis, q));
    }
    const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
    console.log(`store filled with ${count.toLocaleString('en-US')} messages (and as many documents, deliveries, attempts) in ${fillSeconds.toFixed(0)} s; load average ${loadavg()[0]!.toFixed(1)}`);
    console.log('measure                 unit        empty      filled   filled vs empty   within 2x');
    for (const r of rows) {
      console.log(`${r.measure.padEnd(22)}  ${r.unit.padEnd(8)} ${fmt(r.empty).padStart(9)}  ${fmt(r.filled).padStart(10)}   ${`${r.ratio.toFixed(2)}x slower`.padStart(15)}   ${r.within ? 'yes' : 'NO'}`);
    }
    console.log(`peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    return { messages: count, fillSeconds, rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
