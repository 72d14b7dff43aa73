import type { OrderCancel } from '../../model/index.ts';
import { outcome, type Outcome, type RuleContext } from './context.ts';
import { contentFingerprint } from './fingerprint.ts';
import { capitalise as capital, parkDocument, releaseParked, windowWords } from './holds.ts';
import { newOrderLedger, type CancelRecord, type OrderLedger, type OrderLine } from './ledger.ts';
import { cmp, plus } from './quantity.ts';
import { isCancelled, isFullyShipped, openOf, shippableOf } from './views.ts';
import type { Effect } from './verdict.ts';
import { lineName, list } from './words.ts';

/**
 * A cancel from the ERP, decided on where the order is:
 * - not seen yet: a whole-order cancel is settled here at once (see dropUnseen); a line cancel,
 *   or a cancel of an order the warehouse has reported on, is held until the order arrives;
 * - not routed yet (held): nothing goes to the warehouse, the order is cancelled here;
 * - routed but not delivered: its pending send is withdrawn instead (and if that delivery is
 *   already on its way, the pipeline holds the cancel until it is delivered, then decides again);
 * - at the warehouse, not all shipped: forwarded; the warehouse's answer confirms or refuses it;
 * - shipped in full (or closed): refused, and the ERP is told so.
 * A line cancel follows its order: it waits with a held order and follows a pending one.
 */
