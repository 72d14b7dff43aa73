import { formatError, validateDocument, type CanonicalDocument, type OrderCancel } from '../../model/index.ts';
import type { DeliveryOutcome, OutboundMessage } from '../../transports/index.ts';
import { orderInWords, orderReferencesOf, warehouseOrderReference } from './backorders.ts';
import { isWmsError, outcomeOf, profileFault, rejected, WmsError } from './errors.ts';
import { answerInput, type WmsAnswer } from './http.ts';
import type { RecordKind, RecordSpec, WriteSpec } from './profile.ts';
import type { EndpointRuntime } from './runtime.ts';

/**
 * The sink: each canonical document becomes the warehouse's operation on one of its records, the
 * record found by our reference (the order number, the PO number, the SKU). Every write is
 * idempotent on that reference: a create first looks the reference up, so a create retried after
 * a lost answer finds what the first attempt made instead of making a second; an API that refuses
 * a duplicate reference is answered the same way. Updates and cancels read the record first and
 * send its ETag as If-Match when the API versions records; a 412 (changed meanwhile) is retryable,
 * and the next attempt reads it afresh.
 *
 * The canonical model has no document for cancelling expected inbound nor for holding an order, so:
 * - an `order_cancel` with the reference { qualifier: "cancels", value: "purchase_order" } cancels
 *   the expected inbound (receiver, WRO) whose reference is its orderNumber;
 * - an `order_status` with status on_hold holds the order, released releases it.
 *
 * The ERP's backorder of an order, and a cancel, hold or release marked with it, goes to the
 * order of its own the backorder is at the warehouse, under a reference derived from the
 * document (backorders.ts). The request body sees that reference as the document's orderNumber.
 */
export const CANCELS_PURCHASE_ORDER = { qualifier: 'cancels', value: 'purchase_order' } as const;

export async function deliverDocument(rt: EndpointRuntime, message: OutboundMessage, signal: AbortSignal): Promise<DeliveryOutcome> {
  let raw: unknown;
  try {
    raw = JSON.parse(message.payload.toString('utf8'));
  } catch (error) {
    return { kind: 'permanent', error: `${rt.name}: a wms-rest endpoint takes canonical documents as JSON; this ${message.documentType} is not JSON: ${(error as Error).message}` };
  }
  const validated = validateDocument(raw);
  if (!validated.ok) {
    return { kind: 'permanent', error: `${rt.name}: not a canonical ${message.documentType} document: ${validated.errors.map(formatError).join('; ')}` };
  }
  const doc = validated.document;
  const doing = `${describe(doc)} at ${rt.name} (${rt.profile.name})`;
  try {
    return await apply(rt, doc, message, signal);
  } catch (error) {
    if (!isWmsError(error)) throw error;
    return outcomeOf(error, doing);
  }
}

async function apply(rt: EndpointRuntime, doc: CanonicalDocument, message: OutboundMessage, signal: AbortSignal): Promise<DeliveryOutcome> {
  const writer = new RecordWriter(rt, message, signal);
  const orderReference = (d: { orderNumber: string; extensions?: Record<string, unknown> }) =>
    warehouseOrderReference(orderReferencesOf(rt.profile, rt.settings.backorderSuffix), d);
  switch (doc.type) {
    case 'sales_order': {
      const reference = orderReference(doc);
      return writer.create('order', reference, { ...doc, orderNumber: reference }, doc.purpose === 'replace');
    }
    case 'purchase_order':
      return writer.create('inbound', doc.poNumber, doc, false);
    case 'item':
      return writer.create('item', doc.sku, doc, true);
    case 'order_cancel': {
      if (doc.lines.length > 0) throw rejected(`the profile cancels whole orders; this cancel names ${doc.lines.length} line(s)`);
      if (cancelsInbound(doc)) return writer.act('inbound', 'cancel', doc.orderNumber, doc);
      return writer.act('order', 'cancel', orderReference(doc), doc);
    }
    case 'order_status':
      if (doc.status === 'on_hold') return writer.act('order', 'hold', orderReference(doc), doc);
      if (doc.status === 'released') return writer.act('order', 'release', orderReference(doc), doc);
      throw rejected(`an order_status applied to the warehouse holds (on_hold) or releases (released) an order; ${doc.status} is the warehouse's to report`);
    default:
      throw rejected(`a wms-rest endpoint does not take ${doc.type} documents`);
  }
}

function cancelsInbound(doc: OrderCancel): boolean {
  return doc.references.some((r) => r.qualifier === CANCELS_PURCHASE_ORDER.qualifier && r.value === CANCELS_PURCHASE_ORDER.value);
}

const WHAT: Record<RecordKind, string> = { order: 'order', inbound: 'expected inbound', item: 'item' };

class RecordWriter {
  constructor(private readonly rt: EndpointRuntime, private readonly message: OutboundMessage, private readonly signal: AbortSignal) {}

