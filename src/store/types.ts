import type { AlertStore } from './facets/alerts.ts';
import type { BillingStore } from './facets/billing.ts';
import type { ConsoleStore } from './facets/console.ts';
import type { EdiStore } from './facets/edi.ts';
import type { InventoryStore } from './facets/inventory.ts';
import type { KeyStore } from './facets/keys.ts';
import type { LedgerStore } from './facets/ledger.ts';
import type { PipelineStore } from './facets/pipeline.ts';
import type { RetentionStore } from './facets/retention.ts';
import type { RoutingStore } from './facets/routing.ts';

export type * from './facets/alerts.ts';
export type * from './facets/billing.ts';
export type * from './facets/console.ts';
export type * from './facets/edi.ts';
export type * from './facets/inventory.ts';
export type * from './facets/keys.ts';
export type * from './facets/ledger.ts';
export type * from './facets/page.ts';
export type * from './facets/pipeline.ts';
export type * from './facets/retention.ts';
export type * from './facets/routing.ts';

/**
 * The one storage contract, made of facets: SQLite (embedded) and PostgreSQL (production) implement
 * every facet and pass each facet's conformance suite. A part of the engine asks for the facet it
 * uses, not for the whole store. Every method that touches business data takes the tenant, and
 * every query filters on it. Times are epoch milliseconds.
 */
export interface Store extends PipelineStore, EdiStore, AlertStore, KeyStore, InventoryStore, LedgerStore, ConsoleStore, RoutingStore, RetentionStore, BillingStore {
  readonly dialect: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;
}
