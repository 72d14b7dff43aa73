import type { EngineFacade } from '../../engine/index.ts';
import { operation, type Operation } from '../operation.ts';
import { page, presentDeadLetter, presentDelivery } from '../present.ts';
import { deadLetterReplayRequest, deadLettersQuery, listDeliveriesQuery } from '../schemas.ts';

const ms = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));

export function deliveryOperations(engine: EngineFacade): Operation[] {
  return [
    operation({
      method: 'get', path: '/v1/deliveries', operationId: 'listDeliveries', tag: 'Deliveries',
      summary: 'List outbound deliveries, newest first',
      description: 'from and to filter on when the delivery was created.',
      query: listDeliveriesQuery,
      responses: { 200: { description: 'A page of deliveries', schema: 'DeliveryPage' }, 400: { description: 'A filter is not valid', schema: 'Problem' } },
      async handle(c, { query }) {
        const items = await engine.listDeliveries(c.get('tenant'), {
          status: query.status, endpoint: query.endpoint, entityKey: query.entityKey, type: query.type,
          from: ms(query.from), to: ms(query.to), limit: query.limit, before: query.before,
        });
        return c.json(page(items.map(presentDelivery), query.limit));
      },
    }),
    operation({
      method: 'get', path: '/v1/dead-letters', operationId: 'listDeadLetters', tag: 'Deliveries',
      summary: 'Deliveries given up on and messages quarantined, newest first',
      query: deadLettersQuery,
      responses: { 200: { description: 'A page of dead letters', schema: 'DeadLetterPage' }, 400: { description: 'A filter is not valid', schema: 'Problem' } },
      async handle(c, { query }) {
        const items = await engine.listDeadLetters(c.get('tenant'), { limit: query.limit, before: query.before, includeReplayed: query.includeReplayed === 'true' });
        return c.json(page(items.map(presentDeadLetter), query.limit));
      },
    }),
    operation({
      method: 'post', path: '/v1/dead-letters/replay', operationId: 'replayDeadLetters', tag: 'Replay',
      summary: 'Try dead deliveries again',
      description: 'Back to pending with a fresh attempt budget and the same idempotency key. Quarantined messages are replayed with POST /v1/messages/{id}/replay.',
      body: { kind: 'json', schema: deadLetterReplayRequest, component: 'DeadLetterReplayRequest' },
      responses: { 202: { description: 'Requeued', schema: 'Requeued' }, 400: { description: 'Neither or both of deliveryIds and all', schema: 'Problem' } },
      async handle(c, { body }) {
        const requeued = await engine.replayDeadDeliveries(c.get('tenant'), body.all ? 'all' : body.deliveryIds!);
        return c.json({ requeued }, 202);
      },
    }),
  ];
}
