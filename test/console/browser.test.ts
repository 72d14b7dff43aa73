// The console in a real browser: Debian's Chromium driven by playwright-core, against a hub with a
// real webhook receiver as its warehouse, a real SMTP server and a webhook for alerts.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { hashApiKey } from '../../src/api/index.ts';
import { axeViolations, chromiumUnavailable, launchChromium } from '../support/browser.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { startSmtp } from '../support/smtp.ts';
import { KEYS, startTestApi, type TestApi } from '../api/harness.ts';

const VIEWER = 'acme-viewer-key-0123456789abcdef';
const skip = chromiumUnavailable();

describe('console in Chromium', { skip }, () => {
  let api: TestApi;
  let wms: Awaited<ReturnType<typeof startReceiver>>;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let browser: Browser;
  let refuse = true;

  before(async () => {
    // The warehouse refuses SO-9100 and SO-9101 (a dead-letter group) until it is told to take them.
    wms = await startReceiver((r) => (refuse && /SO-910[01]/.test(r.body.toString()) ? 422 : 200));
    hook = await startReceiver();
    smtp = await startSmtp();
    api = await startTestApi(`
endpoints:
  wms: { type: webhook, url: "${wms.url}/orders", allowPrivateNetworks: true }
flows:
  - { name: orders-to-wms, from: [api], types: [sales_order], to: wms }
alerts:
  evaluateEveryMs: 600000
  rules: [{ type: quarantined }]
  channels:
    - { type: webhook, name: ops-chat, url: "${hook.url}/hook", allowPrivateNetworks: true, secret: hook-signing-secret-0123456789 }
    - { type: email, name: ops-mail, host: 127.0.0.1, port: ${smtp.port}, secure: false, requireTLS: false, auth: { user: alerts, pass: smtp-secret }, from: causeway@example.com, to: [ops@example.com] }
`);
    await api.hub.store.putApiKey({ id: 'k-viewer', tenant: 'acme', name: 'acme-viewer', hash: hashApiKey(VIEWER), role: 'viewer', createdAt: Date.now() });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await api?.close();
    await Promise.all([wms?.close(), hook?.close(), smtp?.close()]);
  });

  const ingest = async (doc: unknown, key: string = KEYS.acme) => (await (await api.call('/v1/documents', { method: 'POST', json: doc, key })).json()).messageId as number;
  const broken = (n: string) => ({ ...salesOrder(n), orderNumber: undefined, customer: { code: n, name: 'Northwind Retail' } });
  const messageOf = async (id: number) => (await api.hub.store.getMessage('acme', id))!;

  async function signedIn(key: string = KEYS.acme, options: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext(options);
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${api.url}/`);
    assert.match(page.url(), /\/login/);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${api.url}/`);
    return { context, page };
  }

  it('signs in and shows the overview with its trend charts', async () => {
    await ingest(salesOrder('SO-9000'));
    const { context, page } = await signedIn();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: 'Sync time' }).count(), 1);
    await page.locator('.chart canvas').first().waitFor();
    assert.equal(await page.locator('.chart canvas').count(), 2);
    await context.close();
  });

  it('finds an order by its number and opens its lineage', async () => {
    const id = await ingest(salesOrder('SO-9001'));
    await waitFor(async () => (await api.hub.store.lineage('acme', id))?.deliveries[0]?.status === 'delivered', 10_000, 'delivery');
    const { context, page } = await signedIn();
    await page.getByRole('link', { name: 'Messages', exact: true }).click();
    await page.getByLabel('Order, PO, entity key, partner ref or id').fill('SO-9001');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('link', { name: `#${id}` }).click();
    await page.getByRole('heading', { name: `Message #${id}` }).waitFor();
    for (const column of ['Raw', 'Canonical', 'Mapped']) assert.equal(await page.getByRole('heading', { name: column, exact: true }).count(), 1);
    assert.match(await page.locator('.lineage').innerText(), /order:SO-9001/);
    assert.match(await page.locator('.delivery').innerText(), /delivered/);
    await context.close();
  });

  it('edits a quarantined message and sees the correction delivered, the original kept', async () => {
    const id = await ingest(broken('SO-9002'));
    await waitFor(async () => (await messageOf(id)).status === 'quarantined', 10_000, 'quarantine');
    const { context, page } = await signedIn();
    await page.goto(`${api.url}/messages/${id}`);
    await page.getByRole('link', { name: 'Edit and retry' }).click();
    await page.getByLabel('Corrected content').fill(JSON.stringify(salesOrder('SO-9002')));
    await page.getByLabel('Why (kept in the audit log)').fill('order number added from the ERP');
    await page.getByRole('button', { name: 'Save and retry' }).click();
    await page.getByText(/Corrected: generation 2/).waitFor();
    await waitFor(async () => (await api.hub.store.lineage('acme', id))?.deliveries[0]?.status === 'delivered', 10_000, 'the correction delivered');
    await page.reload();
    assert.match(await page.locator('.delivery').innerText(), /delivered/);
    assert.match(await page.getByRole('heading', { name: 'Corrections' }).innerText(), /Corrections/);
    await page.getByRole('link', { name: 'Audit log' }).click();
    // The message page has tables of its own: read only once the audit page has replaced it.
    await page.waitForURL(/\/audit$/);
    assert.match(await page.locator('table').innerText(), /correct-message[\s\S]*order number added from the ERP/);
    await context.close();
  });

  it('replays a dead-letter group: both deliveries go through once the warehouse takes them', async () => {
    const ids = [await ingest(salesOrder('SO-9100')), await ingest(salesOrder('SO-9101'))];
    const dead = async () => (await api.hub.store.listDeliveries({ tenant: 'acme', status: 'dead' })).filter((d) => ids.includes(d.messageId));
    await waitFor(async () => (await dead()).length === 2, 15_000, 'two dead deliveries');
    refuse = false;
    const { context, page } = await signedIn();
    await page.getByRole('link', { name: 'Dead letters' }).click();
    const row = page.locator('tr', { hasText: 'HTTP_422' });
    assert.match(await row.innerText(), /^2\b/);
    await row.getByRole('button', { name: 'Replay 2' }).click();
    await page.getByText('2 tried again.').waitFor();
    await waitFor(async () => (await api.hub.store.listDeliveries({ tenant: 'acme', status: 'delivered' })).filter((d) => ids.includes(d.messageId)).length === 2, 15_000, 'both delivered');
    await context.close();
  });

  it('an alert arrives by email and webhook, and is acknowledged in the console', async () => {
    const id = await ingest(broken('SO-9200'));
    await waitFor(async () => (await messageOf(id)).status === 'quarantined', 10_000, 'quarantine');
    await api.alerting.runOnce();
    await waitFor(() => smtp.mails.some((m) => /\[ALERT\] \[acme\] quarantined/.test(m.raw)), 10_000, 'the email');
    assert.ok(hook.received.some((r) => JSON.parse(r.body.toString()).state === 'raised'));
    const { context, page } = await signedIn();
    await page.getByRole('link', { name: 'Alerts', exact: true }).click();
    await page.getByRole('button', { name: 'Acknowledge' }).first().click();
    await page.getByText('Acknowledged.').waitFor();
    assert.match(await page.locator('table').innerText(), /acme-erp/);
    await context.close();
  });

  it('a viewer sees no replay button, and a replay forced from its page is refused', async () => {
    const id = await ingest(broken('SO-9300'));
    await waitFor(async () => (await messageOf(id)).status === 'quarantined', 10_000, 'quarantine');
    const { context, page } = await signedIn(VIEWER);
    await page.goto(`${api.url}/messages/${id}`);
    assert.equal(await page.getByRole('button', { name: 'Replay' }).count(), 0);
    const csrf = await page.locator('input[name="_csrf"]').first().inputValue();
    const status = await page.evaluate(async ([url, token]) => (await fetch(url!, { method: 'POST', body: new URLSearchParams({ _csrf: token! }) })).status, [`${api.url}/messages/${id}/replay`, csrf]);
    assert.equal(status, 403);
    assert.equal((await messageOf(id)).generation, 1);
    await context.close();
  });

  it('refuses a cross-site form posted with the operator\'s session', async () => {
    const id = await ingest(broken('SO-9400'));
    await waitFor(async () => (await messageOf(id)).status === 'quarantined', 10_000, 'quarantine');
    // Another site's page that posts a replay to the console as soon as it opens.
    const evil = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><form id="f" method="post" action="${api.url}/messages/${id}/replay"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
    try {
      const { context, page } = await signedIn();
      await page.goto(`http://127.0.0.1:${(evil.address() as AddressInfo).port}/`);
      await page.waitForURL(`${api.url}/messages/${id}/replay`);
      assert.match(await page.locator('main').innerText(), /CSRF check failed/);
      assert.equal((await messageOf(id)).generation, 1);
      await context.close();
    } finally {
      await new Promise((resolve) => evil.close(resolve));
    }
  });

  it('keeps tenant acme from globex\'s messages', async () => {
    const theirs = await ingest(salesOrder('SO-GX-9500'), KEYS.globex);
    const { context, page } = await signedIn();
    const res = await page.goto(`${api.url}/messages/${theirs}`);
    assert.equal(res!.status(), 404);
    await page.goto(`${api.url}/messages?q=SO-GX-9500`);
    assert.match(await page.locator('table').innerText(), /No message matches/);
    await context.close();
  });

  it('passes axe-core\'s WCAG 2 A/AA checks on every page, and fits a phone without sideways scrolling', async () => {
    const id = (await api.hub.store.searchMessages({ tenant: 'acme', limit: 1 }))[0]!.id;
    const { context, page } = await signedIn(KEYS.acme, { bypassCSP: true });
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    await small.goto(`${api.url}/login`);
    await small.getByLabel('API key').fill(KEYS.acme);
    await small.getByRole('button', { name: 'Sign in' }).click();
    await small.waitForURL(`${api.url}/`);
    for (const path of ['/', '/messages', `/messages/${id}`, `/messages/${id}/edit`, '/dead-letters', '/edi', '/endpoints', '/alerts', '/audit']) {
      await page.goto(api.url + path);
      const violations = await axeViolations(page);
      assert.deepEqual(violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), [], path);
      await small.goto(api.url + path);
      const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} is ${overflow}px wider than a phone`);
    }
    await page.goto(`${api.url}/login`);
    assert.deepEqual(await axeViolations(page), [], '/login');
    await phone.close();
    await context.close();
  });
});
