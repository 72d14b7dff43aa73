// Inventory: accuracy and its trend, reconciliation runs, each run's positions with the variances
// an operator approves (an adjustment goes out) or rejects, and both sides' positions now.
import type { HubFacade } from '../../engine/index.ts';
import type { StoredPositionResult } from '../../store/index.ts';
import { Action, Page, Status, Table, when, type PageOptions } from '../layout.tsx';
import { mayOperate, type Session } from '../sessions.ts';

const DAY = 86_400_000;
const TREND_DAYS = 30;
const RUNS_PAGE = 25;
const RESULTS_PAGE = 100;
const POSITIONS_PAGE = 100;
export const RESULT_STATUSES = ['variance', 'timing', 'in_flight', 'match'] as const;

const pct = (rate: number | null | undefined) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`);
interface Accuracy { overall: { rate: number | null; positions?: number; matching?: number }; byFacility: Record<string, { rate: number | null }> }

export async function inventoryPage(engine: HubFacade, tenant: string, before: number | undefined, options: PageOptions) {
  const now = Date.now();
  const [accuracy, runs, decisions] = await Promise.all([
    engine.inventory.accuracy(tenant, now - TREND_DAYS * DAY, now),
    engine.inventory.listRuns(tenant, { before, limit: RUNS_PAGE }),
    engine.inventory.decisions(tenant, { limit: 20 }),
  ]);
  const whole = accuracy.trend.filter((p) => p.rate !== null);
  const series = { at: whole.map((p) => Math.round(Date.parse(p.at) / 1000)), rate: whole.map((p) => Math.round(p.rate! * 1000) / 10) };
  return (
    <Page {...options} scripts={['/assets/uPlot.iife.min.js']}>
      <section aria-labelledby="accuracy-h">
        <h2 id="accuracy-h">Accuracy</h2>
        <div class="kpis">
          <div class="kpi">
            <h3>Inventory accuracy</h3>
            <p class="figure">{pct(accuracy.latest?.overall.rate)}</p>
            <p class="hint">{accuracy.latest ? `positions agreeing at run #${accuracy.latest.runId} (${when(Date.parse(accuracy.latest.at))})` : `no whole reconciliation in ${TREND_DAYS} days`}</p>
          </div>
          {Object.entries(accuracy.latest?.byFacility ?? {}).map(([facility, f]) => (
            <div class="kpi"><h3>{facility}</h3><p class="figure">{pct(f.rate)}</p><p class="hint">at the same run</p></div>
          ))}
        </div>
        <figure>
          <figcaption>Accuracy per whole run, last {TREND_DAYS} days (%)</figcaption>
          <div class="chart" data-accuracy={JSON.stringify(series)} role="img" aria-label={`Inventory accuracy of each whole reconciliation run over the last ${TREND_DAYS} days`}></div>
        </figure>
        <p><a href="/inventory/positions">Positions now, both sides</a> · <a href="/inventory/audit">Go-live audit</a></p>
      </section>
      <section aria-labelledby="runs-h">
        <h2 id="runs-h">Reconciliation runs</h2>
        <Table head={['Run', 'Compared at', 'Facility', 'Trigger', 'Positions', 'Variances', 'Accuracy']} rows={runs.length} empty="No reconciliation run yet.">
          {runs.map((r) => {
            const counts = r.counts as Record<string, number>;
            const total = Object.values(counts).reduce((a, b) => a + b, 0);
            return (
              <tr>
                <td><a href={`/inventory/runs/${r.id}`}>#{r.id}</a></td><td>{when(r.at)}</td><td>{r.facility ?? 'all'}</td><td>{r.trigger}</td>
                <td>{total}</td><td>{counts.variance ?? 0}</td><td>{pct((r.accuracy as Accuracy).overall.rate)}</td>
              </tr>
            );
          })}
        </Table>
        {runs.length === RUNS_PAGE && <p class="pager"><a href={`/inventory?before=${runs[runs.length - 1]!.id}`}>Older</a></p>}
      </section>
      <section aria-labelledby="decisions-h">
        <h2 id="decisions-h">Decisions on variances</h2>
        <Table head={['When', 'Run', 'Position', 'Facility', 'SKU', 'Lot', 'Quantity', 'Decision', 'By', 'Note']} rows={decisions.length} empty="No variance decided yet.">
          {decisions.map((d) => (
            <tr>
              <td>{when(d.decidedAt)}</td><td><a href={`/inventory/runs/${d.runId}`}>#{d.runId}</a></td><td>{d.position}</td><td>{d.facility}</td><td>{d.sku}</td><td>{d.lot || '—'}</td>
              <td>{d.quantity} {d.uom}</td><td><Status value={d.action} /></td><td>{d.decidedBy}</td><td class="wrap">{d.note ?? ''}</td>
            </tr>
          ))}
        </Table>
      </section>
    </Page>
  );
}

