// The pages an operator works through after the overview: dead letters, EDI, endpoints, alerts, the audit log.
import type { HubFacade } from '../../engine/index.ts';
import { Action, Page, Status, Table, age, when, type PageOptions } from '../layout.tsx';
import { mayOperate, type Session } from '../sessions.ts';

export async function deadLettersPage(engine: HubFacade, tenant: string, session: Session, options: PageOptions) {
  const groups = await engine.deadLetterGroups(tenant);
  const operator = mayOperate(session);
  return (
    <Page {...options}>
      <p>Open dead letters grouped by how they failed: the same code at the same field, whatever the values.</p>
      <Table head={['Count', 'Code', 'Field', 'Kind', 'Endpoint', 'First seen', 'Last seen', 'Example', ...(operator ? ['Action'] : [])]} rows={groups.length} empty="No open dead letters.">
        {groups.map((g) => (
          <tr>
            <td>{g.count}</td><td><code>{g.code}</code></td><td><code>{g.field}</code></td><td>{g.kind}</td><td>{g.endpoint}</td>
            <td>{when(g.firstSeen)}</td><td>{when(g.lastSeen)}</td>
            <td class="wrap">{g.example.slice(0, 200)} {g.kind === 'message' && <a href={`/messages/${g.members[0]!.refId}`}>#{g.members[0]!.refId}</a>}</td>
            {operator && (
              <td class="act">
                <Action action="/dead-letters/replay" session={session} label={`Replay ${g.count}`} fields={{ group: g.key }} confirm={`Try these ${g.count} again?`} />
                <Action action="/dead-letters/resolve" session={session} label="Mark resolved" fields={{ group: g.key }} confirm="Close these without a replay?" />
              </td>
            )}
          </tr>
        ))}
      </Table>
    </Page>
  );
}

const EDI_PAGE = 50;

export async function ediPage(engine: HubFacade, tenant: string, before: number | undefined, options: PageOptions) {
  const [groups, duplicates, gaps] = await Promise.all([
    engine.listEdiGroups(tenant, { limit: EDI_PAGE, before }), engine.listEdiDuplicates(tenant, { limit: 50 }), engine.controlNumberGaps(tenant),
  ]);
  const partners = engine.partnersOf(tenant);
  return (
    <Page {...options}>
      <section aria-labelledby="groups-h">
        <h2 id="groups-h">Outbound groups and their acknowledgment</h2>
        <Table head={['Sent', 'Partner', 'Group', 'Interchange', 'Type', 'Sets', 'Status', 'Deadline', 'Acknowledged']} rows={groups.length} empty="No group sent.">
          {groups.map((g) => (
            <tr>
              <td>{when(g.sentAt)}</td><td>{g.partner}</td><td>{g.groupControlNumber}</td><td>{g.interchangeControlNumber}</td><td>{g.functionalId}</td>
              <td>{g.sets.length}</td><td><Status value={g.status} /></td><td>{when(g.deadlineAt)}</td>
              <td>{g.ackMessageId ? <a href={`/messages/${g.ackMessageId}`}>{when(g.ackedAt)}</a> : '—'}</td>
            </tr>
          ))}
        </Table>
        {groups.length === EDI_PAGE && <p class="pager"><a href={`/edi?before=${groups[groups.length - 1]!.id}`}>Older</a></p>}
      </section>
      <section aria-labelledby="gaps-h">
        <h2 id="gaps-h">Control-number gaps</h2>
        <Table head={['Partner', 'After', 'Before', 'Missing']} rows={gaps.length} empty="No gap among the newest groups.">
          {gaps.map((g) => <tr><td>{g.partner}</td><td>{g.after}</td><td>{g.before}</td><td>{g.missing}</td></tr>)}
        </Table>
      </section>
      <section aria-labelledby="dups-h">
        <h2 id="dups-h">Duplicates received</h2>
        <Table head={['Kind', 'Key', 'Partner', 'Times', 'First seen', 'Last seen']} rows={duplicates.length} empty="No duplicate received.">
          {duplicates.map((d) => (
            <tr>
              <td>{d.kind}</td><td><code>{d.key}</code></td><td>{d.partner}</td><td>{d.count}</td>
              <td><a href={`/messages/${d.firstMessageId}`}>{when(d.firstSeenAt)}</a></td><td><a href={`/messages/${d.lastMessageId}`}>{when(d.lastSeenAt)}</a></td>
            </tr>
          ))}
        </Table>
      </section>
      <section aria-labelledby="partners-h">
        <h2 id="partners-h">Partner profiles</h2>
        <Table head={['Partner', 'Version', 'Usage', 'Acknowledgments']} rows={partners.length} empty="No X12 partner profile for this tenant.">
          {partners.map((p) => {
            const ack = p.acknowledgments as { send?: boolean; expect?: boolean; deadline?: unknown };
            return <tr><td>{p.name}</td><td>{p.version}</td><td>{p.usage === 'T' ? 'test' : 'production'}</td><td>{ack.send ? 'sent' : 'not sent'}; {ack.expect ? `expected within ${String(ack.deadline)}` : 'not expected'}</td></tr>;
          })}
        </Table>
      </section>
    </Page>
  );
}

export async function endpointsPage(engine: HubFacade, tenant: string, options: PageOptions) {
  const now = Date.now();
  const endpoints = engine.endpointsOf(tenant);
  const [figures, kpis] = await Promise.all([engine.endpointFigures(tenant, endpoints.map((e) => e.name), now - 86_400_000), engine.kpis(tenant, now - 3_600_000, now)]);
  const names = [...new Set([...endpoints.map((e) => e.name), ...figures.map((f) => f.endpoint)])].sort();
  return (
    <Page {...options}>
      <Table head={['Endpoint', 'Type', 'Health', 'Circuit', 'Delivered 24 h', 'Per hour', 'Waiting', 'Last success', 'Last error']} rows={names.length} empty="No endpoint.">
        {names.map((name) => {
          const e = endpoints.find((x) => x.name === name);
          const f = figures.find((x) => x.endpoint === name);
          const b = kpis.backlog.find((x) => x.endpoint === name);
          const failing = !!f?.lastErrorAt && (!f.lastSuccessAt || f.lastErrorAt > f.lastSuccessAt);
          const health = !e?.sink ? 'source' : e.state !== 'closed' ? 'down' : failing ? 'failing' : 'up';
          return (
            <tr>
              <td><a href={`/messages?endpoint=${encodeURIComponent(name)}`}>{name}</a></td><td>{e?.type ?? '—'}</td><td><Status value={health} /></td>
              <td>{e?.state ? <><Status value={e.state} />{e.openedAt ? ` for ${age(now - e.openedAt)}` : ''}</> : '—'}</td>
              <td>{f?.delivered ?? 0}</td><td>{Math.round((f?.delivered ?? 0) / 24)}</td><td>{b ? `${b.pending} (oldest ${age(b.oldestAgeMs)})` : 0}</td>
              <td>{when(f?.lastSuccessAt)}</td><td class="wrap">{f?.lastErrorAt ? `${when(f.lastErrorAt)}: ${f.lastError ?? ''}` : '—'}</td>
            </tr>
          );
        })}
      </Table>
    </Page>
  );
}

export async function alertsPage(engine: HubFacade, tenant: string, session: Session, state: 'open' | 'resolved', before: number | undefined, options: PageOptions) {
  const alerts = await engine.listAlerts(tenant, { open: state === 'open', before, limit: 50 });
  const operator = mayOperate(session);
  return (
    <Page {...options}>
      <p><a href="/alerts" aria-current={state === 'open' ? 'true' : undefined}>Open</a> · <a href="/alerts?state=resolved" aria-current={state === 'resolved' ? 'true' : undefined}>Resolved</a></p>
      <Table head={['Raised', 'Kind', 'Subject', 'Message', 'Acknowledged', state === 'open' ? 'Action' : 'Resolved']} rows={alerts.length} empty={`No ${state} alerts.`}>
        {alerts.map((a) => (
          <tr>
            <td>{when(a.createdAt)}</td><td>{a.kind}</td><td>{a.subject}</td><td class="wrap">{a.message}</td>
            <td>{a.acknowledgedAt ? `${a.acknowledgedBy} ${when(a.acknowledgedAt)}` : '—'}</td>
            {state === 'open' ? (
              <td class="act">
                {operator && !a.acknowledgedAt && <Action action={`/alerts/${a.id}/acknowledge`} session={session} label="Acknowledge" />}
                {operator && <Action action={`/alerts/${a.id}/resolve`} session={session} label="Resolve" />}
              </td>
            ) : <td>{when(a.resolvedAt)}</td>}
          </tr>
        ))}
      </Table>
      {alerts.length === 50 && <p class="pager"><a href={`/alerts?state=${state}&before=${alerts[alerts.length - 1]!.id}`}>Older</a></p>}
    </Page>
  );
}

export async function auditPage(engine: HubFacade, tenant: string, before: number | undefined, options: PageOptions) {
  const entries = await engine.listAudit(tenant, { before, limit: 100 });
  return (
    <Page {...options}>
      <Table head={['When', 'Who', 'What', 'Subject', 'Detail']} rows={entries.length} empty="Nothing done yet.">
        {entries.map((e) => <tr><td>{when(e.at)}</td><td>{e.actor}</td><td>{e.action}</td><td>{e.subject}</td><td class="wrap"><code>{e.detail === undefined ? '' : JSON.stringify(e.detail).slice(0, 400)}</code></td></tr>)}
      </Table>
      {entries.length === 100 && <p class="pager"><a href={`/audit?before=${entries[entries.length - 1]!.id}`}>Older</a></p>}
    </Page>
  );
}

export function loginPage(options: PageOptions & { next: string }) {
  return (
    <Page {...options}>
      <form method="post" action="/login" class="login">
        <input type="hidden" name="next" value={options.next} />
        <label for="key">API key</label>
        <input id="key" name="key" type="password" autocomplete="current-password" required />
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">Sign in with a key from the config's api.keys or one made with <code>causeway apikey create</code>. A key with the read scope (a viewer) reads; one with the operate scope (an operator) may also replay, correct and resolve.</p>
    </Page>
  );
}