export function decideOrderCancel(input: OrderLedger | undefined, doc: OrderCancel, ctx: RuleContext): Outcome<OrderLedger> {
  const name = `Order ${doc.orderNumber}`;
  const label = doc.lines.length === 0 ? `cancel of order ${doc.orderNumber}` : `cancel of ${doc.lines.length === 1 ? 'a line' : 'lines'} of order ${doc.orderNumber}`;
  if (!input || !input.known) {
    if (doc.lines.length === 0 && ctx.source === 'erp' && !input?.parked.some((p) => p.documentType !== 'order_cancel')) return dropUnseen(input, doc, ctx);
    const reason = `${capital(label)} waits: the order has not arrived yet. It is decided when the order arrives, or refused if it has not within ${windowWords(ctx.policy.outOfOrder.holdWindowMinutes)}.`;
    return outcome('hold', 'ORDER_NOT_SEEN', reason, parkDocument(input ?? newOrderLedger(ctx.entityKey, doc.orderNumber), doc, label, ctx.now, 'order', 'ORDER_NOT_SEEN', reason, ctx.policy.outOfOrder.holdWindowMinutes));
  }
  const ledger = input;
  const fingerprint = contentFingerprint(doc);
  const seen = ledger.cancels.find((c) => c.documentId === doc.id || c.fingerprint === fingerprint);
  if (seen) return outcome('stale', 'DUPLICATE', `${capital(label)} came again; the first one was ${cancelWords(seen)}.`, ledger);
  if (isCancelled(ledger)) return outcome('stale', 'ORDER_CANCELLED', `${name} is already cancelled; nothing more to cancel.`, ledger);

  const whole = doc.lines.length === 0;
  const named: number[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    const want = doc.lines[i]!;
    const j = ledger.lines.findIndex((l) => !l.unordered && l.lineNumber === want.lineNumber);
    if (j < 0 || (want.sku !== undefined && ledger.lines[j]!.sku !== want.sku)) {
      return outcome('refuse', 'DOCUMENT_CHAIN', `${capital(label)}: line ${want.lineNumber}${want.sku ? ` (${want.sku})` : ''} is not a line of the order.`, ledger, { path: `$.lines[${i}]` });
    }
    named.push(j);
  }
  const record = (state: CancelRecord['state'], outcomeOf?: CancelRecord['outcome']): CancelRecord => {
    const r: CancelRecord = { documentId: doc.id, fingerprint, requestedAt: doc.occurredAt, state };
    if (!whole) r.lines = doc.lines.map((l) => (l.quantity === undefined ? { lineNumber: l.lineNumber } : { lineNumber: l.lineNumber, quantity: l.quantity }));
    if (outcomeOf) { r.outcome = outcomeOf; r.settledAt = ctx.now; }
    if (doc.reason !== undefined) r.reason = doc.reason;
    return r;
  };

  if (!whole && named.every((j) => shippableOf(ledger.lines[j]!) === '0')) {
    return outcome('stale', 'ORDER_CANCELLED', `${capital(label)}: ${list(named.map((j) => lineName(ledger.lines[j]!)))} ${named.length === 1 ? 'is' : 'are'} cancelled already.`, ledger);
  }
  const nothingLeft = ledger.closed !== undefined || (whole ? isFullyShipped(ledger) : named.every((j) => openOf(ledger.lines[j]!) === '0'));
  if (nothingLeft) {
    const what = ledger.closed ? `was closed on ${ledger.closed.at}` : whole ? 'has shipped in full' : `has shipped ${list(named.map((j) => lineName(ledger.lines[j]!)))} in full`;
    const reason = `${capital(label)} is rejected: the order ${what}. The ERP is told "cancel rejected: shipped".`;
    const effects: Effect[] = [
      { kind: 'send_status', to: 'erp', entityKey: ledger.entityKey, orderNumber: doc.orderNumber, status: 'shipped', reason: 'cancel rejected: shipped' },
      { kind: 'alert', severity: 'warning', rule: 'CANCEL_AFTER_SHIPPED', entityKey: ledger.entityKey, message: reason },
    ];
    return outcome('refuse', 'CANCEL_AFTER_SHIPPED', reason, { ...ledger, cancels: [...ledger.cancels, record('refused', 'shipped')] }, { effects });
  }

  if (ledger.send.state === 'not_sent') {
    if (!whole) {
      const reason = `${capital(label)} waits with the order, which is on hold and has not gone to the warehouse.`;
      return outcome('hold', 'ORDER_ON_HOLD', reason, parkDocument(ledger, doc, label, ctx.now, 'release', 'ORDER_ON_HOLD', reason));
    }
    const cancelled = cancelRemaining({ ...ledger, cancels: [...ledger.cancels, record('confirmed', 'before_send')], send: { ...ledger.send, state: 'withdrawn' } });
    // The held order (and whatever waits with it) is decided again, and finds the order cancelled.
    const released = releaseParked(cancelled, () => true);
    return outcome('stale', 'CANCEL_BEFORE_SEND', `${name} was cancelled before it was sent to the warehouse; nothing is sent to the warehouse.`, released.ledger, { effects: released.effects });
  }
  if (ledger.send.state === 'pending' && whole) {
    const next = cancelRemaining({ ...ledger, cancels: [...ledger.cancels, record('confirmed', 'before_send')], send: { ...ledger.send, state: 'withdrawn' } });
    return outcome('stale', 'CANCEL_BEFORE_SEND', `${name} was cancelled before it was delivered to the warehouse; its pending send is withdrawn and nothing is sent.`, next, {
      effects: [{
        kind: 'supersede_deliveries', entityKey: ledger.entityKey, documentType: 'sales_order', documentIds: [ledger.send.documentId!],
        required: true, reason: `order ${doc.orderNumber} was cancelled before it was delivered`,
      }],
    });
  }
  const waiting = ledger.send.state === 'pending'
    ? 'it follows the order, which is on its way to the warehouse'
    : ledger.acknowledgments.some((a) => a.status !== 'rejected') ? 'waiting for the warehouse to confirm it' : 'the warehouse has not acknowledged the order yet; waiting for its answer';
  const next = { ...ledger, cancels: [...ledger.cancels, record('requested')] };
  // A cancel goes where its order went: an ERP's cancel seldom names the warehouse, and flows that
  // carry documents by facility would carry a cancel without one nowhere.
  const facility = doc.facility ?? ledger.header?.facility;
  const forwarded: OrderCancel = facility !== undefined && doc.facility === undefined ? { ...doc, facility } : doc;
  const lines = whole ? cancelLinesOf(ledger) : [];
  if (lines.length === 0) return outcome('apply', 'CANCEL_FORWARDED', `${capital(label)} goes to the warehouse; ${waiting}.`, next, forwarded === doc ? {} : { document: forwarded });
  // A warehouse format may need the lines of a whole-order cancel (an X12 940 W05*F must carry its LX/W01 loops):
  // the cancel goes on naming every line still open in `orderLines`, and the verdict says so. `lines` stays
  // empty, so a warehouse that takes whole-order cancels only still gets one; the ledger records a whole-order cancel.
  const openLines = list(lines.map((l) => `line ${l.lineNumber} (${l.sku}) ${l.quantity} ${l.uom}`));
  return outcome('apply', 'CANCEL_FORWARDED', `${capital(label)} goes to the warehouse naming the order's open ${lines.length === 1 ? 'line' : 'lines'}, ${openLines}; ${waiting}.`, next, {
    document: { ...forwarded, orderLines: lines },
  });
}

