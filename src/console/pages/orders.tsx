// Orders as the rules' ledgers know them (the same views as /v1/orders), and routing decisions
// with every facility considered and why it was or was not chosen.
import type { Child } from 'hono/jsx';
import type { HubFacade } from '../../engine/index.ts';
import type { LedgerEvent, OrderListStatus } from '../../engine/orders.ts';
import type { RoutingRecord } from '../../store/index.ts';
import { Action, Page, Status, Table, when, type PageOptions } from '../layout.tsx';
import { mayOperate, type Session } from '../sessions.ts';

export const ORDER_STATUSES: readonly OrderListStatus[] = ['open', 'partially_shipped', 'shipped', 'cancelled', 'held', 'closed', 'stuck'];
const PAGE = 50;
const iso = (v: string | undefined) => (v ? when(Date.parse(v)) : '—');

export function readOrderStatus(v: string | undefined): OrderListStatus | undefined {
  return (ORDER_STATUSES as readonly string[]).includes(v ?? '') ? v as OrderListStatus : undefined;
}

/** Filter links of a ledger's list: all entries, or one state (an order's stuck: not acknowledged in time, or past its ship date). */
function StatusFilter(props: { label: string; path: string; statuses: readonly string[]; status: string | undefined }) {
  return (
    <nav aria-label={props.label} class="filters">
      <ul>
        <li><a href={props.path} aria-current={props.status === undefined ? 'page' : undefined}>All</a></li>
        {props.statuses.map((s) => <li><a href={`${props.path}?status=${s}`} aria-current={props.status === s ? 'page' : undefined}>{s.replace('_', ' ')}</a></li>)}
      </ul>
    </nav>
  );
}

/** A ledger's list page: its status filter links, then the page's own search form and table, then First and Next. */
function LedgerList(props: { options: PageOptions; label: string; path: string; statuses: readonly string[]; filter: { status?: string; facility?: string; after?: string }; next: string | undefined; children: Child }) {
  const { options, label, path, statuses, filter, next } = props;
  return (
    <Page {...options}>
      <StatusFilter label={label} path={path} statuses={statuses} status={filter.status} />
      {props.children}
      <Pager path={path} filter={filter} next={next} />
    </Page>
  );
}

/** The key a full page's last row gives the next page's ?after; none when the page is not full. */
function nextAfter<R>(rows: R[], key: (row: R) => string): string | undefined {
  return rows.length === PAGE ? key(rows[rows.length - 1]!) : undefined;
}

/** A ledger list's First and Next links, keeping its status and facility filters; Next after the key of a full page's last row. */
function Pager(props: { path: string; filter: { status?: string; facility?: string; after?: string }; next: string | undefined }) {
  const { path, filter, next } = props;
  const query = (extra: Record<string, string>) => new URLSearchParams(Object.entries({ status: filter.status ?? '', facility: filter.facility ?? '', ...extra }).filter(([, v]) => v !== '')).toString();
  return <p class="pager">{filter.after && <a href={`${path}?${query({})}`}>First</a>} {next && <a href={`${path}?${query({ after: next })}`}>Next</a>}</p>;
}

export async function ordersPage(engine: HubFacade, tenant: string, filter: { status?: OrderListStatus; facility?: string; after?: string }, options: PageOptions) {
  const rows = await engine.listOrders(tenant, { status: filter.status, facility: filter.facility, after: filter.after, limit: PAGE });
  return (
    <LedgerList options={options} label="Order status" path="/orders" statuses={ORDER_STATUSES} filter={filter} next={nextAfter(rows, (o) => `order:${o.orderNumber}`)}>
      <form method="get" action="/orders" class="search" role="search">
        {filter.status && <input type="hidden" name="status" value={filter.status} />}
        <div><label for="order-number">Order number</label><input id="order-number" name="number" placeholder="SO-1001" /></div>
        <div><label for="facility">Facility</label><input id="facility" name="facility" value={filter.facility ?? ''} placeholder="EWR" /></div>
        <div><button type="submit">Find</button></div>
      </form>
      <Table head={['Order', 'Status', 'Facility', 'Updated', 'Stuck']} rows={rows.length} empty={filter.status === 'stuck' ? 'No stuck order.' : 'No order.'}>
        {rows.map((o) => (
          <tr>
            <td><a href={`/orders/${encodeURIComponent(o.orderNumber)}`}>{o.orderNumber}</a></td>
            <td><Status value={o.status} /></td>
            <td>{o.facility ?? '—'}</td>
            <td>{when(o.updatedAt)}</td>
            <td class="wrap">{o.stuck.length ? o.stuck.map((s) => `${s.rule}: ${s.reason}`).join('; ') : '—'}</td>
          </tr>
        ))}
      </Table>
    </LedgerList>
  );
}

