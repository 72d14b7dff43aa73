import { backorderReference, type Address, type SalesOrder } from '../../model/index.ts';
import { backorderMisfit } from './backorder.ts';
import { outcome, type Outcome, type RuleContext } from './context.ts';
import { documentContent, valueFingerprint, type Content } from './fingerprint.ts';
import { addHold, holdWords, liftHolds, parkDocument, releaseParked } from './holds.ts';
import { newOrderLedger, revised, type HoldRecord, type OrderLedger, type OrderLine, type Stamp } from './ledger.ts';
import { compareStamps, stampOf } from './ordering.ts';
import { cmp, minus } from './quantity.ts';
import { blockingHolds, isFullyShipped, wholeOrderCancel } from './views.ts';
import type { Effect } from './verdict.ts';
import { lineName, list, qty } from './words.ts';

/**
 * A sales order from the ERP: the first version goes to the warehouse unless the order is held;
 * a later version of an order already routed goes as a change, and only when it changes a field
 * the warehouse cares about.
 */
export function decideSalesOrder(input: OrderLedger | undefined, doc: SalesOrder, ctx: RuleContext): Outcome<OrderLedger> {
  const base = input ?? newOrderLedger(ctx.entityKey, doc.orderNumber);
  const content = documentContent(doc, ctx.policy.changes.watchedFields);
  const stamp = stampOf(doc, content.fingerprint);
  const last = base.lastApplied.sales_order;
  const name = `Order ${doc.orderNumber}`;
  if (last && compareStamps(stamp, last) < 0) {
    return outcome('stale', 'OUT_OF_ORDER', `${name} as of ${doc.occurredAt} is older than the version already recorded (${last.occurredAt}); not sent.`, base);
  }
  const same = last?.fingerprint === stamp.fingerprint;
  const cancel = wholeOrderCancel(base);
  if (cancel) {
    if (same) return outcome('stale', 'ORDER_CANCELLED', `${name} was cancelled (requested ${cancel.requestedAt}); not sent.`, base);
    if (!base.known) return outcome('stale', 'ORDER_CANCELLED', `${name} was cancelled (requested ${cancel.requestedAt}) before it reached Causeway; not sent.`, base);
    return outcome('refuse', 'ORDER_CANCELLED', `${name} was cancelled (requested ${cancel.requestedAt}); a new version of it is not sent. An order placed again needs a new order number.`, base);
  }
  const backorder = backorderReference(doc);
  if (backorder !== undefined && base.known && base.send.state !== 'not_sent') return decideBackorder(base, doc, backorder, stamp, content, ctx);
  if (base.closed) {
    if (same) return outcome('stale', 'DUPLICATE', `${name} came again with the same content; it is closed.`, base);
    return outcome('refuse', 'ORDER_CLOSED', `${name} was closed on ${base.closed.at} (${base.closed.reason}); a new version of it is not sent.`, base);
  }
  if (base.send.state === 'not_sent') return decideFirstSend(base, doc, stamp, content, ctx);
  // Moved to another warehouse (routing sent it elsewhere after a rejection): that warehouse has never had it, so it gets the whole order.
  if (movedFacility(base, doc)) return decideFirstSend(base, doc, stamp, content, ctx);
  if (same) return outcome('stale', 'DUPLICATE', `${name} came again with the same content; the warehouse already has it.`, base);
  return decideChange(base, doc, stamp, content, ctx);
}

