// Warehouse stories for the rules' tests: canonical documents built the way an ERP or a warehouse
// sends them, and a desk that decides them the way the pipeline will (one ledger per entity key,
// held documents decided again when released, deliveries recorded when told).
import {
  decide, DEFAULT_RULES_POLICY, ledgerKeyFor, parseRulesPolicy, recordSent,
  type DecideContext, type Decision, type InboundLedger, type Ledger, type OrderLedger, type RulesPolicy, type StateLedger,
} from '../../../src/engine/rules/index.ts';
import { validateDocument, type CanonicalDocument } from '../../../src/model/index.ts';

/** Stories happen on one made-up day; the rules never read the clock, so no test meets the real one. */
const DAY = Date.parse('2026-11-23T08:00:00Z');
export const at = (minutes: number): string => new Date(DAY + minutes * 60_000).toISOString();

let made = 0;

export function document(fields: Record<string, unknown>, minute = 0): CanonicalDocument {
  const checked = validateDocument({
    tenant: 'acme', id: `doc-${++made}`, source: { endpoint: 'test' }, entityKey: '-', occurredAt: at(minute), receivedAt: at(minute), ...fields,
  });
  if (!checked.ok) throw new Error(`test document is not valid: ${JSON.stringify(checked.errors)}`);
  return checked.document;
}

export const ADDRESS = { name: 'Northwind DC', lines: ['12 Harbour Road'], city: 'Rotterdam', postalCode: '3011', country: 'NL' };

type OrderLineSpec = [sku: string, quantity: string, uom?: string, more?: Record<string, unknown>];

export function salesOrder(orderNumber: string, lines: OrderLineSpec[], more: Record<string, unknown> = {}, minute = 0): CanonicalDocument {
  return document({
    type: 'sales_order', orderNumber, shipTo: ADDRESS, carrier: { scac: 'UPSN', service: 'GROUND' }, requestedShipDate: '2026-11-24',
    lines: lines.map(([sku, quantity, uom = 'EA', extra = {}], i) => ({ lineNumber: i + 1, sku, quantity, uom, ...extra })),
    ...more,
  }, minute);
}

type ShippedSpec = [lineNumber: number | string, sku: string, quantity: string, more?: Record<string, unknown>];

export function shipment(orderNumber: string, shipmentNumber: string, lines: ShippedSpec[], more: Record<string, unknown> = {}, minute = 60): CanonicalDocument {
  return document({
    type: 'shipment', shipmentNumber, orderNumber, facility: 'AMS1', shippedAt: at(minute),
    lines: lines.map(([lineNumber, sku, quantity, extra = {}]) => ({ lineNumber, sku, quantity, uom: 'EA', ...extra })),
    ...more,
  }, minute);
}

export function orderStatus(orderNumber: string, status: string, more: Record<string, unknown> = {}, minute = 30): CanonicalDocument {
  return document({ type: 'order_status', orderNumber, status, ...more }, minute);
}

export function orderCancel(orderNumber: string, more: Record<string, unknown> = {}, minute = 20): CanonicalDocument {
  return document({ type: 'order_cancel', orderNumber, ...more }, minute);
}

export function purchaseOrder(poNumber: string, lines: OrderLineSpec[], more: Record<string, unknown> = {}, minute = 0): CanonicalDocument {
  return document({
    type: 'purchase_order', poNumber, facility: 'AMS1',
    lines: lines.map(([sku, quantity, uom = 'EA', extra = {}], i) => ({ lineNumber: i + 1, sku, quantity, uom, ...extra })),
    ...more,
  }, minute);
}

type ReceivedSpec = [lineNumber: number | string | undefined, sku: string, quantity: string, more?: Record<string, unknown>];

export function receipt(poNumber: string | undefined, receiptNumber: string, lines: ReceivedSpec[], more: Record<string, unknown> = {}, minute = 120): CanonicalDocument {
  return document({
    type: 'receipt', receiptNumber, ...(poNumber ? { poNumber } : {}), facility: 'AMS1',
    lines: lines.map(([lineNumber, sku, quantity, extra = {}]) => ({ ...(lineNumber === undefined ? {} : { lineNumber }), sku, quantity, uom: 'EA', ...extra })),
    ...more,
  }, minute);
}

/** The same document sent again: a new Causeway id, received later, as a partner's resend would be. */
export function resend(original: CanonicalDocument, changes: Record<string, unknown> = {}, minute = 240): CanonicalDocument {
  const { id: _id, receivedAt: _r, ...rest } = original as unknown as Record<string, unknown>;
  return document({ ...rest, ...changes, occurredAt: at(minute), receivedAt: at(minute) }, minute);
}

export interface Logged {
  document: CanonicalDocument;
  decision: Decision<Ledger | undefined>;
  /** Decided again because a decision released it. */
  released: boolean;
}

/** Decides documents the way the pipeline will, keeping ledgers by entity key. */
export class Desk {
  readonly policy: RulesPolicy;
  readonly ledgers = new Map<string, Ledger>();
  readonly log: Logged[] = [];
  private readonly documents = new Map<string, CanonicalDocument>();

  constructor(policy: Record<string, unknown> | RulesPolicy = DEFAULT_RULES_POLICY, readonly context: DecideContext = {}) {
    this.policy = parseRulesPolicy(policy);
  }

  /** Decides a document received now (its receivedAt), then what its decision released. */
  decide(doc: CanonicalDocument, context: DecideContext = {}): Decision<Ledger | undefined> {
    return this.decideAt(doc, doc.receivedAt, context, false);
  }

  private decideAt(doc: CanonicalDocument, now: string, context: DecideContext, released: boolean): Decision<Ledger | undefined> {
    this.documents.set(doc.id, doc);
    const key = ledgerKeyFor(doc)?.entityKey;
    const decision = decide(key ? this.ledgers.get(key) : undefined, doc, this.policy, now, { ...this.context, ...context });
    if (key && decision.ledger) this.ledgers.set(key, decision.ledger);
    this.log.push({ document: doc, decision, released });
    for (const effect of decision.effects) {
      if (effect.kind !== 'release_held') continue;
      for (const id of effect.documentIds) this.decideAt(this.documents.get(id)!, now, context, true);
    }
    return decision;
  }

  order(orderNumber: string): OrderLedger {
    return this.ledgers.get(`order:${orderNumber}`) as OrderLedger;
  }

  inbound(reference: string): InboundLedger {
    return this.ledgers.get(`inbound:${reference}`) as InboundLedger;
  }

  state(entityKey: string): StateLedger {
    return this.ledgers.get(entityKey) as StateLedger;
  }

  /** The order's pending send was delivered to the warehouse. */
  sent(orderNumber: string, minute = 5): OrderLedger {
    const ledger = this.order(orderNumber);
    const next = recordSent(ledger, { documentId: ledger.send.documentId!, at: at(minute), deliveryId: `del-${orderNumber}`, endpoint: 'wms-sftp' });
    this.ledgers.set(ledger.entityKey, next);
    return next;
  }

  /** Decisions of the documents released by earlier decisions, in the order they were decided again. */
  releasedDecisions(): Logged[] {
    return this.log.filter((l) => l.released);
  }
}

/** An order of `lines`, accepted and delivered to the warehouse. */
export function sentOrder(desk: Desk, orderNumber: string, lines: OrderLineSpec[], more: Record<string, unknown> = {}): CanonicalDocument {
  const order = salesOrder(orderNumber, lines, more);
  const decision = desk.decide(order);
  if (decision.verdict !== 'apply') throw new Error(`the story's order was not sent: ${decision.reason}`);
  desk.sent(orderNumber);
  return order;
}
