import { z } from 'zod';
import { DOCUMENT_TYPES } from '../model/index.ts';

/**
 * Request and response shapes of the API. Requests are parsed with these, and the OpenAPI
 * document is generated from them, so the description cannot drift from what the code does.
 */

const isoTime = z.iso.datetime({ offset: true });
const time = isoTime.meta({ description: 'ISO-8601 time', examples: ['2026-11-22T09:00:00.000Z'] });
const nullableTime = time.nullable();
const id = z.number().int().positive();

// ---- shared pieces

export const apiError = z.object({
  code: z.string().meta({ description: 'Stable code for machines', examples: ['DOC_INVALID'] }),
  message: z.string().meta({ description: 'What was expected and what was found' }),
  path: z.string().optional().meta({ description: 'Where the fault is: a JSON path ($.lines[2].quantity), or query.<name>, header.<name>', examples: ['$.lines[0].quantity'] }),
  position: z.record(z.string(), z.union([z.string(), z.number()])).optional().meta({ description: 'Position in the raw input (line, column; X12 segment and element)' }),
}).meta({ description: 'One fault, with the field it is about' });

export const problem = z.object({
  type: z.string().meta({ description: 'URI naming the kind of problem', examples: ['https://causeway.dev/problems/invalid-documents'] }),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  errors: z.array(apiError).optional(),
  messageId: id.optional().meta({ description: 'The stored message, when the raw input was kept (quarantined, replayable)' }),
  documents: z.number().int().optional().meta({ description: 'Valid documents of that message that go on despite the errors of the others' }),
  kept: z.unknown().optional().meta({ description: 'On a 410: what retention kept of the message (its summary, when its parts were pruned, the archive file)' }),
}).meta({ description: 'RFC 9457 problem details (application/problem+json)' });

export const payload = z.object({
  encoding: z.enum(['utf8', 'base64', 'omitted']).meta({ description: 'utf8 when the bytes are valid UTF-8 text, else base64; omitted for a large message stored in chunks (data empty): read it from GET /v1/messages/{id}/raw' }),
  data: z.string(),
}).meta({ description: 'Stored bytes, shown as text when they are UTF-8' });

const messageStatus = z.enum(['pending', 'processed', 'quarantined']);
const deliveryStatus = z.enum(['pending', 'delivered', 'dead', 'superseded']).meta({ description: 'superseded: withdrawn before it was sent, a newer document of its key replaced it' });
const documentType = z.enum(DOCUMENT_TYPES as [string, ...string[]]);

export const message = z.object({
  id,
  tenant: z.string(),
  endpoint: z.string().meta({ description: 'Endpoint it came in through ("api" for POST /v1/documents)' }),
  codec: z.string(),
  contentType: z.string().nullable(),
  idempotencyKey: z.string().meta({ description: 'The sender\'s Idempotency-Key, or sha256:<content hash>' }),
  contentHash: z.string(),
  size: z.number().int().meta({ description: 'Bytes of the raw message' }),
  partnerRef: z.string().nullable(),
  receivedAt: time,
  processedAt: nullableTime,
  status: messageStatus,
  errors: z.array(apiError),
  warnings: z.array(apiError).meta({ description: 'What was read with an assumption or left out (an X12 unit taken as EA, an HL level skipped); the message went through' }),
  duplicates: z.number().int().meta({ description: 'How often the same message was sent again and recognised' }),
  generation: z.number().int().meta({ description: 'Increases with each replay' }),
  pruned: z.object({
    rawAt: nullableTime.meta({ description: 'When the raw bytes were pruned by retention (null: still kept)' }),
    documentsAt: nullableTime.meta({ description: 'When the documents, deliveries and attempts were pruned (null: still kept)' }),
    archive: z.string().nullable().meta({ description: 'The archive file they were written to before, when retention archives' }),
  }).optional().meta({ description: 'Present once retention pruned part of the message (docs/operations.md, "Retention")' }),
});

export const delivery = z.object({
  id,
  tenant: z.string(),
  messageId: id,
  documentId: z.string(),
  documentType,
  flow: z.string(),
  endpoint: z.string().meta({ description: 'Target endpoint' }),
  entityKey: z.string().meta({ description: 'Deliveries with one key reach the target in order' }),
  contentType: z.string(),
  idempotencyKey: z.string().meta({ description: 'Sent to the target with every attempt' }),
  status: deliveryStatus,
  attempts: z.number().int(),
  maxAttempts: z.number().int(),
  occurredAt: time,
  receivedAt: time,
  createdAt: time,
  availableAt: time.meta({ description: 'Next attempt not before' }),
  deliveredAt: nullableTime,
  partnerRef: z.string().nullable(),
  lastError: z.string().nullable(),
});

