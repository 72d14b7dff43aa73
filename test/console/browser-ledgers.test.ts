// Orders, routing and inventory in a real browser: Debian's Chromium driven by playwright-core,
// against a hub that routes orders between two warehouses and reconciles stock with its ERP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeViolations, chromiumUnavailable, launchChromium } from '../support/browser.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { KEYS, startTestApi, type TestApi } from '../api/harness.ts';

const VIEWER = 'acme-viewer-key-0123456789abcdef';
const skip = chromiumUnavailable();
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 10);
const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
type Json = Record<string, any>;

describe('orders, routing and inventory in Chromium', { skip }, () => {
  let api: TestApi;
  let wms: Awaited<ReturnType<typeof startReceiver>>;
  let browser: Browser;
  let runId: number;

  before(async () => {
    wms = await startReceiver();
    api = await startTestApi(`
endpoints:
  wms-ewr: { type: webhook, allowPrivateNetworks: true, url: "${wms.url}/ewr" }
  wms-chi: { type: webhook, allowPrivateNetworks: true, url: "${wms.url}/chi" }
  erp-in: { type: http }
  erp-out: { type: webhook, allowPrivateNetworks: true, url: "${wms.url}/erp" }
flows:
  - { name: orders-to-ewr, from: [api], types: [sales_order], facilities: [EWR], to: wms-ewr }
  - { name: orders-to-chi, from: [api], types: [sales_order], facilities: [CHI], to: wms-chi }
  - { name: corrections, types: [inventory_adjustment], from: [inventory], to: erp-out }
routing:
  facilities:
    EWR: { endpoint: wms-ewr, coordinates: { lat: 40.73, lon: -74.17 }, serviceArea: { countries: [US] } }
    CHI: { endpoint: wms-chi, coordinates: { lat: 41.88, lon: -87.63 }, serviceArea: { countries: [US] } }
  policy: complete
inventory:
  erpEndpoints: [erp-in, erp-out]
`, { keys: [`{ name: acme-viewer, tenant: acme, key: ${VIEWER}, role: viewer }`] });
    const post = async (doc: Json, endpoint?: string) => {
      const res = endpoint
        ? await api.call(`/v1/endpoints/${endpoint}/messages`, { method: 'POST', json: doc, headers: { 'idempotency-key': JSON.stringify(doc).slice(0, 200) } })
        : await api.call('/v1/documents', { method: 'POST', json: doc });
      const { messageId } = await res.json() as { messageId: number };
      await waitFor(async () => (await api.hub.store.getMessage('acme', messageId))?.status !== 'pending', 10_000, `message ${messageId}`);
    };
    // Stock at both sites (the warehouses' word), and the ERP's word on CHI: TEA differs by 4.
    const asOf = minutesAgo(2);
    await post({ type: 'inventory_snapshot', facility: 'EWR', asOf, occurredAt: asOf, positions: [{ sku: 'TEA', onHand: '0', uom: 'EA' }] });
    await post({ type: 'inventory_snapshot', facility: 'CHI', asOf, occurredAt: asOf, positions: [{ sku: 'TEA', onHand: '12', uom: 'EA' }, { sku: 'MUG', onHand: '5', uom: 'EA' }] });
    await post({ type: 'inventory_snapshot', facility: 'CHI', asOf: minutesAgo(1), occurredAt: minutesAgo(1), positions: [{ sku: 'TEA', onHand: '16', uom: 'EA' }, { sku: 'MUG', onHand: '5', uom: 'EA' }] }, 'erp-in');
    await post(salesOrder('SO-LATE-2', 1, { facility: 'EWR', requestedShipDate: daysAgo(5) }));
    await post(salesOrder('SO-ROUTE-2', 1, {
      facility: 'auto', shipTo: { name: 'Midtown', lines: ['1 Main St'], city: 'New York', region: 'NY', postalCode: '10001', country: 'US' },
      lines: [{ lineNumber: 1, sku: 'TEA', quantity: '5', uom: 'EA' }],
    }));
    runId = ((await (await api.call('/v1/reconciliations', { method: 'POST', json: { facility: 'CHI' } })).json()) as Json).run.id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await api?.close();
    await wms?.close();
  });

  async function signedIn(key: string = KEYS.acme, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${api.url}/login`);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${api.url}/`);
    return { context, page };
  }

  it('filters the stuck orders, opens one\'s ledger and holds it', async () => {
    const { context, page } = await signedIn();
    await page.getByRole('link', { name: 'Orders', exact: true }).click();
    await page.getByRole('navigation', { name: 'Order status' }).getByRole('link', { name: 'stuck' }).click();
    await page.waitForURL(/status=stuck/);
    const rows = page.locator('main table tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match(await rows.first().innerText(), /SO-LATE-2[\s\S]*SHIP_DATE_MISSED/);
    await rows.first().getByRole('link', { name: 'SO-LATE-2' }).click();
    await page.getByRole('heading', { name: 'Order SO-LATE-2' }).waitFor();
    assert.match(await page.locator('main').innerText(), /ORDER_ACCEPTED/);
    await page.getByLabel('Hold reason').fill('address to be checked');
    await page.getByRole('button', { name: 'Hold', exact: true }).click();
    await page.getByText('Held: the order is not sent to the warehouse until released.').waitFor();
    assert.match(await page.locator('main').innerText(), /operator\s+address to be checked \(acme-erp\)/);
    assert.equal(await page.getByRole('button', { name: 'Release' }).count(), 1);
    await context.close();
  });

  it('finds an order by number and shows its routing decision with every candidate and why', async () => {
    const { context, page } = await signedIn();
    await page.getByRole('link', { name: 'Routing', exact: true }).click();
    await page.getByLabel('Order number').fill('SO-ROUTE-2');
    await page.getByRole('button', { name: 'Show its decision' }).click();
    await page.getByRole('heading', { name: 'Order SO-ROUTE-2' }).waitFor();
    const candidates = page.locator('table', { has: page.locator('caption', { hasText: 'Candidates' }) });
    assert.match(await candidates.locator('tr', { hasText: 'EWR' }).innerText(), /no[\s\S]*TEA: 0 of 5 available/);
    assert.match(await candidates.locator('tr.chosen').innerText(), /^CHI\s+yes/);
    await context.close();
  });

  it('an operator approves a variance from the run\'s page; a viewer sees no approve button', async () => {
    const viewer = await signedIn(VIEWER);
    await viewer.page.goto(`${api.url}/inventory/runs/${runId}`);
    assert.equal(await viewer.page.getByRole('button', { name: 'Approve' }).count(), 0);
    await viewer.context.close();
    const { context, page } = await signedIn();
    await page.getByRole('link', { name: 'Inventory', exact: true }).click();
    await page.locator('.chart canvas').first().waitFor();
    await page.getByRole('link', { name: `#${runId}` }).first().click();
    await page.getByRole('heading', { name: `Reconciliation run #${runId}` }).waitFor();
    const row = page.locator('tr', { hasText: 'TEA' });
    assert.match(await row.innerText(), /-4/);
    await row.getByRole('button', { name: 'Approve' }).click();
    await page.getByText(/Approved: adjustment REC-/).waitFor();
    await waitFor(() => wms.received.some((r) => r.path === '/erp' && JSON.parse(r.body.toString()).type === 'inventory_adjustment'), 10_000, 'the adjustment at the ERP');
    assert.match(await page.locator('tr', { hasText: 'TEA' }).innerText(), /approved by acme-erp/);
    await context.close();
  });

  it('passes axe-core\'s WCAG 2 A/AA checks on the orders, routing and inventory pages, and fits a phone', async () => {
    const { context, page } = await signedIn(KEYS.acme, { bypassCSP: true });
    const phone = await signedIn(KEYS.acme, { viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const paths = ['/orders', '/orders?status=stuck', '/orders/SO-LATE-2', '/orders/SO-ROUTE-2', '/inbound', '/routing', '/inventory', `/inventory/runs/${runId}`, '/inventory/positions', '/inventory/audit?run=1'];
    for (const path of paths) {
      await page.goto(api.url + path);
      const violations = await axeViolations(page);
      assert.deepEqual(violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], path);
      await phone.page.goto(api.url + path);
      const overflow = await phone.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} is ${overflow}px wider than a phone`);
    }
    await phone.context.close();
    await context.close();
  });
});
