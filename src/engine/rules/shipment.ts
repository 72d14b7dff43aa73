import type { CausewayError, Decimal, Shipment } from '../../model/index.ts';
import { alertsFor, outcome, type Outcome, type RuleContext } from './context.ts';
import { contentFingerprint } from './fingerprint.ts';
import { capitalise, parkDocument, windowWords } from './holds.ts';
import { newOrderLedger, revised, type OrderLedger, type ShipmentRecord } from './ledger.ts';
import { matchLines } from './lines.ts';
import { checkLots } from './lots.ts';
import { checkOver } from './over.ts';
import { plus } from './quantity.ts';
import { isCancelled, isFullyShipped, openOf, shippableOf } from './views.ts';
import type { Effect } from './verdict.ts';
import { dayOf, lineName, list, qty } from './words.ts';

/**
 * A shipment confirmation from the warehouse, checked against the order as sent: not twice, not
 * after a confirmed cancel, lots as the item master wants them, lines as the order has them, and
 * no more than ordered (all shipments of the order counted) unless the policy allows it. A
 * complete shipment with less than ordered is the warehouse saying "that's all": the rest stays
 * open as a backorder, or the order is closed short, as the policy says.
 */
export function decideShipment(input: OrderLedger | undefined, doc: Shipment, ctx: RuleContext): Outcome<OrderLedger> {
  const label = `shipment ${doc.shipmentNumber}`;
  const order = `order ${doc.orderNumber}`;
  if (!input || !input.known) {
    const reason = `${capitalise(label)} waits: ${order} has not arrived yet. It is applied when the order arrives, or refused if it has not within ${windowWords(ctx.policy.outOfOrder.holdWindowMinutes)}.`;
    return outcome('hold', 'ORDER_NOT_SEEN', reason, parkDocument(input ?? newOrderLedger(ctx.entityKey, doc.orderNumber), doc, label, ctx.now, 'order', 'ORDER_NOT_SEEN', reason, ctx.policy.outOfOrder.holdWindowMinutes));
  }
  const ledger = input;
  const fingerprint = contentFingerprint(doc);
  const prior = ledger.shipments.find((s) => s.shipmentNumber === doc.shipmentNumber);
  if (prior) {
    if (prior.fingerprint === fingerprint) {
      return outcome('stale', 'DUPLICATE', `${capitalise(label)} came again with the same content; it was applied already and is not counted twice.`, ledger);
    }
    // A corrected resend changes what the ERP has already booked (goods issue, invoice): applying
    // it would count the goods twice, and dropping it quietly would hide the difference.
    const reason = `${capitalise(label)} came again with other content; the first one (shipped ${prior.shippedAt}) is applied and nothing is counted twice. Compare the two and correct ${order} by hand.`;
    return outcome('refuse', 'SHIPMENT_RESENT_CHANGED', reason, ledger, { effects: [{ kind: 'alert', severity: 'warning', rule: 'SHIPMENT_RESENT_CHANGED', entityKey: ledger.entityKey, message: reason }] });
  }
  if (isCancelled(ledger)) {
    const reason = `${capitalise(label)} is refused: ${order} was cancelled and the cancel confirmed before the warehouse reported this shipment. Nothing is applied; the goods shipped need a decision.`;
    return outcome('refuse', 'SHIPMENT_AFTER_CANCEL', reason, ledger, { effects: [{ kind: 'alert', severity: 'critical', rule: 'SHIPMENT_AFTER_CANCEL', entityKey: ledger.entityKey, message: reason }] });
  }
  if (ledger.closed) {
    return outcome('refuse', 'ORDER_CLOSED', `${capitalise(label)} is refused: ${order} was closed on ${ledger.closed.at} (${ledger.closed.reason}); nothing more ships on it.`, ledger);
  }

  const lots = checkLots(doc.lines, ctx.item, dayOf(doc.shippedAt), label);
  if (lots.refusal) return outcome('refuse', lots.refusal.code as 'LOT_MISSING', `${capitalise(lots.refusal.message)}; not applied.`, ledger, { path: lots.refusal.path });

  const matches = matchLines(ledger.lines, doc.lines, (j) => openOf(ledger.lines[j]!), { document: label, plan: order });
  const chain: CausewayError[] = matches.findings;
  for (let i = 0; i < doc.lines.length; i++) {
    const line = doc.lines[i]!;
    const wanted = ledger.lines[matches.targets[i]!]?.lot;
    if (wanted === undefined || line.quantity === '0') continue;
    const other = line.lots.find((l) => l.lot !== wanted);
    if (line.lots.length === 0 || other) {
      chain.push({ code: 'DOCUMENT_CHAIN', path: `$.lines[${i}].lots`, message: `${label} ${lineName(line)}: ${order} asks for lot ${wanted}; the shipment ${other ? `ships lot ${other.lot}` : 'names no lot'}` });
    }
  }
  if (chain.length > 0 && ctx.policy.documentChain === 'refuse') {
    return outcome('refuse', 'DOCUMENT_CHAIN', `${capitalise(chain[0]!.message)}; not applied.`, ledger, { path: chain[0]!.path, flags: chain.slice(1) });
  }

  // What each order line reaches with this shipment; lines of SKUs and units not on the order become lines of their own.
  const lines = ledger.lines.slice();
  const before = ledger.lines.length;
  const added = new Map<number, Decimal>();
  const firstPath = new Map<number, string>();
  for (let i = 0; i < doc.lines.length; i++) {
    const line = doc.lines[i]!;
    let j = matches.targets[i]!;
    if (j < 0) {
      j = lines.findIndex((l, k) => k >= before && l.sku === line.sku && l.uom === line.uom);
      if (j < 0) {
        const free = !lines.some((l) => l.lineNumber === line.lineNumber);
        lines.push({ lineNumber: free ? line.lineNumber : `${line.sku}/${line.uom}`, sku: line.sku, uom: line.uom, ordered: '0', shipped: '0', cancelled: '0', unordered: true });
        j = lines.length - 1;
      }
    }
    if (line.quantity === '0') continue;
    added.set(j, plus(added.get(j) ?? '0', line.quantity));
    if (!firstPath.has(j)) firstPath.set(j, `$.lines[${i}]`);
  }

  const flags: CausewayError[] = [...chain];
  for (const [j, quantity] of added) {
    const line = lines[j]!;
    const limit = shippableOf(line);
    if (limit === '0' && line.cancelled !== '0') {
      const reason = `${capitalise(label)} is refused: ${order} ${lineName(line)} was cancelled at the warehouse's confirmation; the shipment ships ${qty(quantity, line.uom)} of it.`;
      return outcome('refuse', 'SHIPMENT_AFTER_CANCEL', reason, ledger, { path: firstPath.get(j)!, effects: [{ kind: 'alert', severity: 'critical', rule: 'SHIPMENT_AFTER_CANCEL', entityKey: ledger.entityKey, message: reason }] });
    }
    const total = plus(line.shipped, quantity);
    const check = checkOver(total, limit, ctx.policy.overShipment, 'OVER_SHIPMENT', firstPath.get(j)!, (over) => line.unordered
      ? `${order} has no line for ${line.sku} in ${line.uom}; ${label} ships ${qty(quantity, line.uom)} of it${line.shipped !== '0' ? ` (${qty(total, line.uom)} in all)` : ''}`
      : `${order} ${lineName(line)} ordered ${qty(line.ordered, line.uom)}${line.cancelled !== '0' ? ` (${qty(line.cancelled, line.uom)} cancelled)` : ''}; ${line.shipped !== '0' ? `${qty(line.shipped, line.uom)} shipped before and ` : ''}${label} ships ${qty(quantity, line.uom)}, ${qty(total, line.uom)} in all, ${qty(over, line.uom)} over`);
    if (check.refusal) return outcome('refuse', 'OVER_SHIPMENT', `${check.refusal.message}.`, ledger, { path: check.refusal.path, flags });
    if (check.flag) flags.push(check.flag);
    lines[j] = { ...line, shipped: total };
  }
  if (lots.expired.length > 0) {
    if (ctx.policy.lots.expired === 'refuse') return outcome('refuse', 'LOT_EXPIRED', `${capitalise(lots.expired[0]!.message)}; not applied.`, ledger, { path: lots.expired[0]!.path, flags });
    flags.push(...lots.expired);
  }

  let next: OrderLedger = {
    ...ledger,
    lines,
    shipments: [...ledger.shipments, shipmentRecord(doc, fingerprint)],
    // A partial shipment starts the next wave: the rest is allocated and picked again.
    progress: doc.complete ? ledger.progress : 0,
  };
  const effects: Effect[] = alertsFor(flags, ledger.entityKey);
  const said: string[] = [];
  const fullyShipped = isFullyShipped(next);
  const rest = fullyShipped ? [] : next.lines.filter((l) => !l.unordered && openOf(l) !== '0');
  const restWords = list([...rest.slice(0, 3).map((l) => `${qty(openOf(l), l.uom)} of ${lineName(l)}`), ...(rest.length > 3 ? [`${rest.length - 3} more lines`] : [])]);

  if (doc.complete && rest.length > 0) {
    if (ctx.policy.underShipment === 'short_close') {
      const reason = `the warehouse shipped all it will; ${restWords} not shipped`;
      next = revised(next, { closed: { at: doc.shippedAt, how: 'short_closed', by: 'warehouse', reason } });
      effects.push({
        kind: 'send_status', to: 'erp', entityKey: ledger.entityKey, orderNumber: doc.orderNumber, status: 'shipped', reason: `short-closed: ${restWords} not shipped`,
        lines: rest.map((l) => ({ lineNumber: l.lineNumber, sku: l.sku, status: 'cancelled', quantity: openOf(l), uom: l.uom })),
      });
      said.push(`the warehouse says that is all, so the order is closed short (${restWords} not shipped)`);
    } else {
      said.push(`the warehouse says that is all for now; ${restWords} stay open as a backorder`);
    }
  } else if (rest.length > 0) {
    said.push(`${restWords} still to ship`);
  } else {
    said.push('the order has shipped in full');
  }
  if (fullyShipped || (doc.complete && rest.length > 0 && ctx.policy.underShipment === 'short_close')) {
    const asked = next.cancels.filter((c) => c.state === 'requested');
    if (asked.length > 0) {
      next = { ...next, cancels: next.cancels.map((c) => (c.state === 'requested' ? { ...c, state: 'refused' as const, outcome: 'shipped' as const, settledAt: ctx.now } : c)) };
      const message = `The cancel of ${order} came too late: the warehouse shipped it (${label}). The ERP is told "cancel rejected: shipped".`;
      effects.push(
        { kind: 'send_status', to: 'erp', entityKey: ledger.entityKey, orderNumber: doc.orderNumber, status: 'shipped', reason: 'cancel rejected: shipped' },
        { kind: 'alert', severity: 'warning', rule: 'CANCEL_AFTER_SHIPPED', entityKey: ledger.entityKey, message },
      );
      said.push('the cancel asked for came too late');
    }
  }
  const units = summarise(doc);
  const flagged = flags.length > 0 ? ` Flagged: ${flags.map((f) => f.message).join('; ')}.` : '';
  return outcome('apply', 'SHIPMENT_APPLIED', `${capitalise(label)} applied to ${order} (${units}); ${said.join('; ')}.${flagged}`, next, { effects, flags });
}

