import type { Decimal, ReturnAuthorization, ReturnReceipt } from '../../model/index.ts';
import { alertsFor, outcome, type Outcome } from './context.ts';
import { contentFingerprint } from './fingerprint.ts';
import { cmp, plus } from './quantity.ts';
import type { OrderLedger, ReturnRecord } from './ledger.ts';
import { qty } from './words.ts';

/**
 * Returns recorded on the order they come back from: the authorisation (flagged when it returns
 * more of a SKU than the order shipped) and what the warehouse received against it. A return for
 * an order Causeway does not know passes on unrecorded: returns often outlive their orders.
 */
export function decideReturnAuthorization(input: OrderLedger | undefined, doc: ReturnAuthorization): Outcome<OrderLedger | undefined> {
  const name = `Return ${doc.rmaNumber}`;
  if (!input || !input.known) return outcome('apply', 'RETURN_RECORDED', `${name} passed on; its order is not known to Causeway.`, input);
  const fingerprint = contentFingerprint(doc);
  const prior = input.returns.find((r) => r.rmaNumber === doc.rmaNumber);
  if (prior?.fingerprint === fingerprint) return outcome('stale', 'DUPLICATE', `${name} came again with the same content; already recorded.`, input);
  const lines = doc.lines.map((l) => ({ sku: l.sku, uom: l.uom, quantity: l.quantity }));
  const flags = [];
  for (const [key, quantity] of totals(lines)) {
    const [sku, uom] = key.split('\u0000') as [string, string];
    const shipped = input.lines.filter((l) => l.sku === sku && l.uom === uom).reduce((s, l) => plus(s, l.shipped), '0');
    if (cmp(quantity, shipped) > 0) {
      flags.push({ code: 'RETURN_EXCEEDS_SHIPPED', path: '$.lines', message: `${name} returns ${qty(quantity, uom)} of ${sku}; order ${input.orderNumber} shipped ${qty(shipped, uom)} of it` });
    }
  }
  const record: ReturnRecord = { rmaNumber: doc.rmaNumber, fingerprint, authorizedAt: doc.occurredAt, lines, receipts: prior?.receipts ?? [] };
  const returns = prior ? input.returns.map((r) => (r === prior ? record : r)) : [...input.returns, record];
  const flagged = flags.length > 0 ? ` Flagged: ${flags.map((f) => f.message).join('; ')}.` : '';
  return outcome('apply', 'RETURN_RECORDED', `${name} recorded on order ${input.orderNumber}.${flagged}`, { ...input, returns }, { flags, effects: alertsFor(flags, input.entityKey) });
}

export function decideReturnReceipt(input: OrderLedger | undefined, doc: ReturnReceipt): Outcome<OrderLedger | undefined> {
  const name = `Return receipt for ${doc.rmaNumber}`;
  const prior = input?.returns.find((r) => r.rmaNumber === doc.rmaNumber);
  if (!input || !prior) return outcome('apply', 'RETURN_RECORDED', `${name} passed on; no order Causeway knows has that return.`, input);
  const fingerprint = contentFingerprint(doc);
  if (prior.receipts.some((r) => r.fingerprint === fingerprint)) return outcome('stale', 'DUPLICATE', `${name} came again; already recorded.`, input);
  const receipt = { documentId: doc.id, fingerprint, lines: doc.lines.map((l) => ({ sku: l.sku, uom: l.uom, quantity: l.quantity, disposition: l.disposition })) };
  const returns = input.returns.map((r) => (r === prior ? { ...r, receipts: [...r.receipts, receipt] } : r));
  return outcome('apply', 'RETURN_RECORDED', `${name} recorded on order ${input.orderNumber}.`, { ...input, returns });
}

function totals(lines: ReadonlyArray<{ sku: string; uom: string; quantity: Decimal }>): Map<string, Decimal> {
  const out = new Map<string, Decimal>();
  for (const l of lines) {
    const key = `${l.sku}\u0000${l.uom}`;
    out.set(key, plus(out.get(key) ?? '0', l.quantity));
  }
  return out;
}
