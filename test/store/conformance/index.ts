import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Store } from '../../../src/store/index.ts';
import { alertsConformance } from './alerts.ts';
import { billingConformance } from './billing.ts';
import { consoleConformance } from './console.ts';
import { ediConformance } from './edi.ts';
import { inventoryConformance } from './inventory.ts';
import { msg } from './fixtures.ts';
import { keysConformance } from './keys.ts';
import { ledgerConformance } from './ledger.ts';
import { pipelineConformance } from './pipeline.ts';
import { retentionConformance } from './retention.ts';
import { routingConformance } from './routing.ts';

/**
 * One behaviour suite per facet of the Store, each run against every implementation: a store
 * feature without a test here does not exist. `open` must give a fresh, migrated, empty store each time.
 */
export function storeConformance(name: string, open: () => Promise<Store>): void {
  describe(`${name} store conformance`, () => {
    pipelineConformance(open);
    ediConformance(open);
    alertsConformance(open);
    keysConformance(open);
    inventoryConformance(open);
    ledgerConformance(open);
    consoleConformance(open);
    routingConformance(open);
    retentionConformance(open);
    billingConformance(open);

    describe('the store as a whole', () => {
      let store: Store;
      beforeEach(async () => { store = await open(); });
      afterEach(async () => { await store.close(); });

      it('applies migrations once: migrating again is harmless', async () => {
        await store.migrate();
        await store.acceptMessages([msg()]);
        await store.migrate();
        assert.equal((await store.listMessages({ tenant: 'acme' })).length, 1);
      });
    });
  });
}
