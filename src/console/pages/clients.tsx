import type { HubFacade } from '../../engine/index.ts';
import { Page, Table, age, type PageOptions } from '../layout.tsx';

const HOUR = 3_600_000;
const ms = (v: number | null) => (v === null ? '—' : age(v));

/** The 3PL operator's screen: every client's last hour side by side, and what waits for delivery across all of them, the oldest first. */
export async function clientsPage(engine: HubFacade, options: PageOptions) {
  const now = Date.now();
  const view = await engine.clientsOverview(now - HOUR, now);
  return (
    <Page {...options}>
      <section aria-labelledby="clients-h">
        <h2 id="clients-h">Clients <small>(last hour)</small></h2>
        <Table head={['Client', 'Messages', 'Delivered', 'Sync p95', 'Order to shipment p95', 'Failed attempts', 'Held', 'Open dead letters', 'Waiting', 'Oldest waiting']} rows={view.clients.length} empty="No clients.">
          {view.clients.map((c) => (
            <tr>
              <td>{c.tenant}</td>
              <td>{c.throughput.messages}</td>
              <td>{c.throughput.delivered}</td>
              <td>{ms(c.syncLatencyP95Ms)}</td>
              <td>{ms(c.orderToShipmentP95Ms)}</td>
              <td>{c.errorRate.failedAttemptsPerThousand} ‰</td>
              <td>{c.rules.hold}</td>
              <td>{c.openDeadLetters.deliveries + c.openDeadLetters.messages}</td>
              <td>{c.backlog.pending}</td>
              <td>{ms(c.backlog.oldestAgeMs)}</td>
            </tr>
          ))}
        </Table>
      </section>
      <section aria-labelledby="backlog-h">
        <h2 id="backlog-h">Backlog of every client <small>(oldest first)</small></h2>
        <Table head={['Client', 'Endpoint', 'Waiting', 'Oldest']} rows={view.backlog.length} empty="Nothing waits for delivery.">
          {view.backlog.map((b) => <tr><td>{b.tenant}</td><td>{b.endpoint}</td><td>{b.pending}</td><td>{ms(b.oldestAgeMs)}</td></tr>)}
        </Table>
        <p class="hint">Switch to a client above to see its messages and deliveries.</p>
      </section>
    </Page>
  );
}
