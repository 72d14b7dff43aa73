import type { Logger } from 'pino';
import type { NewAlert } from '../store/index.ts';
import type { HubMetrics } from './metrics.ts';

/** Counts and logs alerts once the store has raised them (one raised again under its dedupe key is not passed here). */
export function announceAlerts(alerts: NewAlert[], metrics: HubMetrics, logger: Logger): void {
  for (const a of alerts) {
    metrics.alertsRaised.inc({ tenant: metrics.tenant(a.tenant), kind: a.kind });
    logger.warn({ tenant: a.tenant, alert: a.kind, subject: a.subject }, a.message);
  }
}
