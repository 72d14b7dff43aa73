import type { Push, PushReceiver, PushVerdict } from '../../transports/index.ts';
import { isWmsError } from './errors.ts';
import type { EventsSpec } from './profile.ts';
import { messageOf } from './read.ts';
import type { EndpointRuntime } from './runtime.ts';
import { checkSignature } from './signature.ts';

/**
 * The warehouse's webhooks, pushed to POST /v1/endpoints/{name}/messages. A push is checked (its
 * signature, in constant time), its topic found (a header, or a field of the body for a WMS that
 * sends no topic header) and then:
 * - a fat event, carrying the whole resource, is made into its message right here, with the
 *   resource version's key, the key a poll of the same version gets: whichever comes second is a
 *   duplicate to the inbox, so an event and its poll never apply twice;
 * - a thin event (a topic and an id or URL) is queued for the source, which fetches the resource
 *   at its next poll: nothing is fetched while the warehouse waits for its answer. So is a fat
 *   event whose read needs more than the resource (the profile expands it with other calls);
 * - a topic the profile does not map is answered and let be.
 * No WMS guarantees its events, so the source reads everything back all the same.
 */
export function webhookReceiver(rt: EndpointRuntime, events: EventsSpec): PushReceiver {
  const webhook = rt.settings.webhook!;
  const signature = webhook.signature ?? events.signature;
  return {
    async receive(push: Push, nowSeconds: number): Promise<PushVerdict> {
      const refused = checkSignature(signature, webhook.secret, push.headers, push.body, nowSeconds, webhook.toleranceSeconds);
      if (refused) return { kind: 'refused', status: 401, error: refused };
      let body: unknown;
      try {
        body = JSON.parse(push.body.toString('utf8'));
      } catch (error) {
        return { kind: 'refused', status: 400, error: { code: 'WEBHOOK_NOT_JSON', path: '$', message: `the webhook body is not JSON: ${(error as Error).message}` } };
      }
      const headers = Object.fromEntries(push.headers.entries());
      try {
        return await take(rt, events, body, headers);
      } catch (error) {
        if (!isWmsError(error)) throw error;
        return { kind: 'refused', status: 400, error: { code: error.code, path: '$', message: error.message } };
      }
    },
  };
}

async function take(rt: EndpointRuntime, events: EventsSpec, body: unknown, headers: Record<string, string>): Promise<PushVerdict> {
  const { expressions } = rt;
  const topic = events.topic.header !== undefined ? headers[events.topic.header.toLowerCase()] : await expressions.evaluate(events.topic.field!, body, 'events.topic.field', { headers });
  if (typeof topic !== 'string' || topic === '') {
    const where = events.topic.header !== undefined ? `header.${events.topic.header.toLowerCase()}` : `$ (${events.topic.field})`;
    return { kind: 'refused', status: 400, error: { code: 'WEBHOOK_TOPIC_MISSING', path: where, message: 'the webhook names no topic where the profile looks for it' } };
  }
  const spec = Object.hasOwn(events.topics, topic) ? events.topics[topic] : undefined;
  if (!spec) return { kind: 'ignored', detail: `topic ${topic} is not one endpoint ${rt.name} reads` };
  const read = rt.profile.reads[spec.read];
  if (!read) return { kind: 'ignored', detail: `topic ${topic} is about ${spec.read}, which profile ${rt.profile.name} does not read` };
  if (!rt.settings.produce.includes(spec.read)) return { kind: 'ignored', detail: `topic ${topic} is about ${spec.read}, which endpoint ${rt.name} does not produce` };

  const resource = spec.resource === undefined ? undefined : await expressions.evaluate(spec.resource, body, `events.topics.${topic}.resource`, { headers });
  if (resource !== null && typeof resource === 'object' && !Array.isArray(resource)) {
    const id = await expressions.evaluate(read.id, resource, `reads.${spec.read}.id`);
    if (Object.keys(read.expand).length > 0 && id !== undefined && id !== null) {
      rt.pending.add({ read: spec.read, id: String(id) });
      return { kind: 'queued', detail: `${spec.read} ${String(id)} is read in full at the next poll` };
    }
    // Nothing is fetched while the warehouse waits: a call made by mistake would fail at once.
    const made = await messageOf(rt, spec.read, read, resource, AbortSignal.abort());
    if (!made.message) return { kind: 'ignored', detail: `${spec.read} ${made.id} has nothing to report in this version` };
    return { kind: 'store', versionKey: true, message: made.message };
  }
  const id = spec.id === undefined ? undefined : await expressions.evaluate(spec.id, body, `events.topics.${topic}.id`, { headers });
  const url = spec.url === undefined ? undefined : await expressions.evaluate(spec.url, body, `events.topics.${topic}.url`, { headers });
  if (typeof url === 'string' && url !== '') {
    rt.pending.add({ read: spec.read, url });
    return { kind: 'queued', detail: `${spec.read} at ${url} is fetched at the next poll` };
  }
  if (id !== undefined && id !== null && id !== '') {
    rt.pending.add({ read: spec.read, id: String(id) });
    return { kind: 'queued', detail: `${spec.read} ${String(id)} is fetched at the next poll` };
  }
  return { kind: 'refused', status: 400, error: { code: 'WEBHOOK_RESOURCE_MISSING', path: '$', message: `a ${topic} event carries neither the resource nor its id or URL where the profile looks` } };
}