function decideFirstSend(base: OrderLedger, doc: SalesOrder, stamp: Stamp, content: Content, ctx: RuleContext): Outcome<OrderLedger> {
  const name = `Order ${doc.orderNumber}`;
  let ledger = base;
  const effects: Effect[] = [];
  const last = base.lastApplied.sales_order;
  if (!(last && last.documentId === stamp.documentId && last.fingerprint === stamp.fingerprint)) {
    // The open rest of the order, sent to another warehouse: what was ordered and shipped stays as it is.
    const lines = base.known && (isRemainder(doc) || backorderReference(doc) !== undefined) ? { lines: base.lines } : linesOfVersion(base.lines, doc);
    if ('refusal' in lines) return outcome('refuse', 'ORDER_CHANGE_BELOW_SHIPPED', `${name}: ${lines.refusal.message}; not sent.`, base, { path: lines.refusal.path });
    ledger = recordVersion(ledger, doc, stamp, lines.lines);
  }
  if (!base.known) {
    const released = releaseParked(ledger, (p) => p.waitingFor === 'order', doc.id);
    ledger = released.ledger;
    effects.push(...released.effects);
  }
  if (ctx.policy.orderHolds.invalidAddress === 'hold') {
    const problem = addressProblem(doc.shipTo);
    if (problem) {
      ledger = addHold(ledger, { by: 'rules', reason: `invalid ship-to address: ${problem}`, since: ctx.now });
    } else {
      const lifted = liftHolds(ledger, isAddressHold, 'rules', ctx.now, doc.id);
      ledger = lifted.ledger;
      effects.push(...lifted.effects);
    }
  }
  const holds = blockingHolds(ledger);
  if (holds.length > 0) {
    const byAddress = holds.every(isAddressHold);
    const reason = `${name} is on hold (${list(holds.map(holdWords))}); it goes to the warehouse when released.`;
    const rule = byAddress ? 'ORDER_ADDRESS_INVALID' : 'ORDER_ON_HOLD';
    ledger = parkDocument(ledger, doc, `order ${doc.orderNumber}`, ctx.now, 'release', rule, reason);
    return outcome('hold', rule, reason, ledger, { effects });
  }
  ledger = revised(ledger, {
    send: { state: 'pending', documentId: doc.id, routedAt: ctx.now },
    routed: { documentId: doc.id, fingerprint: stamp.fingerprint, watched: watchedOf(doc, ctx.policy.changes.watchedFields, content) },
    sla: ctx.policy.stuck,
  });
  // Anything still parked is older versions of the order or documents that came before it: decided again after it.
  const released = releaseParked(ledger, () => true, doc.id);
  ledger = released.ledger;
  effects.push(...released.effects);
  return outcome('apply', 'ORDER_ACCEPTED', `${name} (${doc.lines.length} ${doc.lines.length === 1 ? 'line' : 'lines'}) goes to the warehouse.`, ledger, { effects });
}

function decideChange(base: OrderLedger, doc: SalesOrder, stamp: Stamp, content: Content, ctx: RuleContext): Outcome<OrderLedger> {
  const name = `Order ${doc.orderNumber}`;
  const paths = ctx.policy.changes.watchedFields;
  const watched = watchedOf(doc, paths, content);
  const before = base.routed?.watched ?? {};
  const changed = paths.filter((p) => before[p] !== watched[p]);
  if (changed.length === 0) {
    return outcome('stale', 'ORDER_NO_RELEVANT_CHANGE',
      `${name} changed, but in nothing the warehouse uses (it is sent ${list(paths)}); no change the warehouse cares about, nothing sent.`,
      { ...base, lastApplied: { ...base.lastApplied, sales_order: stamp } });
  }
  if (isFullyShipped(base)) {
    return outcome('refuse', 'ORDER_ALREADY_SHIPPED', `${name} has shipped in full; its change to ${list(changed)} cannot reach the warehouse.`, base);
  }
  let lines = base.lines;
  const backorder = backorderReference(doc);
  // A backorder's lines are what is left to ship: the order's own lines stay as they are.
  if (changed.includes('lines') && backorder === undefined) {
    const rebuilt = linesOfVersion(base.lines, doc);
    if ('refusal' in rebuilt) return outcome('refuse', 'ORDER_CHANGE_BELOW_SHIPPED', `${name}: ${rebuilt.refusal.message}; the change is not sent.`, base, { path: rebuilt.refusal.path });
    lines = rebuilt.lines;
  }
  const flags = [];
  if (changed.includes('shipTo') && ctx.policy.orderHolds.invalidAddress === 'hold') {
    const problem = addressProblem(doc.shipTo);
    if (problem) flags.push({ code: 'ORDER_ADDRESS_INVALID', path: '$.shipTo', message: `${name} changes its ship-to address to one with ${problem}; the warehouse has the order already, so the change is sent` });
  }
  const ledger: OrderLedger = {
    ...recordVersion(base, doc, stamp, lines),
    routed: { documentId: doc.id, fingerprint: stamp.fingerprint, watched, ...(backorder !== undefined ? { backorder } : {}) },
  };
  const where = base.send.state === 'sent' ? 'was sent to the warehouse' : 'was released to the warehouse';
  return outcome('apply', 'ORDER_CHANGED', `${name} changed in ${list(changed)} after it ${where}; sent as a change to the order the warehouse has.`, ledger, {
    effects: [{ kind: 'encode_as_change', documentId: doc.id, changedFields: changed }],
    flags,
  });
}

