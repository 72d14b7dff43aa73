import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hashApiKey } from '../../src/api/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { KEYS, startTestApi, type TestApi } from '../api/harness.ts';
import { signIn } from './client.ts';

const VIEWER = 'acme-viewer-key-0123456789abcdef';

describe('console: sign-in, sessions, CSRF, roles, tenants and the audit log', () => {
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    receiver = await startReceiver();
    api = await startTestApi(`
console: { trustProxy: true }
endpoints:
  wms: { type: webhook, url: "${receiver.url}/orders", allowPrivateNetworks: true }
flows:
  - { name: orders-to-wms, from: [api], types: [sales_order], to: wms }
`);
    await api.hub.store.putApiKey({ id: 'k-viewer', tenant: 'acme', name: 'acme-viewer', hash: hashApiKey(VIEWER), role: 'viewer', createdAt: Date.now() });
  });
  after(async () => {
    await api.close();
    await receiver.close();
  });

  const ingest = async (doc: unknown, key: string = KEYS.acme) => (await (await api.call('/v1/documents', { method: 'POST', json: doc, key })).json()).messageId as number;
  /** An order without its number: quarantined. The customer code keeps each one's bytes apart (no duplicate). */
  const broken = (n: string) => ({ ...salesOrder(n), orderNumber: undefined, customer: { code: n, name: 'Northwind Retail' } });
  const statusOf = async (tenant: string, id: number) => (await api.hub.store.getMessage(tenant, id))!.status;

  it('signs in with a key to an HttpOnly, SameSite=Strict cookie, Secure behind a TLS proxy, and refuses an unknown key', async () => {
    const plain = await fetch(`${api.url}/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ key: KEYS.acme }) });
    assert.equal(plain.status, 303);
    const cookie = plain.headers.get('set-cookie')!;
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/);
    const tls = await fetch(`${api.url}/login`, { method: 'POST', redirect: 'manual', headers: { 'x-forwarded-proto': 'https' }, body: new URLSearchParams({ key: KEYS.acme }) });
    assert.match(tls.headers.get('set-cookie')!, /; Secure/);
    const wrong = await fetch(`${api.url}/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ key: 'not-a-key-0123456789012345' }) });
    assert.equal(wrong.status, 403);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const anonymous = await fetch(`${api.url}/messages`, { redirect: 'manual' });
    assert.equal(anonymous.status, 303);
    assert.equal(anonymous.headers.get('location'), '/login?next=%2Fmessages');
  });

  it('refuses a sign-in posted from another site', async () => {
    const res = await fetch(`${api.url}/login`, { method: 'POST', redirect: 'manual', headers: { origin: 'https://evil.example' }, body: new URLSearchParams({ key: KEYS.acme }) });
    assert.equal(res.status, 403);
  });

  it('finds an order by its number and shows its lineage', async () => {
    const id = await ingest(salesOrder('SO-7001'));
    await waitFor(async () => (await api.hub.store.lineage('acme', id))?.deliveries[0]?.status === 'delivered', 10_000, 'delivery');
    const user = await signIn(api);
    const found = await user.get('/messages?q=SO-7001');
    assert.match(found.text, new RegExp(`href="/messages/${id}"`));
    const page = await user.get(`/messages/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.text, /<h3>Raw<\/h3>/);
    assert.match(page.text, /order:SO-7001/);
    assert.match(page.text, /to wms/);
    assert.match(page.text, /status-delivered/);
  });

  it('refuses a state change without the CSRF token or from another origin, and changes nothing', async () => {
    const id = await ingest(broken('SO-7002'));
    await waitFor(async () => (await statusOf('acme', id)) === 'quarantined', 10_000, 'quarantine');
    const user = await signIn(api);
    const noToken = await user.post(`/messages/${id}/replay`, {}, { csrf: null });
    assert.equal(noToken.status, 403);
    assert.match(noToken.text, /CSRF/);
    const wrongToken = await user.post(`/messages/${id}/replay`, {}, { csrf: user.csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
    assert.equal(wrongToken.status, 403);
    const crossSite = await user.post(`/messages/${id}/replay`, {}, { origin: 'https://evil.example' });
    assert.equal(crossSite.status, 403);
    assert.equal(await statusOf('acme', id), 'quarantined');
    assert.equal((await api.hub.store.getMessage('acme', id))!.generation, 1);
  });

  it('lets a viewer read but not replay, through the console and the API', async () => {
    const id = await ingest(broken('SO-7003'));
    await waitFor(async () => (await statusOf('acme', id)) === 'quarantined', 10_000, 'quarantine');
    const viewer = await signIn(api, VIEWER);
    const page = await viewer.get(`/messages/${id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.text, /action="\/messages\/\d+\/replay"/, 'no replay button for a viewer');
    const refused = await viewer.post(`/messages/${id}/replay`);
    assert.equal(refused.status, 403);
    assert.match(refused.text, /may only read/);
    const viaApi = await api.call(`/v1/messages/${id}/replay`, { method: 'POST', key: VIEWER });
    assert.equal(viaApi.status, 403);
    assert.equal(await statusOf('acme', id), 'quarantined');
  });

  it('corrects a quarantined message as a new generation that is delivered, keeping the original and auditing the edit', async () => {
    const original = broken('SO-7004');
    const id = await ingest(original);
    await waitFor(async () => (await statusOf('acme', id)) === 'quarantined', 10_000, 'quarantine');
    const user = await signIn(api);
    const form = await user.get(`/messages/${id}/edit`);
    assert.match(form.text, /Save and retry/);
    const saved = await user.post(`/messages/${id}/edit`, { as: 'raw', body: JSON.stringify(salesOrder('SO-7004')), note: 'order number was missing' });
    assert.equal(saved.status, 303);
    const l = await waitFor(async () => {
      const x = await api.hub.store.lineage('acme', id);
      return x?.deliveries[0]?.status === 'delivered' ? x : undefined;
    }, 10_000, 'the corrected message delivered');
    assert.equal(l.message.generation, 2);
    const [edit] = await api.hub.store.listMessageEdits('acme', id);
    assert.deepEqual(JSON.parse(edit!.bodyBefore.toString()), JSON.parse(JSON.stringify(original)));
    const audit = await user.get('/audit');
    assert.match(audit.text, /correct-message/);
    assert.match(audit.text, /order number was missing/);
    assert.match((await user.get(`/messages/${id}`)).text, /Corrections/);
  });

  it('replays a dead-letter group and marks another resolved', async () => {
    const ids = [await ingest(broken('SO-7010')), await ingest(broken('SO-7011'))];
    await waitFor(async () => (await Promise.all(ids.map((i) => statusOf('acme', i)))).every((s) => s === 'quarantined'), 10_000, 'quarantine');
    const user = await signIn(api);
    const page = await user.get('/dead-letters');
    const groups = [...page.text.matchAll(/name="group" value="([0-9a-f]+)"/g)].map((m) => m[1]!);
    assert.ok(groups.length > 0);
    const groupOf = async () => (await api.hub.store.listOpenDeadLetters('acme', 100)).filter((d) => ids.includes(d.refId));
    assert.equal((await groupOf()).length, 2);
    const key = (await import('../../src/engine/dead-letter-patterns.ts')).groupDeadLetters(await groupOf())[0]!.key;
    const replayed = await user.post('/dead-letters/replay', { group: key });
    assert.equal(replayed.status, 303);
    assert.ok((await Promise.all(ids.map((i) => api.hub.store.getMessage('acme', i)))).every((m) => m!.generation === 2));
    await waitFor(async () => (await groupOf()).length === 2, 10_000, 'quarantined again (nothing was fixed)');
    assert.equal((await user.post('/dead-letters/resolve', { group: key })).status, 303);
    assert.equal((await groupOf()).length, 0);
    assert.match((await user.get('/audit')).text, /resolve-dead-letters/);
  });

  it('keeps a tenant key to its tenant, and gives an all-tenants key a switcher', async () => {
    const theirs = await ingest(salesOrder('SO-GLOBEX-1'), KEYS.globex);
    const acme = await signIn(api);
    assert.equal((await acme.get(`/messages/${theirs}`)).status, 404);
    assert.doesNotMatch((await acme.get('/messages?q=SO-GLOBEX-1')).text, new RegExp(`/messages/${theirs}"`));
    assert.doesNotMatch((await acme.get('/')).text, /tenant-switch/);
    assert.equal((await acme.post('/tenant', { tenant: 'globex' })).status, 303);
    assert.equal((await acme.get(`/messages/${theirs}`)).status, 404, 'a tenant key cannot switch');
    const ops = await signIn(api, KEYS.operator);
    assert.match((await ops.get('/')).text, /id="tenant-switch"/);
    await ops.post('/tenant', { tenant: 'globex' });
    assert.equal((await ops.get(`/messages/${theirs}`)).status, 200);
    assert.match((await ops.get('/audit')).text, /switch-tenant/);
  });

  it('signs out: the cookie opens nothing afterwards, and the sign-in and sign-out are in the audit log', async () => {
    const user = await signIn(api);
    assert.equal((await user.post('/logout')).status, 303);
    assert.equal((await user.get('/')).status, 303);
    const log = await api.hub.store.listAudit('acme', { limit: 1000 });
    assert.ok(log.some((e) => e.action === 'sign-out' && e.actor === 'acme-erp'));
    assert.ok(log.some((e) => e.action === 'sign-in' && e.actor === 'acme-erp'));
  });

  it('serves its scripts and styles itself, with a strict Content-Security-Policy on every page', async () => {
    const user = await signIn(api);
    const page = await fetch(`${api.url}/`, { headers: { cookie: user.cookie } });
    assert.match(page.headers.get('content-security-policy')!, /script-src 'self'/);
    const html = await page.text();
    for (const src of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) assert.equal((await fetch(api.url + src[1])).status, 200, src[1]);
    assert.doesNotMatch(html, /https?:\/\/(?!127\.0\.0\.1)/);
  });
});
