import type { HubFacade } from '../../engine/index.ts';
import { Page, Status, Table, age, when, type PageOptions } from '../layout.tsx';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const ms = (v: number | null) => (v === null ? '—' : age(v));

/** The daily screen: the four measures now, their trends over 24 h and 7 days, backlog, circuits and open alerts. */
export async function overviewPage(engine: HubFacade, tenant: string, options: PageOptions) {
  const now = Date.now();
  const [kpis, accuracy, hourly, daily, alerts] = await Promise.all([
    engine.kpis(tenant, now - HOUR, now),
    engine.inventory.accuracy(tenant, now - 7 * DAY, now),
    engine.trend(tenant, HOUR, 24, now),
    engine.trend(tenant, DAY, 7, now),
    engine.listAlerts(tenant, { open: true, limit: 10 }),
  ]);
  const endpoints = engine.endpointsOf(tenant);
  const sync = kpis.syncLatencyMs.fromOccurred;
  const series = (t: typeof hourly) => ({
    at: t.map((b) => Math.round(b.at / 1000)),
    delivered: t.map((b) => b.delivered),
    syncMs: t.map((b) => b.meanSyncMs),
    errorsPerThousand: t.map((b) => (b.attempts === 0 ? 0 : Math.round((b.failedAttempts / b.attempts) * 10_000) / 10)),
    quarantined: t.map((b) => b.quarantined),
  });
  return (
    <Page {...options} scripts={['/assets/uPlot.iife.min.js']}>
      <section aria-labelledby="kpi-h">
        <h2 id="kpi-h">Now <small>(last hour)</small></h2>
        <div class="kpis">
          <div class="kpi">
            <h3>Inventory accuracy</h3>
            <p class="figure">{accuracy.latest?.overall.rate == null ? '—' : `${(accuracy.latest.overall.rate * 100).toFixed(1)} %`}</p>
            <p class="hint">{accuracy.latest ? `positions agreeing at the last reconciliation (${when(Date.parse(accuracy.latest.at))}); ${accuracy.trend.length} run(s) in 7 days` : 'no stock reconciliation in the last 7 days'}</p>
          </div>
          <div class="kpi">
            <h3>Order processing time</h3>
            <p class="figure">{ms(kpis.orderToShipmentMs.p50)}</p>
            <p class="hint">release to shipment, p50 · p95 {ms(kpis.orderToShipmentMs.p95)} · {kpis.orderToShipmentMs.count} orders</p>
          </div>
          <div class="kpi">
            <h3>Sync time</h3>
            <p class="figure">{ms(sync.p50)}</p>
            <p class="hint">p50 · p95 {ms(sync.p95)} · p99 {ms(sync.p99)} · {sync.count} deliveries</p>
          </div>
          <div class="kpi">
            <h3>Error rate</h3>
            <p class="figure">{kpis.errorRate.failedAttemptsPerThousand} ‰</p>
            <p class="hint">failed attempts · dead letters {kpis.errorRate.deadLettersPerThousandDeliveries} ‰ · quarantined {kpis.errorRate.quarantinedPerThousandMessages} ‰</p>
          </div>
        </div>
      </section>
      <section aria-labelledby="trend-h">
        <h2 id="trend-h">Trends</h2>
        <div class="charts">
          <figure><figcaption>Last 24 hours, per hour</figcaption><div class="chart" data-series={JSON.stringify(series(hourly))} role="img" aria-label="Deliveries, mean sync time and error rate per hour over the last 24 hours"></div></figure>
          <figure><figcaption>Last 7 days, per day</figcaption><div class="chart" data-series={JSON.stringify(series(daily))} role="img" aria-label="Deliveries, mean sync time and error rate per day over the last 7 days"></div></figure>
        </div>
      </section>
      <section aria-labelledby="backlog-h">
        <h2 id="backlog-h">Backlog and circuits</h2>
        <Table head={['Endpoint', 'Waiting', 'Oldest', 'Circuit']} rows={kpis.backlog.length + endpoints.length}>
          {[...new Set([...kpis.backlog.map((b) => b.endpoint), ...endpoints.filter((e) => e.sink).map((e) => e.name)])].sort().map((name) => {
            const b = kpis.backlog.find((x) => x.endpoint === name);
            const e = endpoints.find((x) => x.name === name);
            return (
              <tr>
                <td><a href={`/messages?endpoint=${encodeURIComponent(name)}`}>{name}</a></td>
                <td>{b?.pending ?? 0}</td>
                <td>{ms(b?.oldestAgeMs ?? null)}</td>
                <td>{e?.state ? <Status value={e.state} /> : '—'}</td>
              </tr>
            );
          })}
        </Table>
      </section>
      <section aria-labelledby="alerts-h">
        <h2 id="alerts-h">Open alerts</h2>
        <Table head={['Raised', 'Kind', 'Subject', 'Message']} rows={alerts.length} empty="No open alerts.">
          {alerts.map((a) => <tr><td>{when(a.createdAt)}</td><td>{a.kind}</td><td>{a.subject}</td><td>{a.message}</td></tr>)}
        </Table>
        <p><a href="/alerts">All alerts</a></p>
      </section>
    </Page>
  );
}