/**
 * An ERP's backorder of an order the warehouse has. Whether it goes follows what the warehouse
 * said of the rest: a partial shipment (more to follow) means the warehouse still holds the rest
 * open, so it is not sent again; a shipment marked complete that left lines open (under-shipment
 * policy `backorder`) means the warehouse will ship no more of that order unless asked, so the
 * backorder goes to it as an order to fill. A short-closed order sends nothing: its backorder is
 * the ERP's to close, which the short-close status tells it. A new version of a backorder already
 * sent is a change to it. One asking for more than is open was read before the ERP applied a
 * later shipment: it is out of date, and the ERP's next backorder, if any, is decided afresh.
 */
function decideBackorder(base: OrderLedger, doc: SalesOrder, reference: string, stamp: Stamp, content: Content, ctx: RuleContext): Outcome<OrderLedger> {
  const name = `Backorder ${reference} of order ${doc.orderNumber}`;
  if (base.routed?.backorder === reference && base.routed.fingerprint === stamp.fingerprint) return outcome('stale', 'DUPLICATE', `${name} came again with the same content; the warehouse already has it.`, base);
  if (base.closed) {
    const told = base.closed.how === 'short_closed' ? ', and the ERP is told which lines will not ship' : '';
    return outcome('stale', 'ORDER_CLOSED', `${name} is not sent: the order was closed on ${base.closed.at} (${base.closed.reason})${told}.`, base);
  }
  const misfit = backorderMisfit(base, doc);
  if (misfit?.kind === 'unknown') return outcome('refuse', 'DOCUMENT_CHAIN', `${name}: ${misfit.message}; not sent.`, base, { path: misfit.path });
  if (misfit) {
    return outcome('stale', 'OUT_OF_ORDER', `${name} is out of date: ${misfit.message}; the warehouse has shipped more since the ERP opened it. Not sent.`, base, { path: misfit.path });
  }
  if (base.routed?.backorder === reference) return decideChange(base, doc, stamp, content, ctx);
  const last = base.shipments.at(-1);
  if (!movedFacility(base, doc) && !last?.complete) {
    const why = last ? `its shipment ${last.shipmentNumber} was partial, with more to follow` : 'it has shipped none of the order yet';
    return outcome('stale', 'BACKORDER_AT_WAREHOUSE', `${name} is not sent: the warehouse keeps the rest of the order open itself (${why}).`, base);
  }
  const sent = decideFirstSend(base, doc, stamp, content, ctx);
  if (sent.verdict !== 'apply') return sent;
  const what = list(doc.lines.map((l) => `${qty(l.quantity, l.uom)} of ${lineName(l)}`));
  const after = last ? `shipment ${last.shipmentNumber} was marked complete and left ${doc.lines.length === 1 ? 'it' : 'them'} open (under-shipment: backorder)` : 'the order moved to this facility';
  return {
    ...sent, rule: 'BACKORDER_SENT', reason: `${name} goes to the warehouse as an order to fill, ${what}: ${after}.`,
    ledger: { ...sent.ledger, routed: { ...sent.ledger.routed!, backorder: reference } },
  };
}

/**
 * What routing sends on when a warehouse rejected its part or shipped it short: the part still
 * open, for another warehouse. Its lines are the quantities left, not a new version of the order.
 */
function isRemainder(doc: SalesOrder): boolean {
  return (doc.extensions as { routing?: { remainderOf?: unknown } } | undefined)?.routing?.remainderOf !== undefined;
}

function movedFacility(ledger: OrderLedger, doc: SalesOrder): boolean {
  const was = ledger.header?.facility;
  return was !== undefined && doc.facility !== undefined && doc.facility !== was;
}

function recordVersion(ledger: OrderLedger, doc: SalesOrder, stamp: Stamp, lines: OrderLine[]): OrderLedger {
  const header: NonNullable<OrderLedger['header']> = { priority: doc.priority };
  if (doc.facility !== undefined) header.facility = doc.facility;
  if (doc.requestedShipDate !== undefined) header.requestedShipDate = doc.requestedShipDate;
  if (doc.customerOrderNumber !== undefined) header.customerOrderNumber = doc.customerOrderNumber;
  return revised(ledger, { known: true, header, lines, lastApplied: { ...ledger.lastApplied, sales_order: stamp } });
}

/**
 * The order's lines for a new version, keeping what each line has shipped and had cancelled. A
 * line keeps its history only under the same number, SKU and unit; a new line of a SKU and unit
 * the warehouse shipped unordered takes that quantity over. A version that takes a line below
 * what has shipped, or drops a line that has shipped, cannot be applied.
 */
