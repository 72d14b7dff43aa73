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

    it('recognises a signed request seen again, per tenant and endpoint, until it is older than kept', async () => {
      const at = 1_800_000_000_000;
      const seen = { tenant: 'acme', endpoint: 'partner-in', id: 'msg_1', fingerprint: 'f1', at, keepMs: 600_000 };
      assert.equal(await store.recordSignedRequest(seen), true, 'first sighting');
      assert.equal(await store.recordSignedRequest({ ...seen, at: at + 1000 }), false, 'the same request again: a replay');
      assert.equal(await store.recordSignedRequest({ ...seen, fingerprint: 'f2' }), true, 'the sender\'s retry, signed afresh');
      assert.equal(await store.recordSignedRequest({ ...seen, tenant: 'globex' }), true, 'another tenant\'s endpoint');
      assert.equal(await store.recordSignedRequest({ ...seen, endpoint: 'other-in' }), true, 'another endpoint');
      assert.equal(await store.recordSignedRequest({ ...seen, id: 'msg_2', at: at + 600_001 }), true, 'a later request forgets what is too old');
      assert.equal(await store.recordSignedRequest({ ...seen, at: at + 600_002 }), true, 'forgotten: its timestamp is out of tolerance by now anyway');
    });
  });
}
