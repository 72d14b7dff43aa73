import type { CausewayError, Decimal, PurchaseOrder, Receipt } from '../../model/index.ts';
import { alertsFor, outcome, type Outcome, type RuleContext } from './context.ts';
import { contentFingerprint } from './fingerprint.ts';
import { capitalise, holdWords, parkDocument, releaseParked, windowWords } from './holds.ts';
import { newInboundLedger, revised, type InboundLedger, type InboundLine, type ReceiptRecord } from './ledger.ts';
import { matchLines } from './lines.ts';
import { checkLots } from './lots.ts';
import { compareStamps, stampOf } from './ordering.ts';
import { checkOver } from './over.ts';
import { atLeastZero, cmp, minus, plus } from './quantity.ts';
import { arrivedOf, blockingHolds } from './views.ts';
import { dayOf, lineName, list, qty } from './words.ts';

/**
 * Expected inbound from the ERP: a purchase order, a transfer or an ASN. While an operator holds
 * it, each version is recorded and parked instead of sent; on release the parked versions are
 * decided again in arrival order, so only the newest goes.
 */
export function decidePurchaseOrder(input: InboundLedger | undefined, doc: PurchaseOrder, ctx: RuleContext): Outcome<InboundLedger> {
  const base = input ?? newInboundLedger(ctx.entityKey, doc.poNumber);
  const name = `Purchase order ${doc.poNumber}`;
  const stamp = stampOf(doc, contentFingerprint(doc));
  const last = base.lastApplied.purchase_order;
  const waiting = base.unsent;
  if (last) {
    if (compareStamps(stamp, last) < 0) return outcome('stale', 'OUT_OF_ORDER', `${name} as of ${doc.occurredAt} is older than the version already applied (${last.occurredAt}); not sent.`, base);
    // The version held back comes again once released (under its message's new generation, or as a copy): now it goes.
    const releasedNow = waiting !== undefined && blockingHolds(base).length === 0;
    if (last.fingerprint === stamp.fingerprint && !releasedNow) {
      return outcome('stale', 'DUPLICATE', `${name} came again with the same content; ${waiting ? 'it waits on hold already' : 'already sent'}.`, base);
    }
  }
  const used = new Set<number>();
  const lines: InboundLine[] = doc.lines.map((l) => {
    const j = base.lines.findIndex((o, k) => !o.unexpected && !used.has(k) && o.lineNumber === l.lineNumber && o.sku === l.sku && o.uom === l.uom);
    if (j >= 0) used.add(j);
    const old = base.lines[j];
    return { lineNumber: l.lineNumber, sku: l.sku, uom: l.uom, expected: l.quantity, received: old?.received ?? '0', damaged: old?.damaged ?? '0' };
  });
  // Lines of an earlier version that goods were received against stay, as received without being expected.
  base.lines.forEach((o, k) => {
    if (!used.has(k) && (o.unexpected || o.received !== '0' || o.damaged !== '0')) lines.push({ ...o, expected: '0', unexpected: true });
  });
  const header: NonNullable<InboundLedger['header']> = { kind: doc.kind, facility: doc.facility };
  if (doc.expectedDate !== undefined) header.expectedDate = doc.expectedDate;
  if (doc.asn?.asnNumber !== undefined) header.asnNumber = doc.asn.asnNumber;
  let ledger: InboundLedger = revised(base, { known: true, header, lines, lastApplied: { ...base.lastApplied, purchase_order: stamp } });
  const released = releaseParked(ledger, (p) => p.waitingFor === 'inbound');
  ledger = released.ledger;
  const holds = blockingHolds(ledger);
  if (holds.length > 0) {
    const reason = `${name} is on hold (${list(holds.map(holdWords))}); it goes to the warehouse when released.`;
    ledger = parkDocument(ledger, doc, `purchase order ${doc.poNumber}`, ctx.now, 'release', 'PO_ON_HOLD', reason);
    ledger = revised(ledger, { unsent: { documentId: doc.id, first: waiting ? waiting.first : last === undefined } });
    return outcome('hold', 'PO_ON_HOLD', reason, ledger, { effects: released.effects });
  }
  const sentBefore = last !== undefined && !waiting?.first;
  if (waiting) {
    const { unsent: _unsent, ...rest } = ledger;
    ledger = rest;
  }
  return sentBefore
    ? outcome('apply', 'PO_CHANGED', `${name} changed; the new version goes to the warehouse.`, ledger, { effects: released.effects })
    : outcome('apply', 'PO_ACCEPTED', `${name} (${doc.lines.length} ${doc.lines.length === 1 ? 'line' : 'lines'}) goes to the warehouse as expected inbound.`, ledger, { effects: released.effects });
}

