import type { EngineFacade } from '../../engine/index.ts';
import { operation, type Operation } from '../operation.ts';
import { badRequest, notFound } from '../problems.ts';
import { page, presentLineage, presentMessage } from '../present.ts';
import { idParams, listMessagesQuery, replayWindowRequest } from '../schemas.ts';

const ms = (iso: string | undefined) => (iso === undefined ? undefined : Date.parse(iso));
const missing = (id: number) => notFound(`no message ${id} for this tenant`);

export function messageOperations(engine: EngineFacade): Operation[] {
  return [
    operation({
      method: 'get', path: '/v1/messages', operationId: 'listMessages', tag: 'Messages',
      summary: 'List inbound messages, newest first',
      query: listMessagesQuery,
      responses: { 200: { description: 'A page of messages', schema: 'MessagePage' }, 400: { description: 'A filter is not valid', schema: 'Problem' } },
      async handle(c, { query }) {
        const items = await engine.listMessages(c.get('tenant'), { status: query.status, endpoint: query.endpoint, from: ms(query.from), to: ms(query.to), limit: query.limit, before: query.before });
        return c.json(page(items.map(presentMessage), query.limit));
      },
    }),
    operation({
      method: 'get', path: '/v1/messages/{id}', operationId: 'getMessage', tag: 'Messages',
      summary: 'One message: where it came from, its status and its errors',
      params: idParams,
      responses: { 200: { description: 'The message', schema: 'Message' }, 404: { description: 'No such message for this tenant', schema: 'Problem' } },
      async handle(c, { params }) {
        const m = await engine.message(c.get('tenant'), params.id);
        if (!m) throw missing(params.id);
        return c.json(presentMessage(m));
      },
    }),
    operation({
      method: 'get', path: '/v1/messages/{id}/raw', operationId: 'getMessageRaw', tag: 'Messages',
      summary: 'The raw bytes as received, with their content type',
      params: idParams,
      responses: { 200: { description: 'The bytes, verbatim', contentType: '*/*' }, 404: { description: 'No such message for this tenant', schema: 'Problem' } },
      async handle(c, { params }) {
        const m = await engine.rawMessage(c.get('tenant'), params.id);
        if (!m) throw missing(params.id);
        return new Response(new Uint8Array(m.body), {
          status: 200,
          headers: { 'content-type': m.contentType ?? 'application/octet-stream', 'content-length': String(m.body.length), 'x-content-type-options': 'nosniff' },
        });
      },
    }),
    operation({
      method: 'get', path: '/v1/messages/{id}/lineage', operationId: 'getMessageLineage', tag: 'Messages',
      summary: 'A message\'s whole path: raw input, documents, deliveries and every attempt',
      params: idParams,
      responses: { 200: { description: 'The lineage', schema: 'Lineage' }, 404: { description: 'No such message for this tenant', schema: 'Problem' } },
      async handle(c, { params }) {
        const l = await engine.lineage(c.get('tenant'), params.id);
        if (!l) throw missing(params.id);
        return c.json(presentLineage(l));
      },
    }),
    operation({
      method: 'post', path: '/v1/messages/{id}/replay', operationId: 'replayMessage', tag: 'Replay',
      summary: 'Process a message again with the current configuration',
      description: 'The message goes back to pending and is decoded, validated, routed and mapped again; deliveries keep their idempotency keys, so a target that already applied one can tell.',
      params: idParams,
      responses: { 202: { description: 'Requeued (0 when it was still pending)', schema: 'Requeued' }, 404: { description: 'No such message for this tenant', schema: 'Problem' } },
      async handle(c, { params }) {
        const requeued = await engine.replayMessage(c.get('tenant'), params.id);
        if (requeued === undefined) throw missing(params.id);
        return c.json({ requeued }, 202);
      },
    }),
    operation({
      method: 'post', path: '/v1/replay', operationId: 'replayWindow', tag: 'Replay',
      summary: 'Process again every message received in a time window',
      body: { kind: 'json', schema: replayWindowRequest, component: 'ReplayWindowRequest' },
      responses: { 202: { description: 'Requeued', schema: 'Requeued' }, 400: { description: 'The window is not valid', schema: 'Problem' } },
      async handle(c, { body }) {
        const from = Date.parse(body.from);
        const to = Date.parse(body.to);
        if (to <= from) throw badRequest('the window ends before it starts', [{ code: 'WINDOW_INVALID', path: '$.to', message: 'expected a time after from' }]);
        const requeued = await engine.replayWindow(c.get('tenant'), from, to, body.endpoint);
        return c.json({ requeued }, 202);
      },
    }),
  ];
}