  /**
   * Creates the record unless the warehouse has one with this reference; then it is updated when
   * `update` asks for it (a replacing order, an item upsert) and the profile can, else left as is.
   */
  async create(kind: RecordKind, reference: string, doc: CanonicalDocument, update: boolean): Promise<DeliveryOutcome> {
    const record = this.record(kind);
    const existing = await this.find(kind, record, reference);
    if (existing !== undefined) {
      if (update && record.update) await this.perform(kind, 'update', record.update, record, reference, existing, doc);
      return { kind: 'delivered', partnerRef: existing };
    }
    let answer: WmsAnswer | undefined;
    try {
      answer = (await this.perform(kind, 'create', record.create, record, reference, undefined, doc)).answer;
    } catch (error) {
      if (!(error instanceof WmsError) || error.status === undefined || !record.create.duplicate.includes(error.status)) throw error;
      // The warehouse already has this reference: made by an attempt whose answer was lost, or by hand.
      const found = await this.find(kind, record, reference, true);
      if (found === undefined) throw error;
      return { kind: 'delivered', partnerRef: found, statusCode: error.status };
    }
    const id = answer && record.create.id
      ? await this.rt.expressions.evaluate(record.create.id, answerInput(answer), `records.${kind}.create.id`)
      : undefined;
    if (id !== undefined && id !== null && id !== '') this.rt.references.set(kind, reference, String(id));
    return { kind: 'delivered', partnerRef: id === undefined || id === null ? undefined : String(id), statusCode: answer?.status };
  }

  /** Cancels, holds or releases the record with this reference. */
  async act(kind: RecordKind, operation: 'cancel' | 'hold' | 'release', reference: string, doc: CanonicalDocument): Promise<DeliveryOutcome> {
    const record = this.record(kind);
    const write = record[operation];
    if (!write) throw profileFault(`profile ${this.rt.profile.name} has no ${operation} for ${WHAT[kind]} records`);
    const id = await this.find(kind, record, reference);
    if (id === undefined) throw rejected(`the warehouse has no ${WHAT[kind]} with reference ${reference} to ${operation}`);
    const { answer } = await this.perform(kind, operation, write, record, reference, id, doc);
    return { kind: 'delivered', partnerRef: id, statusCode: answer?.status };
  }

  private record(kind: RecordKind): RecordSpec {
    const record = this.rt.profile.records[kind];
    if (!record) throw profileFault(`profile ${this.rt.profile.name} has no ${WHAT[kind]} records`);
    return record;
  }

  /** The warehouse's id of the record with our reference, from the cache or by looking it up. */
  private async find(kind: RecordKind, record: RecordSpec, reference: string, fresh = false): Promise<string | undefined> {
    if (!fresh) {
      const known = this.rt.references.get(kind, reference);
      if (known !== undefined) return known;
    }
    const { expressions } = this.rt;
    const answer = await this.rt.send(this.rt.request(record.find, { reference }), this.signal);
    for (const item of await expressions.list(record.find.items, answer.body, `records.${kind}.find.items`)) {
      // A filter may match more loosely than equality (a prefix, a case-insensitive match).
      if (String(await expressions.evaluate(record.find.reference, item, `records.${kind}.find.reference`)) !== reference) continue;
      const id = await expressions.evaluate(record.find.id, item, `records.${kind}.find.id`);
      if (id === undefined || id === null || id === '') throw new WmsError('WMS_PROTOCOL', `the ${WHAT[kind]} ${reference} found at the warehouse has no id where the profile reads it`);
      this.rt.references.set(kind, reference, String(id));
      return String(id);
    }
    this.rt.references.forget(kind, reference);
    return undefined;
  }

  private async perform(kind: RecordKind, operation: string, write: WriteSpec, record: RecordSpec, reference: string, id: string | undefined, doc: CanonicalDocument)
    : Promise<{ answer?: WmsAnswer }> {
    const { rt } = this;
    const where = `records.${kind}.${operation}`;
    let current: unknown;
    let etag: string | undefined;
    if (write.current || write.ifMatch) {
      if (!record.get || id === undefined) throw profileFault(`profile ${rt.profile.name}: ${where} reads the record first, and the ${WHAT[kind]} record has no get`);
      const answer = await rt.send(rt.request(record.get, { id, reference }), this.signal);
      current = answer.body;
      etag = answer.headers.get('etag') ?? undefined;
    }
    if (write.done && current !== undefined && await rt.expressions.evaluate(write.done, current, `${where}.done`)) return {};
    const body = write.body === undefined ? undefined : await rt.expressions.evaluate(write.body, { doc, current, id, vars: rt.vars }, `${where}.body`);
    const values: Record<string, string> = id === undefined ? { reference } : { id, reference };
    const request = rt.request(write, values, body);
    if (write.ifMatch) {
      if (!etag) throw new WmsError('WMS_PROTOCOL', `the ${WHAT[kind]} ${reference} was read without an ETag, which ${where} sends as If-Match`);
      request.headers = { ...request.headers, 'if-match': etag };
    }
    if (write.idempotencyHeader) request.headers = { ...request.headers, [write.idempotencyHeader]: this.message.idempotencyKey };
    try {
      return { answer: await rt.send(request, this.signal) };
    } catch (error) {
      if (error instanceof WmsError && error.code === 'WMS_PRECONDITION_FAILED') {
        throw new WmsError('WMS_PRECONDITION_FAILED', `the ${WHAT[kind]} ${reference} changed at the warehouse between reading it and ${operation} (HTTP 412); the next attempt reads it again`, { status: 412, response: error.response });
      }
      throw error;
    }
  }
}

function describe(doc: CanonicalDocument): string {
  switch (doc.type) {
    case 'sales_order': return `creating ${orderInWords(doc)}`;
    case 'purchase_order': return `creating expected inbound ${doc.poNumber}`;
    case 'item': return `upserting item ${doc.sku}`;
    case 'order_cancel': return `cancelling ${cancelsInbound(doc) ? `expected inbound ${doc.orderNumber}` : orderInWords(doc)}`;
    case 'order_status': return `${doc.status === 'on_hold' ? 'holding' : doc.status === 'released' ? 'releasing' : 'applying status to'} ${orderInWords(doc)}`;
    default: return `applying ${doc.type} ${doc.entityKey}`;
  }
}
