import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KEYS, startTestApi, type TestApi } from './harness.ts';

const SCRAPER = 'scraper-key-0123456789abcdef01';
const order = (n: string) => ({ type: 'sales_order', orderNumber: n, lines: [{ lineNumber: 1, sku: 'SKU-1', quantity: '1', uom: 'EA' }] });

describe('GET /metrics with metrics.requireKey and tenantLabels: false', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi('metrics: { requireKey: true, tenantLabels: false }\n', { keys: [`{ name: prometheus, tenant: acme, key: ${SCRAPER}, scopes: [metrics] }`] });
  });
  after(() => api.close());

  it('asks for a key: none 401, a tenant\'s key 403, the operator\'s or the scraper\'s 200', async () => {
    assert.equal((await api.call('/metrics', { key: null })).status, 401);
    const tenant = await api.call('/metrics', { key: KEYS.acme });
    assert.equal(tenant.status, 403);
    assert.equal((await tenant.json()).errors[0].code, 'SCOPE_REQUIRED');
    assert.equal((await api.call('/metrics', { key: KEYS.globex })).status, 403);
    for (const key of [KEYS.operator, SCRAPER]) {
      const res = await api.call('/metrics', { key });
      assert.equal(res.status, 200, key);
      assert.match(await res.text(), /causeway_messages_received_total/);
    }
  });

  it('names no tenant: series are summed over tenants', async () => {
    await api.call('/v1/documents', { method: 'POST', json: order('SO-M1') });
    await api.call('/v1/documents', { method: 'POST', json: order('SO-M2'), key: KEYS.globex });
    const text = await (await api.call('/metrics', { key: SCRAPER })).text();
    assert.doesNotMatch(text, /acme|globex/);
    assert.match(text, /causeway_messages_received_total\{tenant="",endpoint="api"\} 2/);
  });
});

describe('GET /metrics by default', () => {
  let api: TestApi;
  before(async () => { api = await startTestApi(); });
  after(() => api.close());

  it('is open and labels series with the tenant', async () => {
    await api.call('/v1/documents', { method: 'POST', json: order('SO-M3') });
    const res = await api.call('/metrics', { key: null });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /causeway_messages_received_total\{tenant="acme",endpoint="api"\} 1/);
  });
});
