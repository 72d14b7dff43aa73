import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LedgerConflict, type PipelineStore, type RoutingStore, type RoutingWrites, type Store } from '../../../src/store/index.ts';
import { msg, type OpenStore } from './fixtures.ts';

/** The routing facet: a decision per order, and the stock it holds until the warehouse confirms. */
export function routingConformance(open: OpenStore<RoutingStore & PipelineStore>): void {
  describe('routing', () => {
    let store: RoutingStore & PipelineStore & Pick<Store, 'close'>;
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

    it('settles reservations with a message\'s outcome: released at a facility, put back as they were, reserved again', async () => {
      await store.putRouting('acme', record('order:SO-1', 'CHI'), [{ facility: 'CHI', sku: 'TEA', quantity: '2' }, { facility: 'EWR', sku: 'TEA', quantity: '3' }]);
      await store.putRouting('acme', record('order:SO-2', 'EWR'), [{ facility: 'EWR', sku: 'MUG', quantity: '4' }]);
      await store.putRouting('acme', record('order:SO-3', 'CHI'), [{ facility: 'CHI', sku: 'MUG', quantity: '1' }]);
      assert.deepEqual(await store.orderReservations('acme', 'order:SO-1'), [{ facility: 'CHI', sku: 'TEA', quantity: '2' }, { facility: 'EWR', sku: 'TEA', quantity: '3' }]);
      const settle = async (key: string, routing: RoutingWrites) => {
        const [{ messageId }] = await store.acceptMessages([msg({ idempotencyKey: key, contentHash: key })]);
        await store.completeMessages([{ messageId, status: 'processed', documents: [], deliveries: [], routing }], 2000);
      };
      await settle('m1', {
        release: [{ tenant: 'acme', orderKey: 'order:SO-1', facility: 'EWR' }],
        restore: [{ tenant: 'acme', orderKey: 'order:SO-2', record: record('order:SO-2', 'DAL'), reservations: [{ facility: 'DAL', sku: 'MUG', quantity: '4' }] }],
        reserve: [{ tenant: 'acme', orderKey: 'order:SO-1', facility: 'CHI', reservations: [{ facility: 'CHI', sku: 'TEA', quantity: '5' }] }],
      });
      assert.deepEqual(await store.orderReservations('acme', 'order:SO-1'), [{ facility: 'CHI', sku: 'TEA', quantity: '5' }]);
      assert.deepEqual(await store.orderReservations('acme', 'order:SO-2'), [{ facility: 'DAL', sku: 'MUG', quantity: '4' }]);
      assert.equal((await store.getRouting('acme', 'order:SO-2'))!.facility, 'DAL');
      // Put back to nothing: the order had no routing before.
      await settle('m2', { restore: [{ tenant: 'acme', orderKey: 'order:SO-3', record: null, reservations: [] }] });
      assert.equal(await store.getRouting('acme', 'order:SO-3'), undefined);
      assert.deepEqual(await store.orderReservations('acme', 'order:SO-3'), []);
    });

    it('writes a decision with the message\'s outcome, and refuses it when other orders took the stock it counted on meanwhile', async () => {
      await store.putRouting('acme', record('order:SO-1', 'CHI'), [{ facility: 'CHI', sku: 'TEA', quantity: '4' }]);
      const settle = async (key: string, routing: RoutingWrites) => {
        const [{ messageId }] = await store.acceptMessages([msg({ idempotencyKey: key, contentHash: key })]);
        await store.completeMessages([{ messageId, status: 'processed', documents: [], deliveries: [], routing }], 2000);
        return messageId;
      };
      const put = (orderKey: string, quantity: string, othersHeld: string) => ({
        tenant: 'acme', record: record(orderKey, 'CHI'), reservations: [{ facility: 'CHI', sku: 'TEA', quantity }], othersHeld: [{ facility: 'CHI', sku: 'TEA', quantity: othersHeld }],
      });
      // SO-2 was routed on SO-1's 4 held at Chicago: as it was, so it is written.
      await settle('m1', { put: [put('order:SO-2', '6', '4')] });
      assert.deepEqual(await store.orderReservations('acme', 'order:SO-2'), [{ facility: 'CHI', sku: 'TEA', quantity: '6' }]);
      assert.equal((await store.getRouting('acme', 'order:SO-2'))!.facility, 'CHI');
      // SO-3 was routed on the same 4, before SO-2's 6 were committed: refused, nothing of the message written.
      const [{ messageId }] = await store.acceptMessages([msg({ idempotencyKey: 'm2', contentHash: 'm2' })]);
      await assert.rejects(
        store.completeMessages([{ messageId, status: 'processed', documents: [], deliveries: [], routing: { put: [put('order:SO-3', '6', '4')] } }], 2000),
        (e: unknown) => e instanceof LedgerConflict && e.messageIds.includes(messageId) && e.entityKeys.includes('order:SO-3'),
      );
      assert.equal(await store.getRouting('acme', 'order:SO-3'), undefined);
      assert.equal((await store.getMessage('acme', messageId))!.status, 'pending');
      // Less held by others than it saw (an order released meanwhile) is no conflict; nor is a change that takes no more than it holds.
      await store.releaseReservations('acme', 'order:SO-1');
      await settle('m3', { put: [put('order:SO-3', '4', '10')] });
      await settle('m4', { put: [{ ...put('order:SO-2', '5', '0'), othersHeld: [] }] });
      assert.deepEqual(await store.reservations('acme'), [{ facility: 'CHI', sku: 'TEA', quantity: '5' }, { facility: 'CHI', sku: 'TEA', quantity: '4' }]);
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

    it('lists decisions newest first, by status, paged by decision time and order', async () => {
      for (const [key, facility, at] of [['order:SO-1', 'CHI', 1000], ['order:SO-2', null, 2000], ['order:SO-3', 'EWR', 2000], ['order:SO-4', 'CHI', 3000]] as const) {
        await store.putRouting('acme', { ...record(key, facility), decidedAt: at }, []);
      }
      await store.putRouting('globex', record('order:SO-9', 'CHI'), []);
      const keys = (rows: Array<{ orderKey: string }>) => rows.map((r) => r.orderKey);
      assert.deepEqual(keys(await store.listRoutings('acme', {})), ['order:SO-4', 'order:SO-3', 'order:SO-2', 'order:SO-1']);
      const first = await store.listRoutings('acme', { limit: 2 });
      assert.deepEqual(keys(first), ['order:SO-4', 'order:SO-3']);
      const last = first[1]!;
      assert.deepEqual(keys(await store.listRoutings('acme', { before: { decidedAt: last.decidedAt, orderKey: last.orderKey } })), ['order:SO-2', 'order:SO-1']);
      assert.deepEqual(keys(await store.listRoutings('acme', { status: 'held' })), ['order:SO-2']);
      assert.deepEqual((await store.listRoutings('acme', { limit: 1 }))[0]!.decision, record('order:SO-4', 'CHI').decision);
    });
  });
}
