import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openChannel } from '../../src/console/alerts/channels.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { OutboundRefused } from '../../src/transports/outbound/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { startTestApi, type TestApi } from '../api/harness.ts';
import { signIn } from './client.ts';

const KEY = {
  viewer: 'acme-dashboard-key-0123456789abcdef',
  ingestOnly: 'acme-erp-push-key-0123456789abcdef',
  readOperate: 'acme-night-shift-key-0123456789abc',
  expired: 'acme-retired-key-0123456789abcdefg',
};

describe('console and API: one key model, a role being a named set of scopes', () => {
  let api: TestApi;

  before(async () => {
    const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
    api = await startTestApi('', {
      keys: [
        `{ name: acme-dashboard, tenant: acme, key: ${KEY.viewer}, role: viewer }`,
        `{ name: erp-push, tenant: acme, key: ${KEY.ingestOnly}, scopes: [ingest] }`,
        `{ name: night-shift, tenant: acme, key: ${KEY.readOperate}, scopes: [read, operate] }`,
        `{ name: retired, tenant: acme, key: ${KEY.expired}, role: operator, expires: "${anHourAgo}" }`,
      ],
    });
  });
  after(() => api.close());

  const quarantined = async (n: string) => {
    const { messageId } = await (await api.call('/v1/documents', { method: 'POST', json: { ...salesOrder(n), orderNumber: undefined, customer: { code: n, name: 'Northwind' } } })).json();
    await waitFor(async () => (await api.hub.store.getMessage('acme', messageId))?.status === 'quarantined', 10_000, 'quarantine');
    return messageId as number;
  };
  const signInStatus = async (key: string) => (await fetch(`${api.url}/login`, { method: 'POST', redirect: 'manual', headers: { origin: api.url }, body: new URLSearchParams({ key }) }));

  it('a viewer role (read) reads in the API and the console but changes nothing in either', async () => {
    const id = await quarantined('SO-9101');
    assert.equal((await api.call(`/v1/messages/${id}`, { key: KEY.viewer })).status, 200);
    assert.equal((await api.call(`/v1/messages/${id}/replay`, { method: 'POST', key: KEY.viewer })).status, 403);
    const viewer = await signIn(api, KEY.viewer);
    assert.match((await viewer.get('/')).text, /acme-dashboard · viewer/);
    assert.equal((await viewer.post(`/messages/${id}/replay`)).status, 403);
    assert.equal((await api.hub.store.getMessage('acme', id))!.generation, 1);
  });

  it('a key given read and operate, without a role, may replay from the console', async () => {
    const id = await quarantined('SO-9102');
    const user = await signIn(api, KEY.readOperate);
    assert.match((await user.get('/')).text, /night-shift · read, operate/);
    assert.equal((await user.post(`/messages/${id}/replay`)).status, 303);
    assert.equal((await api.hub.store.getMessage('acme', id))!.generation, 2);
  });

  it('refuses a console sign-in to a key without the read scope, and to an expired key', async () => {
    assert.equal((await api.call('/v1/documents', { method: 'POST', json: salesOrder('SO-9103'), key: KEY.ingestOnly })).status, 202);
    const pusher = await signInStatus(KEY.ingestOnly);
    assert.equal(pusher.status, 403);
    assert.match(await pusher.text(), /read scope/);
    assert.equal(pusher.headers.get('set-cookie'), null);
    const retired = await signInStatus(KEY.expired);
    assert.equal(retired.status, 403);
    assert.match(await retired.text(), /expired/);
  });

  it('refuses a config key given both a role and scopes', () => {
    assert.throws(() => parseConfig(`api:\n  keys:\n    - { name: both, tenant: acme, key: ${KEY.viewer}, role: viewer, scopes: [operate] }\n`, api.dir),
      /either role or scopes/);
  });
});

describe('alert webhook channel: sent through the outbound guard', () => {
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  before(async () => {
    hook = await startReceiver();
  });
  after(() => hook.close());

  const notice = {
    state: 'raised' as const,
    alert: { id: 1, tenant: 'acme', kind: 'quarantined', subject: 'quarantine', message: '1 quarantined message waiting', dedupeKey: 'k', createdAt: 0, acknowledgedAt: null, acknowledgedBy: null, resolvedAt: null, notifiedAt: null, resolvedNotifiedAt: null },
  };
  const channel = (allowPrivateNetworks: boolean, allow: string[] = []) =>
    openChannel({ type: 'webhook', name: 'ops-chat', url: `${hook.url}/hook`, secret: 'hook-signing-secret-0123456789', allowPrivateNetworks }, { allow });

  it('refuses a loopback receiver unless the channel or outbound.allow allows it', async () => {
    const guarded = channel(false);
    await assert.rejects(guarded.send(notice), (err: unknown) => err instanceof OutboundRefused && /alert channel ops-chat.*loopback/.test(err.message));
    guarded.close();
    assert.equal(hook.received.length, 0);
    for (const allowed of [channel(true), channel(false, ['127.0.0.0/8'])]) {
      await allowed.send(notice);
      allowed.close();
    }
    assert.equal(hook.received.length, 2);
  });
});
