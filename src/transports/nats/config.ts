import { z } from 'zod';

// The settings of a nats endpoint, apart from the endpoint: its connection, stream and consumer setup reads them too.

/** A subject token or a JetStream name: no dots, wildcards or white space. */
const token = z.string().regex(/^[^\s.*>]+$/, 'no dots, wildcards (* >) or spaces');

export const natsConfig = z.object({
  servers: z.array(z.string().min(1).refine((server) => !/^[a-z][a-z0-9+.-]*:\/\/[^/@]*@/i.test(server), {
    error: 'no user or password in the server address: it is written in logs, errors and alerts; give them as user and password (or token)',
  })).min(1).default(['nats://127.0.0.1:4222'])
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

export type NatsConfig = z.infer<typeof natsConfig>;
