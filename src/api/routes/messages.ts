import { Readable } from 'node:stream';
import type { Context } from 'hono';
import type { EngineFacade } from '../../engine/index.ts';
import type { StoredMessage } from '../../store/index.ts';
import type { ApiEnv } from '../context.ts';
import { findOperation } from '../find-operation.ts';
import { listOperation, timeWindow } from '../list-operation.ts';
import { operation, type Operation } from '../operation.ts';
import { badRequest, gone } from '../problems.ts';
import { presentLineage, presentMessage } from '../present.ts';
import { idParams, listMessagesQuery, replayWindowRequest } from '../schemas.ts';

/** An operation on one message by id: a 404 naming the id when the tenant has no such message. */
function ofMessage<T>(op: Pick<Operation, 'method' | 'path' | 'operationId' | 'tag' | 'summary' | 'description'> & {
  ok: Operation['responses'];
  find(tenant: string, id: number): Promise<T | undefined>;
  respond(c: Context<ApiEnv>, found: T): Response;
  /** The part retention may prune from under this operation: asked for after it went, the answer is 410. */
  needs?: { engine: EngineFacade; part: 'raw' | 'documents' };
}): Operation {
  const { ok, find, needs, ...rest } = op;
  return findOperation({
    ...rest,
    params: idParams,
    ok: needs ? { ...ok, 410: { description: `The message's ${needs.part === 'raw' ? 'raw bytes were' : 'documents were'} pruned by retention; kept says what is left`, schema: 'Problem' } } : ok,
    missing: { description: 'No such message for this tenant', detail: (p) => `no message ${p.id} for this tenant` },
    async find(c, { params }) {
      if (needs) await refuseWhenPruned(needs.engine, c.get('tenant'), params.id, needs.part);
      return find(c.get('tenant'), params.id);
    },
  });
}

async function refuseWhenPruned(engine: EngineFacade, tenant: string, id: number, part: 'raw' | 'documents'): Promise<void> {
  const m: StoredMessage | undefined = await engine.message(tenant, id);
  const at = part === 'raw' ? m?.pruned?.rawAt : m?.pruned?.documentsAt;
  if (!m || at == null) return;
  const what = part === 'raw' ? 'raw bytes' : 'documents, deliveries and attempts';
  throw gone(`the ${what} of message ${id} were pruned by retention on ${new Date(at).toISOString()}${m.pruned?.archive ? `; archived in ${m.pruned.archive}` : ''}`,
    { message: presentMessage(m), archive: m.pruned?.archive ?? null });
}

export function messageOperations(engine: EngineFacade): Operation[] {
  return [
    listOperation({
      path: '/v1/messages', operationId: 'listMessages', tag: 'Messages',
      summary: 'List inbound messages, newest first',
      query: listMessagesQuery, items: 'messages', schema: 'MessagePage',
      list: (tenant, query) => engine.listMessages(tenant, timeWindow(query)),
      present: presentMessage,
    }),
    ofMessage({
      method: 'get', path: '/v1/messages/{id}', operationId: 'getMessage', tag: 'Messages',
      summary: 'One message: where it came from, its status and its errors',
      ok: { 200: { description: 'The message', schema: 'Message' } },
      find: (tenant, id) => engine.message(tenant, id),
      respond: (c, m) => c.json(presentMessage(m)),
    }),
    ofMessage({
      method: 'get', path: '/v1/messages/{id}/raw', operationId: 'getMessageRaw', tag: 'Messages',
      summary: 'The raw bytes as received, with their content type',
      ok: { 200: { description: 'The bytes, verbatim', contentType: '*/*' } },
      find: (tenant, id) => engine.rawMessage(tenant, id),
      needs: { engine, part: 'raw' },
      // Streamed from the stored chunks: a large message is never held whole.
      respond: (_c, m) => new Response(Readable.toWeb(Readable.from(m.body)) as ReadableStream<Uint8Array>, {
        status: 200,
        headers: { 'content-type': m.contentType ?? 'application/octet-stream', 'content-length': String(m.size), 'x-content-type-options': 'nosniff' },
      }),
    }),
    ofMessage({
      method: 'get', path: '/v1/messages/{id}/lineage', operationId: 'getMessageLineage', tag: 'Messages',
      summary: 'A message\'s whole path: raw input, documents, deliveries and every attempt',
      ok: { 200: { description: 'The lineage', schema: 'Lineage' } },
      find: (tenant, id) => engine.lineage(tenant, id),
      needs: { engine, part: 'documents' },
      respond: (c, l) => c.json(presentLineage(l)),
    }),
    ofMessage({
      method: 'post', path: '/v1/messages/{id}/replay', operationId: 'replayMessage', tag: 'Replay',
      summary: 'Process a message again with the current configuration',
      description: 'The message goes back to pending and is decoded, validated, routed and mapped again; deliveries keep their idempotency keys, so a target that already applied one can tell.',
      ok: { 202: { description: 'Requeued (0 when it was still pending)', schema: 'Requeued' } },
      find: (tenant, id) => engine.replayMessage(tenant, id),
      needs: { engine, part: 'raw' },
      respond: (c, requeued) => c.json({ requeued }, 202),
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
