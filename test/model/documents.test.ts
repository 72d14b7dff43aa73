import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DOCUMENT_TYPES, addDecimals, convertQuantity, documentJsonSchema, validateDocument, entityKeyFor } from '../../src/model/index.ts';

const envelope = { tenant: 'acme', id: 'd-1', source: { endpoint: 'api' }, occurredAt: '2026-11-22T10:00:00+01:00', receivedAt: '2026-11-22T09:00:01Z' };
const address = { name: 'DC', lines: ['1 Quay'], city: 'Antwerp', postalCode: '2000', country: 'BE' };

/** One valid example per document type, as a partner would send it. */
const valid: Record<string, Record<string, unknown>> = {
  item: { type: 'item', sku: 'TEA-1', baseUom: 'EA', conversions: [{ uom: 'CS', factor: '12' }], barcodes: [{ value: '05012345678900' }], weight: { value: '0.25', unit: 'KG' }, lotTracked: true },
  sales_order: { type: 'sales_order', orderNumber: 'SO-1', shipTo: address, lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: '12', uom: 'EA' }] },
  order_cancel: { type: 'order_cancel', orderNumber: 'SO-1', reason: 'customer request' },
  purchase_order: { type: 'purchase_order', poNumber: 'PO-1', facility: 'AMS1', kind: 'asn', asn: { asnNumber: 'ASN-1', containers: [{ sscc: '003456789012345675', lines: [] }] }, lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: 100, uom: 'EA' }] },
  receipt: { type: 'receipt', receiptNumber: 'R-1', poNumber: 'PO-1', facility: 'AMS1', lines: [{ sku: 'TEA-1', quantity: '98', damagedQuantity: '2', uom: 'EA', lot: 'L1', expiryDate: '2027-01-31' }] },
  shipment: { type: 'shipment', shipmentNumber: 'S-1', orderNumber: 'SO-1', facility: 'AMS1', shippedAt: '2026-11-22T16:00:00Z', complete: false, packages: [{ sscc: '003456789012345675' }], lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: '6', uom: 'EA', serials: ['SN1'] }] },
  order_status: { type: 'order_status', orderNumber: 'SO-1', status: 'backordered', lines: [{ lineNumber: 1, status: 'backordered', quantity: '6' }] },
  inventory_snapshot: { type: 'inventory_snapshot', facility: 'AMS1', asOf: '2026-11-22T00:00:00Z', positions: [{ sku: 'TEA-1', uom: 'EA', onHand: '100', allocated: '12' }] },
  inventory_adjustment: { type: 'inventory_adjustment', adjustmentNumber: 'A-1', facility: 'AMS1', lines: [{ sku: 'TEA-1', quantity: '-3', uom: 'EA', reason: 'cycle_count' }] },
  inventory_availability: { type: 'inventory_availability', facility: 'AMS1', sku: 'TEA-1', uom: 'EA', available: '-2', onHand: '10', allocated: '8', onHold: '1', safetyBuffer: '3', asOf: '2026-11-22T00:00:00Z' },
  return_authorization: { type: 'return_authorization', rmaNumber: 'RMA-1', orderNumber: 'SO-1', lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: '1', uom: 'EA' }] },
  return_receipt: { type: 'return_receipt', rmaNumber: 'RMA-1', facility: 'AMS1', lines: [{ sku: 'TEA-1', quantity: '1', uom: 'EA', disposition: 'restock' }] },
  transfer_order: { type: 'transfer_order', transferNumber: 'T-1', fromFacility: 'AMS1', toFacility: 'RTM1', lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: '10', uom: 'EA' }] },
  acknowledgment: { type: 'acknowledgment', status: 'accepted_with_errors', acknowledges: { functionalId: 'OW', groupControlNumber: '17' }, sets: [{ transactionSetId: '940', controlNumber: '0001', status: 'accepted' }] },
  invoice: { type: 'invoice', client: 'acme', period: '2026-11', currency: 'EUR', total: '12.5', closedAt: '2026-12-01T08:00:00Z', lines: [{ line: 1, kind: 'order', tier: 1, quantity: '10', rate: '1.25', amount: '12.5', usageKeys: ['shipment:S-1'] }] },
};