export function linesOfVersion(old: readonly OrderLine[], doc: SalesOrder): { lines: OrderLine[] } | { refusal: { message: string; path: string } } {
  if (old.length === 0) return { lines: firstLines(doc) };
  const used = new Set<number>();
  const lines: OrderLine[] = [];
  for (let i = 0; i < doc.lines.length; i++) {
    const l = doc.lines[i]!;
    let j = old.findIndex((o, k) => !o.unordered && !used.has(k) && o.lineNumber === l.lineNumber);
    if (j >= 0) used.add(j);
    let prev = j >= 0 ? old[j] : undefined;
    if (prev && (prev.sku !== l.sku || prev.uom !== l.uom)) {
      if (prev.shipped !== '0') {
        return { refusal: { path: `$.lines[${i}]`, message: `${lineName(prev)} has shipped ${qty(prev.shipped, prev.uom)}; the new version makes it ${l.sku} in ${l.uom}` } };
      }
      prev = undefined;
    }
    let shipped = prev?.shipped ?? '0';
    if (!prev) {
      j = old.findIndex((o, k) => o.unordered && !used.has(k) && o.sku === l.sku && o.uom === l.uom);
      if (j >= 0) { used.add(j); shipped = old[j]!.shipped; }
    }
    const cancelled = prev?.cancelled ?? '0';
    if (cmp(minus(l.quantity, cancelled), shipped) < 0 && (!prev || cmp(l.quantity, prev.ordered) < 0)) {
      return { refusal: { path: `$.lines[${i}].quantity`, message: `${lineName(l)} would be ${qty(l.quantity, l.uom)}, but ${qty(shipped, l.uom)} have shipped` } };
    }
    const line: OrderLine = { lineNumber: l.lineNumber, sku: l.sku, uom: l.uom, ordered: l.quantity, shipped, cancelled };
    if (l.lot !== undefined) line.lot = l.lot;
    if (prev?.status !== undefined) line.status = prev.status;
    lines.push(line);
  }
  for (let k = 0; k < old.length; k++) {
    const o = old[k]!;
    if (used.has(k) || o.unordered) continue;
    if (o.shipped !== '0') return { refusal: { path: '$.lines', message: `${lineName(o)} is left out of the new version, but ${qty(o.shipped, o.uom)} have shipped` } };
  }
  for (let k = 0; k < old.length; k++) if (!used.has(k) && old[k]!.unordered) lines.push(old[k]!);
  return { lines };
}

/**
 * The lines of an order's first version: nothing shipped or cancelled yet. Every new order takes
 * this path, so it matches nothing against earlier lines. The model's quantities are not
 * negative, so no line can be below what has shipped.
 */
function firstLines(doc: SalesOrder): OrderLine[] {
  const lines: OrderLine[] = new Array(doc.lines.length);
  for (let i = 0; i < doc.lines.length; i++) {
    const l = doc.lines[i]!;
    const line: OrderLine = { lineNumber: l.lineNumber, sku: l.sku, uom: l.uom, ordered: l.quantity, shipped: '0', cancelled: '0' };
    if (l.lot !== undefined) line.lot = l.lot;
    lines[i] = line;
  }
  return lines;
}

/** Fingerprints of the fields the warehouse cares about; a path through an array reads every element. */
export function watchedOf(doc: SalesOrder, paths: readonly string[], content: Content): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of paths) out[p] = content.fields.get(p) ?? valueFingerprint(pathValue(doc, p.split('.')));
  return out;
}

function pathValue(value: unknown, path: readonly string[], from = 0): unknown {
  if (from === path.length) return value;
  if (Array.isArray(value)) return value.map((v) => pathValue(v, path, from));
  if (value === null || typeof value !== 'object') return undefined;
  return pathValue((value as Record<string, unknown>)[path[from]!], path, from + 1);
}

/** Why a ship-to address cannot take a parcel, if it cannot. */
export function addressProblem(address: Address): string | undefined {
  if (!address.lines.some((l) => l.trim() !== '')) return 'no street line';
  if (!address.city?.trim()) return 'no city';
  if (!address.postalCode?.trim() && !address.country) return 'neither postal code nor country';
  return undefined;
}

const isAddressHold = (h: HoldRecord): boolean => h.by === 'rules' && h.reason.startsWith('invalid ship-to address');