/**
 * A receipt from the warehouse, checked against its expected inbound like a shipment against its
 * order. A receipt that names neither a purchase order nor an ASN is a blind receipt: applied,
 * with nothing to check it against.
 */
export function decideReceipt(input: InboundLedger | undefined, doc: Receipt, ctx: RuleContext): Outcome<InboundLedger | undefined> {
  const label = `receipt ${doc.receiptNumber}`;
  const reference = doc.poNumber ?? doc.asnNumber;
  const plan = doc.poNumber ? `purchase order ${doc.poNumber}` : `ASN ${doc.asnNumber ?? doc.receiptNumber}`;
  let ledger: InboundLedger;
  if (input?.known) {
    ledger = input;
  } else if (reference === undefined) {
    ledger = { ...(input ?? newInboundLedger(ctx.entityKey, doc.receiptNumber)), known: true, blind: true };
  } else {
    const reason = `${capitalise(label)} waits: ${plan} has not arrived yet. It is applied when it arrives, or refused if it has not within ${windowWords(ctx.policy.outOfOrder.holdWindowMinutes)}.`;
    return outcome('hold', 'INBOUND_NOT_SEEN', reason, parkDocument(input ?? newInboundLedger(ctx.entityKey, reference), doc, label, ctx.now, 'inbound', 'INBOUND_NOT_SEEN', reason, ctx.policy.outOfOrder.holdWindowMinutes));
  }
  const fingerprint = contentFingerprint(doc);
  const prior = ledger.receipts.find((r) => r.receiptNumber === doc.receiptNumber);
  if (prior) {
    if (prior.fingerprint === fingerprint) return outcome('stale', 'DUPLICATE', `${capitalise(label)} came again with the same content; it was applied already and is not counted twice.`, input);
    const reason = `${capitalise(label)} came again with other content; the first one is applied and nothing is counted twice. Compare the two and correct ${plan} by hand.`;
    return outcome('refuse', 'RECEIPT_RESENT_CHANGED', reason, input, { effects: [{ kind: 'alert', severity: 'warning', rule: 'RECEIPT_RESENT_CHANGED', entityKey: ctx.entityKey, message: reason }] });
  }

  const arrived = doc.lines.map((l) => (l.damagedQuantity === '0' ? l.quantity : plus(l.quantity, l.damagedQuantity)));
  const lots = checkLots(doc.lines.map((l, i) => {
    const lot = l.lot === undefined ? [] : [{ lot: l.lot, quantity: arrived[i]!, ...(l.expiryDate !== undefined ? { expiryDate: l.expiryDate } : {}) }];
    return { ...(l.lineNumber !== undefined ? { lineNumber: l.lineNumber } : {}), sku: l.sku, quantity: arrived[i]!, lots: lot };
  }), ctx.item, dayOf(doc.occurredAt), label);
  if (lots.refusal) return outcome('refuse', lots.refusal.code as 'LOT_MISSING', `${capitalise(lots.refusal.message)}; not applied.`, input, { path: lots.refusal.path });

  const flags: CausewayError[] = [];
  const lines = ledger.lines.slice();
  const confirmed = doc.lines.map((l, i) => ({ ...(l.lineNumber !== undefined ? { lineNumber: l.lineNumber } : {}), sku: l.sku, uom: l.uom, quantity: arrived[i]! }));
  const targets = ledger.blind ? confirmed.map(() => -1) : (() => {
    const matches = matchLines(ledger.lines, confirmed, (j) => openInbound(ledger.lines[j]!), { document: label, plan });
    flags.push(...matches.findings);
    return matches.targets;
  })();
  if (flags.length > 0 && ctx.policy.documentChain === 'refuse') {
    return outcome('refuse', 'DOCUMENT_CHAIN', `${capitalise(flags[0]!.message)}; not applied.`, input, { path: flags[0]!.path, flags: flags.slice(1) });
  }
  const before = ledger.lines.length;
  const touched = new Map<number, string>();
  for (let i = 0; i < doc.lines.length; i++) {
    const l = doc.lines[i]!;
    let j = targets[i]!;
    if (j < 0) {
      j = lines.findIndex((o, k) => (k >= before || o.unexpected) && o.sku === l.sku && o.uom === l.uom);
      if (j < 0) {
        const line: InboundLine = { sku: l.sku, uom: l.uom, expected: '0', received: '0', damaged: '0', unexpected: true };
        if (l.lineNumber !== undefined) line.lineNumber = l.lineNumber;
        lines.push(line);
        j = lines.length - 1;
      }
    }
    const line = lines[j]!;
    lines[j] = { ...line, received: plus(line.received, l.quantity), damaged: plus(line.damaged, l.damagedQuantity) };
    if (!touched.has(j)) touched.set(j, `$.lines[${i}]`);
  }
  if (!ledger.blind) {
    for (const [j, path] of touched) {
      const line = lines[j]!;
      const total = arrivedOf(line);
      const check = checkOver(total, line.expected, ctx.policy.overReceipt, 'OVER_RECEIPT', path, (over) => line.unexpected
        ? `${plan} does not expect ${line.sku} in ${line.uom}; ${qty(total, line.uom)} of it received`
        : `${plan} ${lineName(line)} expects ${qty(line.expected, line.uom)}; ${qty(total, line.uom)} received in all, ${qty(over, line.uom)} over`);
      if (check.refusal) return outcome('refuse', 'OVER_RECEIPT', `${check.refusal.message}.`, input, { path: check.refusal.path, flags });
      if (check.flag) flags.push(check.flag);
    }
  }
  if (lots.expired.length > 0) {
    if (ctx.policy.lots.expired === 'refuse') return outcome('refuse', 'LOT_EXPIRED', `${capitalise(lots.expired[0]!.message)}; not applied.`, input, { path: lots.expired[0]!.path, flags });
    flags.push(...lots.expired);
  }
  let next: InboundLedger = { ...ledger, lines, receipts: [...ledger.receipts, receiptRecord(doc, fingerprint)] };
  if (doc.complete && !next.closed) next = revised(next, { closed: { at: doc.occurredAt, receiptNumber: doc.receiptNumber } });
  const short = doc.complete && !ledger.blind ? next.lines.filter((l) => !l.unexpected && cmp(arrivedOf(l), l.expected) < 0) : [];
  const said = ledger.blind
    ? 'a blind receipt, with no purchase order or ASN to check it against'
    : short.length > 0
      ? `the receipt is complete and ${list(short.slice(0, 3).map((l) => `${lineName(l)} is ${qty(minus(l.expected, arrivedOf(l)), l.uom)} short`))}${short.length > 3 ? ` and ${short.length - 3} more lines are short` : ''}`
      : doc.complete ? 'the receipt is complete' : 'more to come';
  const flagged = flags.length > 0 ? ` Flagged: ${flags.map((f) => f.message).join('; ')}.` : '';
  return outcome('apply', 'RECEIPT_APPLIED', `${capitalise(label)} applied to ${plan}; ${said}.${flagged}`, next, { flags, effects: alertsFor(flags, ctx.entityKey) });
}

function openInbound(line: InboundLine): Decimal {
  return atLeastZero(minus(line.expected, arrivedOf(line)));
}

function receiptRecord(doc: Receipt, fingerprint: string): ReceiptRecord {
  return {
    receiptNumber: doc.receiptNumber, documentId: doc.id, fingerprint, occurredAt: doc.occurredAt, complete: doc.complete,
    lines: doc.lines.map((l) => {
      const line: ReceiptRecord['lines'][number] = { sku: l.sku, uom: l.uom, quantity: l.quantity, damaged: l.damagedQuantity, serials: l.serials };
      if (l.lineNumber !== undefined) line.lineNumber = l.lineNumber;
      if (l.lot !== undefined) line.lot = l.lot;
      if (l.expiryDate !== undefined) line.expiryDate = l.expiryDate;
      return line;
    }),
  };
}
