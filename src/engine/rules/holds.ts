import type { CanonicalDocument, DocumentType } from '../../model/index.ts';
import { newInboundLedger, newOrderLedger, type HoldRecord, type InboundLedger, type OrderLedger, type Parked } from './ledger.ts';
import type { RulesPolicy } from './policy.ts';
import { blockingHolds } from './views.ts';
import type { Effect, RuleCode } from './verdict.ts';

/**
 * Held documents and held orders. A document is parked on its entity's ledger with what it waits
 * for: its order (or inbound) to arrive, or a hold on its order to be released. Releasing hands
 * the pipeline the parked documents in arrival order, to be decided again; parking the same
 * document twice keeps its first place and its first hold time.
 */

type Parking = OrderLedger | InboundLedger;

export function parkDocument<L extends Parking>(ledger: L, document: CanonicalDocument, label: string, now: string, waitingFor: Parked['waitingFor'], rule: RuleCode, reason: string, windowMinutes?: number): L {
  if (ledger.parked.some((p) => p.documentId === document.id)) return ledger;
  const parked: Parked = { documentId: document.id, documentType: document.type, label, receivedAt: document.receivedAt, heldAt: now, waitingFor, rule, reason };
  if (windowMinutes !== undefined) parked.windowMinutes = windowMinutes;
  return { ...ledger, parked: [...ledger.parked, parked] };
}

/** Takes the parked documents `which` selects (all but `except`) off the ledger, with the effect that releases them. */
export function releaseParked<L extends Parking>(ledger: L, which: (p: Parked) => boolean, except?: string): { ledger: L; effects: Effect[] } {
  const released = ledger.parked.filter((p) => which(p) && p.documentId !== except);
  if (released.length === 0) return { ledger, effects: [] };
  const gone = new Set(released.map((p) => p.documentId));
  return {
    ledger: { ...ledger, parked: ledger.parked.filter((p) => !gone.has(p.documentId)) },
    effects: [{ kind: 'release_held', entityKey: ledger.entityKey, documentIds: released.map((p) => p.documentId) }],
  };
}

export interface ExpiredHold {
  documentId: string;
  documentType: DocumentType;
  verdict: 'refuse';
  rule: 'HOLD_EXPIRED';
  reason: string;
}

/**
 * Refuses documents that waited longer than the hold window for an order (or inbound) that never
 * came. Documents held by a hold on their order wait for its release, however long.
 */
export function expireHolds<L extends Parking>(ledger: L, policy: RulesPolicy, now: string): { ledger: L; expired: ExpiredHold[] } {
  const nowMs = Date.parse(now);
  const expired: ExpiredHold[] = [];
  for (const p of ledger.parked) {
    const minutes = holdWindowOf(p, policy);
    if (p.waitingFor === 'release' || nowMs - Date.parse(p.heldAt) < minutes * 60_000) continue;
    const what = ledger.kind === 'order' ? `order ${ledger.orderNumber}` : `purchase order ${ledger.reference}`;
    expired.push({
      documentId: p.documentId, documentType: p.documentType, verdict: 'refuse', rule: 'HOLD_EXPIRED',
      reason: `${capitalise(p.label)} was held from ${p.heldAt} waiting for ${what}, which has not arrived within ${windowWords(minutes)}; refused.`,
    });
  }
  if (expired.length === 0) return { ledger, expired };
  const gone = new Set(expired.map((e) => e.documentId));
  const next = { ...ledger, parked: ledger.parked.filter((p) => !gone.has(p.documentId)), version: ledger.version + 1 };
  return { ledger: next, expired };
}

/** The minutes a parked document may wait: its own window, kept when it was held, else the policy's. */
export function holdWindowOf(p: Parked, policy: RulesPolicy): number {
  return p.windowMinutes ?? policy.outOfOrder.holdWindowMinutes;
}

