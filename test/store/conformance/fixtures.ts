import type { NewDelivery, NewMessage, PipelineStore, Store, StoredDelivery } from '../../../src/store/index.ts';

/** Opens a fresh, migrated, empty store, of which a suite uses the facet F. */
export type OpenStore<F> = () => Promise<F & Pick<Store, 'close'>>;

export const msg = (over: Partial<NewMessage> = {}): NewMessage => ({
  tenant: 'acme', endpoint: 'erp', codec: 'json', idempotencyKey: 'k1', contentHash: 'h1',
  body: Buffer.from('{"a":1}'), receivedAt: 1000, ...over,
});

export const delivery = (messageId: number, over: Partial<NewDelivery> = {}): NewDelivery => ({
  tenant: 'acme', documentId: `doc-${messageId}`, documentType: 'sales_order', messageId, flow: 'f', endpoint: 'wms', entityKey: 'order:1',
  payload: Buffer.from('x'), contentType: 'application/json', idempotencyKey: `idem-${messageId}`, occurredAt: 900,
  receivedAt: 1000, maxAttempts: 3, ...over,
});

export const documentsOf = (claimed: StoredDelivery[]) => claimed.map((d) => d.documentId);

/** A message's outcome with one document per delivery, and a delivery's successful attempt, on the store a suite has open now. */
export function settling(store: () => PipelineStore) {
  return {
    async processed(messageId: number, deliveries: NewDelivery[]): Promise<void> {
      await store().completeMessages([{
        messageId, status: 'processed',
        documents: deliveries.map((d) => ({ id: d.documentId, tenant: d.tenant, messageId, type: d.documentType, entityKey: d.entityKey, occurredAt: 900, receivedAt: 1000, body: { n: messageId } })),
        deliveries,
      }], 2000);
    },
    async delivered(d: StoredDelivery, at: number): Promise<void> {
      await store().recordAttempts([{ deliveryId: d.id, tenant: d.tenant, startedAt: at, finishedAt: at, outcome: 'delivered' }], at);
    },
  };
}
