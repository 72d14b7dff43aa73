import { ErrorCode, headers as natsHeaders, type JetStreamClient, type JsMsg, type NatsConnection } from 'nats';
import { z } from 'zod';
import { defineEndpoint, type DeliveryOutcome, type EndpointContext, type InboundMessage, type OutboundMessage, type SinkRuntime, type SourceRuntime } from '../contract.ts';
import { encodeHeaderValues, UnencodableHeaderValue } from '../header-values.ts';
import { cannotBeFormed } from '../unformable.ts';
import { connectNats, ensureConsumer, ensureStream } from './setup.ts';

/** Lists our headers whose values were percent-encoded (UTF-8); docs/transports/nats.md. */
const ENCODED_HEADERS = 'Causeway-Encoded-Headers';

/** A subject token or a JetStream name: no dots, wildcards or white space. */
const token = z.string().regex(/^[^\s.*>]+$/, 'no dots, wildcards (* >) or spaces');

const config = z.object({
  servers: z.array(z.string().min(1)).min(1).default(['nats://127.0.0.1:4222'])
    .meta({ description: 'NATS servers of the cluster; the client fails over between them and reconnects on its own', examples: [['nats://nats-1:4222', 'nats://nats-2:4222']] }),
  user: z.string().optional().meta({ description: 'User name, when the server asks for user and password' }),
  password: z.string().optional().meta({ description: 'Password; use ${ENV} so it never sits in the file', examples: ['${NATS_PASSWORD}'] }),
  token: z.string().optional().meta({ description: 'Authentication token; use ${ENV}', examples: ['${NATS_TOKEN}'] }),
  connectTimeoutMs: z.number().int().positive().default(5000).meta({ description: 'Time allowed to connect before the attempt counts as failed (and is retried)' }),
  subjectPrefix: z.string().regex(/^[^\s*>]+$/, 'no wildcards or spaces').default('causeway')
    .meta({ description: 'As a target: documents go to <prefix>.<tenant>.<documentType>', examples: ['causeway', 'acme.hub'] }),
  publishTimeoutMs: z.number().int().positive().max(120_000).default(5000)
    .meta({ description: 'Time allowed for the stream to acknowledge a publish; no ack in time is a retryable failure' }),
  stream: z.object({
    name: token.default('CAUSEWAY').meta({ description: 'JetStream stream that stores the subjects (published to as a target, consumed as a source)', examples: ['CAUSEWAY', 'ERP_EVENTS'] }),
    create: z.boolean().default(true).meta({ description: 'Create the stream at start when it does not exist; an existing stream is never changed' }),
    subjects: z.array(z.string().min(1)).min(1).optional()
      .meta({ description: 'Subjects the created stream captures; default <subjectPrefix>.>', examples: [['causeway.>'], ['erp.*.sales_order', 'erp.*.item']] }),
    storage: z.enum(['file', 'memory']).default('file').meta({ description: 'Where the created stream keeps messages: file survives a server restart' }),
    replicas: z.number().int().min(1).max(5).default(1).meta({ description: 'Copies of the created stream in a clustered NATS (3 for production)' }),
    maxAgeMs: z.number().int().min(0).default(7 * 24 * 3_600_000).meta({ description: 'How long the created stream keeps a message; 0 keeps it until limits say otherwise' }),
    maxBytes: z.number().int().positive().optional().meta({ description: 'Size limit of the created stream; the oldest messages go first' }),
    duplicateWindowMs: z.number().int().positive().default(2 * 3_600_000)
      .meta({ description: 'How long the stream remembers a Nats-Msg-Id to drop a second publish of it; must cover the time a delivery can still be retried' }),
  }).strict().prefault({}).meta({ description: 'The JetStream stream and, when create is true, how it is created' }),
  consume: z.object({
    durable: token.default('causeway').meta({ description: 'Durable pull consumer all workers share; its position survives restarts. One per consuming endpoint', examples: ['causeway-erp-events'] }),
    filterSubject: z.string().optional().meta({ description: 'Consume only these subjects of the stream (when the consumer is created)', examples: ['erp.acme.>'] }),
    deliverPolicy: z.enum(['all', 'new']).default('all').meta({ description: 'Where a newly created consumer starts: every stored message, or only new ones' }),
    batchSize: z.number().int().min(1).max(1000).default(100).meta({ description: 'Messages fetched, stored and acknowledged together' }),
    maxWaitMs: z.number().int().min(1000).max(60_000).default(1000).meta({ description: 'How long one fetch waits for messages; also how quickly a stopping worker lets go' }),
    ackWaitMs: z.number().int().min(1000).default(30_000)
      .meta({ description: 'An unacknowledged message (its worker died before the inbox commit) is redelivered after this long' }),
    maxAckPending: z.number().int().min(1).default(1000).meta({ description: 'Messages handed out and not yet acknowledged, across all workers' }),
  }).strict().optional().meta({ description: 'Present: the endpoint is a source that consumes the stream with a durable pull consumer and explicit acks' }),
}).strict();

export type NatsConfig = z.infer<typeof config>;

export const natsEndpoint = defineEndpoint({
  type: 'nats',
  description: 'NATS JetStream. As a target: publishes each document to <prefix>.<tenant>.<documentType> with its idempotency key as Nats-Msg-Id, delivered once the stream acknowledges. As a source (with `consume`): a durable pull consumer whose messages are acknowledged only after the inbox stored them.',
  config,
  defaultCodec: 'json',
  isSource: (c: NatsConfig) => c.consume !== undefined,
  createSink: (c: NatsConfig, ctx: EndpointContext): SinkRuntime => new NatsPublisher(c, ctx),
  createSource: (c: NatsConfig, ctx: EndpointContext): SourceRuntime => ({ listen: (accept, signal) => consumeStream(c, ctx, accept, signal) }),
});

/** Publishes with Nats-Msg-Id = idempotency key: a retry after a lost ack is dropped by the stream, so the effect happens once. */
class NatsPublisher implements SinkRuntime {
  private connection: Promise<NatsConnection> | undefined;

  constructor(private readonly c: NatsConfig, private readonly ctx: EndpointContext) {}

  /** Connected lazily: a server that is down at start makes deliveries retryable instead of stopping the hub. */
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
    const subject = `${this.c.subjectPrefix}.${subjectToken(m.tenant)}.${subjectToken(m.documentType)}`;
    let js: JetStreamClient;
    try {
      js = await this.jetstream();
    } catch (e) {
      return { kind: 'retryable', error: (e as Error).message };
    }
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
