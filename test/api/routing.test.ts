import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lineage as lineageSchema } from '../../src/api/schemas.ts';
import type { RoutingDecision } from '../../src/routing/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { startTestApi, type TestApi } from './harness.ts';

describe('API: a sales order with facility auto is routed, delivered to the chosen warehouse, and its lineage shows why', () => {
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  before(async () => {
    receiver = await startReceiver();
    api = await startTestApi(`
endpoints:
  wms-ewr: { type: webhook, url: "${receiver.url}/ewr" }
  wms-chi: { type: webhook, url: "${receiver.url}/chi" }
flows:
  - { name: orders-to-ewr, from: [api], types: [sales_order], facilities: [EWR], to: wms-ewr }
  - { name: orders-to-chi, from: [api], types: [sales_order], facilities: [CHI], to: wms-chi }
routing:
  facilities:
    EWR: { endpoint: wms-ewr, coordinates: { lat: 40.73, lon: -74.17 }, serviceArea: { countries: [US] } }
    CHI: { endpoint: wms-chi, coordinates: { lat: 41.88, lon: -87.63 }, serviceArea: { countries: [US] } }
  policy: complete
`);
  });
  after(async () => {
    await api.close();
    await receiver.close();
  });

  const lineageOf = async (id: number) => lineageSchema.parse(await (await api.call(`/v1/messages/${id}/lineage`)).json());
  const post = async (json: unknown) => (await (await api.call('/v1/documents', { method: 'POST', json })).json()) as { messageId: number };

  it('sends it to the nearest warehouse that has the stock, with the decision on the order', async () => {
    // Newark is nearest to New York but has no TEA; Chicago has it.
    const asOf = new Date(Date.now() - 60_000).toISOString();
    for (const [facility, onHand] of [['EWR', '0'], ['CHI', '12']] as const) {
      const { messageId } = await post({ type: 'inventory_snapshot', facility, asOf, occurredAt: asOf, positions: [{ sku: 'TEA', onHand, uom: 'EA' }] });
      await waitFor(async () => (await lineageOf(messageId)).message.status === 'processed' || undefined, 10_000, `snapshot of ${facility}`);
    }
    const order = salesOrder('SO-ROUTE-1', 1, {
      facility: 'auto', shipTo: { name: 'Midtown', lines: ['1 Main St'], city: 'New York', region: 'NY', postalCode: '10001', country: 'US' },
      lines: [{ lineNumber: 1, sku: 'TEA', quantity: '5', uom: 'EA' }],
    });
    const { messageId } = await post(order);
    const l = await waitFor(async () => {
      const x = await lineageOf(messageId);
      return x.deliveries[0]?.status === 'delivered' ? x : undefined;
    }, 10_000, 'delivery of the routed order');
    assert.deepEqual(l.deliveries.map((d) => d.endpoint), ['wms-chi']);
    assert.equal(receiver.received.length, 1);
    assert.equal(receiver.received[0]!.path, '/chi');
    assert.equal(JSON.parse(receiver.received[0]!.body.toString()).facility, 'CHI');
    const body = l.documents[0]!.body as { facility: string; extensions: { routing: RoutingDecision } };
    assert.equal(body.facility, 'CHI');
    const decision = body.extensions.routing;
    assert.equal(decision.status, 'routed');
    const ewr = decision.candidates.find((c) => c.facility === 'EWR')!;
    assert.equal(ewr.chosen, false);
    assert.match(ewr.reasons.join(), /TEA: 0 of 5 available/);
    assert.equal(decision.candidates.find((c) => c.facility === 'CHI')!.chosen, true);
    const stored = await api.hub.store.getRouting('acme', 'order:SO-ROUTE-1');
    assert.equal(stored!.facility, 'CHI');
    assert.deepEqual(await api.hub.store.reservations('acme'), [{ facility: 'CHI', sku: 'TEA', quantity: '5' }]);
  });
});