interface SideView { onHand: string; available?: string; asOf?: string }
interface ResultDetail { warehouse: SideView | null; erp: SideView | null; explanation: string }

export async function runPage(engine: HubFacade, tenant: string, session: Session, runId: number, filter: { status?: string; after?: number }, options: PageOptions) {
  const run = await engine.inventory.getRun(tenant, runId);
  if (!run) return undefined;
  const status = (RESULT_STATUSES as readonly string[]).includes(filter.status ?? '') ? filter.status! : 'variance';
  const [results, decisions] = await Promise.all([
    engine.inventory.results(tenant, runId, { status, after: filter.after, limit: RESULTS_PAGE }),
    engine.inventory.decisions(tenant, { runId, limit: 1000 }),
  ]);
  const decided = new Map(decisions.map((d) => [d.position, d]));
  const operator = mayOperate(session);
  const counts = run.counts as Record<string, number>;
  const accuracy = run.accuracy as Accuracy;
  return (
    <Page {...options} title={`Reconciliation run #${runId}`}>
      <dl class="facts">
        <dt>Compared at</dt><dd>{when(run.at)}</dd>
        <dt>Facility</dt><dd>{run.facility ?? 'all'}</dd>
        <dt>Trigger</dt><dd>{run.trigger}</dd>
        <dt>Accuracy</dt><dd>{pct(accuracy.overall.rate)} {Object.entries(accuracy.byFacility).map(([f, a]) => `· ${f} ${pct(a.rate)} `)}</dd>
      </dl>
      <nav aria-label="Position status" class="filters">
        <ul>{RESULT_STATUSES.map((s) => <li><a href={`/inventory/runs/${runId}?status=${s}`} aria-current={status === s ? 'page' : undefined}>{s.replace('_', ' ')} ({counts[s] ?? 0})</a></li>)}</ul>
      </nav>
      <Table head={['Position', 'Facility', 'SKU', 'Lot', 'UoM', 'Warehouse', 'ERP', 'Difference', 'After in flight', 'Why', status === 'variance' ? 'Decision' : 'Status']} rows={results.length} empty={`No ${status.replace('_', ' ')} position in this run.`}>
        {results.map((r) => <ResultRow r={r} decided={decided.get(r.position)} operator={operator && status === 'variance'} session={session} />)}
      </Table>
      {results.length === RESULTS_PAGE && <p class="pager"><a href={`/inventory/runs/${runId}?status=${status}&after=${results[results.length - 1]!.position}`}>Next</a></p>}
    </Page>
  );
}

function ResultRow(props: { r: StoredPositionResult; decided?: { action: string; decidedBy: string }; operator: boolean; session: Session }) {
  const { r } = props;
  const d = r.detail as ResultDetail;
  const base = `/inventory/runs/${r.runId}/decide`;
  return (
    <tr>
      <td>{r.position}</td><td>{r.facility}</td><td>{r.sku}</td><td>{r.lot || '—'}</td><td>{r.uom}</td>
      <td>{d.warehouse?.onHand ?? '—'}</td><td>{d.erp?.onHand ?? '—'}</td><td>{r.difference}</td><td>{r.correctedDifference}</td><td class="wrap">{d.explanation}</td>
      <td class="act">
        {r.status !== 'variance' ? <Status value={r.status} />
          : props.decided ? <><Status value={props.decided.action} /> by {props.decided.decidedBy}</>
          : props.operator ? (
            <>
              <Action action={base} session={props.session} label="Approve" fields={{ position: r.position, action: 'approved' }} confirm={`Approve: an adjustment of ${r.correctedDifference} ${r.uom} ${r.sku} goes out?`} />
              <Action action={base} session={props.session} label="Reject" fields={{ position: r.position, action: 'rejected' }} danger />
            </>
          ) : 'to decide'}
      </td>
    </tr>
  );
}

