// Field ownership (which system's word counts for a field), stuck orders, and the policy's defaults.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_RULES_POLICY, findStuck, parseRulesPolicy, recordAcknowledged, type Decision, type Ledger } from '../../../src/engine/rules/index.ts';
import { at, Desk, document, salesOrder, sentOrder, shipment } from './story.ts';

const weights = { ownership: { fields: { item: { weight: 'warehouse', description: 'erp' } } } };
const item = (minute: number, more: Record<string, unknown>) => document({ type: 'item', sku: 'TEA-1', baseUom: 'EA', ...more }, minute);
const weightOf = (d: Decision<Ledger | undefined>) => (d.document as { weight?: unknown }).weight;

describe('field ownership', () => {
  it('leaves out a field the sender does not own when the owner has not said it yet', () => {
    const desk = new Desk(weights);
    const d = desk.decide(item(0, { description: 'Green tea', weight: { value: '0.1', unit: 'KG' } }));
    assert.equal(d.verdict, 'apply');
    assert.equal(weightOf(d), undefined);
    assert.deepEqual(d.conflicts, [{ documentType: 'item', path: 'weight', owner: 'warehouse', source: 'erp', sentValue: { value: '0.1', unit: 'KG' }, carried: 'removed' }]);
  });

  it('puts the owner\'s last value back in place of the other system\'s, and records both values', () => {
    const desk = new Desk({ ownership: { ...weights.ownership, alertOnConflict: true } });
    desk.decide(item(0, { description: 'Green tea', weight: { value: '0.12', unit: 'KG' } }), { source: 'warehouse' });
    const d = desk.decide(item(10, { description: 'Green tea', weight: { value: '0.1', unit: 'KG' } }), { source: 'erp' });
    assert.deepEqual(weightOf(d), { value: '0.12', unit: 'KG' });
    assert.deepEqual(d.conflicts[0], {
      documentType: 'item', path: 'weight', owner: 'warehouse', source: 'erp', sentValue: { value: '0.1', unit: 'KG' }, ownerValue: { value: '0.12', unit: 'KG' }, carried: 'owner_value',
    });
    assert.deepEqual(d.effects.filter((e) => e.kind === 'alert').map((e) => e.kind === 'alert' && e.message), [
      'The ERP sent weight of item item:TEA-1, which the warehouse owns; the owner\'s value went on instead',
    ]);
    // The warehouse's description is not carried on either, and no conflict is raised for a value equal to the owner's.
    const w = desk.decide(item(20, { description: 'Tea, green', weight: { value: '0.13', unit: 'KG' } }), { source: 'warehouse' });
    assert.equal(w.verdict, 'apply');
    assert.deepEqual([(w.document as { description?: string }).description, weightOf(w)], ['Green tea', { value: '0.13', unit: 'KG' }]);
    assert.deepEqual(w.conflicts.map((c) => c.path), ['description']);
  });

  it('is stale when the only difference was a field the sender does not own', () => {
    const desk = new Desk(weights);
    desk.decide(item(0, { description: 'Green tea', weight: { value: '0.12', unit: 'KG' } }), { source: 'warehouse' });
    desk.decide(item(5, { description: 'Green tea', weight: { value: '0.12', unit: 'KG' } }), { source: 'erp' });
    const d = desk.decide(item(10, { description: 'Green tea', weight: { value: '0.2', unit: 'KG' } }), { source: 'erp' });
    assert.deepEqual([d.verdict, d.rule], ['stale', 'DUPLICATE']);
    assert.deepEqual(d.conflicts, [], 'nothing goes out, so nothing conflicts');
  });
});

