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

export interface RoutingStore {
  /** Keeps the order's decision and replaces every reservation it held with these, in one transaction. */
  putRouting(tenant: string, record: RoutingRecord, reservations: StockReservation[]): Promise<void>;
  getRouting(tenant: string, orderKey: string): Promise<RoutingRecord | undefined>;
  /** Drops what the order holds (at one facility, or everywhere): the warehouse confirmed, shipped or rejected it. */
  releaseReservations(tenant: string, orderKey: string, facility?: string): Promise<number>;
  /** Every reservation of the tenant, one row per order, facility and SKU. */
  reservations(tenant: string): Promise<StockReservation[]>;
}
