import { ErrorCode, headers as natsHeaders, type JetStreamClient, type JsMsg, type NatsConnection } from 'nats';
import { codecWhen, defineEndpoint, type DeliveryOutcome, type EndpointContext, type InboundMessage, type OutboundMessage, type SinkRuntime, type SourceRuntime } from '../contract.ts';
import { encodeHeaderValues, UnencodableHeaderValue } from '../header-values.ts';
import { cannotBeFormed } from '../unformable.ts';
import { natsConfig, type NatsConfig } from './config.ts';
import { connectNats, ensureConsumer, ensureStream } from './setup.ts';

/** Lists our headers whose values were percent-encoded (UTF-8); docs/transports/nats.md. */
const ENCODED_HEADERS = 'Causeway-Encoded-Headers';

export const natsEndpoint = defineEndpoint({
  type: 'nats',
  description: 'NATS JetStream. As a target: publishes each document to <prefix>.<tenant>.<documentType> with its idempotency key as Nats-Msg-Id, delivered once the stream acknowledges. As a source (with `consume`): a durable pull consumer whose messages are acknowledged only after the inbox stored them.',
  config: natsConfig,
  produces: codecWhen((c: NatsConfig) => c.consume),
  accepts: 'codec',
  createSink: (c: NatsConfig, ctx: EndpointContext): SinkRuntime => new NatsPublisher(c, ctx),
  createSource: (c: NatsConfig, ctx: EndpointContext): SourceRuntime => ({ listen: (accept, signal) => consumeStream(c, ctx, accept, signal) }),
});

/** Publishes with Nats-Msg-Id = idempotency key: a retry after a lost ack is dropped by the stream, so the effect happens once. */
class NatsPublisher implements SinkRuntime {
  private connection: Promise<NatsConnection> | undefined;

  constructor(private readonly c: NatsConfig, private readonly ctx: EndpointContext) {
    // Connecting starts with the hub, while it is idle: a connection first asked for by a burst of
    // deliveries waits behind the decoding that produced them, and its handshake can time out.
    this.jetstream().catch(() => undefined);
  }

  /** A server that is down at start makes deliveries retryable (and a later one connects again) instead of stopping the hub. */
  private async jetstream(): Promise<JetStreamClient> {
    this.connection ??= (async () => {
      const nc = await connectNats(this.c, this.ctx.name);
      try {
        await ensureStream(await nc.jetstreamManager(), this.c);
        return nc;
      } catch (e) {
        await nc.close();
        throw e;
      }
    })();
    try {
      const nc = await this.connection;
      if (nc.isClosed()) throw new Error('connection closed');
      return nc.jetstream();
    } catch (e) {
      this.connection = undefined;
      throw e;
    }
  }

  async deliver(m: OutboundMessage): Promise<DeliveryOutcome> {
    return (await this.deliverBatch([m]))[0]!;
  }

  /**
   * Every message of the batch is published before the first ack is awaited, so the stream
   * acknowledges the lot in about one round trip; each ack (or its absence) is that message's
   * outcome alone.
   */
  async deliverBatch(messages: OutboundMessage[]): Promise<DeliveryOutcome[]> {
    let js: JetStreamClient;
    try {
      js = await this.jetstream();
    } catch (e) {
      const outcome: DeliveryOutcome = { kind: 'retryable', error: (e as Error).message };
      return messages.map(() => outcome);
    }
    return Promise.all(messages.map((m) => this.publish(js, m)));
  }

  private async publish(js: JetStreamClient, m: OutboundMessage): Promise<DeliveryOutcome> {
    const subject = `${this.c.subjectPrefix}.${subjectToken(m.tenant)}.${subjectToken(m.documentType)}`;
    const h = natsHeaders();
    let msgID: string;
    try {
      // A line break would end the header (the client refuses it); other values pass through the same rule as webhooks.
      const values = encodeHeaderValues({
        'Content-Type': m.contentType, 'Causeway-Tenant': m.tenant, 'Causeway-Document-Type': m.documentType,
        'Causeway-Document-Id': m.documentId, 'Causeway-Entity-Key': m.entityKey, 'Causeway-Attempt': String(m.attempt),
        'Nats-Msg-Id': m.idempotencyKey,
      }, ENCODED_HEADERS).headers;
      msgID = values['Nats-Msg-Id']!;
      delete values['Nats-Msg-Id'];
      for (const [name, value] of Object.entries(values)) h.set(name, value);
    } catch (e) {
      if (e instanceof UnencodableHeaderValue || cannotBeFormed(e)) return { kind: 'permanent', error: `publishing to ${subject}: ${(e as Error).message}` };
      throw e;
    }
    try {
      const ack = await js.publish(subject, m.payload, { msgID, headers: h, timeout: this.c.publishTimeoutMs });
      return { kind: 'delivered', partnerRef: `${ack.stream}:${ack.seq}`, response: ack.duplicate ? 'duplicate: the stream already held this Nats-Msg-Id' : undefined };
    } catch (e) {
      return publishFailure(e, subject, this.c.publishTimeoutMs);
    }
  }

