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
  /** An operator saw it (it stays open until resolved). */
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  /** Its condition cleared, or an operator closed it. */
  resolvedAt: number | null;
  /** When the channels were told it was raised, and that it was resolved. */
  notifiedAt: number | null;
  resolvedNotifiedAt: number | null;
}

export interface AlertPage extends Page {
  kind?: string;
  /** true: open alerts only; false: resolved ones only. */
  open?: boolean;
}

export interface AlertStore {
  /** Stores an alert unless one with its dedupe key exists; true when it is new. */
  raiseAlert(alert: NewAlert): Promise<boolean>;
  listAlerts(tenant: string, page?: AlertPage): Promise<Alert[]>;
  /** True when an open alert of the tenant was acknowledged now. */
  acknowledgeAlert(tenant: string, id: number, by: string, at: number): Promise<boolean>;
  /**
   * True when an open alert of the tenant was resolved now. `reopenable`: its dedupe key is freed,
   * so the same condition later raises a new alert (a rule's alert); otherwise the key stays taken
   * (a rejected 997 replayed must not alert again).
   */
  resolveAlert(tenant: string, id: number, at: number, options?: { reopenable?: boolean }): Promise<boolean>;
  /** Alerts of every tenant whose raising, or whose resolution, the channels have not been told of yet; oldest first. */
  alertsToNotify(limit: number): Promise<Alert[]>;
  markAlertNotified(id: number, which: 'raised' | 'resolved', at: number): Promise<void>;
}
