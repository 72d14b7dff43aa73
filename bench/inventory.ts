// Inventory benchmarks, on the product's paths:
// - reconcile: 100,000 positions of one facility on each side (an ERP snapshot and a warehouse
//   snapshot) plus 1,000 shipments still in flight to the ERP, stored in SQLite as the pipeline
//   stores them; timed: InventoryService.reconcile (read the stock documents and their deliveries,
//   fold both sides, classify, store the run with 100,000 results). Peer: reading the same
//   documents raw (SELECT + JSON.parse), the floor any reconciliation over this store pays.
// - audit: 50,000 items per side with a few hundred planted problems through auditItemMasters.
//   Peer: parsing the two item masters from JSON, which any audit of a feed must do.
//   node --import tsx bench/inventory.ts [--positions N] [--items N]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InventoryService } from '../src/engine/inventory.ts';
import { auditItemMasters, type AuditItem } from '../src/inventory/index.ts';
import { DEFAULT_INVENTORY_CONFIG } from '../src/config/inventory.ts';
import { SqliteStore } from '../src/store/index.ts';

const argNumber = (name: string, fallback: number) => (process.argv.includes(name) ? Number(process.argv[process.argv.indexOf(name) + 1]) : fallback);
const rss = () => `${Math.round(process.resourceUsage().maxRSS / 1024)} MB`;
const secs = (ns: bigint) => Number(ns) / 1e9;

async function time<T>(work: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { seconds: secs(process.hrtime.bigint() - started), value };
}

export async function runReconcileBench(positions = argNumber('--positions', 100_000)): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-bench-inventory-'));
  const store = new SqliteStore({ path: join(dir, 'hub.db'), synchronous: 'NORMAL' });
  try {
    await store.migrate();
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    let key = 0;
    const put = async (endpoint: string, type: string, occurredAt: number, body: Record<string, unknown>, toErp: boolean) => {
      const [{ messageId }] = await store.acceptMessages([{ tenant: 'bench', endpoint, codec: 'json', idempotencyKey: `k${++key}`, contentHash: `h${key}`, body: Buffer.from('{}'), receivedAt: occurredAt }]);
      const id = `${messageId}-1-0`;
      await store.completeMessages([{
        messageId, status: 'processed',
        documents: [{ id, tenant: 'bench', messageId, type, entityKey: `stock:${key}`, occurredAt, receivedAt: occurredAt, body: { type, ...body } }],
        deliveries: toErp ? [{ tenant: 'bench', documentId: id, documentType: type, messageId, flow: 'f', endpoint: 'erp', entityKey: `order:${key}`, payload: Buffer.from('{}'), contentType: 'application/json', idempotencyKey: `d${key}`, occurredAt, receivedAt: occurredAt, maxAttempts: 5 }] : [],
      }], occurredAt);
    };
    const sku = (i: number) => `SKU-${String(i).padStart(7, '0')}`;
    const erp = Array.from({ length: positions }, (_, i) => ({ sku: sku(i), ...(i % 4 === 0 ? { lot: `L${i % 97}` } : {}), uom: 'EA', onHand: String(100 + (i % 50)), allocated: '0', status: 'available' }));
    // One in a hundred differs for real; a thousand SKUs shipped and not yet in the ERP.
    const shipped = new Set(Array.from({ length: 1000 }, (_, i) => i * 97 + 1));
    const warehouse = erp.map((p, i) => ({ ...p, onHand: String(Number(p.onHand) - (i % 100 === 0 ? 1 : 0) - (shipped.has(i) ? 2 : 0)) }));
    await put('erp', 'inventory_snapshot', now - 60_000, { facility: 'DC1', asOf: iso(now - 60_000), scope: 'full', positions: erp }, false);
    await put('wms', 'inventory_snapshot', now - 30_000, { facility: 'DC1', asOf: iso(now - 30_000), scope: 'full', positions: warehouse }, false);
    for (const i of shipped) {
      const line = { lineNumber: '1', sku: sku(i), quantity: '2', uom: 'EA', lots: erp[i]!.lot ? [{ lot: erp[i]!.lot, quantity: '2' }] : [], serials: [] };
      await put('wms', 'shipment', now - 45_000, { facility: 'DC1', shipmentNumber: `SH-${i}`, orderNumber: `SO-${i}`, lines: [line] }, true);
    }
    const service = new InventoryService(store, { inventory: { ...DEFAULT_INVENTORY_CONFIG, erpEndpoints: ['erp'] }, endpoints: {}, codeTables: {} });

    const raw = await time(() => store.stockDocuments('bench', { since: now - 86_400_000, until: now }));
    const run = await time(() => service.reconcile('bench', { at: now, trigger: 'bench' }));
    const counts = run.value.run.counts as Record<string, number>;
    // A shipped position that also differs for real stays a variance once its shipment is counted.
    if (counts.variance !== positions / 100 || counts.in_flight !== shipped.size - [...shipped].filter((i) => i % 100 === 0).length) {
      throw new Error(`unexpected classification: ${JSON.stringify(counts)}`);
    }
    console.log(`reconcile ${positions.toLocaleString('en')} positions + ${shipped.size} shipments in flight: ${run.seconds.toFixed(2)} s (${JSON.stringify(counts)})`);
    console.log(`  peer, reading the same documents raw: ${raw.seconds.toFixed(2)} s; reconcile / raw read = ${(run.seconds / raw.seconds).toFixed(1)}x; peak RSS ${rss()}`);
    console.log(`  target: under 10 s on SQLite — ${run.seconds < 10 ? 'met' : 'NOT met'}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runAuditBench(items = argNumber('--items', 50_000)): Promise<void> {
  const item = (i: number): AuditItem => ({
    sku: `SKU-${i}`, baseUom: 'EA', conversions: [{ uom: 'CS', factor: '12' }], barcodes: [{ kind: 'GTIN', value: gtin13(400_000_000_000 + i) }],
    weight: { value: '1.2', unit: 'KG' }, dimensions: { length: '10', width: '10', height: '10', unit: 'CM' }, lotTracked: i % 5 === 0, serialTracked: false,
  });
  const erp = Array.from({ length: items }, (_, i) => item(i));
  const warehouse = erp.map((x, i) => (i % 200 === 0 ? { ...x, lotTracked: !x.lotTracked } : i % 333 === 0 ? { ...x, sku: x.sku.toLowerCase() } : x));
  const feeds = [JSON.stringify(erp), JSON.stringify(warehouse)];
  const parse = await time(() => feeds.map((f) => JSON.parse(f) as AuditItem[]));
  const [e, w] = parse.value;
  const audit = await time(() => auditItemMasters({ erp: e!, warehouse: w!, codeTables: { unit: ['EA', 'CS'] } }));
  console.log(`audit ${items.toLocaleString('en')} items per side: ${audit.seconds.toFixed(2)} s, ${audit.value.total} findings`);
  console.log(`  peer, parsing both item masters from JSON: ${parse.seconds.toFixed(2)} s; audit / parse = ${(audit.seconds / parse.seconds).toFixed(1)}x; peak RSS ${rss()}`);
  console.log(`  target: under 10 s — ${audit.seconds < 10 ? 'met' : 'NOT met'}`);
}

function gtin13(body: number): string {
  const digits = String(body).padStart(12, '0');
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i % 2 === 0 ? 1 : 3);
  return digits + ((10 - (sum % 10)) % 10);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runReconcileBench();
  await runAuditBench();
}