export async function orderPage(engine: HubFacade, tenant: string, session: Session, orderNumber: string, options: PageOptions) {
  const [order, routing] = await Promise.all([engine.order(tenant, orderNumber), engine.routingDecision(tenant, orderNumber)]);
  if (!order && !routing) return undefined;
  const operator = mayOperate(session);
  const openHolds = order?.holds.filter((h) => h.releasedAt === undefined) ?? [];
  return (
    <Page {...options} title={`Order ${orderNumber}`}>
      {order ? (
        <>
          <dl class="facts">
            <dt>Status</dt><dd><Status value={order.status} /></dd>
            <dt>Facility</dt><dd>{order.facility ?? '—'}</dd>
            <dt>Sent to the warehouse</dt><dd>{order.sent.state.replace('_', ' ')}{order.sent.endpoint ? ` (${order.sent.endpoint})` : ''}{order.sent.sentAt ? `, ${iso(order.sent.sentAt)}` : ''}</dd>
            <dt>Updated</dt><dd>{when(order.updatedAt)}</dd>
            <dt>Stuck</dt><dd>{order.stuck.length ? order.stuck.map((s) => `${s.rule} since ${iso(s.since)}: ${s.reason}`).join('; ') : 'no'}</dd>
          </dl>
          <p><a href={`/messages?q=${encodeURIComponent(orderNumber)}`}>Messages of this order</a></p>
          {operator && (
            <div class="actions">
              {openHolds.length === 0 ? (
                <form method="post" action={`/orders/${encodeURIComponent(orderNumber)}/hold`} class="inline">
                  <input type="hidden" name="_csrf" value={session.csrf} />
                  <label for="hold-reason">Hold reason</label>
                  <input id="hold-reason" name="reason" required maxlength={200} />
                  <button type="submit">Hold</button>
                </form>
              ) : <Action action={`/orders/${encodeURIComponent(orderNumber)}/release`} session={session} label="Release" confirm="Release this order's holds?" />}
            </div>
          )}
          <section aria-labelledby="lines-h">
            <h2 id="lines-h">Lines</h2>
            <Table head={['Line', 'SKU', 'UoM', 'Ordered', 'Shipped', 'Cancelled', 'Open', 'Backordered', 'Over-shipped']} rows={order.lines.length}>
              {order.lines.map((l) => <tr><td>{l.lineNumber}</td><td>{l.sku}</td><td>{l.uom}</td><td>{l.ordered}</td><td>{l.shipped}</td><td>{l.cancelled}</td><td>{l.open}</td><td>{l.backordered}</td><td>{l.overShipped}</td></tr>)}
            </Table>
          </section>
          <section aria-labelledby="holds-h">
            <h2 id="holds-h">Holds</h2>
            <Table head={['By', 'Reason', 'Since', 'Released']} rows={order.holds.length} empty="Never held.">
              {order.holds.map((h) => <tr><td>{h.by}</td><td class="wrap">{h.reason}</td><td>{iso(h.since)}</td><td>{h.releasedAt ? `${iso(h.releasedAt)} by ${h.releasedBy ?? '?'}` : 'held'}</td></tr>)}
            </Table>
            {order.held.length > 0 && (
              <Table head={['Waiting document', 'Type', 'Waits for', 'Reason', 'Since']} rows={order.held.length}>
                {order.held.map((h) => <tr><td>{h.documentId}</td><td>{h.documentType}</td><td>{h.waitingFor}</td><td class="wrap">{h.reason}</td><td>{iso(h.heldAt)}</td></tr>)}
              </Table>
            )}
          </section>
          <section aria-labelledby="events-h">
            <h2 id="events-h">Ledger</h2>
            <LedgerEvents events={order.events} />
          </section>
        </>
      ) : <p>The rules keep no ledger of this order (yet); it was routed:</p>}
      {routing && <RoutingDecisionView record={routing} />}
    </Page>
  );
}

