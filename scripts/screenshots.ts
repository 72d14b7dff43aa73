// Refreshes the console's screenshots in docs/console/ (used by the README and docs/console.md):
// a hub with a little of everything (delivered orders, a refused one, a quarantined one, a late one, a
// routed one, stock of both sides with a reconciliation run, alerts),
// photographed in Chromium on a desk screen and on a phone. Run by hand: `npm run screenshots`.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KEYS, startTestApi } from '../test/api/harness.ts';
import { launchChromium } from '../test/support/browser.ts';
import { salesOrder } from '../test/support/documents.ts';
import { startReceiver, waitFor } from '../test/support/receiver.ts';

const OUT = fileURLToPath(new URL('../docs/console/', import.meta.url));
mkdirSync(OUT, { recursive: true });

const wms = await startReceiver((r) => (r.body.toString().includes('SO-1042') ? 422 : 200));
const api = await startTestApi(`
endpoints:
  wms: { type: webhook, url: "${wms.url}/orders", allowPrivateNetworks: true }
  erp-in: { type: http }
flows:
  - { name: orders-to-wms, from: [api], types: [sales_order], to: wms }
routing:
  facilities:
    EWR: { endpoint: wms, coordinates: { lat: 40.73, lon: -74.17 }, serviceArea: { countries: [US] } }
    CHI: { endpoint: wms, coordinates: { lat: 41.88, lon: -87.63 }, serviceArea: { countries: [US] } }
  policy: complete
inventory:
  erpEndpoints: [erp-in]
alerts:
  evaluateEveryMs: 600000
  rules: [{ type: quarantined }, { type: dead_letters, over: 0, withinMinutes: 60 }, { type: stuck_order }, { type: variance, over: 2 }]
`);
const browser = await launchChromium();
try {
  const ingest = async (doc: unknown) => (await (await api.call('/v1/documents', { method: 'POST', json: doc })).json()).messageId as number;
  const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10);
  // Stock at both sites (the warehouses' word) and the ERP's on CHI, then orders: one late, one routed.
  const asOf = new Date(Date.now() - 120_000).toISOString();
  const erpAt = new Date(Date.now() - 60_000).toISOString();
  await ingest({ type: 'inventory_snapshot', facility: 'EWR', asOf, occurredAt: asOf, positions: [{ sku: 'TEA', onHand: '0', uom: 'EA' }, { sku: 'SKU-1', onHand: '40', uom: 'EA' }] });
  await ingest({ type: 'inventory_snapshot', facility: 'CHI', asOf, occurredAt: asOf, positions: [{ sku: 'TEA', onHand: '12', uom: 'EA' }, { sku: 'MUG', onHand: '5', uom: 'EA' }, { sku: 'SKU-2', onHand: '31', uom: 'EA' }] });
  await api.call('/v1/endpoints/erp-in/messages', { method: 'POST', headers: { 'idempotency-key': 'erp-chi' }, json: {
    type: 'inventory_snapshot', facility: 'CHI', asOf: erpAt, occurredAt: erpAt, positions: [{ sku: 'TEA', onHand: '16', uom: 'EA' }, { sku: 'MUG', onHand: '5', uom: 'EA' }, { sku: 'SKU-2', onHand: '30', uom: 'EA' }] } });
  for (let i = 1; i <= 12; i++) await ingest(salesOrder(`SO-10${String(i + 30).padStart(2, '0')}`, 1 + (i % 3), { facility: i % 2 ? 'EWR' : 'CHI', requestedShipDate: day(i === 3 ? -4 : 10) }));
  // The routed order counts the stock above: wait until it is stored.
  await waitFor(async () => (await api.hub.store.searchMessages({ tenant: 'acme', status: 'pending' })).length === 0, 20_000, 'the stock to be stored');
  await ingest(salesOrder('SO-1060', 1, {
    facility: 'auto', shipTo: { name: 'Midtown', lines: ['1 Main St'], city: 'New York', region: 'NY', postalCode: '10001', country: 'US' },
    lines: [{ lineNumber: 1, sku: 'TEA', quantity: '5', uom: 'EA' }],
  }));
  const quarantined = await ingest({ ...salesOrder('SO-1050'), orderNumber: undefined });
  await waitFor(async () => (await api.hub.store.listDeliveries({ tenant: 'acme', status: 'pending' })).length === 0
    && (await api.hub.store.getMessage('acme', quarantined))?.status === 'quarantined', 20_000, 'the sample to settle');
  const run = ((await (await api.call('/v1/reconciliations', { method: 'POST', json: { facility: 'CHI' } })).json()) as { run: { id: number } }).run.id;
  await api.alerting.runOnce();
  const delivered = (await api.hub.store.searchMessages({ tenant: 'acme', text: 'SO-1031', entityKeys: ['order:SO-1031'] }))[0]!.id;

  const shoot = async (viewport: { width: number; height: number }, shots: Array<[string, string]>) => {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    await page.goto(`${api.url}/login`);
    await page.getByLabel('API key').fill(KEYS.acme);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${api.url}/`);
    for (const [path, file] of shots) {
      await page.goto(api.url + path);
      if (path === '/' || path === '/inventory') await page.locator('.chart canvas').first().waitFor();
      await page.screenshot({ path: `${OUT}${file}`, fullPage: true });
      console.log(`docs/console/${file}`);
    }
    await context.close();
  };
  await shoot({ width: 1280, height: 800 }, [
    ['/', 'overview.png'], ['/messages', 'messages.png'], [`/messages/${delivered}`, 'lineage.png'], [`/messages/${quarantined}/edit`, 'edit.png'],
    ['/dead-letters', 'dead-letters.png'], ['/endpoints', 'endpoints.png'], ['/alerts', 'alerts.png'],
    ['/orders?status=stuck', 'orders.png'], ['/orders/SO-1033', 'order.png'], ['/orders/SO-1060', 'routing.png'], ['/inventory', 'inventory.png'], [`/inventory/runs/${run}`, 'run.png'],
  ]);
  await shoot({ width: 390, height: 844 }, [['/', 'overview-phone.png']]);
} finally {
  await browser.close();
  await api.close();
  await wms.close();
}
