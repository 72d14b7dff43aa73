import type { Acknowledgment } from '../../model/index.ts';
import { outcome, type Outcome, type RuleContext } from './context.ts';
import { revised, type AckRecord, type OrderLedger } from './ledger.ts';
import type { Effect } from './verdict.ts';
import { isCancelled } from './views.ts';

/**
 * Acknowledgments of an order: a 997 (functional: the file was readable), the warehouse's
 * acceptance (any status it sends counts) and an application acknowledgment (the order was
 * taken, or rejected). An application acknowledgment of a cancel settles the cancel.
 */
export function decideAcknowledgment(input: OrderLedger | undefined, doc: Acknowledgment, ctx: RuleContext): Outcome<OrderLedger | undefined> {
  const of = doc.acknowledges.documentType === 'order_cancel' ? 'cancel of order' : 'order';
  const ref = doc.acknowledges.reference ?? '?';
  if (input && !input.known && isCancelled(input)) {
    return outcome('stale', 'ORDER_CANCELLED', `Order ${input.orderNumber} was cancelled before it reached Causeway; the warehouse's acknowledgment of the ${of} is not passed on.`, input);
  }
  if (!input || !input.known) return outcome('apply', 'ACK_RECORDED', `Acknowledgment of ${of} ${ref} passed on; Causeway has no such order to record it on.`, input);
  const record: AckRecord = { kind: doc.kind, status: doc.status, at: doc.occurredAt };
  if (doc.acknowledges.documentType !== undefined) record.documentType = doc.acknowledges.documentType;
  if (doc.acknowledges.reference !== undefined) record.reference = doc.acknowledges.reference;
  const next = recordAck(input, record);
  if (next === input) return outcome('stale', 'DUPLICATE', `Acknowledgment of ${of} ${ref} came again; already recorded.`, input);
  if (isCancelled(input)) {
    return outcome('stale', 'ORDER_CANCELLED', `Order ${input.orderNumber} is cancelled; the warehouse's acknowledgment of the ${of} is recorded and not passed on.`, next);
  }
  const rejected = doc.status === 'rejected';
  if (doc.acknowledges.documentType === 'order_cancel' && doc.kind === 'application') {
    const settled = settleCancels(next, rejected ? 'refused' : 'confirmed', ctx.now);
    if (rejected) {
      const reason = `The warehouse refused the cancel of order ${input.orderNumber}; the order stays open there. The ERP is told "cancel rejected".`;
      const effects: Effect[] = [
        { kind: 'send_status', to: 'erp', entityKey: input.entityKey, orderNumber: input.orderNumber, status: 'released', reason: 'cancel rejected by the warehouse' },
        { kind: 'alert', severity: 'warning', rule: 'CANCEL_REFUSED', entityKey: input.entityKey, message: reason },
      ];
      return outcome('apply', 'CANCEL_REFUSED', reason, settled, { effects });
    }
    return outcome('apply', 'CANCEL_CONFIRMED', `The warehouse accepted the cancel of order ${input.orderNumber}; passed on.`, settled);
  }
  if (rejected) {
    const reason = `The warehouse rejected order ${input.orderNumber} (${doc.kind === 'application' ? 'the order itself' : 'the file it came in'}); it needs correcting and sending again.`;
    return outcome('apply', 'ORDER_REJECTED_BY_WAREHOUSE', reason, next, { effects: [{ kind: 'alert', severity: 'critical', rule: 'ORDER_REJECTED_BY_WAREHOUSE', entityKey: input.entityKey, message: reason }] });
  }
  return outcome('apply', 'ACK_RECORDED', `The warehouse acknowledged order ${input.orderNumber} (${doc.kind === 'functional' ? 'functional acknowledgment' : 'application acknowledgment'}, ${doc.status.replace(/_/g, ' ')}).`, next);
}

function settleCancels(ledger: OrderLedger, state: 'confirmed' | 'refused', now: string): OrderLedger {
  if (!ledger.cancels.some((c) => c.state === 'requested')) return ledger;
  return {
    ...ledger,
    cancels: ledger.cancels.map((c) => (c.state === 'requested' ? { ...c, state, outcome: state === 'confirmed' ? 'warehouse_confirmed' as const : 'warehouse_refused' as const, settledAt: now } : c)),
  };
}

function recordAck(ledger: OrderLedger, ack: AckRecord): OrderLedger {
  const same = ledger.acknowledgments.some((a) => a.kind === ack.kind && a.status === ack.status && a.at === ack.at && a.reference === ack.reference && a.documentType === ack.documentType);
  return same ? ledger : { ...ledger, acknowledgments: [...ledger.acknowledgments, ack] };
}

/**
 * The pipeline records an acknowledgment it matched to this order itself (a 997 for the group
 * that carried it). The same acknowledgment recorded twice changes nothing.
 */
export function recordAcknowledged(ledger: OrderLedger, ack: AckRecord): OrderLedger {
  const next = recordAck(ledger, ack);
  return next === ledger ? ledger : { ...next, version: ledger.version + 1 };
}

/**
 * The pipeline records that the order went out: the delivery of the routed sales order (over
 * which endpoint, under which delivery id). Deliveries of later changes do not change it.
 */
export function recordSent(ledger: OrderLedger, sent: { documentId: string; at: string; deliveryId?: string; endpoint?: string }): OrderLedger {
  if (ledger.send.state !== 'pending' || ledger.send.documentId !== sent.documentId) return ledger;
  const send: OrderLedger['send'] = revised(ledger.send, { state: 'sent', sentAt: sent.at });
  if (sent.deliveryId !== undefined) send.deliveryId = sent.deliveryId;
  if (sent.endpoint !== undefined) send.endpoint = sent.endpoint;
  return { ...ledger, send, version: ledger.version + 1 };
}
