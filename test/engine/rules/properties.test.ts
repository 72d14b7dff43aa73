// Random interleavings of orders, changes, cancels, statuses, shipments, acknowledgments and ERP
// holds for a few orders,
// with duplicates, reorderings, replays and lost ledger writes, against the rules' promises:
// - shipped never exceeds ordered unless the policy allows it, and nothing is counted twice;
// - nothing is applied to an order after its cancel is confirmed;
// - every document gets exactly one verdict, and a held one stays parked until decided again;
// - deciding a document again against the ledger its decision produced changes nothing;
// - a decision whose ledger write was lost is made again the same way.
// Run with CAUSEWAY_TEST_SEED=<n> to replay a failing run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decide, expireHolds, ledgerKeyFor, parseRulesPolicy, recordSent, RULES,
  type Decision, type Ledger, type OrderLedger, type RulesPolicy,
} from '../../../src/engine/rules/index.ts';
import { addDecimals, compareDecimals, multiplyDecimals, subtractDecimals, ORDER_STATUSES, validateDocument, type CanonicalDocument } from '../../../src/model/index.ts';
import { seededRandom, TEST_SEED } from '../../support/seed.ts';

const DAY = Date.parse('2026-11-23T08:00:00Z');
const at = (minutes: number) => new Date(DAY + minutes * 60_000).toISOString();
const SKUS = ['TEA-1', 'TEA-2', 'TEA-3'];
const ORDERS = ['SO-1', 'SO-2', 'SO-3'];

// ---- scenarios ----------------------------------------------------------------------------------

const quantity = fc.oneof(fc.integer({ min: 1, max: 10 }).map(String), fc.constantFrom('0.5', '2.25'));
const line = fc.record({ sku: fc.constantFrom(...SKUS), quantity, uom: fc.constantFrom('EA', 'EA', 'EA', 'CS') });
const orderLines = fc.array(line, { minLength: 1, maxLength: 3 });
const minute = fc.integer({ min: 0, max: 600 });
const which = fc.integer({ min: 0, max: ORDERS.length - 1 });

// Shipment lines mostly ship what the order has (its SKU and unit on its line), sometimes not.
const shippedLine = fc.record({
  line: fc.integer({ min: 1, max: 3 }),
  quantity: fc.oneof(fc.integer({ min: 0, max: 12 }).map(String), fc.constant('0.5')),
  odd: fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: fc.constantFrom('sku', 'uom', 'number'), weight: 1 }),
});

