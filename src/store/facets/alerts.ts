import type { Page } from './page.ts';

// The alerts facet: what an operator must hear about (a rejected 997, an overdue acknowledgment), once each.

export interface NewAlert {
  tenant: string;
  /** e.g. x12_rejected, x12_accepted_with_errors, x12_overdue. */
  kind: string;
  /** What it is about, e.g. "partner acme-3pl group 12". */
  subject: string;
  message: string;
  /** One alert per key: raising it again (a replayed 997) is a no-op. */
  dedupeKey: string;
  createdAt: number;
  detail?: unknown;
}

export interface Alert extends NewAlert {
  id: number;
}

export interface AlertStore {
  /** Stores an alert unless one with its dedupe key exists; true when it is new. */
  raiseAlert(alert: NewAlert): Promise<boolean>;
  listAlerts(tenant: string, page?: Page & { kind?: string }): Promise<Alert[]>;
}