  async close(): Promise<void> {
    const nc = await this.connection?.catch(() => undefined);
    this.connection = undefined;
    await nc?.drain().catch(() => nc.close());
  }
}

function publishFailure(e: unknown, subject: string, timeoutMs: number): DeliveryOutcome {
  const err = e as Error & { code?: string };
  const what = `publishing to ${subject}`;
  switch (err.code) {
    case ErrorCode.NoResponders:
      return { kind: 'retryable', error: `${what}: no JetStream stream captures the subject (no responders)` };
    case ErrorCode.Timeout:
      return { kind: 'retryable', error: `${what}: no acknowledgement from the stream within ${timeoutMs} ms` };
    case ErrorCode.MaxPayloadExceeded:
    case ErrorCode.BadSubject:
    case ErrorCode.BadPayload:
    case ErrorCode.BadHeader:
    case ErrorCode.PermissionsViolation:
      return { kind: 'permanent', error: `${what}: ${err.message}` };
    default:
      return { kind: 'retryable', error: `${what}: ${err.message}` };
  }
}

/**
 * Fetches a batch, hands it to the inbox and acknowledges it only once accept() resolved, i.e. the
 * inbox commit happened. A worker killed in between leaves the batch unacknowledged: JetStream
 * redelivers it after ackWait and the inbox recognises each message by its idempotency key.
 */
async function consumeStream(c: NatsConfig, ctx: EndpointContext, accept: (m: InboundMessage[]) => Promise<unknown>, signal: AbortSignal): Promise<void> {
  const k = c.consume!;
  const nc = await connectNats(c, ctx.name);
  try {
    const jsm = await nc.jetstreamManager();
    await ensureStream(jsm, c);
    await ensureConsumer(jsm, c);
    const consumer = await nc.jetstream().consumers.get(c.stream.name, k.durable);
    while (!signal.aborted) {
      if (nc.isClosed()) throw new Error(`consuming ${c.stream.name}/${k.durable}: connection closed`);
      const batch = await consumer.fetch({ max_messages: k.batchSize, expires: k.maxWaitMs });
      const got: JsMsg[] = [];
      for await (const m of batch) got.push(m);
      if (got.length === 0) continue;
      try {
        await accept(got.map(toInbound));
      } catch (e) {
        // Not stored: ask for redelivery now rather than after ackWait.
        for (const m of got) m.nak();
        throw new Error(`storing ${got.length} messages from ${c.stream.name}/${k.durable}: ${(e as Error).message}`, { cause: e });
      }
      for (const m of got) m.ack();
      await nc.flush();
    }
  } finally {
    await nc.drain().catch(() => nc.close());
  }
}

function toInbound(m: JsMsg): InboundMessage {
  const h = m.headers;
  // A publisher's Nats-Msg-Id names the message; without one the stream sequence does, which a redelivery keeps.
  const msgId = h?.get('Nats-Msg-Id');
  return {
    body: Buffer.from(m.data),
    contentType: h?.get('Content-Type') || undefined,
    codec: h?.get('Causeway-Codec') || undefined,
    idempotencyKey: msgId || `${m.info.stream}:${m.seq}`,
    partnerRef: `${m.subject}#${m.seq}`,
  };
}

/** Tenants and document types become subject tokens: characters NATS reserves, and anything outside visible ASCII, are replaced. */
export function subjectToken(value: string): string {
  return value.replace(/[^\x21-\x7e]|[.*>]/g, '_') || '_';
}
