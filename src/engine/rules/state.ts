import type { InventorySnapshot, Item } from '../../model/index.ts';
import { outcome, type Outcome, type RuleContext } from './context.ts';
import { contentFingerprint } from './fingerprint.ts';
import { newStateLedger, type StateLedger } from './ledger.ts';
import { compareStamps, stampOf } from './ordering.ts';
import type { Effect } from './verdict.ts';

/**
 * State-like documents (an item record, a facility's stock snapshot) replace what came before:
 * only the freshest one matters. An older one than the last applied is stale, and an applied one
 * withdraws the older ones still waiting for delivery.
 */
export function decideState(input: StateLedger | undefined, doc: Item | InventorySnapshot, ctx: RuleContext): Outcome<StateLedger> {
  const base = input ?? newStateLedger(ctx.entityKey);
  const name = doc.type === 'item' ? `Item ${doc.sku}` : `Stock snapshot of ${doc.facility}${doc.reportNumber ? ` (report ${doc.reportNumber})` : ''}`;
  const when = doc.type === 'item' ? doc.occurredAt : doc.asOf;
  const stamp = stampOf(doc, contentFingerprint(doc));
  // Freshness per sending system: the ERP's book stock and the warehouse's count of the same
  // facility are two states, and a newer one of one says nothing of the other's age.
  const slot = doc.type === 'inventory_snapshot' ? `${doc.type}:${ctx.source}:${doc.source.endpoint}` : doc.type;
  const last = base.lastApplied[slot];
  if (last) {
    if (compareStamps(stamp, last) < 0) return outcome('stale', 'OUT_OF_ORDER', `${name} as of ${when} is older than the one already applied (as of ${last.occurredAt}); not sent.`, base);
    if (last.fingerprint === stamp.fingerprint) return outcome('stale', 'DUPLICATE', `${name} came again with the same content; not sent again.`, base);
  }
  const ledger: StateLedger = { ...base, lastApplied: { ...base.lastApplied, [slot]: stamp } };
  const effects: Effect[] = [];
  // A partial snapshot covers only the positions it lists: an older one may say what this one does not.
  if (doc.type === 'item' || doc.scope === 'full') {
    effects.push({
      kind: 'supersede_deliveries', entityKey: ctx.entityKey, documentType: doc.type, occurredBefore: stamp.occurredAt, keep: doc.id,
      required: false, reason: `${name} as of ${when} supersedes it`,
    });
  }
  return outcome('apply', 'STATE_APPLIED', `${name} as of ${when} goes out; older ones not yet delivered are withdrawn.`, ledger, { effects });
}
