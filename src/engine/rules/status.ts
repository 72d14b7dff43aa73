import type { OrderStatus } from '../../model/index.ts';
import { cancelledWith, cancelRemaining } from './cancel.ts';
import { outcome, type Outcome, type RuleContext } from './context.ts';
import { contentFingerprint } from './fingerprint.ts';
import { addHold, capitalise, liftHolds, parkDocument, windowWords } from './holds.ts';
import { newOrderLedger, type CancelRecord, type OrderLedger, type StatusEvent } from './ledger.ts';
import { compareStamps, stampOf } from './ordering.ts';
import { isCancelled, isFullyShipped } from './views.ts';
import type { Effect, OrderStatusCode } from './verdict.ts';

/**
 * How far an order has come at the warehouse. A status below the furthest one of the current wave
 * is out of date (shipped, then picked). A backorder, or a shipment of part of the order, starts a
 * new wave: the rest is allocated and picked again. Backordered, on hold and cancelled are not
 * steps of the way and are never out of date by rank.
 */
export const PROGRESS: Partial<Record<OrderStatusCode, number>> = { received: 1, released: 2, allocated: 3, picked: 4, packed: 5, shipped: 6 };

export const statusWords = (s: OrderStatusCode): string => s.replace('_', ' ');

export function decideOrderStatus(input: OrderLedger | undefined, doc: OrderStatus, ctx: RuleContext): Outcome<OrderLedger> {
  if (ctx.source === 'erp') return decideErpStatus(input, doc, ctx);
  const label = `status "${statusWords(doc.status)}" of order ${doc.orderNumber}`;
  if (!input || !input.known) {
    const reason = `${capitalise(label)} waits: the order has not arrived yet. It is passed on when the order arrives, or refused if it has not within ${windowWords(ctx.policy.outOfOrder.holdWindowMinutes)}.`;
    return outcome('hold', 'ORDER_NOT_SEEN', reason, parkDocument(input ?? newOrderLedger(ctx.entityKey, doc.orderNumber), doc, label, ctx.now, 'order', 'ORDER_NOT_SEEN', reason, ctx.policy.outOfOrder.holdWindowMinutes));
  }
  const ledger = input;
  const name = `Order ${doc.orderNumber}`;
  const stamp = stampOf(doc, contentFingerprint(doc));
  const last = ledger.lastApplied.order_status;
  if (last) {
    if (compareStamps(stamp, last) < 0) {
      const current = lastWarehouseStatus(ledger);
      return outcome('stale', 'OUT_OF_ORDER', `${capitalise(label)} from ${doc.occurredAt} is older than the status already applied${current ? ` ("${statusWords(current.status)}", ${current.at})` : ''}; not passed on.`, ledger);
    }
    if (stamp.fingerprint === last.fingerprint) return outcome('stale', 'DUPLICATE', `${capitalise(label)} came again; already passed on.`, ledger);
  }
  if (isCancelled(ledger)) {
    if (doc.status === 'cancelled') return outcome('stale', 'DUPLICATE', `${name} is already cancelled; the warehouse says so again.`, ledger);
    return outcome('stale', 'ORDER_CANCELLED', `${name} is cancelled; a later "${statusWords(doc.status)}" from the warehouse is not passed on.`, ledger);
  }
  const ended = ledger.closed !== undefined || isFullyShipped(ledger);
  if (ended && doc.status !== 'shipped') {
    return outcome('stale', 'STATUS_BACKWARDS', `${name} has ${ledger.closed ? 'been closed' : 'shipped in full'}; a later "${statusWords(doc.status)}" is out of date and not passed on.`, ledger);
  }
  const rank = PROGRESS[doc.status];
  if (rank !== undefined && rank < ledger.progress) {
    const furthest = Object.entries(PROGRESS).find(([, r]) => r === ledger.progress)![0] as OrderStatusCode;
    return outcome('stale', 'STATUS_BACKWARDS', `${name} is already ${statusWords(furthest)} at the warehouse; a later "${statusWords(doc.status)}" is out of date and not passed on.`, ledger);
  }

  const event: StatusEvent = { status: doc.status, source: 'warehouse', at: doc.occurredAt, documentId: doc.id };
  if (doc.reason !== undefined) event.reason = doc.reason;
  if (doc.lines.length > 0) event.lines = doc.lines.map((l) => (l.quantity === undefined ? { lineNumber: l.lineNumber, status: l.status } : { lineNumber: l.lineNumber, status: l.status, quantity: l.quantity }));
  let next: OrderLedger = {
    ...ledger,
    statuses: [...ledger.statuses, event],
    lastApplied: { ...ledger.lastApplied, order_status: stamp },
    progress: doc.status === 'backordered' ? 0 : Math.max(ledger.progress, rank ?? 0),
  };
  // Any status says the warehouse has the order.
  if (!next.acknowledgments.some((a) => a.kind === 'acceptance')) {
    next = { ...next, acknowledgments: [...next.acknowledgments, { kind: 'acceptance', status: 'accepted', at: doc.occurredAt }] };
  }
  if (doc.status === 'on_hold') next = addHold(next, { by: 'warehouse', reason: doc.reason ?? 'held at the warehouse', since: doc.occurredAt });
  else next = liftHolds(next, (h) => h.by === 'warehouse', 'warehouse', doc.occurredAt).ledger;
  if (doc.lines.length > 0) next = applyLineStatuses(next, doc, ctx.now);

  const effects: Effect[] = [];
  if (doc.lines.length === 0) {
    effects.push({
      kind: 'supersede_deliveries', entityKey: ledger.entityKey, documentType: 'order_status', occurredBefore: stamp.occurredAt, keep: doc.id,
      required: false, reason: `a newer status of order ${doc.orderNumber} supersedes it`,
    });
  }
  if (doc.status === 'cancelled') return confirmCancel(next, doc, ctx, effects);
  return outcome('apply', 'STATUS_APPLIED', `${name} is ${statusWords(doc.status)} at the warehouse${doc.reason ? ` (${doc.reason})` : ''}; passed on.`, next, { effects });
}

