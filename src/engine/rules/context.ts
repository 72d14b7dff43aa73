import type { CanonicalDocument, CausewayError } from '../../model/index.ts';
import type { RulesPolicy } from './policy.ts';
import type { Effect, RuleCode, SystemRole, Verdict } from './verdict.ts';

/** What the item master says about a SKU, as far as the rules need it. */
export interface ItemFacts {
  lotTracked: boolean;
  serialTracked?: boolean;
}

/** Everything a rule reads besides the ledger and the document. */
export interface RuleContext {
  policy: RulesPolicy;
  /** ISO-8601; the rules never read the clock themselves. */
  now: string;
  /** The system the document came from. */
  source: SystemRole;
  item: (sku: string) => ItemFacts | undefined;
  entityKey: string;
}

/** A decision before the dispatcher adds the document, conflicts and the ledger's version. */
export interface Outcome<L> {
  verdict: Verdict;
  rule: RuleCode;
  reason: string;
  path?: string;
  ledger: L;
  effects: Effect[];
  flags: CausewayError[];
  /** What goes on in the document's place when applied (a whole-order cancel naming the order's lines); absent: the document as given. */
  document?: CanonicalDocument;
}

export function outcome<L>(
  verdict: Verdict, rule: RuleCode, reason: string, ledger: L, more: { effects?: Effect[]; flags?: CausewayError[]; path?: string; document?: CanonicalDocument } = {},
): Outcome<L> {
  const o: Outcome<L> = { verdict, rule, reason, ledger, effects: more.effects ?? [], flags: more.flags ?? [] };
  if (more.path !== undefined) o.path = more.path;
  if (more.document !== undefined) o.document = more.document;
  return o;
}

/** Every flag raised on an applied document is also an alert: a person should see it. */
export function alertsFor(flags: CausewayError[], entityKey: string): Effect[] {
  return flags.map((f) => ({ kind: 'alert', severity: 'warning', rule: f.code as RuleCode, entityKey, message: f.message }));
}
