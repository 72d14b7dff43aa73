// 850 Purchase Order <-> sales_order: a retailer's or marketplace's order to be shipped (often drop-ship).
import type { Address, SalesOrder } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { TransactionSet } from '../reader.ts';
import {
  documentId,
  documentOccurredAt,
  documentSource,
  partyOf,
  productIdPairs,
  readN1Loop,
  readProductIds,
  refOf,
  SetReader,
  writeN1Loop,
  x12Date,
  type DecodeContext,
  type SetDecodeResult,
  type SetEncodeResult,
} from './common.ts';

const KNOWN = new Set(['BEG', 'CUR', 'REF', 'PER', 'TAX', 'FOB', 'CTP', 'PAM', 'CSH', 'TC2', 'SAC', 'ITD', 'DIS', 'INC', 'DTM', 'LDT', 'LIN', 'SI', 'PID', 'MEA', 'PWK', 'PKG', 'TD1', 'TD5', 'TD3', 'TD4', 'MAN', 'PCT', 'CTB', 'TXI', 'AMT', 'N9', 'MSG', 'N1', 'N2', 'N3', 'N4', 'NX2', 'PO1', 'PO3', 'PO4', 'SDQ', 'SCH', 'CTT', 'NTE', 'QTY', 'SLN', 'ADV']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [6, 8, 10, 12, 14];

/** DTM-01: 010 requested ship, 002 delivery requested, 001 cancel after. */
const DTM = { ship: '010', delivery: '002', cancelAfter: '001' } as const;

export function decode850(set: TransactionSet, ctx: DecodeContext): SetDecodeResult<SalesOrder> {
  const r = new SetReader(set);
  const beg = r.next();
  if (!beg || beg.id !== 'BEG') {
    r.missing('BEG', 'beginning segment for purchase order');
    return { documents: [], errors: r.errors };
  }
  // BEG-01 purpose: 00 original, 05 replace; BEG-02 order type: DS drop ship; BEG-03 the buyer's PO number.
  const purposeCode = r.req(beg, 1, 'transaction set purpose code');
  const poNumber = r.req(beg, 3, 'purchase order number');
  const dropShip = r.el(beg, 2) === 'DS';
  let orderNumber = poNumber;
  const references: Array<{ qualifier: string; value: string }> = [];
  const notes: string[] = [];
  let shipTo: Address | undefined;
  let billTo: Address | undefined;
  let customer: SalesOrder['customer'];
  let facility: string | undefined;
  let carrier: SalesOrder['carrier'];
  let requestedShipDate: string | undefined;
  let requestedDeliveryDate: string | undefined;
  let cancelAfter: string | undefined;
  const lines: SalesOrder['lines'] = [];
  for (let seg = r.next(); seg; seg = r.next()) {
    switch (seg.id) {
      case 'REF': {
        const x = refOf(r, seg);
        // REF-01 OQ: the seller's own order number, when it differs from the PO number.
        if (x.qualifier === 'OQ') orderNumber = x.value;
        else references.push(x);
        break;
      }
      case 'DTM': {
        const q = r.el(seg, 1);
        const d = r.date(seg, 2, 'date');
        if (q === DTM.ship) requestedShipDate = d;
        else if (q === DTM.delivery) requestedDeliveryDate = d;
        else if (q === DTM.cancelAfter) cancelAfter = d;
        break;
      }
      case 'TD5': {
        // TD5-02 2 (SCAC) with TD5-03 the code; TD5-05 routing. A carrier only when one of them is there.
        const scac = r.el(seg, 2) === '2' ? r.el(seg, 3) : '';
        const service = r.el(seg, 5);
        if (scac || service) {
          const c: NonNullable<SalesOrder['carrier']> = {};
          if (scac) c.scac = scac;
          if (service) c.service = service;
          carrier = c;
        }
        break;
      }
      case 'NTE':
        if (r.el(seg, 2)) notes.push(r.el(seg, 2));
        break;
      case 'N1': {
        const p = readN1Loop(r, seg, references);
        if (p.entity === 'ST') shipTo = p.address;
        else if (p.entity === 'BT') billTo = p.address;
        else if (p.entity === 'BY') customer = partyOf(p);
        else if (p.entity === 'SF' || p.entity === 'WH') facility = p.code ?? p.address.name;
        break;
      }
      case 'PO1': {
        // PO1-01 line number, PO1-02 quantity, PO1-03 unit, PO1-04 unit price, PO1-06.. product id pairs.
        const quantity = r.decimal(seg, 2, 'quantity ordered');
        const uom = r.req(seg, 3, 'unit of measure');
        const price = r.decimal(seg, 4, 'unit price', false);
        const ids = readProductIds(seg, ID_POSITIONS);
        if (!ids.sku) r.error('X12_ELEMENT_MISSING', 'PO1 names no product: PO1-06/07 must give an item id.', seg, 7);
        const line: SalesOrder['lines'][number] = { lineNumber: r.el(seg, 1) || String(lines.length + 1), sku: ids.sku ?? '', quantity: quantity ?? '0', uom };
        if (ids.gtin !== undefined) line.gtin = ids.gtin;
        if (ids.customerSku !== undefined) line.customerSku = ids.customerSku;
        if (price !== undefined) line.unitPrice = price;
        for (let s = r.peek(); s && (s.id === 'PID' || s.id === 'PO4' || s.id === 'REF' || s.id === 'MEA' || s.id === 'SAC' || s.id === 'DTM' || s.id === 'CTP' || s.id === 'MSG'); s = r.peek()) {
          r.next();
          // PID-01 F free-form: PID-05 is the description.
          if (s.id === 'PID' && r.el(s, 5)) line.description = line.description ? `${line.description} ${r.el(s, 5)}` : r.el(s, 5);
        }
        if (quantity !== undefined && ids.sku) lines.push(line);
        break;
      }
      default:
        if (!KNOWN.has(seg.id)) r.unknown(seg);
    }
  }
  if (lines.length === 0) r.missing('PO1', 'baseline item data');
  if (!shipTo) r.missing('N1*ST', 'ship-to party', 'warning');
  if (!orderNumber) return { documents: [], errors: r.errors };
  // One object literal, optional fields added when present: no spread of a base and no compact copy.
  const doc: SalesOrder = {
    type: 'sales_order',
    schemaVersion: 1,
    tenant: ctx.tenant,
    id: documentId(set, 0),
    source: documentSource(set, ctx),
    occurredAt: documentOccurredAt(set, ctx),
    receivedAt: ctx.receivedAt,
    entityKey: entityKeys.order(orderNumber),
    references,
    orderNumber,
    purpose: purposeCode === '05' ? 'replace' : 'original',
    shipTo: shipTo ?? { lines: [] },
    priority: 'normal',
    dropShip,
    notes,
    lines,
  };
  if (poNumber) doc.customerOrderNumber = poNumber;
  if (facility !== undefined) doc.facility = facility;
  if (customer !== undefined) doc.customer = customer;
  if (billTo !== undefined) doc.billTo = billTo;
  if (carrier !== undefined) doc.carrier = carrier;
  if (requestedShipDate !== undefined) doc.requestedShipDate = requestedShipDate;
  if (requestedDeliveryDate !== undefined) doc.requestedDeliveryDate = requestedDeliveryDate;
  if (cancelAfter !== undefined) doc.cancelAfter = cancelAfter;
  return { documents: [doc], errors: r.errors };
}

export function encode850(doc: SalesOrder): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  const po = doc.customerOrderNumber ?? doc.orderNumber;
  // BEG-02 order type: DS drop ship, SA stand-alone order.
  segs.push(['BEG', doc.purpose === 'replace' ? '05' : '00', doc.dropShip ? 'DS' : 'SA', po, '', x12Date(doc.occurredAt)]);
  if (po !== doc.orderNumber) segs.push(['REF', 'OQ', doc.orderNumber]);
  for (const ref of doc.references) segs.push(['REF', ref.qualifier, ref.value]);
  if (doc.requestedShipDate) segs.push(['DTM', DTM.ship, x12Date(doc.requestedShipDate)]);
  if (doc.requestedDeliveryDate) segs.push(['DTM', DTM.delivery, x12Date(doc.requestedDeliveryDate)]);
  if (doc.cancelAfter) segs.push(['DTM', DTM.cancelAfter, x12Date(doc.cancelAfter)]);
  if (doc.carrier) segs.push(['TD5', '', doc.carrier.scac ? '2' : '', doc.carrier.scac ?? '', '', doc.carrier.service ?? '']);
  for (const n of doc.notes) segs.push(['NTE', 'GEN', n]);
  segs.push(...writeN1Loop('ST', { address: doc.shipTo }));
  if (doc.billTo) segs.push(...writeN1Loop('BT', { address: doc.billTo }));
  if (doc.customer) segs.push(...writeN1Loop('BY', { name: doc.customer.name, code: doc.customer.code, address: doc.customer.address }));
  if (doc.facility) segs.push(['N1', 'SF', '', '92', doc.facility]);
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