const event = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('order' as const), order: which, minute, change: fc.constantFrom('none', 'none', 'quantity', 'notes', 'priority', 'address'), version: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), order: which, minute, line: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined, freq: 3 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('status' as const), order: which, minute, status: fc.constantFrom(...ORDER_STATUSES) }) },
  {
    weight: 4, arbitrary: fc.record({
      kind: fc.constant('shipment' as const), order: which, minute, number: fc.constantFrom('SH-1', 'SH-2', 'SH-3', 'SH-4'), complete: fc.boolean(),
      lines: fc.array(shippedLine, { minLength: 1, maxLength: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('erp_hold' as const), order: which, minute, release: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('deliver' as const), order: which }) },
  {
    weight: 1, arbitrary: fc.record({
      kind: fc.constant('ack' as const), order: which, minute, of: fc.constantFrom('sales_order', 'order_cancel'),
      ack: fc.constantFrom('functional', 'application'), status: fc.constantFrom('accepted', 'rejected'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('resend' as const), back: fc.integer({ min: 1, max: 10 }), minute }) },
);

const policy = fc.record({
  overShipment: fc.oneof(
    fc.constant({ action: 'refuse' }),
    fc.constant({ action: 'accept_and_flag' }),
    fc.record({ action: fc.constant('tolerance'), tolerancePercent: fc.constantFrom(5, 10, 50) }),
  ),
  underShipment: fc.constantFrom('backorder', 'short_close'),
  documentChain: fc.constantFrom('flag', 'refuse'),
  orderHolds: fc.constant({ invalidAddress: 'hold' }),
});

const scenario = fc.record({
  policy,
  orders: fc.array(orderLines, { minLength: ORDERS.length, maxLength: ORDERS.length }),
  events: fc.array(event, { minLength: 1, maxLength: 60, size: 'max' }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer S> ? S : never;
type Event = Scenario['events'][number];

// ---- documents ----------------------------------------------------------------------------------

const ADDRESS = { lines: ['12 Harbour Road'], city: 'Rotterdam', postalCode: '3011', country: 'NL' };

function build(e: Exclude<Event, { kind: 'deliver' | 'resend' }>, orders: Scenario['orders'], id: string, arrival: number): CanonicalDocument {
  const orderNumber = ORDERS[e.order]!;
  const lines = orders[e.order]!;
  const envelope = { tenant: 'acme', id, source: { endpoint: 'test' }, entityKey: '-', occurredAt: at(e.minute), receivedAt: at(arrival) };
  let fields: Record<string, unknown>;
  switch (e.kind) {
    case 'order':
      fields = {
        type: 'sales_order', orderNumber, shipTo: e.change === 'address' ? { ...ADDRESS, lines: [`${e.version} Quay`] } : ADDRESS,
        priority: e.change === 'priority' ? 'high' : 'normal', notes: e.change === 'notes' ? [`call ahead ${e.version}`] : [],
        lines: lines.map((l, i) => ({ lineNumber: i + 1, ...l, quantity: e.change === 'quantity' && i === 0 ? String(Number(l.quantity) + e.version) : l.quantity })),
      };
      break;
    case 'cancel':
      fields = { type: 'order_cancel', orderNumber, lines: e.line === undefined ? [] : [{ lineNumber: e.line }] };
      break;
    case 'status':
      fields = { type: 'order_status', orderNumber, status: e.status };
      break;
    case 'shipment':
      fields = {
        type: 'shipment', orderNumber, shipmentNumber: `${orderNumber}/${e.number}`, facility: 'AMS1', shippedAt: at(e.minute), complete: e.complete,
        lines: e.lines.map((s) => {
          const ordered = lines[s.line - 1] ?? { sku: 'TEA-9', uom: 'EA' };
          return {
            lineNumber: s.odd === 'number' ? s.line + 5 : s.line, quantity: s.quantity,
            sku: s.odd === 'sku' ? SKUS[(SKUS.indexOf(ordered.sku) + 1) % SKUS.length] : ordered.sku,
            uom: s.odd === 'uom' ? (ordered.uom === 'EA' ? 'CS' : 'EA') : ordered.uom,
          };
        }),
      };
      break;
    case 'ack':
      fields = { type: 'acknowledgment', kind: e.ack, status: e.status, acknowledges: { documentType: e.of, reference: orderNumber } };
      break;
    case 'erp_hold':
      fields = { type: 'order_status', orderNumber, status: e.release ? 'released' : 'on_hold', reason: 'credit hold' };
      break;
  }
  const checked = validateDocument({ ...envelope, ...fields });
  if (!checked.ok) throw new Error(`generated document is not valid: ${JSON.stringify(checked.errors)}`);
  return checked.document;
}

// ---- the pipeline, as far as the rules see it ---------------------------------------------------

const VERDICTS = new Set(['apply', 'hold', 'refuse', 'stale']);

interface Run {
  policy: RulesPolicy;
  ledgers: Map<string, Ledger>;
  documents: Map<string, { doc: CanonicalDocument; source: 'erp' | 'warehouse' }>;
  /** The last verdict of each document. */
  verdicts: Map<string, string>;
  /** Sales orders routed and not yet delivered, per order key, oldest first. */
  outbox: Map<string, string[]>;
  /** Per order: the quantity of every shipment applied, to prove nothing is counted twice. */
  shippedApplied: Map<string, string>;
  arrival: number;
}

function roundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function decideOnce(run: Run, doc: CanonicalDocument, source: 'erp' | 'warehouse'): void {
  const key = ledgerKeyFor(doc)!.entityKey;
  const before = run.ledgers.get(key);
  const snapshot = JSON.stringify(before);
  const now = at(run.arrival);
  const decision = decide(before, doc, run.policy, now, { source });

  // Exactly one verdict, with a known rule and a sentence.
  assert.ok(VERDICTS.has(decision.verdict), `verdict ${decision.verdict}`);
  assert.ok(decision.rule in RULES, `rule ${decision.rule}`);
  assert.ok(decision.reason.length > 10);
  assert.equal(JSON.stringify(before), snapshot, 'decide never changes the ledger it is given');

  // A lost ledger write: the same document decided again against the same ledger decides the same.
  assert.deepEqual(decide(before, doc, run.policy, now, { source }), decision, 'deciding again after a lost write gives the same decision');

  // Nothing is applied to an order after its cancel is confirmed.
  const order = before as OrderLedger | undefined;
  if (order?.kind === 'order' && order.cancels.some((c) => c.lines === undefined && c.state === 'confirmed')) {
    assert.notEqual(decision.verdict, 'apply', `${doc.type} ${doc.id} applied after a confirmed cancel: ${decision.reason}`);
  }

  const after = decision.ledger;
  if (after === before) {
    assert.equal(after?.version, before?.version);
  } else {
    assert.ok(after, 'a ledger once made is never dropped');
    assert.equal(after.version, (before?.version ?? 0) + 1, 'one decision, one version');
    assert.deepEqual(roundTrip(after), after, 'the ledger is plain JSON');
  }
  const stored = after ? roundTrip(after) : undefined;
  if (stored) run.ledgers.set(key, stored);
  run.verdicts.set(doc.id, decision.verdict);

  // Replay: the same document against the ledger its decision produced changes nothing.
  const replay = decide(stored, doc, run.policy, now, { source });
  assert.deepEqual(replay.ledger, stored, `deciding ${doc.type} ${doc.id} again changed the ledger: first ${decision.rule}, then ${replay.rule}`);
  assert.ok(!(decision.verdict !== 'apply' && replay.verdict === 'apply'), `replay applied what was ${decision.verdict}`);

  bookkeep(run, key, doc, decision);
  for (const effect of decision.effects) {
    if (effect.kind === 'release_held') {
      for (const id of effect.documentIds) {
        const held = run.documents.get(id)!;
        assert.equal(run.verdicts.get(id), 'hold', 'only held documents are released');
        decideOnce(run, held.doc, held.source);
      }
    }
  }
}

function bookkeep(run: Run, key: string, doc: CanonicalDocument, decision: Decision<Ledger | undefined>): void {
  if (decision.verdict === 'apply' && doc.type === 'sales_order' && decision.rule === 'ORDER_ACCEPTED') {
    run.outbox.set(key, [...(run.outbox.get(key) ?? []), doc.id]);
  }
  if (decision.verdict === 'apply' && doc.type === 'shipment') {
    run.shippedApplied.set(key, addDecimals(run.shippedApplied.get(key) ?? '0', ...doc.lines.map((l) => l.quantity)));
  }
  for (const effect of decision.effects) {
    if (effect.kind === 'supersede_deliveries' && effect.documentIds) {
      run.outbox.set(effect.entityKey, (run.outbox.get(effect.entityKey) ?? []).filter((id) => !effect.documentIds!.includes(id)));
    }
  }
}

function deliver(run: Run, orderNumber: string): void {
  const key = `order:${orderNumber}`;
  const [next, ...rest] = run.outbox.get(key) ?? [];
  if (next === undefined) return;
  run.outbox.set(key, rest);
  const ledger = run.ledgers.get(key) as OrderLedger;
  const sent = recordSent(ledger, { documentId: next, at: at(run.arrival) });
  assert.ok(sent === ledger || sent.version === ledger.version + 1);
  run.ledgers.set(key, roundTrip(sent));
}

function checkLedgers(run: Run, scenarioPolicy: RulesPolicy): void {
  for (const ledger of run.ledgers.values()) {
    if (ledger.kind !== 'order') continue;
    let total = '0';
    for (const line of ledger.lines) {
      total = addDecimals(total, line.shipped);
      const limit = subtractDecimals(line.ordered, line.cancelled);
      const over = scenarioPolicy.overShipment;
      if (over.action === 'refuse') {
        assert.ok(compareDecimals(line.shipped, limit) <= 0, `line ${line.lineNumber} of ${ledger.orderNumber}: ${line.shipped} shipped, ${limit} allowed`);
      } else if (over.action === 'tolerance') {
        const allowed = multiplyDecimals(limit, String(1 + over.tolerancePercent / 100));
        assert.ok(compareDecimals(line.shipped, allowed) <= 0, `line ${line.lineNumber} of ${ledger.orderNumber}: ${line.shipped} shipped, ${allowed} allowed with tolerance`);
      }
    }
    assert.equal(compareDecimals(total, run.shippedApplied.get(ledger.entityKey) ?? '0'), 0, `${ledger.orderNumber}: the ledger counts ${total} shipped, the applied shipments ${run.shippedApplied.get(ledger.entityKey) ?? '0'}`);
    // Every held document is parked, and every parked document is held.
    const parked = new Set(ledger.parked.map((p) => p.documentId));
    for (const [id, verdict] of run.verdicts) {
      const doc = run.documents.get(id)!.doc;
      if (ledgerKeyFor(doc)?.entityKey !== ledger.entityKey) continue;
      assert.equal(parked.has(id), verdict === 'hold', `${doc.type} ${id} is ${verdict} and ${parked.has(id) ? '' : 'not '}parked`);
    }
  }
}

function play(s: Scenario): void {
  const policy = parseRulesPolicy(s.policy);
  const run: Run = { policy, ledgers: new Map(), documents: new Map(), verdicts: new Map(), outbox: new Map(), shippedApplied: new Map(), arrival: 0 };
  const sent: CanonicalDocument[] = [];
  for (const e of s.events) {
    run.arrival += 1;
    if (e.kind === 'deliver') {
      deliver(run, ORDERS[e.order]!);
      continue;
    }
    let doc: CanonicalDocument;
    let source: 'erp' | 'warehouse';
    if (e.kind === 'resend') {
      const original = sent[sent.length - Math.min(e.back, sent.length)];
      if (!original) continue;
      source = run.documents.get(original.id)!.source;
      doc = { ...original, id: `doc-${run.arrival}`, receivedAt: at(run.arrival) };
    } else {
      doc = build(e, s.orders, `doc-${run.arrival}`, run.arrival);
      source = e.kind === 'order' || e.kind === 'cancel' || e.kind === 'erp_hold' ? 'erp' : 'warehouse';
    }
    run.documents.set(doc.id, { doc, source });
    sent.push(doc);
    decideOnce(run, doc, source);
    checkLedgers(run, policy);
  }
  // After the hold window, nothing waits for an order any more: each held document is refused or still held behind an order hold.
  const later = at(run.arrival + policy.outOfOrder.holdWindowMinutes + 1);
  for (const [key, ledger] of run.ledgers) {
    if (ledger.kind !== 'order') continue;
    const { ledger: next, expired } = expireHolds(ledger, policy, later);
    for (const x of expired) run.verdicts.set(x.documentId, x.verdict);
    assert.ok(next.parked.every((p) => p.waitingFor === 'release'));
    run.ledgers.set(key, next);
  }
  checkLedgers(run, policy);
}

test('random interleavings of order events keep the rules\' promises', (t) => {
  const seed = Math.floor(seededRandom(t)() * 2 ** 32);
  try {
    fc.assert(fc.property(scenario, (s) => { play(s); }), { seed, numRuns: 300, includeErrorInReport: true });
  } catch (error) {
    t.diagnostic(`fast-check seed ${seed}, from CAUSEWAY_TEST_SEED=${TEST_SEED}`);
    throw error;
  }
});
