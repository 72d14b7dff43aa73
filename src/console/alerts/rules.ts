import type { CausewayConfig } from '../../config/index.ts';
import { SOURCE_DOWN } from '../../engine/source-alert.ts';
import type { NewAlert } from '../../store/index.ts';
import { SOURCE_FILE_SKIPPED } from '../../transports/skipped-file.ts';

export type AlertRule = CausewayConfig['alerts']['rules'][number];

/** What a rule needs to know about a tenant now. */
export interface AlertFacts {
  countDeadLetters(since: number, endpoint?: string): Promise<number>;
  openQuarantined(): Promise<number>;
  backlog(): Promise<Array<{ endpoint: string; pending: number; oldestAgeMs: number | null }>>;
  circuits(): Array<{ endpoint: string; state: string; openedAt: number | null }>;
  /** Orders the rules find stuck now (at most a page of them). */
  stuckOrders(facility?: string): Promise<Array<{ orderNumber: string; facility: string | null; stuck: Array<{ rule: string; since: string; reason: string }> }>>;
  /** The newest whole reconciliation run: its accuracy and its variances nobody approved or rejected yet. */
  latestReconciliation(): Promise<{
    runId: number; at: number;
    accuracy: { overall: number | null; byFacility: Record<string, number | null> };
    openVariances: Array<{ position: number; facility: string; sku: string; lot: string; uom: string; correctedDifference: string }>;
  } | undefined>;
}

/** The prefix of every rule alert's dedupe key: the evaluator resolves those whose condition cleared. */
export const RULE_KEY = 'rule:';

const MINUTE = 60_000;
const ruleName = (r: AlertRule) => r.name ?? r.type;
const minutes = (ms: number) => `${Math.round(ms / MINUTE)} min`;

/**
 * The alerts a tenant's rules raise now, keyed by dedupe key. The same condition gives the same key,
 * so while it holds it is raised once; when it clears, its open alert is resolved.
 */
export async function firing(tenant: string, rules: AlertRule[], facts: AlertFacts, now: number): Promise<Map<string, NewAlert>> {
  const out = new Map<string, NewAlert>();
  const raise = (rule: AlertRule, subject: string, message: string, detail: unknown) => {
    const dedupeKey = `${RULE_KEY}${ruleName(rule)}:${subject}`;
    out.set(dedupeKey, { tenant, kind: rule.type, subject, message, dedupeKey, createdAt: now, detail });
  };
  for (const rule of rules) {
    if (rule.tenant && rule.tenant !== tenant) continue;
    switch (rule.type) {
      case 'dead_letters': {
        const n = await facts.countDeadLetters(now - rule.withinMinutes * MINUTE, rule.endpoint);
        const where = rule.endpoint ?? 'all endpoints';
        if (n > rule.over) raise(rule, where, `${n} dead letters in the last ${rule.withinMinutes} min (${where}); the rule allows ${rule.over}`, { count: n });
        break;
      }
      case 'quarantined': {
        const n = await facts.openQuarantined();
        if (n > 0) raise(rule, 'quarantine', `${n} quarantined message${n === 1 ? '' : 's'} waiting to be corrected, replayed or resolved`, { count: n });
        break;
      }
      case 'circuit_open':
        for (const c of facts.circuits()) {
          if (rule.endpoint && c.endpoint !== rule.endpoint) continue;
          if (c.state !== 'closed' && c.openedAt !== null && now - c.openedAt > rule.longerThanMinutes * MINUTE) {
            raise(rule, c.endpoint, `the circuit to ${c.endpoint} has been ${c.state.replace('_', ' ')} for ${minutes(now - c.openedAt)}`, { state: c.state, openedAt: c.openedAt });
          }
        }
        break;
      case 'backlog_age':
        for (const b of await facts.backlog()) {
          if (rule.endpoint && b.endpoint !== rule.endpoint) continue;
          if (b.oldestAgeMs !== null && b.oldestAgeMs > rule.olderThanMinutes * MINUTE) {
            raise(rule, b.endpoint, `${b.pending} deliveries wait for ${b.endpoint}; the oldest for ${minutes(b.oldestAgeMs)}`, { pending: b.pending, oldestAgeMs: b.oldestAgeMs });
          }
        }
        break;
      case 'stuck_order':
        for (const o of await facts.stuckOrders(rule.facility)) {
          raise(rule, `order ${o.orderNumber}`, `order ${o.orderNumber}${o.facility ? ` (${o.facility})` : ''} is stuck: ${o.stuck.map((s) => s.reason).join('; ')}`,
            { orderNumber: o.orderNumber, facility: o.facility, stuck: o.stuck });
        }
        break;
      case 'variance': {
        const run = await facts.latestReconciliation();
        for (const v of run?.openVariances ?? []) {
          if (rule.facility && v.facility !== rule.facility) continue;
          const size = Math.abs(Number(v.correctedDifference));
          if (!(size > rule.over)) continue;
          const where = `${v.facility} ${v.sku}${v.lot ? ` lot ${v.lot}` : ''}`;
          raise(rule, where, `${where}: the warehouse counts ${v.correctedDifference} ${v.uom} ${Number(v.correctedDifference) > 0 ? 'more' : 'less'} than the ERP (reconciliation run ${run!.runId}); the rule allows ${rule.over}`,
            { runId: run!.runId, position: v.position, difference: v.correctedDifference, uom: v.uom });
        }
        break;
      }
      case 'accuracy_below': {
        const run = await facts.latestReconciliation();
        if (!run) break;
        const rate = rule.facility ? run.accuracy.byFacility[rule.facility] ?? null : run.accuracy.overall;
        if (rate !== null && rate * 100 < rule.targetPercent) {
          const where = rule.facility ?? 'all facilities';
          raise(rule, where, `inventory accuracy of ${where} is ${(rate * 100).toFixed(1)} % at reconciliation run ${run.runId}, below the target of ${rule.targetPercent} %`,
            { runId: run.runId, rate, targetPercent: rule.targetPercent });
        }
        break;
      }
      case 'edi_ack':
        // Raised by EDI tracking itself as the 997s and deadlines come; this rule has them told.
        break;
      case SOURCE_DOWN:
        // Raised by the worker that polls the source, which alone knows how long it has failed (engine/source-alert.ts).
        break;
    }
  }
  return out;
}

/** Whether the channels hear of an alert of this kind for this tenant: a rule's own alerts always, EDI's when an edi_ack rule asks. */
export function isNotified(rules: AlertRule[], tenant: string, kind: string): boolean {
  const applies = rules.filter((r) => !r.tenant || r.tenant === tenant);
  if (kind.startsWith('x12_')) return applies.some((r) => r.type === 'edi_ack');
  if (kind === SOURCE_FILE_SKIPPED) return applies.some((r) => r.type === SOURCE_DOWN);
  return applies.some((r) => r.type === kind);
}
