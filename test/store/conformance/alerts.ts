import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { AlertStore, Store } from '../../../src/store/index.ts';
import type { OpenStore } from './fixtures.ts';

/** The alerts facet: raised once per dedupe key, listed newest first per tenant. */
export function alertsConformance(open: OpenStore<AlertStore>): void {
  describe('alerts', () => {
    let store: AlertStore & Pick<Store, 'close'>;
    beforeEach(async () => { store = await open(); });
    afterEach(async () => { await store.close(); });

    it('raises each alert once and lists them newest first', async () => {
      const a = { tenant: 'acme', kind: 'x12_rejected', subject: 'group 1', message: 'rejected', dedupeKey: 'x12:acme-3pl:1:rejected', createdAt: 1 };
      assert.equal(await store.raiseAlert({ ...a, detail: { code: 'AK5-5' } }), true);
      assert.equal(await store.raiseAlert(a), false);
      assert.equal(await store.raiseAlert({ ...a, kind: 'x12_overdue', dedupeKey: 'x12:acme-3pl:2:overdue', createdAt: 2 }), true);
      const all = await store.listAlerts('acme');
      assert.deepEqual(all.map((x) => x.kind), ['x12_overdue', 'x12_rejected']);
      assert.deepEqual(all[1]!.detail, { code: 'AK5-5' });
      assert.deepEqual((await store.listAlerts('acme', { kind: 'x12_rejected' })).length, 1);
      assert.deepEqual((await store.listAlerts('other')).length, 0);
    });

    it('pages alerts newest first, by a limit and from before an id, without detail when none was given', async () => {
      for (let i = 1; i <= 5; i++) await store.raiseAlert({ tenant: 'acme', kind: 'x12_overdue', subject: `group ${i}`, message: 'overdue', dedupeKey: `overdue:${i}`, createdAt: i });
      const first = await store.listAlerts('acme', { limit: 2 });
      assert.deepEqual(first.map((a) => a.subject), ['group 5', 'group 4']);
      assert.equal(first[0]!.detail, undefined);
      const next = await store.listAlerts('acme', { limit: 2, before: first[1]!.id });
      assert.deepEqual(next.map((a) => a.subject), ['group 3', 'group 2']);
    });

    it('keeps dedupe keys per tenant: the same key raises once in each', async () => {
      const a = { tenant: 'acme', kind: 'x12_rejected', subject: 'group 1', message: 'rejected', dedupeKey: 'x12:acme-3pl:1:rejected', createdAt: 1 };
      assert.equal(await store.raiseAlert(a), true);
      assert.equal(await store.raiseAlert({ ...a, tenant: 'other' }), true);
      assert.equal(await store.raiseAlert({ ...a, tenant: 'other' }), false);
      assert.deepEqual((await store.listAlerts('other')).map((x) => x.tenant), ['other']);
    });
  });
}
