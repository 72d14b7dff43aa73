// Feeding a hub started without its processor: a document stored as a message and processed at
// once, as the processor would, so a test sees the outcome committed when the call returns.
import { contentHash, type Hub } from '../../src/engine/index.ts';
import type { Store } from '../../src/store/index.ts';

/** A sender of documents from `endpoint` as `tenant`, each under a key of its own: resolves to the message's id once it is processed. */
export function messageSender(store: Store, hub: Hub, tenant = 'acme', endpoint = 'api'): (doc: unknown) => Promise<number> {
  let key = 0;
  return async (doc) => {
    const body = Buffer.from(JSON.stringify(doc));
    const [a] = await store.acceptMessages([{ tenant, endpoint, codec: 'json', body, contentHash: contentHash(body), idempotencyKey: `${endpoint}-${++key}`, receivedAt: Date.now() }]);
    const claimed = await store.claimPendingMessages('test', 100, 60_000, Date.now());
    await hub.processor.commitOutcomes(claimed, await hub.processor.processBatch(claimed));
    return a!.messageId;
  };
}