/** One broken example per type, and the exact path the error must name. */
const invalid: Record<string, [Record<string, unknown>, string, RegExp]> = {
  item: [{ ...valid.item, conversions: [{ uom: 'CS', factor: '0' }] }, '$.conversions[0].factor', /more than zero/],
  sales_order: [{ ...valid.sales_order, lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: 'twelve', uom: 'EA' }] }, '$.lines[0].quantity', /decimal/],
  order_cancel: [{ ...valid.order_cancel, orderNumber: '' }, '$.orderNumber', /.+/],
  purchase_order: [{ ...valid.purchase_order, asn: { asnNumber: 'A', containers: [{ sscc: '123' }] } }, '$.asn.containers[0].sscc', /18-digit SSCC/],
  receipt: [{ ...valid.receipt, lines: [{ sku: 'TEA-1', quantity: '-1', uom: 'EA' }] }, '$.lines[0].quantity', /zero or more/],
  shipment: [{ ...valid.shipment, shippedAt: '2026-11-22 16:00' }, '$.shippedAt', /.+/],
  order_status: [{ ...valid.order_status, status: 'lost_in_space' }, '$.status', /one of "received"/],
  inventory_snapshot: [{ ...valid.inventory_snapshot, positions: [{ sku: 'TEA-1', onHand: '1' }] }, '$.positions[0].uom', /missing/],
  inventory_adjustment: [{ ...valid.inventory_adjustment, lines: [{ sku: 'TEA-1', quantity: '1', uom: 'EA', reason: 'theft' }] }, '$.lines[0].reason', /cycle_count/],
  inventory_availability: [{ ...valid.inventory_availability, onHand: '-1' }, '$.onHand', /zero or more/],
  return_authorization: [{ ...valid.return_authorization, lines: [] }, '$.lines', /.+/],
  return_receipt: [{ ...valid.return_receipt, lines: [{ sku: 'X', quantity: '1', uom: 'EA', disposition: 'burn' }] }, '$.lines[0].disposition', /restock/],
  transfer_order: [{ ...valid.transfer_order, toFacility: undefined }, '$.toFacility', /missing/],
  acknowledgment: [{ ...valid.acknowledgment, status: 'maybe' }, '$.status', /accepted/],
  invoice: [{ ...valid.invoice, period: '2026-13' }, '$.period', /.+/],
};