describe('stuck orders', () => {
  it('finds an order sent and not acknowledged in time, and one not shipped by its requested date', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-1', [['TEA-1', '10']], { requestedShipDate: '2026-11-23' });
    sentOrder(desk, 'SO-2', [['TEA-1', '10']], { requestedShipDate: '2026-11-25' });
    const sla = parseRulesPolicy({ stuck: { acknowledgeWithinMinutes: 60 } }).stuck;
    const ledgers = [desk.order('SO-1'), desk.order('SO-2')];
    assert.deepEqual(findStuck(ledgers, sla, at(65)), []);
    const late = findStuck(ledgers, sla, at(66));
    assert.deepEqual(late.map((s) => [s.orderNumber, s.rule]), [['SO-1', 'ACK_OVERDUE'], ['SO-2', 'ACK_OVERDUE']]);
    assert.equal(late[0]!.reason, `Order SO-1 was sent to the warehouse at ${at(5)} through wms-sftp and has not been acknowledged in 61 min (allowed: 60 min).`);

    const acked = recordAcknowledged(desk.order('SO-1'), { kind: 'functional', status: 'accepted', at: at(10) });
    assert.equal(recordAcknowledged(acked, { kind: 'functional', status: 'accepted', at: at(10) }), acked, 'the same acknowledgment twice changes nothing');
    const nextDay = findStuck([acked], sla, '2026-11-24T00:00:00Z');
    assert.deepEqual(nextDay.map((s) => s.rule), ['SHIP_DATE_MISSED']);
    assert.equal(nextDay[0]!.reason, 'Order SO-1 was to ship by 2026-11-23 and is open, with 10 EA of TEA-1 still to ship.');
    assert.deepEqual(findStuck([{ ...acked, sla: { ...sla, utcOffset: '-05:00' } }], sla, '2026-11-24T00:00:00Z'), [], 'in New York the day is not over yet');
    assert.deepEqual(findStuck([{ ...acked, sla: undefined }], { ...sla, utcOffset: '-05:00' }, '2026-11-24T00:00:00Z'), [], 'an order sent with no SLA of its own is held to the general one');
    assert.deepEqual(acked.sla, DEFAULT_RULES_POLICY.stuck, 'the order keeps the SLA it was sent under');
  });

  it('never calls a shipped order stuck', () => {
    const desk = new Desk();
    sentOrder(desk, 'SO-3', [['TEA-1', '10']], { requestedShipDate: '2026-11-23' });
    desk.decide(shipment('SO-3', 'SH-1', [[1, 'TEA-1', '10']]));
    assert.deepEqual(findStuck([desk.order('SO-3')], parseRulesPolicy({}).stuck, '2026-12-01T00:00:00Z'), []);
  });

  it('does not count an order that was never sent as unacknowledged', () => {
    const desk = new Desk();
    desk.decide(salesOrder('SO-4', [['TEA-1', '1']], { requestedShipDate: '2026-12-31' }));
    assert.deepEqual(findStuck([desk.order('SO-4')], parseRulesPolicy({}).stuck, at(600)), []);
  });
});

describe('the rules policy', () => {
  it('has a default for every rule', () => {
    const p = parseRulesPolicy({});
    assert.deepEqual(p.overShipment, { action: 'refuse', tolerancePercent: 0 });
    assert.deepEqual(p.overReceipt, { action: 'accept_and_flag', tolerancePercent: 0 });
    assert.equal(p.underShipment, 'backorder');
    assert.equal(p.outOfOrder.holdWindowMinutes, 1440);
    assert.equal(p.documentChain, 'flag');
    assert.equal(p.lots.expired, 'flag');
    assert.deepEqual(p.changes.watchedFields, ['lines', 'shipTo', 'carrier', 'requestedShipDate', 'priority']);
    assert.deepEqual(p.ownership, { fields: {}, alertOnConflict: false });
  });

  it('names the field at fault in a wrong setting', () => {
    assert.throws(() => parseRulesPolicy({ overShipment: { action: 'maybe' } }), /overShipment/);
    assert.throws(() => parseRulesPolicy({ ownership: { fields: { pallet: { weight: 'erp' } } } }), /pallet|ownership/);
    assert.throws(() => parseRulesPolicy({ underShipment: 'backorder', extra: 1 }), /extra/);
  });
});
