// Refusals after a message was processed: the codec that read the document answers its partner from
// the document as stored; what we send of our own is never answered, and a hook's fault leaves the
// refusal standing without an answer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import type { Codec, RefusedDocument } from '../../src/codecs/index.ts';
import type { EndpointInfo } from '../../src/engine/messages.ts';
import { LateRefusals } from '../../src/engine/refusals.ts';
import type { StoredDelivery } from '../../src/store/index.ts';

const endpoint = (name: string, tenant = 'acme', codec = 'partner-format'): EndpointInfo => ({ name, tenant, codec, codecOptions: {}, maxAttempts: 5 });

function setUp(hook: (refused: RefusedDocument) => Promise<{ send: Array<{ endpoint: string; flow: string; payload: Buffer }> } | undefined>) {
  const seen: RefusedDocument[] = [];
  const codec = {
    name: 'partner-format', contentType: 'text/plain', decode: () => ({ documents: [], errors: [] }), encode: () => Buffer.from(''),
    hooks: { afterRefusal: async (refused: RefusedDocument) => { seen.push(refused); return hook(refused); } },
  } as unknown as Codec;
  const order = { type: 'sales_order', id: '7-1-2', tenant: 'acme', entityKey: 'order:PO-1', orderNumber: 'PO-1', source: { endpoint: 'partner-orders' }, receivedAt: '2026-03-01T09:30:00Z', extensions: { ref: 'M-9' } };
  const store = {
    getDocuments: async (tenant: string, ids: string[]) => (tenant === 'acme' && ids.includes(order.id) ? [{ id: order.id, messageId: 7, body: order }] : []),
  } as unknown as ConstructorParameters<typeof LateRefusals>[0]['store'];
  const endpoints = new Map([endpoint('partner-orders'), endpoint('partner-in'), endpoint('other-in', 'other'), endpoint('erp', 'acme', 'json')].map((e) => [e.name, e]));
  const refusals = new LateRefusals({ store, endpoints, codecs: new Map([['partner-format', codec]]), logger: pino({ level: 'silent' }) });
  const delivery = (over: Partial<StoredDelivery> = {}) => ({ id: 31, tenant: 'acme', documentId: order.id, documentType: 'sales_order', messageId: 7, flow: 'orders-to-erp', endpoint: 'erp', ...over }) as StoredDelivery;
  return { refusals, seen, delivery };
}

describe('refusals after processing', () => {
  it('a document the target refused is answered by the codec that read it, from the document as stored, to its tenant\'s endpoints only', async () => {
    const { refusals, seen, delivery } = setUp(async () => ({ send: [{ endpoint: 'partner-in', flow: 'answer', payload: Buffer.from('NO') }, { endpoint: 'other-in', flow: 'answer', payload: Buffer.from('NO') }] }));
    const owed = await refusals.answerDelivery(delivery(), 'HTTP 422: unknown customer');
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.envelope, undefined, 'no envelope: only the stored document is left');
    assert.deepEqual([seen[0]!.index, seen[0]!.document?.id, (seen[0]!.document as { extensions?: unknown }).extensions], [2, '7-1-2', { ref: 'M-9' }]);
    assert.deepEqual(seen[0]!.errors, [{ code: 'TARGET_REFUSED', message: 'not accepted by erp: HTTP 422: unknown customer' }]);
    assert.deepEqual(owed.map((d) => [d.endpoint, d.documentType, d.documentId, d.messageId, d.idempotencyKey, d.entityKey, d.maxAttempts]), [
      ['partner-in', 'acknowledgment', '7-1-2', 7, 'cw-7-1-2-answer-target-31', 'order:PO-1', 5],
    ]);
  });

  it('never answers what we send of our own, so a refused answer is not answered again', async () => {
    const { refusals, seen, delivery } = setUp(async () => ({ send: [{ endpoint: 'partner-in', flow: 'answer', payload: Buffer.from('NO') }] }));
    assert.deepEqual(await refusals.answerDelivery(delivery({ documentType: 'acknowledgment', endpoint: 'partner-in', flow: 'answer' }), 'disk full for good'), []);
    assert.deepEqual(await refusals.answerDelivery(delivery({ documentType: 'delivery_outcome' }), 'HTTP 400'), []);
    assert.equal(seen.length, 0);
  });

  it('a document no longer stored, or a hook that fails, leaves the refusal without an answer', async () => {
    const failing = setUp(async () => { throw new Error('no profile'); });
    assert.deepEqual(await failing.refusals.answerDelivery(failing.delivery(), 'HTTP 422'), []);
    assert.equal(failing.seen.length, 1);
    const gone = setUp(async () => ({ send: [{ endpoint: 'partner-in', flow: 'answer', payload: Buffer.from('NO') }] }));
    assert.deepEqual(await gone.refusals.answerDelivery(gone.delivery({ documentId: 'pruned' }), 'HTTP 422'), []);
    assert.equal(gone.seen.length, 0);
  });
});