export const attempt = z.object({
  id,
  startedAt: time,
  finishedAt: time,
  outcome: z.enum(['delivered', 'retryable', 'permanent']),
  statusCode: z.number().int().nullable(),
  response: z.string().nullable().meta({ description: 'The start of the partner\'s answer' }),
  partnerRef: z.string().nullable(),
  error: z.string().nullable(),
  retryAt: nullableTime,
});

export const lineageDocument = z.object({
  id: z.string(),
  type: documentType,
  entityKey: z.string(),
  generation: z.number().int(),
  occurredAt: time,
  receivedAt: time,
  body: z.unknown().meta({ $ref: '#/components/schemas/CanonicalDocument', description: 'The canonical document as validated' }),
});

export const ruleVerdict = z.object({
  documentId: z.string(),
  documentType: z.string(),
  messageId: id,
  entityKey: z.string().nullable().meta({ description: 'The ledger it was decided against (order:SO-1, inbound:PO-1...); null when no rule keeps one for its type' }),
  verdict: z.enum(['apply', 'hold', 'refuse', 'stale']).meta({ description: 'apply: routed; hold: parked until what it waits for comes; refuse: dead-lettered; stale: recorded, not delivered' }),
  rule: z.string().meta({ description: 'The rule code (docs/rules.md), e.g. OVER_SHIPMENT' }),
  reason: z.string().meta({ description: 'The rule\'s sentence' }),
  path: z.string().optional().meta({ description: 'The field at fault, when one is' }),
  at: time,
}).meta({ description: 'The business rules\' verdict on one document' });

export const lineage = z.object({
  message: message.extend({ raw: payload }),
  documents: z.array(lineageDocument),
  deliveries: z.array(delivery.extend({ payload, attemptLog: z.array(attempt) })),
  verdicts: z.array(ruleVerdict).meta({ description: 'Each document\'s verdict from the business rules, oldest first (a held document has a second one when it is released)' }),
});

export const deadLetter = z.object({
  id,
  kind: z.enum(['delivery', 'message']).meta({ description: 'A delivery given up on, or a message (or part of one) quarantined' }),
  refId: id.meta({ description: 'The delivery id or message id' }),
  endpoint: z.string(),
  reason: z.string(),
  createdAt: time,
  replayedAt: nullableTime,
});

