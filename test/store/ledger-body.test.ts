import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ledgerBodyOf, ledgerBodyText } from '../../src/store/ledger-body.ts';

describe('a ledger as its row keeps it', () => {
  const order = {
    kind: 'order', version: 3, entityKey: 'order:SO-9', orderNumber: 'SO-9', known: true,
    lines: [
      { lineNumber: '1', sku: 'TEA-1', uom: 'EA', ordered: '12', shipped: '0', cancelled: '0' },
      { lineNumber: '2', sku: 'TEA-2', uom: 'EA', ordered: '4', shipped: '4', cancelled: '0' },
    ],
    send: { state: 'sent', documentId: 'd1' }, acknowledgments: [], statuses: [], progress: 0,
    shipments: [], cancels: [], returns: [], holds: [], parked: [], lastApplied: {},
  };

  it('keeps an order shorter than its JSON and reads it back as it was', () => {
    const text = ledgerBodyText(order);
    assert.ok(text.length < JSON.stringify(order).length * 0.8, text);
    assert.deepEqual(ledgerBodyOf(JSON.parse(text)), order);
  });

  it('reads a row written in full, before rows were kept short, unchanged', () => {
    assert.deepEqual(ledgerBodyOf(JSON.parse(JSON.stringify(order))), order);
  });

  it('keeps other ledgers and other bodies as their JSON', () => {
    const inbound = { kind: 'inbound', version: 1, entityKey: 'inbound:PO-1', reference: 'PO-1', known: false, lines: [], receipts: [], parked: [], lastApplied: {} };
    assert.equal(ledgerBodyText(inbound), JSON.stringify(inbound));
    assert.deepEqual(ledgerBodyOf(JSON.parse(ledgerBodyText(inbound))), inbound);
    assert.equal(ledgerBodyOf(null), null);
  });
});
