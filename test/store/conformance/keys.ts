import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KeyStore, Store } from '../../../src/store/index.ts';
import type { OpenStore } from './fixtures.ts';

/** The API keys facet: kept as hashes, found by hash. */
export function keysConformance(open: OpenStore<KeyStore>): void {
  describe('API keys', () => {
    let store: KeyStore & Pick<Store, 'close'>;
    beforeEach(async () => { store = await open(); });
    afterEach(async () => { await store.close(); });

    it('finds API keys by hash only', async () => {
      await store.putApiKey({ id: 'k1', tenant: 'acme', name: 'erp', hash: 'sha256:abc', role: 'operator', createdAt: 1 });
      assert.equal((await store.findApiKey('sha256:abc'))!.tenant, 'acme');
      assert.equal(await store.findApiKey('abc'), undefined);
    });

    it('replaces a key put again under its id: the old hash finds nothing, the creation time stays', async () => {
      await store.putApiKey({ id: 'k1', tenant: 'acme', name: 'erp', hash: 'sha256:old', role: 'operator', createdAt: 1 });
      await store.putApiKey({ id: 'k1', tenant: 'acme', name: 'erp, rotated', hash: 'sha256:new', role: 'viewer', createdAt: 2 });
      assert.equal(await store.findApiKey('sha256:old'), undefined);
      assert.deepEqual(await store.findApiKey('sha256:new'), { id: 'k1', tenant: 'acme', name: 'erp, rotated', hash: 'sha256:new', role: 'viewer', createdAt: 1 });
    });
  });
}