/** A page of items, newest first, and where the next (older) page starts. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({
  items: z.array(item),
  nextBefore: id.nullable().meta({ description: 'Pass as ?before= for the next (older) page; null on the last page' }),
});
export const messagePage = pageOf(message);
export const deliveryPage = pageOf(delivery);
export const deadLetterPage = pageOf(deadLetter);

export const documentsAccepted = z.object({
  messageId: id,
  duplicate: z.boolean(),
  documents: z.number().int().optional().meta({ description: 'Valid documents in the message (new messages)' }),
  status: messageStatus.optional().meta({ description: 'Where the original message is now (duplicates)' }),
});

export const messageAccepted = z.object({
  messageId: id.optional().meta({ description: 'The stored message; absent when a webhook was queued or ignored' }),
  duplicate: z.boolean(),
  queued: z.boolean().optional().meta({ description: 'A thin event: the endpoint fetches the resource at its next poll' }),
  ignored: z.boolean().optional().meta({ description: 'A topic the endpoint does not read' }),
  detail: z.string().optional(),
});
export const requeued = z.object({ requeued: z.number().int().meta({ description: 'How many went back to pending' }) });
export const health = z.object({ status: z.literal('ok') });

const percentiles = z.object({
  count: z.number().int(), p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable(), max: z.number().nullable(),
}).meta({ description: 'Milliseconds, nearest-rank percentiles; null with no sample' });

const accuracyFigure = z.object({ compared: z.number().int(), agreeing: z.number().int(), rate: z.number().nullable() });
const inventoryAccuracy = z.object({
  latest: z.object({ runId: z.number().int(), at: time, overall: accuracyFigure, byFacility: z.record(z.string(), accuracyFigure) }).nullable()
    .meta({ description: 'The newest reconciliation of every facility in the window: share of compared positions that agree after in-flight corrections' }),
  trend: z.array(z.object({ runId: z.number().int(), at: time, rate: z.number().nullable(), byFacility: z.record(z.string(), z.number().nullable()) }))
    .meta({ description: 'One point per reconciliation run in the window, oldest first (rate is null for a run of one facility)' }),
});

export const kpis = z.object({
  window: z.object({ from: time, to: time, seconds: z.number() }),
  syncLatencyMs: z.object({
    fromOccurred: percentiles.meta({ description: 'Event at the source (occurredAt) to delivered at the target' }),
    fromReceived: percentiles.meta({ description: 'Received by Causeway to delivered: Causeway\'s own share' }),
  }),
  orderToShipmentMs: percentiles.meta({ description: 'Sales order released at the ERP to its shipment at the warehouse (never negative)' }),
  orderToShipmentBeforeOrder: z.number().int().meta({ description: 'Shipments stamped before their order was released (a clock to check), counted at 0 ms in orderToShipmentMs' }),
  throughput: z.object({ delivered: z.number().int(), perMinute: z.number(), messages: z.number().int() }),
  errorRate: z.object({
    failedAttemptsPerThousand: z.number(),
    deadLettersPerThousandDeliveries: z.number(),
    quarantinedPerThousandMessages: z.number(),
  }),
  counts: z.object({ attempts: z.number().int(), failedAttempts: z.number().int(), deadLetters: z.number().int(), quarantined: z.number().int(), duplicates: z.number().int() }),
  backlog: z.array(z.object({ endpoint: z.string(), pending: z.number().int(), oldestAgeMs: z.number().nullable() })),
  inventoryAccuracy: inventoryAccuracy,
  rules: z.object({
    apply: z.number().int(), hold: z.number().int(), refuse: z.number().int(), stale: z.number().int(),
    superseded: z.number().int().meta({ description: 'Deliveries withdrawn because a newer document of their key replaced them' }),
  }).meta({ description: 'The business rules\' verdicts given in the window' }),
});

// ---- requests

export const limit = z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'At most this many, newest first (default 100)' });
export const before = z.coerce.number().int().positive().optional().meta({ description: 'Only ids below this (the previous page\'s nextBefore)' });
const from = isoTime.optional().meta({ description: 'Not before this time (ISO-8601)' });
const to = isoTime.optional().meta({ description: 'Before this time (ISO-8601)' });

export const idParams = z.object({ id: z.coerce.number().int().positive().meta({ description: 'Message id' }) });
export const endpointParams = z.object({ name: z.string().min(1).meta({ description: 'An endpoint of type http' }) });

export const listMessagesQuery = z.object({ status: messageStatus.optional(), endpoint: z.string().optional(), from, to, limit, before });
export const listDeliveriesQuery = z.object({
  status: deliveryStatus.optional(), endpoint: z.string().optional(), entityKey: z.string().optional(), type: documentType.optional(), from, to, limit, before,
});
export const deadLettersQuery = z.object({
  includeReplayed: z.enum(['true', 'false']).optional().meta({ description: 'Also list dead letters already replayed' }),
  limit, before,
});
export const KPI_WINDOWS = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export const kpisQuery = z.object({
  window: z.enum(Object.keys(KPI_WINDOWS) as [keyof typeof KPI_WINDOWS, ...Array<keyof typeof KPI_WINDOWS>]).default('1h')
    .meta({ description: 'How far back the figures reach' }),
});

export const replayWindowRequest = z.object({
  from: isoTime.meta({ description: 'Messages received at or after this time' }),
  to: isoTime.meta({ description: 'and before this time' }),
  endpoint: z.string().optional().meta({ description: 'Only messages that came in through this endpoint' }),
}).strict();

export const deadLetterReplayRequest = z.object({
  deliveryIds: z.array(id).min(1).max(10_000).optional().meta({ description: 'Dead deliveries to try again' }),
  all: z.literal(true).optional().meta({ description: 'Every dead delivery of the tenant' }),
}).strict().refine((r) => (r.deliveryIds === undefined) !== (r.all === undefined), { message: 'give either deliveryIds or all: true', path: [] })
  .meta({ description: 'Either deliveryIds or all: true' });

// ---- orders and expected inbound (the business rules' ledgers)

const decimal = z.string().meta({ description: 'An exact decimal quantity' });
const ledgerEvent = z.object({
  at: time,
  documentType: z.string(),
  documentId: z.string(),
  messageId: id,
  verdict: z.enum(['apply', 'hold', 'refuse', 'stale']),
  rule: z.string().meta({ description: 'The rule code (docs/rules.md)' }),
  reason: z.string(),
}).meta({ description: 'A document decided against the ledger, with its verdict' });
const stuck = z.object({
  rule: z.enum(['ACK_OVERDUE', 'SHIP_DATE_MISSED']),
  since: z.string().meta({ description: 'When it became late (ISO-8601)' }),
  reason: z.string(),
});
const heldDocument = z.object({
  documentId: z.string(), documentType: z.string(), waitingFor: z.enum(['order', 'inbound', 'release']), reason: z.string(), heldAt: z.string(),
}).meta({ description: 'A document parked on this ledger until what it waits for comes' });
const hold = z.object({ by: z.enum(['erp', 'warehouse', 'operator', 'rules']), reason: z.string(), since: z.string(), releasedAt: z.string().optional(), releasedBy: z.string().optional() })
  .meta({ description: 'A hold: who set it, why and since when; releasedAt once lifted' });
const orderState = z.enum(['open', 'partially_shipped', 'shipped', 'cancelled', 'held', 'closed', 'not_seen'])
  .meta({ description: 'not_seen: the order has not come from the ERP yet; documents for it, or a hold, wait on its ledger' });

export const orderSummary = z.object({
  orderNumber: z.string(),
  status: orderState,
  facility: z.string().nullable(),
  updatedAt: time,
  stuck: z.array(stuck).meta({ description: 'Why the order is stuck (no acknowledgment in time, ship date missed); empty when it is not' }),
});
export const orderList = z.object({
  items: z.array(orderSummary),
  nextAfter: z.string().nullable().meta({ description: 'Pass as ?after= for the next page; null on the last page' }),
});
export const orderView = orderSummary.extend({
  lines: z.array(z.object({
    lineNumber: z.string(), sku: z.string(), uom: z.string(), ordered: decimal, shipped: decimal, cancelled: decimal,
    open: decimal.meta({ description: 'Still to ship' }), backordered: decimal, overShipped: decimal,
  })),
  sent: z.object({
    state: z.enum(['not_sent', 'pending', 'sent', 'withdrawn']).meta({ description: 'pending: routed, not delivered yet; withdrawn: cancelled before it was delivered' }),
    routedAt: z.string().optional(), sentAt: z.string().optional(), endpoint: z.string().optional(),
  }),
  holds: z.array(hold),
  held: z.array(heldDocument),
  events: z.array(ledgerEvent).meta({ description: 'Every document decided against the order, in time order' }),
}).meta({ description: 'An order as Causeway knows it across the ERP and the warehouse' });

export const inboundSummary = z.object({
  reference: z.string().meta({ description: 'The purchase order (or ASN) number' }),
  status: z.enum(['expected', 'partially_received', 'received', 'short', 'over', 'held', 'not_seen'])
    .meta({ description: 'held: an operator holds it and nothing has been received; not_seen: the purchase order has not come from the ERP yet' }),
  facility: z.string().nullable(),
  updatedAt: time,
});
export const inboundList = z.object({ items: z.array(inboundSummary), nextAfter: z.string().nullable() });
export const inboundView = inboundSummary.extend({
  lines: z.array(z.object({
    lineNumber: z.string().optional(), sku: z.string(), uom: z.string(), expected: decimal, received: decimal, damaged: decimal, open: decimal,
    status: z.enum(['open', 'received', 'short', 'over']),
  })),
  holds: z.array(hold),
  held: z.array(heldDocument),
  events: z.array(ledgerEvent),
}).meta({ description: 'Expected inbound against what the warehouse received' });

const ledgerQuery = {
  facility: z.string().optional().meta({ description: 'Only those of this facility' }),
  from: isoTime.optional().meta({ description: 'Changed at or after this time (ISO-8601)' }),
  to: isoTime.optional().meta({ description: 'Changed before this time (ISO-8601)' }),
  limit: z.coerce.number().int().min(1).max(1000).optional().meta({ description: 'At most this many, by number (default 100)' }),
  after: z.string().optional().meta({ description: 'The previous page\'s nextAfter' }),
};
export const listOrdersQuery = z.object({
  status: z.enum(['open', 'partially_shipped', 'shipped', 'cancelled', 'held', 'closed', 'stuck']).optional()
    .meta({ description: 'stuck: not acknowledged in time or not shipped by the requested date' }),
  ...ledgerQuery,
});
export const listInboundQuery = z.object({ status: z.enum(['expected', 'partially_received', 'received', 'short', 'over', 'held']).optional(), ...ledgerQuery });
export const orderParams = z.object({ orderNumber: z.string().min(1).max(80).meta({ description: 'The order number' }) });
export const inboundParams = z.object({ reference: z.string().min(1).max(80).meta({ description: 'The purchase order (or ASN) number' }) });
export const holdRequest = z.object({
  reason: z.string().min(1).max(500).meta({ description: 'Why, as the order\'s (or inbound\'s) holds will show it', examples: ['customer on credit hold'] }),
}).strict();
