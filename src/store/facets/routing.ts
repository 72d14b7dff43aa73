// The routing facet: each routed order's decision, and the stock it holds at its facilities until
// the warehouse confirms it (so the next order routed does not promise the same units twice).

/** Stock an order holds at a facility: a decimal quantity of a SKU. */
export interface StockReservation { facility: string; sku: string; quantity: string }

export interface RoutingRecord {
  /** The order's entity key, e.g. order:SO-1. */
  orderKey: string;
  status: string;
  facility: string | null;
  decision: unknown;
  decidedAt: number;
}

/**
 * What becomes of the stock an order's routing took, once the rules have decided the order: written
 * with the message's outcome, in its transaction. A held or refused order must not keep stock from
 * the orders routed after it.
 */
export interface RoutingWrites {
  /**
   * Routing decided while the message was processed: the order's decision, replacing every
   * reservation it held with these. Written first, then what the rules' verdicts make of it below.
   * `othersHeld` is what other orders held, as the decision read it, at each facility and SKU where
   * the order takes more than it held: another order that took more there meanwhile (another worker,
   * committed first) makes the commit a LedgerConflict, and the message is routed again.
   */
  put?: Array<{ tenant: string; record: RoutingRecord; reservations: StockReservation[]; othersHeld: StockReservation[] }>;
  /** A first version the rules held or refused: what it holds at this facility is let go. */
  release?: Array<{ tenant: string; orderKey: string; facility: string }>;
  /** A change the rules held or refused: the order's decision and every reservation as they were before it (no record: none). */
  restore?: Array<{ tenant: string; orderKey: string; record: RoutingRecord | null; reservations: StockReservation[] }>;
  /** A held order released and sent at last: it holds its lines at its facility again (replacing what it held there). */
  reserve?: Array<{ tenant: string; orderKey: string; facility: string; reservations: StockReservation[] }>;
}

export interface RoutingStore {
  /** Keeps the order's decision and replaces every reservation it held with these, in one transaction. */
  putRouting(tenant: string, record: RoutingRecord, reservations: StockReservation[]): Promise<void>;
  getRouting(tenant: string, orderKey: string): Promise<RoutingRecord | undefined>;
  /** Decisions newest first (decided_at, then order key), optionally of one status; `before` is the last page's final row. */
  listRoutings(tenant: string, page: { status?: string; before?: { decidedAt: number; orderKey: string }; limit?: number }): Promise<RoutingRecord[]>;
  /** Drops what the order holds (at one facility, or everywhere): the warehouse confirmed, shipped or rejected it. */
  releaseReservations(tenant: string, orderKey: string, facility?: string): Promise<number>;
  /** What one order holds, at every facility. */
  orderReservations(tenant: string, orderKey: string): Promise<StockReservation[]>;
  /** Every reservation of the tenant, one row per order, facility and SKU. */
  reservations(tenant: string): Promise<StockReservation[]>;
}
