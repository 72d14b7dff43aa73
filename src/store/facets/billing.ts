import type { Page } from './page.ts';

// The billing facet: usage events, the sweep's cursor over applied documents, and closed periods
// with their invoice lines. What an event is and what a period costs is decided in src/billing;
// a store keeps one event per (tenant, key, kind) however often it is offered, and a closed period
// is written once and never changed.

/** A document the hub applied, as the usage sweep reads it. */
export interface AppliedDocumentRow {
  documentId: string;
  messageId: number;
  type: string;
  occurredAt: number;
  body: unknown;
}

/** Where the usage sweep of a tenant stands: the last document and the last verdict it read. */
export interface BillingCursor {
  document: number;
  verdict: number;
}

export interface NewUsageEvent {
  tenant: string;
  key: string;
  kind: string;
  quantity: string;
  facility: string;
  occurredAt: number;
  documentId: string;
  messageId: number;
}

export interface UsageEventRow extends NewUsageEvent {
  id: number;
  recordedAt: number;
  /** The closed period that billed it; null while unbilled. */
  invoicePeriod: string | null;
}

export interface StoredInvoiceLine {
  line: number;
  kind: string;
  tier: number;
  quantity: string;
  unitPrice: string;
  amount: string;
}

export interface ClosedPeriod {
  tenant: string;
  period: string;
  currency: string;
  total: string;
  closedAt: number;
  lines: StoredInvoiceLine[];
}

export interface BillingStore {
  /**
   * Documents of billable `types` the hub applied, after `cursor`, oldest first, at most `limit`
   * of each path: documents of processed messages (of the message's current generation) whose
   * latest verdict is apply or that have none, and documents a later apply verdict released. The
   * cursor it returns may be handed back; reading from it again re-reads a short stretch before
   * it, so a document whose commit came late is still seen (events are recorded once anyway).
   */
  appliedDocuments(tenant: string, types: readonly string[], cursor: BillingCursor | null, limit: number): Promise<{ documents: AppliedDocumentRow[]; next: BillingCursor }>;
  billingCursor(tenant: string): Promise<BillingCursor | null>;
  /** The last UTC day (YYYY-MM-DD) whose storage was counted, or null. */
  storageCountedThrough(tenant: string): Promise<string | null>;
  /** Records a day's storage events (each once ever) and that the day was counted, in one transaction; returns the events new to the store. */
  recordStorage(tenant: string, events: NewUsageEvent[], day: string, now: number): Promise<number>;
  /** Records events, each (tenant, key, kind) once ever, and moves the tenant's cursor, in one transaction; returns the events new to the store. */
  recordUsage(tenant: string, events: NewUsageEvent[], cursor: BillingCursor | null, now: number): Promise<number>;
  /** Unbilled events of a tenant that happened before `before`, summed per kind (exact decimals). */
  unbilledUsage(tenant: string, before: number): Promise<Record<string, string>>;
  /**
   * Closes a period: stores its lines and marks every unbilled event before `before` as billed by
   * it, in one transaction. False (nothing written) when the period was closed already. The caller
   * holds the tenant's billing job lease from its unbilledUsage read to here, and usage is recorded
   * only under that lease, so the events it marks are the events it rated.
   */
  closeBillingPeriod(closed: Omit<ClosedPeriod, 'lines'> & { lines: StoredInvoiceLine[]; before: number }): Promise<boolean>;
  billingPeriod(tenant: string, period: string): Promise<ClosedPeriod | undefined>;
  /** Events, newest first; `invoicePeriod` null lists the unbilled, `kind` one kind. */
  listUsageEvents(tenant: string, filter?: Page & { invoicePeriod?: string | null; kind?: string }): Promise<UsageEventRow[]>;
}