function shipmentRecord(doc: Shipment, fingerprint: string): ShipmentRecord {
  const packages = doc.packages.map((p) => {
    const out: { sscc?: string; trackingNumber?: string } = {};
    if (p.sscc !== undefined) out.sscc = p.sscc;
    if (p.trackingNumber !== undefined) out.trackingNumber = p.trackingNumber;
    return out;
  });
  return {
    shipmentNumber: doc.shipmentNumber, documentId: doc.id, fingerprint, shippedAt: doc.shippedAt, occurredAt: doc.occurredAt, complete: doc.complete,
    lines: doc.lines.map((l) => ({ lineNumber: l.lineNumber, sku: l.sku, uom: l.uom, quantity: l.quantity, lots: l.lots, serials: l.serials })),
    trackingNumbers: doc.trackingNumbers, packages,
  };
}

/** "16 EA on 2 lines", per unit, never adding different units together. */
function summarise(doc: Shipment): string {
  const byUnit = new Map<string, Decimal>();
  for (const l of doc.lines) byUnit.set(l.uom, plus(byUnit.get(l.uom) ?? '0', l.quantity));
  return `${[...byUnit].map(([uom, q]) => qty(q, uom)).join(' + ')} on ${doc.lines.length} ${doc.lines.length === 1 ? 'line' : 'lines'}`;
}
