import type { OrderLedger } from './ledger.ts';
import type { StuckPolicy } from './policy.ts';
import { orderLineStates, orderStateOf } from './views.ts';
import { list, qty } from './words.ts';

export interface StuckOrder {
  entityKey: string;
  orderNumber: string;
  rule: 'ACK_OVERDUE' | 'SHIP_DATE_MISSED';
  /** Since when it has been late. */
  since: string;
  reason: string;
}

/**
 * Orders that need someone: sent to the warehouse and not acknowledged within the allowed time,
 * or not shipped in full by the end of their requested ship date (at the facility's offset).
 * Cancelled, closed and shipped orders are never stuck. An order sent under a policy of its own
 * (its flow's `rules.stuck`) is held to that; `general` is for the others.
 */
export function findStuck(ledgers: Iterable<OrderLedger>, general: StuckPolicy, now: string): StuckOrder[] {
  const nowMs = Date.parse(now);
  const out: StuckOrder[] = [];
  for (const ledger of ledgers) {
    if (!ledger.known) continue;
    // Each order is held to the SLA of the flow that sent it; one never sent, to the general one.
    const sla = ledger.sla ?? general;
    const state = orderStateOf(ledger);
    if (state === 'cancelled' || state === 'closed' || state === 'shipped') continue;
    const name = `Order ${ledger.orderNumber}`;
    if (ledger.send.state === 'sent' && ledger.send.sentAt !== undefined && ledger.acknowledgments.length === 0) {
      const due = Date.parse(ledger.send.sentAt) + sla.acknowledgeWithinMinutes * 60_000;
      if (nowMs > due) {
        const minutes = Math.floor((nowMs - Date.parse(ledger.send.sentAt)) / 60_000);
        out.push({
          entityKey: ledger.entityKey, orderNumber: ledger.orderNumber, rule: 'ACK_OVERDUE', since: new Date(due).toISOString(),
          reason: `${name} was sent to the warehouse at ${ledger.send.sentAt}${ledger.send.endpoint ? ` through ${ledger.send.endpoint}` : ''} and has not been acknowledged in ${minutes} min (allowed: ${sla.acknowledgeWithinMinutes} min).`,
        });
      }
    }
    const shipBy = ledger.header?.requestedShipDate;
    if (sla.shipByRequestedDate && shipBy !== undefined) {
      const endOfDay = Date.parse(`${shipBy}T00:00:00${sla.utcOffset}`) + 24 * 3600_000;
      if (nowMs >= endOfDay) {
        const open = orderLineStates(ledger).filter((l) => l.open !== '0');
        const what = list(open.slice(0, 3).map((l) => `${qty(l.open, l.uom)} of ${l.sku}`)) + (open.length > 3 ? ` and ${open.length - 3} more lines` : '');
        out.push({
          entityKey: ledger.entityKey, orderNumber: ledger.orderNumber, rule: 'SHIP_DATE_MISSED', since: new Date(endOfDay).toISOString(),
          reason: `${name} was to ship by ${shipBy} and is ${state.replace('_', ' ')}${open.length > 0 ? `, with ${what} still to ship` : ''}.`,
        });
      }
    }
  }
  return out;
}