function confirmCancel(ledger: OrderLedger, doc: OrderStatus, ctx: RuleContext, effects: Effect[]): Outcome<OrderLedger> {
  const name = `Order ${doc.orderNumber}`;
  const requested = ledger.cancels.some((c) => c.state === 'requested');
  const settle = (c: CancelRecord): CancelRecord => (c.state === 'requested' ? { ...c, state: 'confirmed', outcome: 'warehouse_confirmed', settledAt: ctx.now } : c);
  let cancels = ledger.cancels.map(settle);
  if (!cancels.some((c) => c.lines === undefined && c.state === 'confirmed')) {
    cancels = [...cancels, { documentId: doc.id, fingerprint: ledger.lastApplied.order_status!.fingerprint, requestedAt: doc.occurredAt, state: 'confirmed', outcome: 'warehouse_cancelled', settledAt: ctx.now }];
  }
  const next = cancelRemaining({ ...ledger, cancels });
  if (requested) return outcome('apply', 'CANCEL_CONFIRMED', `The warehouse confirmed the cancel of order ${doc.orderNumber}; passed on.`, next, { effects });
  const reason = `The warehouse cancelled order ${doc.orderNumber} on its own${doc.reason ? ` (${doc.reason})` : ''}; passed on.`;
  effects.push({ kind: 'alert', severity: 'warning', rule: 'CANCEL_CONFIRMED', entityKey: ledger.entityKey, message: `${name} was cancelled by the warehouse, not by the ERP${doc.reason ? `: ${doc.reason}` : ''}` });
  return outcome('apply', 'CANCEL_CONFIRMED', reason, next, { effects });
}

