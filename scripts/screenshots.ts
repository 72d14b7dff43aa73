// Refreshes the console's screenshots in docs/console/ (used by the README and docs/console.md):
// a hub with a little of everything (delivered orders, a refused one, a quarantined one, an alert),
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
  wms: { type: webhook, url: "${wms.url}/orders" }
flows:
  - { name: orders-to-wms, from: [api], types: [sales_order], to: wms }
alerts:
  evaluateEveryMs: 600000
  rules: [{ type: quarantined }, { type: dead_letters, over: 0, withinMinutes: 60 }]
`);
const browser = await launchChromium();
try {
  const ingest = async (doc: unknown) => (await (await api.call('/v1/documents', { method: 'POST', json: doc })).json()).messageId as number;
  for (let i = 1; i <= 12; i++) await ingest(salesOrder(`SO-10${String(i + 30).padStart(2, '0')}`, 1 + (i % 3)));
  const quarantined = await ingest({ ...salesOrder('SO-1050'), orderNumber: undefined });
  await waitFor(async () => (await api.hub.store.listDeliveries({ tenant: 'acme', status: 'pending' })).length === 0
    && (await api.hub.store.getMessage('acme', quarantined))?.status === 'quarantined', 20_000, 'the sample to settle');
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
      if (path === '/') await page.locator('.chart canvas').first().waitFor();
      await page.screenshot({ path: `${OUT}${file}`, fullPage: true });
      console.log(`docs/console/${file}`);
    }
    await context.close();
  };
  await shoot({ width: 1280, height: 800 }, [
    ['/', 'overview.png'], ['/messages', 'messages.png'], [`/messages/${delivered}`, 'lineage.png'], [`/messages/${quarantined}/edit`, 'edit.png'],
    ['/dead-letters', 'dead-letters.png'], ['/endpoints', 'endpoints.png'], ['/alerts', 'alerts.png'],
  ]);
  await shoot({ width: 390, height: 844 }, [['/', 'overview-phone.png']]);
} finally {
  await browser.close();
  await api.close();
  await wms.close();
}
