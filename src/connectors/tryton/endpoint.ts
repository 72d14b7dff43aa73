import { z } from 'zod';
import { formatError, validateDocument, type CanonicalDocument, type DocumentType } from '../../model/index.ts';
import type { DeliveryOutcome, EndpointContext, EndpointSpec, InboundMessage, OutboundMessage, PollResult, SinkRuntime, SourceRuntime } from '../../transports/index.ts';
import { OutboundGuard } from '../../transports/index.ts';
import { requireAccess, type TrytonAccess } from './access.ts';
import { isTrytonError, TrytonError } from './errors.ts';
import { REFERENCE_QUALIFIERS, type TrytonOptions } from './options.ts';
import { applyReceipt, PURCHASE_ORDER_ACCESS, readPurchaseOrders, RECEIPT_ACCESS } from './purchases.ts';
import type { ReadResult } from './read-items.ts';
import { ITEM_ACCESS, readItems } from './read-items.ts';
import { ORDER_CANCEL_ACCESS, readOrderCancels, readSalesOrders, SALES_ORDER_ACCESS } from './read-sales-orders.ts';
import { applyReturnReceipt, readReturnAuthorizations, RETURN_AUTHORIZATION_ACCESS, RETURN_RECEIPT_ACCESS } from './returns.ts';
import { TrytonRpc } from './rpc.ts';
import { ADJUSTMENT_ACCESS, applyInventoryAdjustment, readInventorySnapshot, SNAPSHOT_ACCESS } from './stock.ts';
import { applyOrderStatus, ORDER_STATUS_ACCESS } from './order-status.ts';
import { applyShipment, SHIPMENT_ACCESS, type WriteResult } from './write-shipment.ts';
import { serviceUrl } from '../../transports/outbound/url.ts';

/** What the endpoint can read from Tryton by change stamp, each from the Tryton model whose changes it follows. */
const READERS = {
  item: { model: 'product.template', read: readItems, access: ITEM_ACCESS },
  sales_order: { model: 'stock.shipment.out', read: readSalesOrders, access: SALES_ORDER_ACCESS },
  order_cancel: { model: 'stock.shipment.out', read: readOrderCancels, access: ORDER_CANCEL_ACCESS },
  purchase_order: { model: 'purchase.purchase', read: readPurchaseOrders, access: PURCHASE_ORDER_ACCESS },
  return_authorization: { model: 'stock.shipment.out.return', read: readReturnAuthorizations, access: RETURN_AUTHORIZATION_ACCESS },
} satisfies Record<string, TrytonReader>;

export type TrytonReadType = keyof typeof READERS;
export const TRYTON_READ_TYPES = Object.keys(READERS) as [TrytonReadType, ...TrytonReadType[]];
/** Everything `produce` may list: the documents read by change stamp, and stock read whole on a schedule. */
export const TRYTON_PRODUCE_TYPES = [...TRYTON_READ_TYPES, 'inventory_snapshot'] as const;
export type TrytonProduceType = (typeof TRYTON_PRODUCE_TYPES)[number];

/** What the endpoint applies to Tryton, by canonical document type. */
type Writer<T extends CanonicalDocument['type']> = { apply: (rpc: TrytonRpc, document: Extract<CanonicalDocument, { type: T }>, options: TrytonOptions) => Promise<WriteResult>; access: TrytonAccess };
const WRITERS: { [T in CanonicalDocument['type']]?: Writer<T> } = {
  shipment: { apply: applyShipment, access: SHIPMENT_ACCESS },
  receipt: { apply: applyReceipt, access: RECEIPT_ACCESS },
  inventory_adjustment: { apply: applyInventoryAdjustment, access: ADJUSTMENT_ACCESS },
  return_receipt: { apply: applyReturnReceipt, access: RETURN_RECEIPT_ACCESS },
  order_status: { apply: applyOrderStatus, access: ORDER_STATUS_ACCESS },
};
export const TRYTON_WRITE_TYPES = Object.keys(WRITERS) as DocumentType[];

/**
 * A poll that only passes records nothing is made of (other warehouses, services, backorders, at the
 * warehouse shipments Causeway did not send) reads on, up to this many pages, so catching up after
 * downtime does not wait a poll interval per empty page.
 */
const PAGES_PER_POLL = 10;