/** Line statuses: the line's last status, and a line cancelled at the warehouse settles the line cancels asked for it. */
function applyLineStatuses(ledger: OrderLedger, doc: OrderStatus, now: string): OrderLedger {
  const lines = ledger.lines.slice();
  const cancelledLines = new Set<string>();
  for (const s of doc.lines) {
    const j = lines.findIndex((l) => !l.unordered && l.lineNumber === s.lineNumber);
    if (j < 0) continue;
    let line = { ...lines[j]!, status: s.status };
    if (s.status === 'cancelled') {
      const asked = ledger.cancels.find((c) => c.state === 'requested' && c.lines?.some((l) => l.lineNumber === s.lineNumber));
      const quantity = s.quantity ?? asked?.lines?.find((l) => l.lineNumber === s.lineNumber)?.quantity;
      line = { ...line, cancelled: cancelledWith(line, quantity ?? line.ordered) };
      cancelledLines.add(s.lineNumber);
    }
    lines[j] = line;
  }
  const cancels = cancelledLines.size === 0 ? ledger.cancels : ledger.cancels.map((c) =>
    c.state === 'requested' && c.lines?.every((l) => cancelledLines.has(l.lineNumber)) ? { ...c, state: 'confirmed' as const, outcome: 'warehouse_confirmed' as const, settledAt: now } : c);
  return { ...ledger, lines, cancels };
}

function lastWarehouseStatus(ledger: OrderLedger): StatusEvent | undefined {
  for (let i = ledger.statuses.length - 1; i >= 0; i--) if (ledger.statuses[i]!.source === 'warehouse') return ledger.statuses[i];
  return undefined;
}

/**
 * Statuses the ERP sends about its own order: "on hold" (a credit hold) keeps an order not sent
 * yet from going to the warehouse; "released" lets it go. Once the warehouse has the order, the
 * ERP's hold is passed on for the warehouse to apply.
 */
function decideErpStatus(input: OrderLedger | undefined, doc: OrderStatus, ctx: RuleContext): Outcome<OrderLedger> {
  const base = input ?? newOrderLedger(ctx.entityKey, doc.orderNumber);
  const name = `Order ${doc.orderNumber}`;
  const stamp = stampOf(doc, contentFingerprint(doc));
  const last = base.lastApplied['order_status:erp'];
  if (last) {
    if (compareStamps(stamp, last) < 0) return outcome('stale', 'OUT_OF_ORDER', `The ERP's status "${statusWords(doc.status)}" of order ${doc.orderNumber} from ${doc.occurredAt} is older than its last one (${last.occurredAt}); ignored.`, base);
    if (stamp.fingerprint === last.fingerprint) return outcome('stale', 'DUPLICATE', `The ERP's status "${statusWords(doc.status)}" of order ${doc.orderNumber} came again; already recorded.`, base);
  }
  if (isCancelled(base) || base.closed) {
    return outcome('stale', base.closed ? 'ORDER_CLOSED' : 'ORDER_CANCELLED', `${name} is ${base.closed ? 'closed' : 'cancelled'}; the ERP's "${statusWords(doc.status)}" changes nothing and is not passed on.`, base);
  }
  const event: StatusEvent = { status: doc.status, source: 'erp', at: doc.occurredAt, documentId: doc.id };
  if (doc.reason !== undefined) event.reason = doc.reason;
  let next: OrderLedger = { ...base, statuses: [...base.statuses, event], lastApplied: { ...base.lastApplied, 'order_status:erp': stamp } };
  const routed = base.send.state === 'pending' || base.send.state === 'sent';
  if (doc.status === 'on_hold') {
    next = addHold(next, { by: 'erp', reason: doc.reason ?? 'on hold in the ERP', since: doc.occurredAt });
    return routed
      ? outcome('apply', 'ORDER_HOLD_SET', `${name} is put on hold by the ERP${doc.reason ? ` (${doc.reason})` : ''}; the warehouse has the order, so the hold is passed on.`, next)
      : outcome('stale', 'ORDER_HOLD_SET', `${name} is put on hold by the ERP${doc.reason ? ` (${doc.reason})` : ''}; it is not sent to the warehouse until released.`, next);
  }
  if (doc.status === 'released') {
    const lifted = liftHolds(next, (h) => h.by === 'erp', 'erp', doc.occurredAt, doc.id);
    const sentence = lifted.effects.length > 0 ? 'it goes to the warehouse now' : routed ? 'passed on' : 'nothing was waiting';
    return outcome(routed ? 'apply' : 'stale', 'ORDER_HOLD_RELEASED', `${name} is released from hold by the ERP; ${sentence}.`, lifted.ledger, { effects: lifted.effects });
  }
  return outcome('apply', 'STATUS_APPLIED', `The ERP says order ${doc.orderNumber} is ${statusWords(doc.status)}; passed on.`, next);
}