/** Every document decided against an order's or an inbound's ledger, with the rule's verdict and its message. */
function LedgerEvents({ events, caption }: { events: LedgerEvent[]; caption?: string }) {
  return (
    <Table head={['When', 'Document', 'Verdict', 'Rule', 'Reason', 'Message']} rows={events.length} caption={caption} empty="No document decided yet.">
      {events.map((e) => (
        <tr>
          <td>{when(e.at)}</td><td>{e.documentType} <code>{e.documentId}</code></td><td><Status value={e.verdict} /></td><td><code>{e.rule}</code></td>
          <td class="wrap">{e.reason}</td><td><a href={`/messages/${e.messageId}`}>#{e.messageId}</a></td>
        </tr>
      ))}
    </Table>
  );
}

interface CandidateView { facility: string; chosen: boolean; eligible: boolean; shipsToday: boolean; distanceKm?: number; linesInStock: number; reasons: string[] }
interface DecisionView {
  policy: string; status: string; facility?: string; reason: string; at: string;
  assignments: Array<{ facility: string; endpoint?: string; lines: Array<{ lineNumber: string; sku: string; quantity: string; backordered: string }> }>;
  candidates: CandidateView[];
  history?: Array<{ facility?: string; status?: string; reason?: string; at?: string; outcome: { kind: string; facility: string; why?: string } }>;
}

/** One routing decision: which site, why, every candidate with its reasons, and what came before. */
function RoutingDecisionView(props: { record: RoutingRecord }) {
  const d = props.record.decision as DecisionView;
  return (
    <section aria-labelledby="routing-h">
      <h2 id="routing-h">Routing</h2>
      <dl class="facts">
        <dt>Decision</dt><dd><Status value={d.status} /> ({d.policy}){d.facility ? `: ${d.facility}` : ''}</dd>
        <dt>Why</dt><dd>{d.reason}</dd>
        <dt>Decided</dt><dd>{iso(d.at)}</dd>
      </dl>
      <Table head={['Facility', 'Chosen', 'Eligible', 'Ships today', 'Distance', 'Lines in stock', 'Reasons']} rows={d.candidates.length} caption="Candidates" empty="No facility considered.">
        {d.candidates.map((c) => (
          <tr class={c.chosen ? 'chosen' : undefined}>
            <td>{c.facility}</td><td>{c.chosen ? 'yes' : 'no'}</td><td>{c.eligible ? 'yes' : 'no'}</td><td>{c.shipsToday ? 'yes' : 'no'}</td>
            <td>{c.distanceKm === undefined ? '—' : `${Math.round(c.distanceKm)} km`}</td><td>{c.linesInStock}</td><td class="wrap">{c.reasons.length ? c.reasons.join('; ') : '—'}</td>
          </tr>
        ))}
      </Table>
      <Table head={['Facility', 'Endpoint', 'Line', 'SKU', 'Quantity', 'Backordered']} rows={d.assignments.reduce((n, a) => n + a.lines.length, 0)} caption="Assignments" empty="Nothing assigned.">
        {d.assignments.flatMap((a) => a.lines.map((l) => <tr><td>{a.facility}</td><td>{a.endpoint ?? '—'}</td><td>{l.lineNumber}</td><td>{l.sku}</td><td>{l.quantity}</td><td>{l.backordered}</td></tr>))}
      </Table>
      {(d.history ?? []).length > 0 && (
        <Table head={['Earlier decision', 'Ended by', 'At facility', 'Why']} rows={d.history!.length} caption="Earlier decisions">
          {d.history!.map((h) => <tr><td>{h.status ?? '—'} {h.facility ?? ''} {iso(h.at)}</td><td>{h.outcome.kind}</td><td>{h.outcome.facility}</td><td class="wrap">{h.outcome.kind === 'short' ? 'shipped short' : h.outcome.why ?? '—'}</td></tr>)}
        </Table>
      )}
    </section>
  );
}

const ROUTING_STATUSES = ['routed', 'split', 'backordered', 'held', 'unroutable'] as const;