const config = z.object({
  url: serviceUrl.meta({ description: 'Tryton server root, where its JSON-RPC answers', examples: ['http://127.0.0.1:8000', 'https://erp.example.com'] }),
  database: z.string().min(1).meta({ description: 'Tryton database name', examples: ['production'] }),
  user: z.string().min(1).meta({ description: 'Tryton login the connector acts as', examples: ['causeway'] }),
  password: z.string().min(1).meta({
    description: 'That user\'s password; use ${ENV} so it never sits in the file. Sent only in the login call, never logged',
    examples: ['${TRYTON_PASSWORD}'],
  }),
  warehouses: z.record(z.string().min(1), z.string().min(1)).refine((w) => Object.keys(w).length > 0, { message: 'map at least one Tryton warehouse to a facility' })
    .refine((w) => new Set(Object.values(w)).size === Object.values(w).length, { message: 'each facility may be mapped from one Tryton warehouse only' })
    .meta({ description: 'Tryton warehouse code (stock.location of type warehouse) -> facility code. Records of other warehouses are skipped on read and refused on write', examples: [{ WH: 'DC1' }] }),
  units: z.record(z.string().min(1), z.string().min(1)).default({})
    .meta({ description: 'Tryton unit symbol -> canonical unit, beyond the defaults (u -> EA, kg -> KG, g, l, m...)', examples: [{ box: 'BX' }] }),
  produce: z.array(z.enum(TRYTON_PRODUCE_TYPES)).default([]).refine((p) => new Set(p).size === p.length, { message: 'list each document type once' })
    .meta({ description: `Document types to read from Tryton, each by its own change cursor (${TRYTON_READ_TYPES.join(', ')}), and inventory_snapshot: the stock of each mapped warehouse, as of the poll, every snapshotEveryMs. Empty: the endpoint only applies documents to Tryton`, examples: [['item', 'sales_order', 'order_cancel', 'purchase_order', 'return_authorization', 'inventory_snapshot']] }),
  snapshotEveryMs: z.number().int().min(0).default(900_000)
    .meta({ description: 'With inventory_snapshot in produce: how often Tryton\'s stock is read, per mapped warehouse (0: at every poll)' }),
  shipmentReferenceQualifier: z.string().regex(/^[A-Z0-9]{2,3}$/, 'expected an X12 reference qualifier: two or three capital letters or digits').default(REFERENCE_QUALIFIERS.shipment)
    .meta({ description: 'Qualifier of the reference carrying the Tryton customer shipment\'s number on orders and cancels (an X12 940 writes it as N9-01): SI, the shipper\'s identifying number for the shipment, unless the warehouse expects another', examples: ['SI', 'IL'] }),
  pageSize: z.number().int().min(1).max(1000).default(100).meta({ description: 'Tryton records read per call and document type' }),
  timeoutMs: z.number().int().positive().max(300_000).default(30_000).meta({ description: 'Time allowed for one Tryton call; a call that takes longer fails as retryable' }),
}).strict();

export type TrytonEndpointConfig = z.infer<typeof config>;
/** The settings of the Tryton connection itself, shared with the warehouse role (tryton-wms). */
export const trytonConnectionConfig = config.pick({ url: true, database: true, user: true, password: true, warehouses: true, units: true, snapshotEveryMs: true, pageSize: true, timeoutMs: true });

export const trytonEndpoint = trytonRole<TrytonEndpointConfig>({
  type: 'tryton',
  description: 'Tryton ERP over JSON-RPC: reads items, sales orders, cancels, purchases and returns by change stamp, and applies shipments, receipts, inventory adjustments and return receipts.',
  config,
  readers: READERS,
  writers: WRITERS as WriterTable,
  where: 'Tryton',
});

/**
 * A role a Tryton database plays (the ERP, the warehouse) as an endpoint: what it reads by change stamp
 * and what it applies, over one connection. `where` names the role in errors ("the Tryton warehouse").
 */
export function trytonRole<C extends Pick<TrytonEndpointConfig, keyof typeof trytonConnectionConfig.shape> & { produce: readonly DocumentType[] }>(role: {
  type: string; description: string; config: z.ZodType<C>; defaultCodec?: string;
  readers: Readonly<Record<string, TrytonReader>>; writers: WriterTable; where: string;
}): EndpointSpec<C> {
  const { readers, writers, where, ...spec } = role;
  return {
    ...spec,
    defaultPollIntervalMs: 2000,
    produces: (c) => c.produce,
    accepts: Object.keys(writers) as DocumentType[],
    canonicalOnly: true,
    createSource: (c, ctx) => sourceReading(readers, connect(c, ctx), optionsOf(c, ctx), c, where),
    createSink: (c, ctx) => sinkApplying(writers, connect(c, ctx), optionsOf(c, ctx), ctx, where),
  };
}

export function connect(c: Pick<TrytonEndpointConfig, 'url' | 'database' | 'user' | 'password' | 'timeoutMs'>, ctx: EndpointContext): TrytonRpc {
  const dispatcher = new OutboundGuard(ctx.name, ctx.outbound).agent({ connect: { timeout: c.timeoutMs } });
  return new TrytonRpc({ url: c.url, database: c.database, user: c.user, password: c.password, timeoutMs: c.timeoutMs, dispatcher });
}

