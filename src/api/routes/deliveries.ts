import type { EngineFacade } from '../../engine/index.ts';
import { listOperation, timeWindow } from '../list-operation.ts';
import { operation, type Operation } from '../operation.ts';
import { presentDeadLetter, presentDelivery } from '../present.ts';
import { deadLetterReplayRequest, deadLettersQuery, listDeliveriesQuery } from '../schemas.ts';

export function deliveryOperations(engine: EngineFacade): Operation[] {
  return [
    listOperation({
      path: '/v1/deliveries', operationId: 'listDeliveries', tag: 'Deliveries',
      summary: 'List outbound deliveries, newest first',
      description: 'from and to filter on when the delivery was created.',
      query: listDeliveriesQuery, items: 'deliveries', schema: 'DeliveryPage',
      list: (tenant, query) => engine.listDeliveries(tenant, timeWindow(query)),
      present: presentDelivery,
    }),
    listOperation({
      path: '/v1/dead-letters', operationId: 'listDeadLetters', tag: 'Deliveries',
      summary: 'Deliveries given up on and messages quarantined, newest first',
      query: deadLettersQuery, items: 'dead letters', schema: 'DeadLetterPage',
      list: (tenant, query) => engine.listDeadLetters(tenant, { limit: query.limit, before: query.before, includeReplayed: query.includeReplayed === 'true' }),
      present: presentDeadLetter,
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
