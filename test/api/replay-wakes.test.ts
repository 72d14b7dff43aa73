// A replay wakes the loop that has the work: the processor for a message, the delivery worker for
// a dead delivery. The hub here polls only once a minute when idle, so a replayed message or
// delivery that arrives within the wait below was woken for, not found by the idle poll.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deadLetterPage } from '../../src/api/schemas.ts';
import { HubFacade } from '../../src/engine/index.ts';
import { salesOrder } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import { startTestApi, type TestApi } from './harness.ts';

const IDLE_MS = 60_000;
const PROMPTLY_MS = 10_000;

describe('replay wakes the worker that has the work', () => {
  let api: TestApi;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  // The warehouse refuses these orders (422, permanent: a dead letter at once) until it is told about them.
  const refusing = new Set<string>();
  const taken: string[] = [];

  before(async () => {
    receiver = await startReceiver((r) => {
      const { orderNumber } = JSON.parse(r.body.toString());
      if (refusing.has(orderNumber)) return 422;
      taken.push(orderNumber);
      return 200;
    });
    // Lines are sent in eaches: an order whose SKU is not in the item master yet is quarantined.
    api = await startTestApi(`
endpoints:
  wms: { type: webhook, allowPrivateNetworks: true, url: "${receiver.url}/orders" }
mappings:
  wms-order:
    fields:
      orderNumber: orderNumber
      lines: { each: lines, fields: { sku: sku, eaches: { from: quantity, convert: { uomFrom: uom, to: EA, sku: sku } } } }
flows:
  - { name: orders-to-wms, from: [api], types: [sales_order], to: wms, mapping: wms-order }
`, { idleMs: IDLE_MS });
  });
  after(async () => {
    await api.close();
    await receiver.close();
  });

  const post = async (doc: Record<string, unknown>) => {
    const res = await api.call('/v1/documents', { method: 'POST', json: doc });
    assert.equal(res.status, 202, await res.clone().text());
    return (await res.json()).messageId as number;
  };
  const statusOf = async (id: number) => (await (await api.call(`/v1/messages/${id}`)).json()).status as string;
  const order = (orderNumber: string) => salesOrder(orderNumber, 1, { lines: [{ lineNumber: 1, sku: `SKU-${orderNumber}`, quantity: '2', uom: 'EA' }] });
  const item = (orderNumber: string) => ({ type: 'item', sku: `SKU-${orderNumber}`, baseUom: 'EA' });
  const arrived = (orderNumber: string) => waitFor(() => taken.includes(orderNumber), PROMPTLY_MS, `${orderNumber} to be delivered`);

  /** An order quarantined because its SKU was unknown; the SKU is known now, so a replay goes through. */
  async function quarantinedOrder(orderNumber: string): Promise<number> {
    const id = await post(order(orderNumber));
    await waitFor(async () => (await statusOf(id)) === 'quarantined', PROMPTLY_MS, `${orderNumber} to be quarantined`);
    const itemId = await post(item(orderNumber));
    await waitFor(async () => (await statusOf(itemId)) === 'processed', PROMPTLY_MS, `item of ${orderNumber}`);
    return id;
  }

  /** An order the warehouse refused (a dead delivery), and now takes. */
  async function deadDelivery(orderNumber: string): Promise<number> {
    const itemId = await post(item(orderNumber));
    await waitFor(async () => (await statusOf(itemId)) === 'processed', PROMPTLY_MS, `item of ${orderNumber}`);
    refusing.add(orderNumber);
    const id = await post(order(orderNumber));
    const dead = await waitFor(async () => {
      const page = deadLetterPage.parse(await (await api.call('/v1/dead-letters')).json());
      const lineage = await (await api.call(`/v1/messages/${id}/lineage`)).json();
      return page.items.find((d) => d.kind === 'delivery' && d.refId === lineage.deliveries[0]?.id);
    }, PROMPTLY_MS, `${orderNumber} to be dead-lettered`);
    refusing.delete(orderNumber);
    return dead.refId;
  }

  it('through the API: a quarantined message is processed and delivered at once', async () => {
    const id = await quarantinedOrder('SO-Q-API');
    const res = await api.call(`/v1/messages/${id}/replay`, { method: 'POST' });
    assert.equal(res.status, 202);
    await arrived('SO-Q-API');
  });

  it('through the API: a dead delivery is delivered at once', async () => {
    const deliveryId = await deadDelivery('SO-D-API');
    const res = await api.call('/v1/dead-letters/replay', { method: 'POST', json: { deliveryIds: [deliveryId] } });
    assert.deepEqual(await res.json(), { requeued: 1 });
    await arrived('SO-D-API');
  });

  it('through the engine facade the command line uses: a quarantined message is processed and delivered at once', async () => {
    const id = await quarantinedOrder('SO-Q-CLI');
    assert.equal(await HubFacade.of(api.hub).replayMessages('acme', [id]), 1);
    await arrived('SO-Q-CLI');
  });

  it('through the engine facade the command line uses: a dead delivery is delivered at once', async () => {
    const deliveryId = await deadDelivery('SO-D-CLI');
    assert.equal(await HubFacade.of(api.hub).replayDeadDeliveries('acme', [deliveryId]), 1);
    await arrived('SO-D-CLI');
  });
});