describe('canonical documents', () => {
  it('has an example for every type', () => {
    assert.deepEqual(Object.keys(valid).sort(), [...DOCUMENT_TYPES].sort());
    assert.deepEqual(Object.keys(invalid).sort(), [...DOCUMENT_TYPES].sort());
  });

  for (const type of DOCUMENT_TYPES) {
    it(`${type}: accepts a valid document and fills defaults`, () => {
      const doc = { ...envelope, entityKey: entityKeyFor(valid[type]), ...valid[type] };
      const r = validateDocument(doc);
      assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
      assert.equal(r.document.schemaVersion, 1);
      assert.deepEqual(r.document.references, []);
    });
    it(`${type}: names the field at fault`, () => {
      const [doc, path, message] = invalid[type];
      const r = validateDocument({ ...envelope, entityKey: 'k', ...doc });
      assert.equal(r.ok, false);
      const errors = r.ok ? [] : r.errors;
      const hit = errors.find((e) => e.path === path);
      assert.ok(hit, `expected an error at ${path}, got ${JSON.stringify(errors)}`);
      assert.match(hit.message, message);
    });
    it(`${type}: exports a JSON Schema`, () => {
      const s = documentJsonSchema(type);
      assert.equal((s.properties as Record<string, { const?: string }>).type.const, type);
      assert.ok((s.required as string[]).includes('tenant'));
    });
  }

  it('rejects unknown types and non-objects with the path', () => {
    const r = validateDocument({ ...envelope, type: 'credit_note' });
    assert.equal(!r.ok && r.errors[0].path, '$.type');
    assert.match(!r.ok ? r.errors[0].message : '', /unknown document type "credit_note"/);
    assert.equal(!validateDocument([1, 2]).ok && (validateDocument([1, 2]) as { errors: { code: string }[] }).errors[0].code, 'DOC_NOT_OBJECT');
  });

  it('requires an offset on times', () => {
    const r = validateDocument({ ...envelope, ...valid.order_cancel, entityKey: 'k', occurredAt: '2026-11-22T10:00:00' });
    assert.equal(!r.ok && r.errors[0].path, '$.occurredAt');
  });

  it('keeps quantities exact: numbers become decimal strings, sums do not drift', () => {
    const r = validateDocument({ ...envelope, ...valid.sales_order, entityKey: 'k', lines: [{ lineNumber: 1, sku: 'A', quantity: 0.1, uom: 'EA' }, { lineNumber: 2, sku: 'B', quantity: '0.20', uom: 'EA' }] });
    assert.ok(r.ok);
    const lines = (r.document as { lines: Array<{ quantity: string }> }).lines;
    assert.deepEqual(lines.map((l) => l.quantity), ['0.1', '0.2']);
    assert.equal(addDecimals(...lines.map((l) => l.quantity)), '0.3');
    assert.equal(0.1 + 0.2 === 0.3, false, 'binary floats would have drifted here');
  });

  it('does not blame the entity key it makes from a field that is itself at fault, but does blame one the sender gave', () => {
    const noNumber = { ...envelope, ...valid.sales_order, orderNumber: '' };
    const r = validateDocument({ ...noNumber, entityKey: entityKeyFor(noNumber) });
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.errors.map((e) => e.path), ['$.orderNumber']);
    const given = validateDocument({ ...envelope, ...valid.sales_order, entityKey: '' });
    assert.equal(given.ok, false);
    if (!given.ok) assert.deepEqual(given.errors.map((e) => e.path), ['$.entityKey']);
  });

  it('refuses a field the model does not know, one error each, naming the field a sender most likely meant', () => {
    const order = { ...envelope, ...valid.sales_order, entityKey: 'order:SO-1' };
    const line = (valid.sales_order.lines as Array<Record<string, unknown>>)[0];
    const r = validateDocument({ ...order, requestedShipdate: '2026-12-01', ship_to: {}, carrier: { scac: 'UPSN', servce: 'GROUND' }, lines: [{ ...line, qty: '5', UOM: 'EA' }] });
    assert.equal(r.ok, false);
    if (r.ok) return;
    const by = new Map(r.errors.map((e) => [e.path, e]));
    assert.ok(r.errors.every((e) => e.code === 'DOC_UNKNOWN_FIELD'), JSON.stringify(r.errors));
    assert.deepEqual([...by.keys()].sort(), ['$.carrier.servce', '$.lines[0].UOM', '$.lines[0].qty', '$.requestedShipdate', '$.ship_to']);
    assert.match(by.get('$.requestedShipdate')!.message, /did you mean "requestedShipDate"\?.*"extensions"/);
    assert.match(by.get('$.ship_to')!.message, /did you mean "shipTo"/);
    assert.match(by.get('$.carrier.servce')!.message, /did you mean "service"/);
    assert.match(by.get('$.lines[0].UOM')!.message, /did you mean "uom"/);
    // Nothing close: the fields allowed there are listed instead.
    assert.match(by.get('$.lines[0].qty')!.message, /the fields here are lineNumber, sku, .*quantity/);
    // Data of the sender's own is kept under extensions, as it came.
    const kept = validateDocument({ ...order, extensions: { requestedShipdate: '2026-12-01', nested: { any: ['thing'] } } });
    assert.equal(kept.ok, true);
    if (kept.ok) assert.deepEqual(kept.document.extensions, { requestedShipdate: '2026-12-01', nested: { any: ['thing'] } });
  });

  it('knows every type\'s fields: its valid example holds no field the model would refuse, and an extra one anywhere is refused', () => {
    for (const type of DOCUMENT_TYPES) {
      const doc = { ...envelope, ...valid[type] };
      const withKey = { ...doc, entityKey: entityKeyFor(doc) ?? 'k' };
      assert.equal(validateDocument(withKey).ok, true, type);
      const r = validateDocument({ ...withKey, surplus: 1 });
      assert.equal(r.ok, false, type);
      if (!r.ok) assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [['DOC_UNKNOWN_FIELD', '$.surplus']], type);
    }
  });

  it('refuses an order whose lines share a number, which a shipment or cancel of that line could not tell apart', () => {
    const line = (n: number | string, sku: string) => ({ lineNumber: n, sku, quantity: '1', uom: 'EA' });
    for (const type of ['sales_order', 'purchase_order', 'transfer_order', 'return_authorization'] as const) {
      const doc = { ...envelope, ...valid[type], entityKey: 'k', lines: [line(1, 'A'), line(2, 'B'), line('1', 'C')] };
      const r = validateDocument(doc);
      assert.equal(r.ok, false, type);
      if (!r.ok) assert.deepEqual(r.errors.map((e) => [e.code, e.path]), [['DOC_LINE_NUMBER_REPEATED', '$.lines[2].lineNumber']], type);
      if (!r.ok) assert.match(r.errors[0]!.message, /line number "1" is given to lines\[0\] already/);
    }
    // A long order is checked alike.
    const long = Array.from({ length: 200 }, (_, i) => line(i + 1, `S-${i}`));
    long[150] = line(7, 'X');
    const r = validateDocument({ ...envelope, ...valid.sales_order, entityKey: 'k', lines: long });
    assert.deepEqual(!r.ok && r.errors.map((e) => e.path), ['$.lines[150].lineNumber']);
    // A shipment may ship one order line in two lots: its own lines may repeat a number.
    const split = { ...envelope, ...valid.shipment, entityKey: 'k', lines: [{ ...line(1, 'TEA-1'), lots: [{ lot: 'L1', quantity: '1' }] }, { ...line(1, 'TEA-1'), lots: [{ lot: 'L2', quantity: '1' }] }] };
    assert.equal(validateDocument(split).ok, true);
  });

  it('refuses a control character in a code or number, which would end a record or a string downstream', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...valid.sales_order, orderNumber: 'SO-1\nSO-2' }, '$.orderNumber'],
      [{ ...valid.sales_order, lines: [{ lineNumber: 1, sku: 'TEA\t1', quantity: '1', uom: 'EA' }] }, '$.lines[0].sku'],
      [{ ...valid.sales_order, lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: '1', uom: 'E\u0000A' }] }, '$.lines[0].uom'],
      [{ ...valid.shipment, lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: '1', uom: 'EA', lots: [{ lot: 'L1\r', quantity: '1' }] }] }, '$.lines[0].lots[0].lot'],
      [{ ...valid.sales_order, lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: '1', uom: 'EA', lot: 'L\n2' }] }, '$.lines[0].lot'],
      [{ ...valid.receipt, receiptNumber: 'R\u007f1' }, '$.receiptNumber'],
    ];
    for (const [doc, path] of cases) {
      const r = validateDocument({ ...envelope, ...doc, entityKey: 'k' });
      assert.equal(r.ok, false, path);
      if (r.ok) continue;
      assert.equal(r.errors[0]!.path, path);
      assert.match(r.errors[0]!.message, /no control characters \(a line break, tab or NUL\)/);
    }
    // Letters of any script are fine.
    assert.ok(validateDocument({ ...envelope, ...valid.sales_order, orderNumber: 'ZAM-Łódź-7', entityKey: 'k' }).ok);
  });

  it('refuses a code of spaces only, which no system can match; an empty lot still means none', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...valid.sales_order, orderNumber: '   ' }, '$.orderNumber'],
      [{ ...valid.sales_order, lines: [{ lineNumber: 1, sku: ' ', quantity: '1', uom: 'EA' }] }, '$.lines[0].sku'],
      [{ ...valid.sales_order, lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: '1', uom: '  ' }] }, '$.lines[0].uom'],
      [{ ...valid.sales_order, lines: [{ lineNumber: 1, sku: 'TEA-1', quantity: '1', uom: 'EA', lot: '  ' }] }, '$.lines[0].lot'],
    ];
    for (const [doc, path] of cases) {
      const r = validateDocument({ ...envelope, ...doc, entityKey: 'k' });
      assert.deepEqual(!r.ok && r.errors, [{ code: 'DOC_INVALID', path, message: 'expected a code with a character other than spaces' }], path);
    }
    assert.ok(validateDocument({ ...envelope, ...valid.sales_order, entityKey: 'k', lines: [{ lineNumber: 1, sku: 'TEA 1', quantity: '1', uom: 'EA', lot: '' }] }).ok);
  });

  it('says what a date or a date-time must look like', () => {
    const noOffset = validateDocument({ ...envelope, ...valid.sales_order, entityKey: 'k', occurredAt: '2026-11-22T09:15:00' });
    assert.deepEqual(!noOffset.ok && noOffset.errors.map((e) => [e.path, e.message]),
      [['$.occurredAt', 'expected an ISO-8601 date-time with its offset, such as "2026-11-22T14:05:00+01:00" or "2026-11-22T13:05:00Z"']]);
    const noSuchDay = validateDocument({ ...envelope, ...valid.sales_order, entityKey: 'k', requestedShipDate: '2026-02-30' });
    assert.deepEqual(!noSuchDay.ok && noSuchDay.errors.map((e) => [e.path, e.message]),
      [['$.requestedShipDate', 'expected a calendar date that exists, as YYYY-MM-DD, such as "2026-12-01"']]);
  });

  it('holds a quantity to 18 digits before the point and 9 after, as text or as a number, and says so', () => {
    for (const quantity of ['0.0000000001', '1234567890123456789', 0.0000000001, 1e20]) {
      const r = validateDocument({ ...envelope, ...valid.sales_order, entityKey: 'k', lines: [{ lineNumber: 1, sku: 'A', quantity, uom: 'EA' }] });
      assert.equal(r.ok, false, String(quantity));
      if (r.ok) continue;
      assert.equal(r.errors[0]!.path, '$.lines[0].quantity');
      assert.match(r.errors[0]!.message, /at most 18 digits before the point and 9 after/, String(quantity));
    }
    for (const quantity of ['0.000000001', '123456789012345678', 0.000000001, 1e17]) {
      assert.ok(validateDocument({ ...envelope, ...valid.sales_order, entityKey: 'k', lines: [{ lineNumber: 1, sku: 'A', quantity, uom: 'EA' }] }).ok, String(quantity));
    }
  });

  it('converts units through the item\'s conversions and names an unknown unit', () => {
    const item = { sku: 'TEA-1', baseUom: 'EA', conversions: [{ uom: 'CS', factor: '12' }, { uom: 'PL', factor: '480' }] };
    assert.equal(convertQuantity('2', 'CS', 'EA', item), '24');
    assert.equal(convertQuantity('1', 'PL', 'CS', item), '40');
    assert.equal(convertQuantity('6', 'EA', 'CS', item), '0.5');
    assert.throws(() => convertQuantity('1', 'KG', 'EA', item), /TEA-1 has no conversion for unit KG/);
  });

  it('keys every event of an order to the order, so none overtakes another', () => {
    for (const t of ['sales_order', 'order_cancel', 'shipment', 'order_status']) assert.equal(entityKeyFor(valid[t]), 'order:SO-1');
    assert.equal(entityKeyFor(valid.receipt), 'inbound:PO-1');
    assert.equal(entityKeyFor(valid.purchase_order), 'inbound:PO-1');
  });
});
