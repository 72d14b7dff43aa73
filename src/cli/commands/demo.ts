import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../../endpoints.ts';
import { Hub, HubFacade, createLogger } from '../../engine/index.ts';
import { verifyWebhook } from '../../transports/index.ts';
import { err, out, parse } from '../args.ts';
import { untilSignal } from './serve.ts';

const EXAMPLE = fileURLToPath(new URL('../../../examples/demo/', import.meta.url));

/**
 * The bundled example on the embedded default: SQLite, folders for the ERP and the warehouse, a
 * local receiver playing the ERP's webhook. It drops a sales order and, once the warehouse has
 * it, the warehouse's shipment confirmation, then shows lineage and KPIs. `--once` exits after.
 */
export async function run(argv: string[]): Promise<number> {
  const { values } = parse(argv, { dir: { type: 'string', default: 'demo-data' }, port: { type: 'string', default: '8080' }, once: { type: 'boolean' }, quiet: { type: 'boolean' } });
  const dir = resolve(String(values.dir));
  mkdirSync(dir, { recursive: true });
  for (const f of ['causeway.yaml', 'sales-order.json', 'shipment.json']) if (!existsSync(join(dir, f))) copyFileSync(join(EXAMPLE, f), join(dir, f));
  for (const d of ['erp/outbox', 'erp/received', 'wms/inbox', 'wms/outbox']) mkdirSync(join(dir, d), { recursive: true });

  // The ERP side's webhook receiver: checks the signature, keeps what it got as files.
  const secret = process.env.ERP_WEBHOOK_SECRET ?? 'demo-webhook-secret-0123456789';
  const received: string[] = [];
  const erp = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const ok = verifyWebhook(secret, { id: header(req.headers['webhook-id']), timestamp: header(req.headers['webhook-timestamp']), signature: header(req.headers['webhook-signature']) }, body);
      if (!ok) {
        res.writeHead(401).end('bad signature');
        return;
      }
      const name = `${header(req.headers['x-causeway-document-type'])}-${header(req.headers['webhook-id'])}.json`;
      writeFileSync(join(dir, 'erp/received', name), body);
      received.push(name);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ reference: `ERP-${received.length}` }));
    });
  });
  await new Promise<void>((r) => erp.listen(0, '127.0.0.1', r));
  process.env.ERP_WEBHOOK_URL = `http://127.0.0.1:${(erp.address() as AddressInfo).port}/erp/shipments`;

  const loaded = loadConfigFile(join(dir, 'causeway.yaml'));
  const logger = createLogger(values.quiet || values.once ? 'warn' : loaded.config.log.level);
  const hub = await Hub.start(loaded, { logger, idleMs: 50 });
  const { startApiServer } = await import('../../api/index.ts');
  const api = await startApiServer(hub, { listen: `127.0.0.1:${values.port}` });
  const tenant = loaded.config.defaultTenant;
  const engine = HubFacade.of(hub);
  const key = process.env.CAUSEWAY_DEMO_KEY ?? 'causeway-demo-key-change-me-0001';
  try {
    out(`Causeway demo in ${dir}`);
    out(`  API ${api.url}  (key: ${key === 'causeway-demo-key-change-me-0001' ? key : '$CAUSEWAY_DEMO_KEY'})`);
    out(`  Console ${api.url}/  (open it in a browser and sign in with the same key)`);
    // Each run gets its own order number: the same bytes again would be (rightly) a duplicate.
    const run = Date.now().toString(36).toUpperCase();
    const order = JSON.parse(readFileSync(join(dir, 'sales-order.json'), 'utf8'));
    order.orderNumber = `${order.orderNumber}-${run}`;
    // Stamped as happening now, so the sync-time and order-to-shipment KPIs it prints are this run's.
    const released = new Date(Date.now() - 60_000);
    order.occurredAt = released.toISOString();
    order.requestedShipDate = new Date(released.getTime() + 86_400_000).toISOString().slice(0, 10);
    const before = new Set(listJson(join(dir, 'wms/inbox')));
    writeFileSync(join(dir, 'erp/outbox', `${order.orderNumber}.json`), JSON.stringify(order, null, 2));
    out(`1. ERP dropped ${order.orderNumber} into erp/outbox/`);
    const mapped = await waitFor(() => listJson(join(dir, 'wms/inbox')).find((f) => !before.has(f)), 15_000);
    out(`2. Warehouse received it, mapped to its own format: wms/inbox/${mapped}`);
    const shipment = JSON.parse(readFileSync(join(dir, 'shipment.json'), 'utf8'));
    shipment.orderNumber = order.orderNumber;
    shipment.shipmentNumber = `${shipment.shipmentNumber}-${run}`;
    shipment.shippedAt = shipment.occurredAt = new Date().toISOString();
    writeFileSync(join(dir, 'wms/outbox', `${shipment.shipmentNumber}.json`), JSON.stringify(shipment, null, 2));
    out(`3. Warehouse dropped partial shipment ${shipment.shipmentNumber} into wms/outbox/`);
    const got = await waitFor(() => received[0], 15_000);
    out(`4. ERP webhook received it, signature checked: erp/received/${got}`);
    const msg = await waitFor(async () => (await engine.listMessages(tenant, { endpoint: 'wms', limit: 20 })).find((m) => m.partnerRef === `${shipment.shipmentNumber}.json`), 5000);
    const lineage = await waitFor(async () => {
      const l = await engine.lineage(tenant, msg.id);
      return l && l.deliveries.every((d) => d.status === 'delivered') ? l : undefined;
    }, 5000);
    out(`5. Lineage of message ${msg.id}: ${lineage.documents.length} document(s), ${lineage.deliveries.length} delivery(ies), ` +
      `${lineage.deliveries.flatMap((d) => d.attemptLog).length} attempt(s), partner reference ${lineage.deliveries[0]?.partnerRef}`);
    const now = Date.now();
    const k = await engine.kpis(tenant, now - 3_600_000, now);
    out(`6. KPIs: ${k.throughput.delivered} delivered, sync latency p50 ${k.syncLatencyMs.fromReceived.p50} ms (receipt to delivery), ` +
      `error rate ${k.errorRate.failedAttemptsPerThousand}‰`);
    out('');
    out('Try it yourself:');
    out(`  curl -H 'authorization: Bearer ${key}' ${api.url}/v1/messages/${msg.id}/lineage`);
    out(`  curl -H 'authorization: Bearer ${key}' ${api.url}/v1/kpis`);
    out(`  curl -H 'authorization: Bearer ${key}' -H 'content-type: application/json' --data @${join(dir, 'sales-order.json')} ${api.url}/v1/documents`);
    out('  or drop more files into erp/outbox/ and wms/outbox/,');
    out(`  and follow them in the console: ${api.url}/messages`);
    if (!values.once) {
      out('Running; Ctrl-C stops.');
      await untilSignal();
    }
  } finally {
    await api.close();
    await hub.stop();
    await new Promise((r) => erp.close(r));
  }
  return 0;
}

function header(v: string | string[] | undefined): string | null {
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

function listJson(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
}

async function waitFor<T>(check: () => T | Promise<T>, timeoutMs: number): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) {
      err('the demo did not complete in time; see the log above and `causeway status -c demo-data/causeway.yaml`');
      throw new Error('timed out');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