/** The newest routing decisions, by status, with a link to each order's decision. */
export async function routingPage(engine: HubFacade, tenant: string, filter: { status?: string; before?: { decidedAt: number; orderKey: string } }, options: PageOptions) {
  const status = (ROUTING_STATUSES as readonly string[]).includes(filter.status ?? '') ? filter.status : undefined;
  const rows = await engine.listRoutingDecisions(tenant, { status, before: filter.before, limit: PAGE });
  const last = rows.length === PAGE ? rows[rows.length - 1]! : undefined;
  const number = (key: string) => key.replace(/^order:/, '');
  return (
    <Page {...options}>
      <nav aria-label="Routing status" class="filters">
        <ul>
          <li><a href="/routing" aria-current={status === undefined ? 'page' : undefined}>All</a></li>
          {ROUTING_STATUSES.map((s) => <li><a href={`/routing?status=${s}`} aria-current={status === s ? 'page' : undefined}>{s}</a></li>)}
        </ul>
      </nav>
      <form method="get" action="/orders" class="search" role="search">
        <div><label for="routing-order">Order number</label><input id="routing-order" name="number" placeholder="SO-1001" /></div>
        <div><button type="submit">Show its decision</button></div>
      </form>
      <Table head={['Decided', 'Order', 'Status', 'Facility', 'Why']} rows={rows.length} empty="No order routed.">
        {rows.map((r) => (
          <tr>
            <td>{when(r.decidedAt)}</td><td><a href={`/orders/${encodeURIComponent(number(r.orderKey))}#routing-h`}>{number(r.orderKey)}</a></td>
            <td><Status value={r.status} /></td><td>{r.facility ?? '—'}</td><td class="wrap">{(r.decision as DecisionView).reason}</td>
          </tr>
        ))}
      </Table>
      {last && <p class="pager"><a href={`/routing?${new URLSearchParams({ ...(status ? { status } : {}), before: `${last.decidedAt}~${last.orderKey}` })}`}>Older</a></p>}
    </Page>
  );
}

export function readRoutingCursor(v: string | undefined): { decidedAt: number; orderKey: string } | undefined {
  const m = /^(\d{1,15})~(.{1,200})$/.exec(v ?? '');
  return m ? { decidedAt: Number(m[1]), orderKey: m[2]! } : undefined;
}

export const INBOUND_STATUSES = ['expected', 'partially_received', 'received', 'short', 'over'] as const;

/** Expected inbound (purchase orders, ASNs) against what was received: the rules' inbound ledgers, as GET /v1/inbound reads them. */
export async function inboundPage(engine: HubFacade, tenant: string, filter: { status?: string; facility?: string; after?: string }, options: PageOptions) {
  const rows = await engine.listInbound(tenant, { status: filter.status, facility: filter.facility, after: filter.after, limit: PAGE });
  return (
    <LedgerList options={options} label="Inbound status" path="/inbound" statuses={INBOUND_STATUSES} filter={filter} next={nextAfter(rows, (i) => `inbound:${i.reference}`)}>
      <form method="get" action="/inbound" class="search" role="search">
        <div><label for="inbound-reference">PO or ASN reference</label><input id="inbound-reference" name="reference" placeholder="PO-7" /></div>
        <div><button type="submit">Find</button></div>
      </form>
      <Table head={['Reference', 'Status', 'Facility', 'Updated']} rows={rows.length} empty="No expected inbound.">
        {rows.map((i) => <tr><td><a href={`/inbound/${encodeURIComponent(i.reference)}`}>{i.reference}</a></td><td><Status value={i.status} /></td><td>{i.facility ?? '—'}</td><td>{when(i.updatedAt)}</td></tr>)}
      </Table>
    </LedgerList>
  );
}

export async function inboundOnePage(engine: HubFacade, tenant: string, reference: string, options: PageOptions) {
  const i = await engine.inbound(tenant, reference);
  if (!i) return undefined;
  return (
    <Page {...options} title={`Inbound ${reference}`}>
      <dl class="facts">
        <dt>Status</dt><dd><Status value={i.status} /></dd>
        <dt>Facility</dt><dd>{i.facility ?? '—'}</dd>
        <dt>Updated</dt><dd>{when(i.updatedAt)}</dd>
      </dl>
      <p><a href={`/messages?q=${encodeURIComponent(reference)}`}>Messages of this reference</a></p>
      <Table head={['Line', 'SKU', 'UoM', 'Expected', 'Received', 'Damaged', 'Open', 'Status']} rows={i.lines.length} caption="Lines">
        {i.lines.map((l) => <tr><td>{l.lineNumber ?? '—'}</td><td>{l.sku}</td><td>{l.uom}</td><td>{l.expected}</td><td>{l.received}</td><td>{l.damaged}</td><td>{l.open}</td><td><Status value={l.status} /></td></tr>)}
      </Table>
      <LedgerEvents events={i.events} caption="Ledger" />
    </Page>
  );
}
