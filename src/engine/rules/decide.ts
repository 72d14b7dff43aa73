import { CausewayFault, entityKeyFor, entityKeys, type CanonicalDocument, type DocumentType } from '../../model/index.ts';
import { decideAcknowledgment } from './acknowledgment.ts';
import { decideOrderCancel } from './cancel.ts';
import type { ItemFacts, Outcome, RuleContext } from './context.ts';
import { decidePurchaseOrder, decideReceipt } from './inbound.ts';
import type { InboundLedger, Ledger, OrderLedger, StateLedger } from './ledger.ts';
import { applyOwnership, recordOwnedValues } from './ownership.ts';
import type { RulesPolicy } from './policy.ts';
import { decideReturnAuthorization, decideReturnReceipt } from './returns.ts';
import { decideSalesOrder } from './sales-order.ts';
import { decideShipment } from './shipment.ts';
import { decideState } from './state.ts';
import { decideOrderStatus } from './status.ts';
import type { Decision, DocumentSide, Effect, SystemRole } from './verdict.ts';

export interface DecideContext {
  /**
   * The side the document is of, where its endpoint says (config `side`); default: the side that
   * sends this type (USUAL_SOURCE). A trading partner's document keeps no ledger.
   */
  source?: DocumentSide;
  /** The item master: whether a SKU is lot-tracked. Unknown SKUs are not checked for lots. */
  item?: (sku: string) => ItemFacts | undefined;
}

/** Who sends a document type when the pipeline does not say. */
export const USUAL_SOURCE: Record<DocumentType, SystemRole> = {
  item: 'erp', sales_order: 'erp', order_cancel: 'erp', purchase_order: 'erp', return_authorization: 'erp', transfer_order: 'erp',
  shipment: 'warehouse', order_status: 'warehouse', receipt: 'warehouse', inventory_snapshot: 'warehouse', inventory_adjustment: 'warehouse',
  return_receipt: 'warehouse', acknowledgment: 'warehouse', inventory_availability: 'warehouse',
  // Made by the hub's period close, like availability; it goes to the ERP.
  invoice: 'warehouse',
};

/**
 * The ledger a document is decided against: its kind and entity key, or undefined when no rule
 * keeps a ledger for it. Mostly the document's own entity key; an acknowledgment of an order or a
 * cancel is decided against the order, and so is a return authorisation that names its order.
 * A return receipt names only its RMA: the pipeline finds the order that has that return and
 * passes its ledger, or none.
 */
export function ledgerKeyFor(document: CanonicalDocument): { kind: Ledger['kind']; entityKey: string } | undefined {
  switch (document.type) {
    case 'sales_order': case 'order_cancel': case 'shipment': case 'order_status':
      return { kind: 'order', entityKey: entityKeys.order(document.orderNumber) };
    case 'acknowledgment': {
      const a = document.acknowledges;
      if ((a.documentType === 'sales_order' || a.documentType === 'order_cancel') && a.reference) return { kind: 'order', entityKey: entityKeys.order(a.reference) };
      return undefined;
    }
    case 'return_authorization':
      return document.orderNumber ? { kind: 'order', entityKey: entityKeys.order(document.orderNumber) } : undefined;
    case 'purchase_order': case 'receipt':
      return { kind: 'inbound', entityKey: entityKeyFor(document)! };
    case 'item': case 'inventory_snapshot':
      return { kind: 'state', entityKey: entityKeyFor(document)! };
    default:
      return undefined;
  }
}

const noItems = (): undefined => undefined;

/**
 * Decides one document against its entity's ledger: exactly one verdict, with the rule and a
 * sentence, the ledger after it, and what the pipeline must do besides routing. Pure: the same
 * ledger, document, policy, time and context always give the same decision, and deciding a
 * document again against the ledger its first decision produced changes that ledger no further.
 */
