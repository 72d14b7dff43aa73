import type { KpiSample } from '../store/index.ts';

export interface Percentiles { count: number; p50: number | null; p95: number | null; p99: number | null; max: number | null }

export interface Kpis {
  window: { from: string; to: string; seconds: number };
  /** Event at source to applied at target (occurredAt), and Causeway's own share (receivedAt). */
  syncLatencyMs: { fromOccurred: Percentiles; fromReceived: Percentiles };
  /** Sales order released at the ERP to its shipment at the warehouse; never negative. */
  orderToShipmentMs: Percentiles;
  /**
   * Shipments stamped before their order was released, counted at 0 ms above. Only a clock can
   * do that (the warehouse's, or the ERP's): a count above zero says which to check.
   */
  orderToShipmentBeforeOrder: number;
  throughput: { delivered: number; perMinute: number; messages: number };
  /** Failed attempts, dead letters and quarantined messages per thousand. */
  errorRate: { failedAttemptsPerThousand: number; deadLettersPerThousandDeliveries: number; quarantinedPerThousandMessages: number };
  counts: { attempts: number; failedAttempts: number; deadLetters: number; quarantined: number; duplicates: number };
  backlog: Array<{ endpoint: string; pending: number; oldestAgeMs: number | null }>;
  /** The business rules' verdicts in the window, and deliveries withdrawn as superseded. */
  rules: { apply: number; hold: number; refuse: number; stale: number; superseded: number };
}

export function percentiles(values: number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50: null, p95: null, p99: null, max: null };
  const sorted = Float64Array.from(values).sort();
  // Nearest-rank: the smallest value with at least p% of the sample at or below it.
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: sorted[sorted.length - 1] };
}

const perThousand = (n: number, of: number) => (of === 0 ? 0 : Math.round((n / of) * 1000 * 100) / 100);

export function computeKpis(sample: KpiSample, from: number, to: number): Kpis {
  const seconds = Math.max(1, (to - from) / 1000);
  const deliveries = sample.delivered + sample.deadLetters;
  return {
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString(), seconds },
    syncLatencyMs: { fromOccurred: percentiles(sample.syncFromOccurred), fromReceived: percentiles(sample.syncFromReceived) },
    orderToShipmentMs: percentiles(sample.orderToShipment.map((ms) => Math.max(ms, 0))),
    orderToShipmentBeforeOrder: sample.orderToShipment.filter((ms) => ms < 0).length,
    throughput: { delivered: sample.delivered, perMinute: Math.round((sample.delivered / seconds) * 60 * 10) / 10, messages: sample.messages },
    errorRate: {
      failedAttemptsPerThousand: perThousand(sample.failedAttempts, sample.attempts),
      deadLettersPerThousandDeliveries: perThousand(sample.deadLetters, deliveries),
      quarantinedPerThousandMessages: perThousand(sample.quarantined, sample.messages),
    },
    counts: { attempts: sample.attempts, failedAttempts: sample.failedAttempts, deadLetters: sample.deadLetters, quarantined: sample.quarantined, duplicates: sample.duplicates },
    backlog: sample.backlog.map((b) => ({ endpoint: b.endpoint, pending: b.pending, oldestAgeMs: b.oldestAt === null ? null : to - b.oldestAt })),
    rules: { ...sample.verdicts, superseded: sample.superseded },
  };
}
