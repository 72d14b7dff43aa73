import type { CanonicalDocument, CausewayError, Decimal, DocumentType, OrderStatus } from '../../model/index.ts';

/**
 * What the rules say about one document:
 * - apply: route it;
 * - hold: park it under its entity key with the reason; a later decision releases it;
 * - refuse: dead-letter it, naming the rule;
 * - stale: record it (the ledger may learn from it) but deliver nothing.
 */
export type Verdict = 'apply' | 'hold' | 'refuse' | 'stale';

/** Every rule code a decision, a flag, an alert or a stuck order can carry, with its short title. */
export const RULES = {
  NO_RULES: 'No business rule applies to this document type',
  PARTNER_EXCHANGE: 'A document of a trading partner outside the ERP and warehouse pair keeps no ledger',
  ORDER_ACCEPTED: 'A new order goes to the warehouse',
  ORDER_CHANGED: 'A change to an order already sent goes as a change',
  ORDER_NO_RELEVANT_CHANGE: 'A new version of an order changes nothing the warehouse uses',
  ORDER_ON_HOLD: 'An order on hold is not sent',
  ORDER_ADDRESS_INVALID: 'An order without a usable ship-to address is held',
  ORDER_HOLD_SET: 'The ERP put an order on hold',
  ORDER_HOLD_RELEASED: 'The ERP released an order from hold',
  ORDER_CANCELLED: 'Nothing more happens to a cancelled order',
  ORDER_CLOSED: 'Nothing more ships on a closed order',
  ORDER_ALREADY_SHIPPED: 'A shipped order cannot be changed',
  ORDER_CHANGE_BELOW_SHIPPED: 'A change cannot take a line below what has shipped',
  BACKORDER_SENT: 'The ERP\'s backorder of an order the warehouse shipped complete goes to it as an order to fill',
  BACKORDER_AT_WAREHOUSE: 'The ERP\'s backorder of an order the warehouse keeps open is not sent again',
  ORDER_NOT_SEEN: 'A document for an order not seen yet waits for the order',
  INBOUND_NOT_SEEN: 'A receipt for an inbound not seen yet waits for the purchase order',
  HOLD_EXPIRED: 'A held document whose order never came is refused',
  OUT_OF_ORDER: 'A document older than the one already applied is stale',
  FUTURE_TIMESTAMP: 'A document that says it happened well after it was received is refused',
  DUPLICATE: 'The same content again is stale',
  REPLAYED: 'A message an operator replayed is delivered again; its ledger does not change a second time',
  STATUS_APPLIED: 'An order status is passed on',
  STATUS_BACKWARDS: 'An order status does not go backwards',
  CANCEL_FORWARDED: 'A cancel goes to the warehouse, which answers',
  CANCEL_BEFORE_SEND: 'A cancel before the order was sent sends nothing',
  CANCEL_AFTER_SHIPPED: 'A cancel after the order shipped is rejected back to the ERP',
  CANCEL_CONFIRMED: 'The warehouse confirmed a cancel',
  CANCEL_REFUSED: 'The warehouse refused a cancel',
  SHIPMENT_APPLIED: 'A shipment is applied to its order',
  SHIPMENT_RESENT_CHANGED: 'A shipment number already applied came again with other content',
  SHIPMENT_AFTER_CANCEL: 'A shipment after a confirmed cancel is refused',
  OVER_SHIPMENT: 'More shipped than ordered',
  SHORT_CLOSED: 'A complete shipment with less than ordered closes the order short',
  LOT_MISSING: 'A lot-tracked SKU needs a lot',
  LOT_QUANTITY_MISMATCH: 'Lot quantities must add up to the line',
  LOT_EXPIRED: 'A lot past its expiry date',
  DOCUMENT_CHAIN: 'A line differs from the order or purchase order',
  PO_ACCEPTED: 'A purchase order (expected inbound) goes to the warehouse',
  PO_CHANGED: 'A new version of a purchase order',
  PO_ON_HOLD: 'A purchase order on hold is not sent',
  RECEIPT_APPLIED: 'A receipt is applied to its inbound',
  RECEIPT_RESENT_CHANGED: 'A receipt number already applied came again with other content',
  OVER_RECEIPT: 'More received than expected',
  ACK_RECORDED: 'An acknowledgment is recorded on its order',
  ORDER_REJECTED_BY_WAREHOUSE: 'The warehouse rejected an order',
  STATE_APPLIED: 'The freshest state goes out',
  RETURN_RECORDED: 'A return is recorded on its order',
  RETURN_EXCEEDS_SHIPPED: 'A return of more than shipped',
  FIELD_OWNERSHIP: 'A field sent by the system that does not own it is not carried on',
  ACK_OVERDUE: 'No acknowledgment from the warehouse in time',
  SHIP_DATE_MISSED: 'Not shipped by the requested ship date',
} as const;

export type RuleCode = keyof typeof RULES;

export type SystemRole = 'erp' | 'warehouse';
/** Which side a document is of: the ERP's, the warehouse's, or a trading partner's outside that pair (a retailer's orders into the ERP). */
export type DocumentSide = SystemRole | 'partner';
export type OrderStatusCode = OrderStatus['status'];

/** What the pipeline must do besides routing the document. */
export type Effect =
  /** Decide these parked documents again, in this order (their arrival order). */
  | { kind: 'release_held'; entityKey: string; documentIds: string[] }
  /**
   * Withdraw pending deliveries of this key and type: those carrying one of `documentIds`, and
   * those whose document occurred before `occurredBefore` (never `keep`). When `required`, the
   * decision only stands if none of them has been claimed for delivery yet: otherwise the
   * pipeline holds this document and decides it again once that delivery's outcome is recorded.
   */
  | {
    kind: 'supersede_deliveries'; entityKey: string; documentType: DocumentType; documentIds?: string[];
    occurredBefore?: string; keep?: string; required: boolean; reason: string;
  }
  /** Build an order_status document and send it to `to` (e.g. "cancel rejected: shipped" to the ERP). */
  | {
    kind: 'send_status'; to: SystemRole; entityKey: string; orderNumber: string; status: OrderStatusCode; reason: string;
    lines?: Array<{ lineNumber: string; sku: string; status: OrderStatusCode; quantity: Decimal; uom: string }>;
  }
  | { kind: 'alert'; severity: 'warning' | 'critical'; rule: RuleCode; entityKey: string; message: string }
  /** The encoder writes this order as a change to one the warehouse has (X12 940 W05-01 "R"), not a new order. */
  | { kind: 'encode_as_change'; documentId: string; changedFields: string[] };

/** A field a system sent without owning it, and what was carried on instead. */
export interface FieldConflict {
  documentType: DocumentType;
  path: string;
  owner: SystemRole;
  source: SystemRole;
  sentValue: unknown;
  /** The owner's last value, when the ledger knows one. */
  ownerValue?: unknown;
  /** The owner's value went on in its place, or (no owner value known) the field was left out. */
  carried: 'owner_value' | 'removed';
}

export interface Decision<L = unknown> {
  verdict: Verdict;
  rule: RuleCode;
  /** A sentence a warehouse manager understands. */
  reason: string;
  /** JSON path of the field at fault, when one is. */
  path?: string;
  /** The entity's ledger after this document; the very same object when nothing changed. */
  ledger: L;
  /** The document to route: the one given, or a copy with fields its sender does not own put back. */
  document: CanonicalDocument;
  effects: Effect[];
  /** Findings on a document applied anyway (over-shipment within policy, chain differences, expired lots). */
  flags: CausewayError[];
  conflicts: FieldConflict[];
}
