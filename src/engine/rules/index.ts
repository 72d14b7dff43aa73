// The business rules: pure functions over plain ledgers. The pipeline's rules step decides each
// document with `decide`, stores the ledger it returns and carries out its effects; operators'
// actions and the pipeline's own records (sent, acknowledged, holds expired) have their functions.
export { decide, ledgerKeyFor, USUAL_SOURCE, type DecideContext } from './decide.ts';
export { DEFAULT_RULES_POLICY, ORDER_WATCHED_FIELDS, parseRulesPolicy, rulesPolicySchema, type RulesPolicy, type StuckPolicy } from './policy.ts';
export { RULES, type Decision, type Effect, type FieldConflict, type RuleCode, type DocumentSide, type SystemRole, type Verdict } from './verdict.ts';
export type { ItemFacts } from './context.ts';
export {
  newInboundLedger, newOrderLedger, newStateLedger,
  type AckRecord, type CancelRecord, type HoldRecord, type InboundLedger, type InboundLine, type Ledger, type OrderLedger, type OrderLine,
  type Parked, type ReceiptRecord, type ShipmentRecord, type Stamp, type StateLedger, type StatusEvent,
} from './ledger.ts';
export {
  inboundLineStates, inboundStateOf, isCancelled, orderLineStates, orderStateOf,
  type InboundLineState, type InboundState, type OrderLineState, type OrderState,
} from './views.ts';
export { closeOrder, expireHolds, holdInbound, holdWindowOf, holdOrder, releaseInbound, releaseOrder, type ExpiredHold } from './holds.ts';
export { recordAcknowledged, recordSent } from './acknowledgment.ts';
export { findStuck, type StuckOrder } from './stuck.ts';
export { contentFingerprint } from './fingerprint.ts';
