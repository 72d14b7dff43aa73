import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { RoutingStore, Store } from '../../../src/store/index.ts';
import type { OpenStore } from './fixtures.ts';

/** The routing facet: a decision per order, and the stock it holds until the warehouse confirms. */
export function routingConformance(open: OpenStore<RoutingStore>): void {
  describe('routing', () => {
    let store: RoutingStore & Pick<Store, 'close'>;
    beforeEach(async () => { store = await open(); });
    afterEach(async () => { await store.close(); });

    const record = (orderKey: string, facility: string | null) => ({ orderKey, status: facility ? 'routed' : 'held', facility, decision: { facility, candidates: [{ facility: 'CHI', reasons: ['TEA: 0 of 1 available'] }] }, decidedAt: 1000 });

    it('keeps a decision and replaces the order\'s reservations when it is routed again', async () => {
      await store.putRouting('acme', record('order:SO-1', 'CHI'), [{ facility: 'CHI', sku: 'TEA', quantity: '2.5' }, { facility: 'CHI', sku: 'MUG', quantity: '1' }]);
      await store.putRouting('acme', record('order:SO-2', 'CHI'), [{ facility: 'CHI', sku: 'TEA', quantity: '1' }]);
      assert.deepEqual(await store.getRouting('acme', 'order:SO-1'), record('order:SO-1', 'CHI'));
      await store.putRouting('acme', record('order:SO-1', 'EWR'), [{ facility: 'EWR', sku: 'TEA', quantity: '2.5' }]);
      assert.equal((await store.getRouting('acme', 'order:SO-1'))!.facility, 'EWR');
      assert.deepEqual(await store.reservations('acme'), [{ facility: 'CHI', sku: 'TEA', quantity: '1' }, { facility: 'EWR', sku: 'TEA', quantity: '2.5' }]);
    });

    it('releases an order\'s reservations at one facility or everywhere', async () => {
      await store.putRouting('acme', record('order:SO-1', 'CHI'), [{ facility: 'CHI', sku: 'TEA', quantity: '2' }, { facility: 'EWR', sku: 'TEA', quantity: '3' }]);
      assert.equal(await store.releaseReservations('acme', 'order:SO-1', 'CHI'), 1);
      assert.deepEqual(await store.reservations('acme'), [{ facility: 'EWR', sku: 'TEA', quantity: '3' }]);
      assert.equal(await store.releaseReservations('acme', 'order:SO-1'), 1);
      assert.deepEqual(await store.reservations('acme'), []);
      assert.ok(await store.getRouting('acme', 'order:SO-1'), 'the decision stays for lineage');
    });

    it('keeps each tenant\'s decisions and reservations its own', async () => {
      await store.putRouting('acme', record('order:SO-1', 'CHI'), [{ facility: 'CHI', sku: 'TEA', quantity: '2' }]);
      await store.putRouting('globex', record('order:SO-1', 'EWR'), [{ facility: 'EWR', sku: 'TEA', quantity: '9' }]);
      assert.equal((await store.getRouting('globex', 'order:SO-1'))!.facility, 'EWR');
      assert.equal(await store.getRouting('initech', 'order:SO-1'), undefined);
      assert.equal(await store.releaseReservations('globex', 'order:SO-1'), 1);
      assert.deepEqual(await store.reservations('acme'), [{ facility: 'CHI', sku: 'TEA', quantity: '2' }]);
      assert.deepEqual(await store.reservations('globex'), []);
    });
  });
}
