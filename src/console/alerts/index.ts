import type { HubFacade } from '../../engine/index.ts';
import type { Alert } from '../../store/index.ts';
import { openChannel, type Channel } from './channels.ts';
import { isQuiet } from './quiet-hours.ts';
import { firing, isNotified, RULE_KEY } from './rules.ts';

export { webhookSignature } from './channels.ts';
export { isQuiet } from './quiet-hours.ts';

const JOB = 'alerts';
/** Stuck orders alerted per round and tenant at most: beyond them the first ones' alerts say enough. */
const STUCK_ORDERS_ALERTED = 200;

export interface Alerting {
  /** One round: the rules checked for every tenant, then the channels told. */
  runOnce(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Checks the config's alert rules and tells the channels, every alerts.evaluateEveryMs, on one
 * worker at a time (a hub-wide job lease). Each alert is told once when raised and once when
 * resolved; during quiet hours nothing is sent, and an alert raised and resolved within them is
 * not sent at all.
 */
export function startAlerting(engine: HubFacade, options: { now?: () => number } = {}): Alerting {
  const clock = options.now ?? Date.now;
  const settings = engine.alertSettings;
  const log = engine.logger.child({ component: 'alerts' });
  const channels: Channel[] = settings.channels.map((c) => openChannel(c, engine.outboundSettings));
  /** Channels told of (alert, state) in this process: a failed channel is retried without telling the others again. */
  const told = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  async function evaluate(): Promise<void> {
    const now = clock();
    for (const tenant of engine.tenants()) {
      // Read once per round however many rules ask.
      let latest: ReturnType<typeof engine.latestReconciliation> | undefined;
      const facts = {
        countDeadLetters: (since: number, endpoint?: string) => engine.countDeadLetters(tenant, since, endpoint),
        openQuarantined: () => engine.countOpenDeadLetters(tenant, 'message'),
        backlog: async () => (await engine.kpis(tenant, now, now)).backlog,
        circuits: () => engine.endpointsOf(tenant).filter((e) => e.state !== null).map((e) => ({ endpoint: e.name, state: e.state!, openedAt: e.openedAt })),
        stuckOrders: (facility?: string) => engine.listOrders(tenant, { status: 'stuck', facility, limit: STUCK_ORDERS_ALERTED }),
        latestReconciliation: () => latest ??= engine.latestReconciliation(tenant),
      };
      const now_ = await firing(tenant, settings.rules, facts, now);
      for (const alert of now_.values()) {
        if (await engine.raiseAlert(alert)) log.warn({ tenant, alert: alert.kind, subject: alert.subject }, alert.message);
      }
      for (const open of await engine.listAlerts(tenant, { open: true, limit: 1000 })) {
        if (open.dedupeKey.startsWith(RULE_KEY) && !now_.has(open.dedupeKey) && await engine.clearRuleAlert(tenant, open.id)) {
          log.info({ tenant, alert: open.kind, subject: open.subject }, 'alert resolved: its condition cleared');
        }
      }
    }
  }

  async function tell(alert: Alert, state: 'raised' | 'resolved'): Promise<boolean> {
    let all = true;
    for (const channel of channels) {
      if (channel.tenant && channel.tenant !== alert.tenant) continue;
      const key = `${alert.id}:${state}:${channel.name}`;
      if (told.has(key)) continue;
      try {
        await channel.send({ alert, state });
        told.add(key);
      } catch (e) {
        all = false;
        log.error({ err: e, channel: channel.name, alert: alert.id }, 'an alert channel could not be told; trying again next round');
      }
    }
    return all;
  }

  async function notify(): Promise<void> {
    if (isQuiet(settings.quietHours, clock())) return;
    for (const alert of await engine.alertsToNotify(200)) {
      const wanted = isNotified(settings.rules, alert.tenant, alert.kind);
      if (alert.notifiedAt === null) {
        // Raised and resolved before anyone was told (quiet hours): nothing to say any more.
        const skip = !wanted || alert.resolvedAt !== null;
        if (skip || await tell(alert, 'raised')) await engine.markAlertNotified(alert.id, 'raised');
        if (skip && alert.resolvedAt !== null) await engine.markAlertNotified(alert.id, 'resolved');
        if (skip || alert.resolvedAt === null) continue;
      }
      if (alert.resolvedAt !== null && (!wanted || await tell(alert, 'resolved'))) await engine.markAlertNotified(alert.id, 'resolved');
    }
  }

  async function round(): Promise<void> {
    if (!(await engine.holdJobLease(JOB, settings.evaluateEveryMs * 3))) return;
    await evaluate();
    await notify();
  }

  const runOnce = () => (running = (running ?? Promise.resolve()).then(round).catch((e) => log.error({ err: e }, 'alert round failed')));

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => { void runOnce().then(schedule); }, settings.evaluateEveryMs);
    timer.unref();
  };
  if ((settings.rules.length > 0 || settings.channels.length > 0) && !options.now) schedule();

  return {
    runOnce,
    async stop() {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      await running;
      for (const c of channels) c.close();
      await engine.releaseJobLease(JOB).catch(() => undefined);
    },
  };
}