export function optionsOf(c: Pick<TrytonEndpointConfig, 'warehouses' | 'units' | 'pageSize'> & Partial<Pick<TrytonEndpointConfig, 'shipmentReferenceQualifier'>>, ctx: EndpointContext): TrytonOptions {
  return { tenant: ctx.tenant, endpoint: ctx.name, warehouses: c.warehouses, units: c.units, pageSize: c.pageSize, ...(c.shipmentReferenceQualifier ? { shipmentReferenceQualifier: c.shipmentReferenceQualifier } : {}) };
}

/**
 * The engine keeps one cursor per endpoint: here, a JSON object of one Tryton cursor per document
 * type, and for inventory_snapshot the time the last snapshot was taken.
 */
export function parseCursors(stored: string | null): Partial<Record<TrytonProduceType, string>> {
  if (!stored) return {};
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    throw new TypeError(`not a Tryton endpoint cursor (expected a JSON object of cursors by document type): ${stored}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new TypeError(`not a Tryton endpoint cursor (expected a JSON object of cursors by document type): ${stored}`);
  }
  return value as Partial<Record<TrytonProduceType, string>>;
}

/**
 * One inbox message per document. Its idempotency key is the document's id, which names the
 * Tryton record and its change stamp: reading the same version again (a crash before the cursor
 * was stored) is a duplicate to the inbox, a later change is a new message.
 */
export function toMessage(document: CanonicalDocument, database: string, model: string): InboundMessage {
  const recordId = document.id.slice(`tryton:${database}:${model}:`.length).split(':')[0];
  return {
    body: Buffer.from(JSON.stringify(document)),
    codec: 'json',
    contentType: 'application/json',
    idempotencyKey: document.id,
    partnerRef: `${model},${recordId}`,
  };
}

/**
 * Tryton's stock of every mapped warehouse, as of now, when the last snapshot is snapshotEveryMs
 * old (or there is none): one full snapshot per facility, for reconciliation against the
 * warehouse's own. Each is sent, changed or not: it says what Tryton held at that time.
 */
/** Reads one document type from Tryton by change stamp: the model, the access it needs, a page after a cursor. */
export interface TrytonReader {
  model: string;
  access: TrytonAccess;
  read(rpc: TrytonRpc, cursor: string | undefined, options: TrytonOptions): Promise<ReadResult<CanonicalDocument>>;
}

/**
 * A Tryton source, the ERP's or the warehouse's: each poll reads every type it produces on from its
 * cursor (up to PAGES_PER_POLL pages), stock snapshots on their own schedule. `where` names the
 * database's role in an access error ("reading shipment from Tryton production").
 */
export function sourceReading(
  readers: Readonly<Record<string, TrytonReader>>, rpc: TrytonRpc, options: TrytonOptions,
  c: Pick<TrytonEndpointConfig, 'database' | 'warehouses' | 'snapshotEveryMs'> & { produce: readonly string[] }, where: string,
): SourceRuntime {
  const access = new AccessCheck(rpc);
  return { poll: (stored) => pollReaders(readers, rpc, options, access, c, stored, where) };
}

async function pollReaders(
  readers: Readonly<Record<string, TrytonReader>>, rpc: TrytonRpc, options: TrytonOptions, access: AccessCheck,
  c: Pick<TrytonEndpointConfig, 'database' | 'warehouses' | 'snapshotEveryMs'> & { produce: readonly string[] }, stored: string | null, where: string,
): Promise<PollResult> {
  const cursors: Record<string, string | undefined> = parseCursors(stored);
  const messages: InboundMessage[] = [];
  for (const type of c.produce) {
    if (type === 'inventory_snapshot') {
      const taken = await readSnapshots(rpc, c, options, access, cursors.inventory_snapshot);
      messages.push(...taken.messages);
      if (taken.at) cursors.inventory_snapshot = taken.at;
      continue;
    }
    const reader = readers[type]!;
    await access.require(type, reader.access, `reading ${type} from ${where} ${c.database}`);
    let cursor = cursors[type];
    for (let page = 0; page < PAGES_PER_POLL; page++) {
      const { documents, nextCursor } = await reader.read(rpc, cursor, options);
      messages.push(...documents.map((d) => toMessage(d, rpc.database, reader.model)));
      const moved = nextCursor !== cursor;
      cursor = nextCursor;
      if (documents.length > 0 || !moved) break;
    }
    if (cursor !== undefined) cursors[type] = cursor;
  }
  return { messages, cursor: JSON.stringify(cursors) };
}

export async function readSnapshots(rpc: TrytonRpc, c: Pick<TrytonEndpointConfig, 'database' | 'warehouses' | 'snapshotEveryMs'>, options: TrytonOptions, access: AccessCheck, last: string | undefined): Promise<{ messages: InboundMessage[]; at?: string }> {
  const now = new Date();
  if (last !== undefined && now.getTime() - Date.parse(last) < c.snapshotEveryMs) return { messages: [] };
  await access.require('inventory_snapshot', SNAPSHOT_ACCESS, `reading stock from Tryton ${c.database}`);
  const messages: InboundMessage[] = [];
  for (const facility of Object.values(c.warehouses)) {
    const snapshot = await readInventorySnapshot(rpc, facility, { ...options, now: () => now });
    messages.push({
      body: Buffer.from(JSON.stringify(snapshot)),
      codec: 'json',
      contentType: 'application/json',
      idempotencyKey: snapshot.id,
      partnerRef: `stock ${snapshot.source.partnerRef} ${snapshot.asOf}`,
    });
  }
  return { messages, at: now.toISOString() };
}

/**
 * Whether the Tryton user may do what a document type needs, asked of Tryton before the first
 * read or write of that type and remembered once granted. A refusal is asked again next time, so
 * granting the group in Tryton is enough: no restart.
 */
export class AccessCheck {
  private readonly granted = new Set<string>();
  constructor(private readonly rpc: TrytonRpc) {}

  async require(type: string, needs: TrytonAccess, doing: string): Promise<void> {
    if (this.granted.has(type)) return;
    try {
      await requireAccess(this.rpc, needs);
    } catch (error) {
      if (!isTrytonError(error) || error.code !== 'TRYTON_ACCESS') throw error;
      throw new TrytonError(error.code, `${doing}: ${error.message}`);
    }
    this.granted.add(type);
  }
}

export type WriterTable = { [T in CanonicalDocument['type']]?: { apply: (rpc: TrytonRpc, document: Extract<CanonicalDocument, { type: T }>, options: TrytonOptions) => Promise<WriteResult>; access: TrytonAccess } };

/** A sink that applies each canonical document with the writer of its type, after checking the user may do all it needs. */
export function sinkApplying(writers: WriterTable, rpc: TrytonRpc, options: TrytonOptions, ctx: EndpointContext, label: string): SinkRuntime {
  const types = Object.keys(writers);
  const access = new AccessCheck(rpc);
  return {
    async deliver(message: OutboundMessage): Promise<DeliveryOutcome> {
      let raw: unknown;
      try {
        raw = JSON.parse(message.payload.toString('utf8'));
      } catch (error) {
        return { kind: 'permanent', error: `${ctx.name}: a Tryton endpoint takes canonical documents as JSON; this ${message.documentType} is not JSON: ${(error as Error).message}` };
      }
      const validated = validateDocument(raw);
      if (!validated.ok) {
        return { kind: 'permanent', error: `${ctx.name}: not a canonical ${message.documentType} document (is a mapping applied on this flow?): ${validated.errors.map(formatError).join('; ')}` };
      }
      const document = validated.document;
      const writer = writers[document.type] as { apply: (rpc: TrytonRpc, document: CanonicalDocument, options: TrytonOptions) => Promise<WriteResult>; access: TrytonAccess } | undefined;
      if (!writer) {
        return { kind: 'permanent', error: `${ctx.name}: ${label} does not take ${document.type} documents (it takes ${types.join(', ')})` };
      }
      const doing = `applying ${document.type} ${documentReference(document)} to ${label} ${rpc.database}`;
      try {
        // Every step the document needs is allowed, or nothing is written: a missing group found
        // half-way would leave Tryton half-changed.
        await access.require(document.type, writer.access, doing);
        const { partnerRef, said } = await writer.apply(rpc, document, options);
        if (said) ctx.logger.info({ endpoint: ctx.name, documentType: document.type, partnerRef }, `${doing}: ${said}`);
        return { kind: 'delivered', partnerRef };
      } catch (error) {
        if (!isTrytonError(error)) throw error;
        const outcome = { error: error.code === 'TRYTON_ACCESS' ? error.message : `${doing}: ${error.message}`, response: error.code };
        return error.retryable ? { kind: 'retryable', ...outcome } : { kind: 'permanent', ...outcome };
      }
    },
  };
}

function documentReference(document: CanonicalDocument): string {
  switch (document.type) {
    case 'shipment': return `${document.shipmentNumber} for order ${document.orderNumber}`;
    case 'receipt': return `${document.receiptNumber}${document.poNumber ? ` for purchase ${document.poNumber}` : ''}`;
    case 'inventory_adjustment': return document.adjustmentNumber;
    case 'return_receipt': return `for return ${document.rmaNumber}`;
    case 'sales_order': case 'order_cancel': case 'order_status': return `for order ${document.orderNumber}`;
    case 'purchase_order': return document.poNumber;
    case 'item': return document.sku;
    default: return document.entityKey;
  }
}