export function decide(ledger: Ledger | undefined, document: CanonicalDocument, policy: RulesPolicy, now: string, context: DecideContext = {}): Decision<Ledger | undefined> {
  const target = document.type === 'return_receipt' && ledger?.kind === 'order' ? { kind: 'order' as const, entityKey: ledger.entityKey } : ledgerKeyFor(document);
  if (target && context.source === 'partner') {
    // A retailer's orders into the ERP, the ERP's shipments back to it: not the ERP and warehouse exchange the ledgers follow.
    return {
      verdict: 'apply', rule: 'PARTNER_EXCHANGE', reason: `${capitalised(document.type.replace(/_/g, ' '))} of a trading partner outside the ERP and warehouse pair; passed on, no ledger kept.`,
      ledger, document, effects: [], flags: [], conflicts: [],
    };
  }
  if (!target) {
    return { verdict: 'apply', rule: 'NO_RULES', reason: `No business rule applies to ${document.type.replace(/_/g, ' ')} documents; passed on.`, ledger, document, effects: [], flags: [], conflicts: [] };
  }
  if (ledger && (ledger.kind !== target.kind || ledger.entityKey !== target.entityKey)) {
    throw new CausewayFault({ code: 'RULES_LEDGER_MISMATCH', message: `a ${document.type} of ${target.entityKey} was given the ${ledger.kind} ledger of ${ledger.entityKey}` });
  }
  const ahead = aheadOfReceipt(document, policy);
  if (ahead) return { verdict: 'refuse', rule: 'FUTURE_TIMESTAMP', reason: ahead.reason, path: ahead.path, ledger, document, effects: [], flags: [], conflicts: [] };
  const source: SystemRole = context.source === undefined || context.source === 'partner' ? USUAL_SOURCE[document.type] : context.source;
  const owned = applyOwnership(ledger, document, source, policy);
  const ctx: RuleContext = { policy, now, source, item: context.item ?? noItems, entityKey: target.entityKey };
  const o = decideByType(ledger, owned.document, ctx);

  let next = o.ledger;
  const applied = o.verdict === 'apply';
  if (next && applied) next = recordOwnedValues(next, owned.document, source, policy, document.occurredAt);
  if (next && next !== ledger) next = { ...next, version: (ledger?.version ?? 0) + 1 };
  const conflicts = applied ? owned.conflicts : [];
  let effects = o.effects;
  if (conflicts.length > 0 && policy.ownership.alertOnConflict) {
    effects = [...effects, ...conflicts.map((c): Effect => ({
      kind: 'alert', severity: 'warning', rule: 'FIELD_OWNERSHIP', entityKey: target.entityKey,
      message: `${c.source === 'erp' ? 'The ERP' : 'The warehouse'} sent ${c.path} of ${document.type.replace(/_/g, ' ')} ${target.entityKey}, which the ${c.owner === 'erp' ? 'ERP' : 'warehouse'} owns; ${c.carried === 'owner_value' ? "the owner's value went on instead" : 'it was left out'}`,
    }))];
  }
  const decision: Decision<Ledger | undefined> = {
    verdict: o.verdict, rule: o.rule, reason: o.reason, ledger: next, document: applied ? (o.document ?? owned.document) : document, effects, flags: o.flags, conflicts,
  };
  if (o.path !== undefined) decision.path = o.path;
  return decision;
}

/**
 * A document whose stamp lies further after its receipt than the policy allows. Stamps decide
 * which update is newer (ordering.ts): one dated 2062 instead of 2026 would be the newest for
 * decades, and every real update after it would be set aside as older. Judged against the time
 * Causeway received it, so a replay decides the same.
 */
function aheadOfReceipt(document: CanonicalDocument, policy: RulesPolicy): { reason: string; path: string } | undefined {
  const snapshot = document.type === 'inventory_snapshot';
  const stamp = snapshot ? document.asOf : document.occurredAt;
  const ahead = Date.parse(stamp) - Date.parse(document.receivedAt);
  const tolerance = policy.outOfOrder.futureToleranceMinutes * 60_000;
  if (!(ahead > tolerance)) return undefined;
  const field = snapshot ? 'asOf' : 'occurredAt';
  const hours = ahead / 3_600_000;
  const by = hours >= 48 ? `${Math.floor(hours / 24).toLocaleString('en-US')} days` : hours >= 1 ? `${Math.floor(hours)} hours` : `${Math.ceil(ahead / 60_000)} minutes`;
  return {
    path: `$.${field}`,
    reason: `${capitalised(document.type.replace(/_/g, ' '))} says it happened at ${stamp}, ${by} after Causeway received it (${document.receivedAt}); more than outOfOrder.futureToleranceMinutes (${policy.outOfOrder.futureToleranceMinutes}) ahead, it would make every later update look older. Check the sender's clock, time zone and date.`,
  };
}

function decideByType(ledger: Ledger | undefined, doc: CanonicalDocument, ctx: RuleContext): Outcome<Ledger | undefined> {
  const order = ledger as OrderLedger | undefined;
  switch (doc.type) {
    case 'sales_order': return decideSalesOrder(order, doc, ctx);
    case 'order_cancel': return decideOrderCancel(order, doc, ctx);
    case 'shipment': return decideShipment(order, doc, ctx);
    case 'order_status': return decideOrderStatus(order, doc, ctx);
    case 'acknowledgment': return decideAcknowledgment(order, doc, ctx);
    case 'return_authorization': return decideReturnAuthorization(order, doc);
    case 'return_receipt': return decideReturnReceipt(order, doc);
    case 'purchase_order': return decidePurchaseOrder(ledger as InboundLedger | undefined, doc, ctx);
    case 'receipt': return decideReceipt(ledger as InboundLedger | undefined, doc, ctx);
    case 'item': case 'inventory_snapshot': return decideState(ledger as StateLedger | undefined, doc, ctx);
    default: throw new CausewayFault({ code: 'RULES_NO_LEDGER', message: `no ledger is kept for ${doc.type}` });
  }
}

const capitalised = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