export function windowWords(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// ---- order holds --------------------------------------------------------------------------------

type Holding = OrderLedger | InboundLedger;

/** Puts an order (or expected inbound) on hold; a hold already active from the same party is kept as it is. */
export function addHold<L extends Holding>(ledger: L, hold: HoldRecord): L {
  const holds = ledger.holds ?? [];
  if (holds.some((h) => h.by === hold.by && h.releasedAt === undefined && (h.by !== 'rules' || h.reason === hold.reason))) return ledger;
  return { ...ledger, holds: [...holds, hold] };
}

/**
 * Releases the active holds `which` selects. Once nothing keeps the order (or inbound) back any
 * more, the documents parked behind the holds are released, in arrival order.
 */
export function liftHolds<L extends Holding>(ledger: L, which: (h: HoldRecord) => boolean, by: string, at: string, except?: string): { ledger: L; effects: Effect[] } {
  const holds = ledger.holds ?? [];
  if (!holds.some((h) => h.releasedAt === undefined && which(h))) return { ledger, effects: [] };
  let next: L = { ...ledger, holds: holds.map((h) => (h.releasedAt === undefined && which(h) ? { ...h, releasedAt: at, releasedBy: by } : h)) };
  if (blockingHolds(next).length > 0) return { ledger: next, effects: [] };
  const released = releaseParked(next, (p) => p.waitingFor === 'release', except);
  next = released.ledger;
  return { ledger: next, effects: released.effects };
}

/** "credit hold, held by an operator since …", as a held document's reason says it. */
export function holdWords(h: HoldRecord): string {
  const who = h.by === 'erp' ? 'the ERP' : h.by === 'operator' ? 'an operator' : h.by === 'rules' ? 'the rules' : 'the warehouse';
  return `${h.reason}, held by ${who} since ${h.since}`;
}

/** An operator (or any party) holds an order: it is not sent to the warehouse until released. */
export function holdOrder(ledger: OrderLedger | undefined, order: { entityKey: string; orderNumber: string }, hold: { by: HoldRecord['by']; reason: string; at: string }): OrderLedger {
  const base = ledger ?? newOrderLedger(order.entityKey, order.orderNumber);
  const next = addHold(base, { by: hold.by, reason: hold.reason, since: hold.at });
  return next === base && ledger !== undefined ? ledger : { ...next, version: base.version + 1 };
}

/** Releases an order's holds (those of `holdsBy`, or all that keep it from being sent); the effects release what waited. */
export function releaseOrder(ledger: OrderLedger, release: { by: string; at: string; holdsBy?: HoldRecord['by'] }): { ledger: OrderLedger; effects: Effect[] } {
  const lifted = liftHolds(ledger, (h) => (release.holdsBy === undefined ? h.by !== 'warehouse' : h.by === release.holdsBy), release.by, release.at);
  if (lifted.ledger === ledger) return lifted;
  return { ledger: { ...lifted.ledger, version: ledger.version + 1 }, effects: lifted.effects };
}

/**
 * An operator holds expected inbound (a purchase order, transfer or ASN): no version of it goes to
 * the warehouse until released. It may be held before it arrives.
 */
export function holdInbound(ledger: InboundLedger | undefined, inbound: { entityKey: string; reference: string }, hold: { reason: string; at: string }): InboundLedger {
  const base = ledger ?? newInboundLedger(inbound.entityKey, inbound.reference);
  const next = addHold(base, { by: 'operator', reason: hold.reason, since: hold.at });
  return next === base && ledger !== undefined ? ledger : { ...next, version: base.version + 1 };
}

/** Releases the holds on expected inbound; the effects release the versions that waited, to be decided again in arrival order. */
export function releaseInbound(ledger: InboundLedger, release: { by: string; at: string }): { ledger: InboundLedger; effects: Effect[] } {
  const lifted = liftHolds(ledger, () => true, release.by, release.at);
  if (lifted.ledger === ledger) return lifted;
  return { ledger: { ...lifted.ledger, version: ledger.version + 1 }, effects: lifted.effects };
}

/** An operator closes an order: nothing more ships on it, and whatever is open stays unshipped. */
export function closeOrder(ledger: OrderLedger, close: { by: string; reason: string; at: string }): OrderLedger {
  if (ledger.closed) return ledger;
  return { ...ledger, closed: { at: close.at, how: 'closed', by: close.by, reason: close.reason }, version: ledger.version + 1 };
}