/**
 * The ERP cancels an order Causeway has never received (a sale confirmed and cancelled between
 * two reads of the ERP, or an order the ERP never released). Orders reach the warehouse only
 * through Causeway, so the warehouse never had it: nothing is sent, and the cancel is recorded on
 * the order's ledger, so the order, should it still arrive, is not sent either. Held instead, it
 * would wait for an order that never comes and be refused when its hold expired.
 */
function dropUnseen(input: OrderLedger | undefined, doc: OrderCancel, ctx: RuleContext): Outcome<OrderLedger> {
  const ledger = input ?? newOrderLedger(ctx.entityKey, doc.orderNumber);
  const fingerprint = contentFingerprint(doc);
  const seen = ledger.cancels.find((c) => c.documentId === doc.id || c.fingerprint === fingerprint);
  if (seen) return outcome('stale', 'DUPLICATE', `Cancel of order ${doc.orderNumber} came again; the first one was ${cancelWords(seen)}.`, ledger);
  if (isCancelled(ledger)) return outcome('stale', 'ORDER_CANCELLED', `Order ${doc.orderNumber} is already cancelled; nothing more to cancel.`, ledger);
  const record: CancelRecord = { documentId: doc.id, fingerprint, requestedAt: doc.occurredAt, state: 'confirmed', outcome: 'before_send', settledAt: ctx.now };
  if (doc.reason !== undefined) record.reason = doc.reason;
  const next: OrderLedger = { ...ledger, cancels: [...ledger.cancels, record], send: { state: 'withdrawn' } };
  return outcome('stale', 'CANCEL_BEFORE_SEND',
    `Cancel of order ${doc.orderNumber} dropped: the order never reached Causeway, so it was never sent to the warehouse; nothing is sent. Should the order still come, it is not sent.`, next);
}

/** The lines a whole-order cancel names when it goes on: each line still open, with what is open of it. */
export function cancelLinesOf(ledger: OrderLedger): NonNullable<OrderCancel['orderLines']> {
  const out: NonNullable<OrderCancel['orderLines']> = [];
  for (const line of ledger.lines) {
    const open = openOf(line);
    if (line.unordered || open === '0') continue;
    out.push({ lineNumber: line.lineNumber, sku: line.sku, quantity: open, uom: line.uom });
  }
  return out;
}

/** Cancels what is still open on every line of `next` (the whole order is cancelled). */
export function cancelRemaining(next: OrderLedger): OrderLedger {
  let changed = false;
  const lines = next.lines.map((line): OrderLine => {
    const open = openOf(line);
    if (line.unordered || open === '0') return line;
    changed = true;
    return { ...line, cancelled: cancelledWith(line, open) };
  });
  return changed ? { ...next, lines } : next;
}

/** A line's cancelled quantity after `more` is cancelled, never beyond what it may still ship. */
export function cancelledWith(line: OrderLine, more: string): string {
  const open = openOf(line);
  const take = cmp(more, open) > 0 ? open : more;
  return plus(line.cancelled, take);
}

export function cancelWords(c: CancelRecord): string {
  if (c.state === 'requested') return 'sent to the warehouse, which has not answered yet';
  switch (c.outcome) {
    case 'before_send': return 'settled before the order was sent';
    case 'shipped': return 'rejected because the order had shipped';
    case 'warehouse_refused': return 'refused by the warehouse';
    default: return c.state === 'confirmed' ? 'confirmed by the warehouse' : 'refused';
  }
}

