import type { Decimal } from '../../model/index.ts';
import { atLeastZero, cmp, minus, plus } from './quantity.ts';
import type { CancelRecord, HoldRecord, InboundLedger, InboundLine, OrderLedger, OrderLine } from './ledger.ts';

/** What the ledgers say, derived: the order and inbound states the API and the console show. */

export type OrderState = 'open' | 'partially_shipped' | 'shipped' | 'cancelled' | 'held' | 'closed';

export interface OrderLineState {
  lineNumber: string;
  sku: string;
  uom: string;
  ordered: Decimal;
  shipped: Decimal;
  cancelled: Decimal;
  /** Still to ship. */
  open: Decimal;
  /** The part of `open` the warehouse could not ship when it shipped the rest (or said so). */
  backordered: Decimal;
  /** Shipped beyond what was ordered (less cancelled). */
  overShipped: Decimal;
}

const ZERO = '0';
const positive = atLeastZero;

/** What a line may still ship: ordered less cancelled. */
export function shippableOf(line: OrderLine): Decimal {
  return minus(line.ordered, line.cancelled);
}

/** Ordered less cancelled less shipped, never below zero. */
export function openOf(line: OrderLine): Decimal {
  return positive(minus(shippableOf(line), line.shipped));
}

export function wholeOrderCancel(ledger: OrderLedger, state?: CancelRecord['state']): CancelRecord | undefined {
  return ledger.cancels.find((c) => c.lines === undefined && (state === undefined ? c.state !== 'refused' : c.state === state));
}

export function isCancelled(ledger: OrderLedger): boolean {
  return wholeOrderCancel(ledger, 'confirmed') !== undefined;
}

/** Holds that keep an order from being sent: the ERP's, an operator's, or the rules'. The warehouse's own holds do not. */
export function blockingHolds(ledger: { holds?: readonly HoldRecord[] }): HoldRecord[] {
  return (ledger.holds ?? []).filter((h) => h.releasedAt === undefined && h.by !== 'warehouse');
}

/** Every ordered line has shipped what it may ship (and something shipped). */
export function isFullyShipped(ledger: OrderLedger): boolean {
  let any = false;
  for (const line of ledger.lines) {
    if (line.unordered) continue;
    if (cmp(line.shipped, shippableOf(line)) < 0) return false;
    if (line.shipped !== ZERO) any = true;
  }
  return any;
}

export function orderLineStates(ledger: OrderLedger): OrderLineState[] {
  const ended = ledger.closed !== undefined || isCancelled(ledger);
  // Once the warehouse has shipped part of the order, or said it is backordered, what is still open waits as a backorder.
  const wholeBackorder = ledger.shipments.length > 0 || ledger.statuses.some((s) => s.source === 'warehouse' && s.status === 'backordered');
  return ledger.lines.map((line) => {
    const open = ended ? ZERO : openOf(line);
    return {
      lineNumber: line.lineNumber, sku: line.sku, uom: line.uom, ordered: line.ordered, shipped: line.shipped, cancelled: line.cancelled,
      open, backordered: open !== ZERO && (wholeBackorder || line.status === 'backordered') ? open : ZERO,
      overShipped: positive(minus(line.shipped, shippableOf(line))),
    };
  });
}

export function orderStateOf(ledger: OrderLedger): OrderState {
  if (isCancelled(ledger)) return 'cancelled';
  if (ledger.closed) return 'closed';
  if (isFullyShipped(ledger)) return 'shipped';
  const anyShipped = ledger.lines.some((l) => l.shipped !== ZERO);
  if (blockingHolds(ledger).length > 0 && !anyShipped) return 'held';
  return anyShipped ? 'partially_shipped' : 'open';
}

// ---- inbound ------------------------------------------------------------------------------------

export type InboundLineStatus = 'open' | 'received' | 'short' | 'over';

/** An expected line as the ledger holds it, with what is still open and how it stands. */
export interface InboundLineState extends Omit<InboundLine, 'unexpected'> {
  open: Decimal;
  status: InboundLineStatus;
}

/** Damaged goods arrived too: they count against what was expected. */
export function arrivedOf(line: InboundLine): Decimal {
  return plus(line.received, line.damaged);
}

export function inboundLineStates(ledger: InboundLedger): InboundLineState[] {
  return ledger.lines.map((line) => {
    const arrived = arrivedOf(line);
    const order = cmp(arrived, line.expected);
    const status: InboundLineStatus = order > 0 ? 'over' : order === 0 ? 'received' : ledger.closed ? 'short' : 'open';
    const state: InboundLineState = {
      sku: line.sku, uom: line.uom, expected: line.expected, received: line.received, damaged: line.damaged,
      open: status === 'open' ? minus(line.expected, arrived) : ZERO, status,
    };
    if (line.lineNumber !== undefined) state.lineNumber = line.lineNumber;
    return state;
  });
}

export type InboundState = 'expected' | 'partially_received' | 'received' | 'short' | 'over' | 'held';

export function inboundStateOf(ledger: InboundLedger): InboundState {
  const lines = inboundLineStates(ledger);
  if (lines.some((l) => l.status === 'over')) return 'over';
  if (lines.some((l) => l.status === 'short')) return 'short';
  if (lines.length > 0 && lines.every((l) => l.status === 'received')) return 'received';
  if (ledger.receipts.length === 0 && blockingHolds(ledger).length > 0) return 'held';
  return ledger.receipts.length > 0 ? 'partially_received' : 'expected';
}
