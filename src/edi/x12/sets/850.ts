// 850 Purchase Order <-> sales_order: a retailer's or marketplace's order to be shipped (often drop-ship).
import type { SalesOrder } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { Segment } from '../tokenizer.ts';
import { CARRIER_ACCOUNT_QUALIFIER, productIdPairs, readFobPayment, readProductIds, setDecoder, x12Date, type SetEncodeResult, type SetReader } from './common.ts';
import { defineLayout, facilityParties, readBody } from './layout.ts';
import { salesOrderDates, salesOrderHeader, salesOrderParties, salesOrderOf, type SalesOrderHeader } from './sales-order.ts';
import { td5, writeCarrierAccount, writeCodedParty, writeFob, writeN1Loop, writeParty, writeReferences } from './write.ts';

const KNOWN = new Set(['BEG', 'CUR', 'REF', 'PER', 'TAX', 'FOB', 'CTP', 'PAM', 'CSH', 'TC2', 'SAC', 'ITD', 'DIS', 'INC', 'DTM', 'LDT', 'LIN', 'SI', 'PID', 'MEA', 'PWK', 'PKG', 'TD1', 'TD5', 'TD3', 'TD4', 'MAN', 'PCT', 'CTB', 'TXI', 'AMT', 'N9', 'MSG', 'N1', 'N2', 'N3', 'N4', 'NX2', 'PO1', 'PO3', 'PO4', 'SDQ', 'SCH', 'CTT', 'NTE', 'QTY', 'SLN', 'ADV']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [6, 8, 10, 12, 14];

/** DTM-01: 010 requested ship, 002 delivery requested, 001 cancel after. */
const DTM = { ship: '010', delivery: '002', cancelAfter: '001' } as const;

/** What an 850 says besides BEG, and its lines. An 850 names no depositor. */
interface PurchaseOrderHeader extends SalesOrderHeader {
  /** REF OQ: the seller's own order number, when it has one beside the buyer's BEG-03. */
  sellerOrderNumber: string | undefined;
}

const LAYOUT = defineLayout<PurchaseOrderHeader>({
  segments: KNOWN,
  rules: {
    PO1: { read: 'loop', reader: readPo1 },
    // REF-01 OQ: the seller's own order number, when it differs from the PO number.
    // REF-01 12: the carrier's billing account.
    REF: { read: 'reference', qualifiers: { OQ: { to: 'sellerOrderNumber' }, [CARRIER_ACCOUNT_QUALIFIER]: { to: 'carrierAccount' } } },
    DTM: {
      read: 'date',
      qualifier: 1,
      date: 2,
      qualifiers: salesOrderDates(DTM),
    },
    // TD5-02 2 (SCAC) with TD5-03 the code; TD5-04 transportation method; TD5-05 routing. A carrier only when one of them is there.
    TD5: { read: 'carrier', to: 'carrier', scac: 3, scacWhen: [2, '2'], mode: 4, service: 5 },
    NTE: { read: 'note', element: 2, to: 'notes' },
    // FOB-01 shipment method of payment: who pays the freight.
    FOB: { read: 'loop', reader: (_r, seg, h) => { h.carrierPayment = readFobPayment(seg) ?? h.carrierPayment; } },
    N1: {
      read: 'party',
      entities: { ...salesOrderParties(), ...facilityParties('SF') },
    },
  },
});

export const decode850 = setDecoder<SalesOrder>('BEG', 'beginning segment for purchase order', (r, beg, set, ctx) => {
  // BEG-01 purpose: 00 original, 05 replace; BEG-02 order type: DS drop ship; BEG-03 the buyer's PO number.
  const purposeCode = r.req(beg, 1, 'transaction set purpose code');
  const poNumber = r.req(beg, 3, 'purchase order number');
  const dropShip = r.el(beg, 2) === 'DS';
  const h: PurchaseOrderHeader = salesOrderHeader({ sellerOrderNumber: undefined as string | undefined });
  readBody(r, LAYOUT, h);
  const orderNumber = h.sellerOrderNumber || poNumber;
  if (h.lines.length === 0) r.missing('PO1', 'baseline item data');
  if (!h.shipTo) r.missing('N1*ST', 'ship-to party', 'warning');
  if (!orderNumber) return [];
  // Without a REF OQ the order is known by the buyer's PO number alone; with one, BEG-03 is the customer's number beside ours.
  return [salesOrderOf(set, ctx, h, orderNumber, purposeCode === '05' ? 'replace' : 'original', dropShip, h.sellerOrderNumber ? poNumber : '')];
});

/** PO1 loop: PO1-01 line number, PO1-02 quantity, PO1-03 unit, PO1-04 unit price, PO1-06.. product id pairs; PID the description. */
function readPo1(r: SetReader, po1: Segment, h: PurchaseOrderHeader): void {
  const lines = h.lines;
  const quantity = r.decimal(po1, 2, 'quantity ordered');
  const uom = r.req(po1, 3, 'unit of measure');
  const price = r.decimal(po1, 4, 'unit price', false);
  const ids = readProductIds(po1, ID_POSITIONS);
  if (!ids.sku) r.error('X12_ELEMENT_MISSING', 'PO1 names no product: PO1-06/07 must give an item id.', po1, 7);
  const line: SalesOrder['lines'][number] = { lineNumber: r.el(po1, 1) || String(lines.length + 1), sku: ids.sku ?? '', quantity: quantity ?? '0', uom };
  if (ids.gtin !== undefined) line.gtin = ids.gtin;
  if (ids.customerSku !== undefined) line.customerSku = ids.customerSku;
  if (price !== undefined) line.unitPrice = price;
  for (let s = r.peek(); s && (s.id === 'PID' || s.id === 'PO4' || s.id === 'REF' || s.id === 'MEA' || s.id === 'SAC' || s.id === 'DTM' || s.id === 'CTP' || s.id === 'MSG'); s = r.peek()) {
    r.next();
    // PID-01 F free-form: PID-05 is the description.
    if (s.id === 'PID' && r.el(s, 5)) line.description = line.description ? `${line.description} ${r.el(s, 5)}` : r.el(s, 5);
  }
  if (quantity !== undefined && ids.sku) lines.push(line);
}

export function encode850(doc: SalesOrder): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  const po = doc.customerOrderNumber ?? doc.orderNumber;
  // BEG-02 order type: DS drop ship, SA stand-alone order.
  segs.push(['BEG', doc.purpose === 'replace' ? '05' : '00', doc.dropShip ? 'DS' : 'SA', po, '', x12Date(doc.occurredAt)]);
  if (doc.customerOrderNumber !== undefined) segs.push(['REF', 'OQ', doc.orderNumber]);
  writeReferences(segs, 'REF', doc.references);
  writeCarrierAccount(segs, 'REF', doc.carrier);
  writeFob(segs, doc.carrier);
  if (doc.requestedShipDate) segs.push(['DTM', DTM.ship, x12Date(doc.requestedShipDate)]);
  if (doc.requestedDeliveryDate) segs.push(['DTM', DTM.delivery, x12Date(doc.requestedDeliveryDate)]);
  if (doc.cancelAfter) segs.push(['DTM', DTM.cancelAfter, x12Date(doc.cancelAfter)]);
  if (doc.carrier) segs.push(td5(doc.carrier));
  for (const n of doc.notes) segs.push(['NTE', 'GEN', n]);
  writeN1Loop(segs, 'ST', { address: doc.shipTo });
  if (doc.billTo) writeN1Loop(segs, 'BT', { address: doc.billTo });
  if (doc.customer) writeParty(segs, 'BY', doc.customer);
  if (doc.facility) writeCodedParty(segs, 'SF', doc.facility);
  for (const l of doc.lines) {
    const pairs = productIdPairs(l.sku, l.gtin);
    if (l.customerSku) pairs.push('BP', l.customerSku);
    segs.push(['PO1', l.lineNumber, l.quantity, l.uom, l.unitPrice ?? '', '', ...pairs] as unknown as X12SegmentData);
    if (l.description) segs.push(['PID', 'F', '', '', '', l.description]);
  }
  // CTT-01 number of PO1 segments.
  segs.push(['CTT', String(doc.lines.length)]);
  return { id: '850', segments: segs, errors: [] };
}
