/**
 * How many documents per second the tryton endpoint moves each way against a real Tryton 6.0 on
 * SQLite, and where the time goes: Tryton's JSON-RPC round trips (server work plus loopback HTTP)
 * against Causeway's own time (building documents, JSON, validation, the endpoint).
 *
 *   node --import tsx scripts/tryton/bench.ts [orders=30]
 *
 * Reads: N confirmed sales read as sales orders through the endpoint's source, page by page.
 * Writes: N shipment confirmations (two lines, one of them in two lots, one package) applied one
 * after another through the endpoint's sink, as the engine does with `concurrency: 1`.
 */
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { builtIns, parseConfig } from '../../src/endpoints.ts';
import { openStore } from '../../src/store/index.ts';
import type { OutboundMessage, SinkRuntime, SourceRuntime } from '../../src/transports/index.ts';
import { startTryton } from '../../test/support/tryton.ts';
import { confirmSale, connect } from '../../test/connectors/tryton/fixtures.ts';

const orders = Number(process.argv[2] ?? 30);

/**
 * Every Tryton call goes through fetch. Time with at least one call in flight is Tryton's share
 * (calls made in parallel count once); the rest of the wall time is Causeway's.
 */
const rpcTime = { calls: 0, ms: 0 };
const byMethod = new Map<string, { calls: number; ms: number }>();
let inFlight = 0;
let busySince = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
  if (inFlight++ === 0) busySince = performance.now();
  const started = performance.now();
  const method = String((JSON.parse(String(args[1]?.body ?? '{}')) as { method?: string }).method);
  try {
    const response = await realFetch(...args);
    await response.clone().arrayBuffer();
    return response;
  } finally {
    rpcTime.calls += 1;
    const entry = byMethod.get(method) ?? { calls: 0, ms: 0 };
    entry.calls += 1;
    entry.ms += performance.now() - started;
    byMethod.set(method, entry);
    if (--inFlight === 0) rpcTime.ms += performance.now() - busySince;
  }
};

function measure<T>(fn: () => Promise<T>): Promise<{ result: T; wallMs: number; rpcMs: number; calls: number }> {
  const before = { ...rpcTime };
  const started = performance.now();
  return fn().then((result) => ({ result, wallMs: performance.now() - started, rpcMs: rpcTime.ms - before.ms, calls: rpcTime.calls - before.calls }));
}

function report(what: string, count: number, m: { wallMs: number; rpcMs: number; calls: number }): void {
  const perSecond = count / (m.wallMs / 1000);
  console.log(`${what}: ${count} in ${(m.wallMs / 1000).toFixed(2)} s = ${perSecond.toFixed(1)}/s; ${(m.wallMs / count).toFixed(0)} ms each; `
    + `${(m.calls / count).toFixed(1)} Tryton calls each; waiting on Tryton ${(100 * m.rpcMs / m.wallMs).toFixed(1)}% (${(m.rpcMs / m.calls).toFixed(1)} ms a call, parallel calls counted once), Causeway ${(100 * (m.wallMs - m.rpcMs) / m.wallMs).toFixed(1)}% (${((m.wallMs - m.rpcMs) / count).toFixed(1)} ms a document)`);
}

const tryton = await startTryton();
const store = await openStore('sqlite::memory:');
try {
  const db = await tryton.freshDatabase();
  const rpc = connect(db);
  const sales: Array<{ id: number; number: string }> = [];
  for (let i = 0; i < orders; i++) sales.push(await confirmSale(rpc, [['WIDGET-1', 5], ['SERUM-LOT', 4]], `PO-B${i}`));

  const spec = builtIns.endpoints.get('tryton')!;
  const settings = parseConfig(`
endpoints:
  erp: { type: tryton, url: ${db.url}, database: ${db.database}, user: ${db.user}, password: "\${TRYTON_PASSWORD}", warehouses: { WH: DC1 }, produce: [sales_order], pageSize: 100 }
`, '/tmp', { TRYTON_PASSWORD: db.password }).endpointSettings.erp;
  const ctx = { name: 'erp', tenant: 'acme', logger: pino({ level: 'silent' }), store, baseDir: '/tmp' };
  const source = (await spec.createSource!(settings, ctx)) as SourceRuntime;
  const sink = (await spec.createSink!(settings, ctx)) as SinkRuntime;
  await source.poll!(JSON.stringify({ sales_order: '2100-01-01T00:00:00.000000Z|0' }), AbortSignal.timeout(60_000)); // log in and warm up; reads nothing

  const read = await measure(async () => {
    let cursor: string | null = null;
    let count = 0;
    for (;;) {
      const polled = await source.poll!(cursor, AbortSignal.timeout(60_000));
      count += polled.messages.length;
      if (polled.messages.length === 0) return count;
      cursor = polled.cursor ?? cursor;
    }
  });
  if (read.result !== orders) throw new Error(`read ${read.result} orders, expected ${orders}`);
  report('sales orders read (source poll, pages of 100)', orders, read);

  const outbound = (document: Record<string, unknown>, i: number): OutboundMessage => ({
    deliveryId: i, tenant: 'acme', endpoint: 'erp', documentType: 'shipment', documentId: String(i), entityKey: `order:${document.orderNumber}`,
    idempotencyKey: `cw-${i}`, contentType: 'application/json', payload: Buffer.from(JSON.stringify(document)), attempt: 1,
  });
  const envelope = { tenant: 'acme', source: { endpoint: 'wms' }, occurredAt: '2026-11-22T15:00:00Z', receivedAt: '2026-11-22T15:00:01Z' };
  byMethod.clear();
  const write = await measure(async () => {
    for (const [i, sale] of sales.entries()) {
      const outcome = await sink.deliver(outbound({
        type: 'shipment', ...envelope, id: `s-${i}`, entityKey: `order:${sale.number}`, shipmentNumber: `WMS-B-${i}`, orderNumber: sale.number, facility: 'DC1',
        shippedAt: '2026-11-22T15:00:00Z', trackingNumbers: [`1ZB${i}`], packages: [{ trackingNumber: `1ZB${i}` }],
        lines: [
          { lineNumber: '1', sku: 'WIDGET-1', quantity: '5', uom: 'EA' },
          { lineNumber: '2', sku: 'SERUM-LOT', quantity: '4', uom: 'EA', lots: [{ lot: 'B-1', quantity: '3' }, { lot: 'B-2', quantity: '1' }] },
        ],
      }, i), AbortSignal.timeout(60_000));
      if (outcome.kind !== 'delivered') throw new Error(`shipment ${i}: ${JSON.stringify(outcome)}`);
    }
  });
  report('shipments applied (sink deliver, one at a time)', orders, write);
  const top = [...byMethod].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6);
  console.log(`  of which: ${top.map(([m, e]) => `${m.replace(/^model\./, '')} ${(e.ms / orders).toFixed(0)} ms (${(e.calls / orders).toFixed(1)}x)`).join(', ')} per shipment`);
} finally {
  await store.close();
  await tryton.stop();
}