export async function positionsPage(engine: HubFacade, tenant: string, filter: { facility?: string; after?: number }, options: PageOptions) {
  const all = await engine.inventory.positions(tenant, Date.now(), filter.facility || undefined);
  const from = filter.after ?? 0;
  const rows = all.slice(from, from + POSITIONS_PAGE);
  const q = (after: number) => new URLSearchParams({ ...(filter.facility ? { facility: filter.facility } : {}), after: String(after) }).toString();
  return (
    <Page {...options}>
      <form method="get" action="/inventory/positions" class="search" role="search">
        <div><label for="facility">Facility</label><input id="facility" name="facility" value={filter.facility ?? ''} placeholder="EWR" /></div>
        <div><button type="submit">Show</button></div>
      </form>
      <p class="hint">Both sides compared now, without storing a run: {all.length} position(s).</p>
      <Table head={['Facility', 'SKU', 'Lot', 'UoM', 'Warehouse on hand', 'available', 'ERP on hand', 'Difference', 'After in flight', 'Status', 'Why']} rows={rows.length} empty="No stock position known.">
        {rows.map((p) => (
          <tr>
            <td>{p.facility}</td><td>{p.sku}</td><td>{p.lot || '—'}</td><td>{p.uom}</td><td>{p.warehouse?.onHand ?? '—'}</td><td>{p.warehouse?.available ?? '—'}</td>
            <td>{p.erp?.onHand ?? '—'}</td><td>{p.difference}</td><td>{p.correctedDifference}</td><td><Status value={p.status} /></td><td class="wrap">{p.explanation}</td>
          </tr>
        ))}
      </Table>
      {from + POSITIONS_PAGE < all.length && <p class="pager"><a href={`/inventory/positions?${q(from + POSITIONS_PAGE)}`}>Next</a></p>}
    </Page>
  );
}

const FINDINGS_SHOWN = 500;

/**
 * The go-live audit of the item masters (the ERP's and the warehouse's item documents, codes and
 * stock), as POST /v1/audits runs it: computed when asked, never stored.
 */
export async function auditReportPage(engine: HubFacade, tenant: string, run: boolean, kind: string | undefined, options: PageOptions) {
  const report = run ? await engine.inventory.audit(tenant, {}) : undefined;
  const findings = report ? report.findings.filter((f) => !kind || f.kind === kind) : [];
  return (
    <Page {...options}>
      <p>Compares the ERP's item master with the warehouse's, as their connectors brought them in: SKUs missing on a side, duplicates and variants, barcodes, units and conversions, lot and serial tracking, weights and dimensions, codes without a code table entry, and stock differences. It is computed when asked.</p>
      <form method="get" action="/inventory/audit" class="search">
        <input type="hidden" name="run" value="1" />
        <div><button type="submit">{report ? 'Run the audit again' : 'Run the go-live audit'}</button></div>
      </form>
      {report && (
        <>
          <p>{report.items.erp} ERP item(s), {report.items.warehouse} warehouse item(s): {report.total} finding(s).</p>
          <nav aria-label="Finding kind" class="filters">
            <ul>
              <li><a href="/inventory/audit?run=1" aria-current={!kind ? 'page' : undefined}>All</a></li>
              {Object.entries(report.counts).filter(([, n]) => n > 0).map(([k, n]) => <li><a href={`/inventory/audit?run=1&kind=${k}`} aria-current={kind === k ? 'page' : undefined}>{k.replace(/_/g, ' ')} ({n})</a></li>)}
            </ul>
          </nav>
          <Table head={['Kind', 'Side', 'Record', 'Field', 'Found', 'What to do']} rows={Math.min(findings.length, FINDINGS_SHOWN)} empty="No finding.">
            {findings.slice(0, FINDINGS_SHOWN).map((f) => <tr><td>{f.kind.replace(/_/g, ' ')}</td><td>{f.side}</td><td>{f.record}</td><td><code>{f.field}</code></td><td class="wrap">{f.found}</td><td class="wrap">{f.action}</td></tr>)}
          </Table>
          {findings.length > FINDINGS_SHOWN && <p class="hint">The first {FINDINGS_SHOWN} of {findings.length}: `causeway audit --format csv` gives them all.</p>}
        </>
      )}
    </Page>
  );
}
