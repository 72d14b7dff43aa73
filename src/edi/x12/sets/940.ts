// 940 Warehouse Shipping Order <-> sales_order, and order_cancel when W05-01 says cancel.
import { entityKeys } from '../../../model/index.ts';
import type { OrderCancel, SalesOrder } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { TransactionSet } from '../reader.ts';
import type { Segment } from '../tokenizer.ts';
import { addQuantities, CARRIER_ACCOUNT_QUALIFIER, openDocument, PAYMENT_CODE, PAYMENT_TERMS, productIdPairs, readProductIds, setDecoder, x12Date, type DecodeContext, type SetEncodeResult, type SetReader } from './common.ts';
import { x12Error } from '../errors.ts';
import { loopAndPartiesLayout, readBody } from './layout.ts';
import { salesOrderDates, salesOrderHeader, salesOrderParties, salesOrderOf, type SalesOrderHeader } from './sales-order.ts';
import { writeCarrierAccount, writeCodedParty, writeN1Loop, writeParty, writeReferences } from './write.ts';

/** Segments a 940 may hold (004010 and 005010); anything else is reported, not guessed at. */
const KNOWN = new Set(['W05', 'N1', 'N2', 'N3', 'N4', 'G61', 'PER', 'N9', 'REF', 'G62', 'NTE', 'W66', 'LM', 'LQ', 'FA1', 'FA2', 'W6', 'LX', 'W01', 'G69', 'W20', 'MAN', 'QTY', 'AMT', 'LH1', 'LH2', 'LH3', 'LFH', 'LEP', 'LHR', 'LHT', 'W76', 'G66', 'W09', 'W27']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [4, 6];

/**
 * G62-01 date qualifiers: 10 requested ship, 02 delivery requested, 01 cancel after, 04 purchase order date,
 * 53 deliver no later than (treated as cancel-after when 01 is absent).
 */
const DATE_QUALIFIER = { ship: '10', delivery: '02', cancelAfter: '01' } as const;

/** What a 940 says besides W05, and its lines. */
interface OrderHeader extends SalesOrderHeader {
  /** A W66-01 method of payment that is none of PP, CC, TP: kept as sent. */
  paymentMethod: string | undefined;
}

/** W05-08 purchase order type (element 92, as the 850's BEG-02): DS drop ship. */
const DROP_SHIP = 'DS';
/** AMT-01 amount qualifier (element 522) LI: the line item unit price, in AMT-02. */
const UNIT_PRICE = 'LI';
/** References that are no reference: N9/REF 12 the carrier's billing account. */
const REFERENCES = { read: 'reference', qualifiers: { [CARRIER_ACCOUNT_QUALIFIER]: { to: 'carrierAccount' } } } as const;

const LAYOUT = loopAndPartiesLayout<OrderHeader>({
  segments: KNOWN,
  loop: 'LX',
  reader: readLine,
  // CN (consignee) is the customer as well.
  parties: { ...salesOrderParties(), CN: { as: 'party', to: 'customer' }, WH: { as: 'code', to: 'facility' }, DE: { as: 'code', to: 'depositor' } },
  // The billing account may stand in an N1 loop's N9 too.
  references: REFERENCES,
  rules: {
    G62: {
      read: 'date',
      qualifier: 1,
      date: 2,
      qualifiers: { ...salesOrderDates(DATE_QUALIFIER), '53': { to: 'cancelAfter', what: 'date', keep: 'first' } },
    },
    NTE: { read: 'note', element: 2, to: 'notes' },
    W66: { read: 'loop', reader: readW66 },
  },
});

export const decode940 = setDecoder<SalesOrder | OrderCancel>('W05', 'shipping order identification', (r, w05, set, ctx) => {
  // W05-01 order status code (element 473): N original, R change, F cancel, D delete; W05-08 DS a drop shipment.
  const status = r.req(w05, 1, 'order status code');
  const orderNumber = r.req(w05, 2, 'depositor order number');
  const customerOrderNumber = r.el(w05, 3);
  const h: OrderHeader = salesOrderHeader({ paymentMethod: undefined as string | undefined });
  readBody(r, LAYOUT, h);
  if (!orderNumber) return [];
  if (status === 'F' || status === 'D') return [cancelOf(set, ctx, orderNumber, h)];
  if (status !== 'N' && status !== 'R' && status !== '') {
    r.error('X12_CODE_UNKNOWN', `W05-01, the order status code, is ${JSON.stringify(status)}; Causeway reads N (original), R (change), F (cancel) and D (delete).`, w05, 1);
  }
  if (h.lines.length === 0) r.missing('W01', 'line item detail');
  if (!h.shipTo) r.missing('N1*ST', 'ship-to party', 'warning');
  return [orderOf(set, ctx, orderNumber, customerOrderNumber, status, r.el(w05, 8) === DROP_SHIP, h)];
});

function cancelOf(set: TransactionSet, ctx: DecodeContext, orderNumber: string, h: OrderHeader): OrderCancel {
  const lines = h.lines;
  const cancelLines: OrderCancel['lines'] = new Array(lines.length);
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    cancelLines[i] = { lineNumber: l.lineNumber, sku: l.sku, quantity: l.quantity, uom: l.uom };
  }
  const cancel = openDocument<OrderCancel>('order_cancel', set, ctx, 0, entityKeys.order(orderNumber), h.references);
  cancel.orderNumber = orderNumber;
  cancel.lines = cancelLines;
  if (h.facility !== undefined) cancel.facility = h.facility;
  if (h.notes.length) cancel.reason = h.notes.join(' ');
  // A cancel has no carrier: an N9*12 stays the reference it was sent as.
  if (h.carrierAccount !== undefined) cancel.references.push({ qualifier: CARRIER_ACCOUNT_QUALIFIER, value: h.carrierAccount });
  return cancel;
}

function orderOf(set: TransactionSet, ctx: DecodeContext, orderNumber: string, customerOrderNumber: string, status: string, dropShip: boolean, h: OrderHeader): SalesOrder {
  const order = salesOrderOf(set, ctx, h, orderNumber, status === 'R' ? 'replace' : 'original', dropShip, customerOrderNumber);
  if (h.paymentMethod !== undefined) order.extensions = { x12: { paymentMethod: h.paymentMethod } };
  return order;
}

/** W66-01 method of payment, W66-02 transportation method, W66-05 routing (the service), W66-10 SCAC. A later W66 replaces an earlier one. */
function readW66(r: SetReader, seg: Segment, h: OrderHeader): void {
  const carrier: NonNullable<SalesOrder['carrier']> = {};
  const scac = r.el(seg, 10);
  if (scac) carrier.scac = scac;
  const service = r.el(seg, 5);
  if (service) carrier.service = service;
  const payment = r.el(seg, 1);
  const terms = PAYMENT_TERMS[payment];
  if (terms !== undefined) carrier.paymentTerms = terms;
  h.paymentMethod = payment && terms === undefined ? payment : undefined;
  const mode = r.el(seg, 2);
  if (mode) carrier.transportMode = mode;
  h.carrier = scac || service || terms !== undefined || mode ? carrier : undefined;
}

/** LX loop: LX-01 is the line number; W01 the line; G69 the description; N9*LT a requested lot; AMT*LI the unit price. */
function readLine(r: SetReader, lx: Segment, h: OrderHeader): void {
  const lines = h.lines;
  const lineNumber = r.el(lx, 1) || String(lines.length + 1);
  const w01 = r.peek();
  if (!w01 || w01.id !== 'W01') {
    r.error('X12_SEGMENT_MISSING', `LX ${lineNumber} has no W01 line item detail after it.`, lx);
    return;
  }
  r.next();
  // W01-01 quantity ordered, W01-02 unit of measure, W01-03 U.P.C. case code, W01-04..07 product ids.
  const quantity = r.decimal(w01, 1, 'quantity ordered');
  const uom = r.req(w01, 2, 'unit of measure');
  const ids = readProductIds(w01, ID_POSITIONS, 3);
  if (!ids.sku) r.error('X12_ELEMENT_MISSING', 'W01 names no product: W01-04/05 or W01-06/07 must give an item id.', w01, 5);
  const line: SalesOrder['lines'][number] = { lineNumber, sku: ids.sku ?? '', quantity: quantity ?? '0', uom };
  if (ids.gtin !== undefined) line.gtin = ids.gtin;
  if (ids.lot !== undefined) line.lot = ids.lot;
  if (ids.customerSku !== undefined) line.customerSku = ids.customerSku;
  for (let s = r.peek(); s && (s.id === 'G69' || s.id === 'N9' || s.id === 'W20' || s.id === 'QTY' || s.id === 'AMT' || s.id === 'NTE' || s.id === 'MAN'); s = r.peek()) {
    r.next();
    if (s.id === 'G69') {
      const d = s.el(1);
      if (d) line.description = line.description ? `${line.description} ${d}` : d;
    } else if (s.id === 'N9') {
      // N9-01 LT: the lot the depositor wants shipped; BP the buyer's part number.
      const q = s.el(1);
      const v = s.el(2);
      if (q === 'LT' && v) line.lot = v;
      if (q === 'BP' && v) line.customerSku = v;
    } else if (s.id === 'AMT' && s.el(1) === UNIT_PRICE) {
      const price = r.decimal(s, 2, 'unit price');
      if (price !== undefined) line.unitPrice = price;
    }
  }
  if (quantity !== undefined && quantity !== '0' && !quantity.startsWith('-')) lines.push(line);
  else if (quantity !== undefined) r.error('X12_ELEMENT_INVALID', `W01-01, the quantity ordered, is ${quantity}; it must be more than zero.`, w01, 1);
}

export function encode940(doc: SalesOrder | OrderCancel): SetEncodeResult {
  if (doc.type !== 'order_cancel') return { id: '940', segments: orderSegments(doc), errors: [] };
  if (doc.lines.length === 0 && !doc.orderLines?.length) {
    // LX/W01 and W66 are mandatory in the 940: a cancel naming no line cannot be written. The rules
    // name the open lines of an order they know (`orderLines`); a cancel of an order never seen has none.
    const message = `order_cancel ${doc.orderNumber} names no lines, and a 940 cancel (W05*F) must carry the order's LX/W01 lines; `
      + 'the order is not known here (no ledger with its lines), so the cancel cannot be written for an X12 warehouse.';
    return { id: '940', segments: [], errors: [x12Error('X12_SEGMENT_MISSING', message, { segmentId: 'LX' })] };
  }
  return { id: '940', segments: cancelSegments(doc), errors: [] };
}

/** A cancel: W05*F, W66 as its order's, then the lines it cancels (a whole-order cancel: the order's open lines). */
function cancelSegments(doc: OrderCancel): X12SegmentData[] {
  const x12 = (doc.extensions?.x12 ?? {}) as Record<string, string | undefined>;
  const segs: X12SegmentData[] = [['W05', 'F', doc.orderNumber]];
  if (doc.facility) writeCodedParty(segs, 'WH', doc.facility);
  writeReferences(segs, 'N9', doc.references);
  if (doc.reason) segs.push(['NTE', 'GEN', doc.reason]);
  segs.push(['W66', x12.paymentMethod ?? 'PP', x12.transportationMethod ?? 'M']);
  for (const l of doc.lines.length > 0 ? doc.lines : doc.orderLines!) {
    segs.push(['LX', l.lineNumber]);
    segs.push(['W01', l.quantity ?? '', l.uom ?? '', '', l.sku ? 'VN' : '', l.sku ?? '']);
  }
  return segs;
}

function orderSegments(doc: SalesOrder): X12SegmentData[] {
  const x12 = (doc.extensions?.x12 ?? {}) as Record<string, string | undefined>;
  const carrier = doc.carrier;
  const segs: X12SegmentData[] = [
    doc.dropShip
      ? ['W05', doc.purpose === 'replace' ? 'R' : 'N', doc.orderNumber, doc.customerOrderNumber ?? '', '', '', '', '', DROP_SHIP]
      : ['W05', doc.purpose === 'replace' ? 'R' : 'N', doc.orderNumber, doc.customerOrderNumber ?? ''],
  ];
  writeN1Loop(segs, 'ST', { address: doc.shipTo });
  if (doc.billTo) writeN1Loop(segs, 'BT', { address: doc.billTo });
  if (doc.customer) writeParty(segs, 'BY', doc.customer);
  if (doc.depositor) writeCodedParty(segs, 'DE', doc.depositor);
  if (doc.facility) writeCodedParty(segs, 'WH', doc.facility);
  writeReferences(segs, 'N9', doc.references);
  writeCarrierAccount(segs, 'N9', carrier);
  if (doc.requestedShipDate) segs.push(['G62', DATE_QUALIFIER.ship, x12Date(doc.requestedShipDate)]);
  if (doc.requestedDeliveryDate) segs.push(['G62', DATE_QUALIFIER.delivery, x12Date(doc.requestedDeliveryDate)]);
  if (doc.cancelAfter) segs.push(['G62', DATE_QUALIFIER.cancelAfter, x12Date(doc.cancelAfter)]);
  for (const n of doc.notes) segs.push(['NTE', 'WHI', n]);
  // W66 is mandatory in the 940: payment method (default PP, prepaid) and transportation method (default M, motor).
  const payment = carrier?.paymentTerms ? PAYMENT_CODE[carrier.paymentTerms] : (x12.paymentMethod ?? 'PP');
  segs.push(['W66', payment, carrier?.transportMode ?? x12.transportationMethod ?? 'M', '', '', carrier?.service ?? '', '', '', '', '', carrier?.scac ?? '']);
  let total = '0';
  for (const l of doc.lines) {
    segs.push(['LX', l.lineNumber]);
    const pairs = productIdPairs(l.sku, l.gtin);
    segs.push(['W01', l.quantity, l.uom, '', pairs[0]!, pairs[1]!, pairs[2] ?? (l.customerSku ? 'BP' : ''), pairs[3] ?? l.customerSku ?? '']);
    if (l.description) segs.push(['G69', l.description]);
    if (l.lot) segs.push(['N9', 'LT', l.lot]);
    if (l.gtin && l.customerSku) segs.push(['N9', 'BP', l.customerSku]);
    if (l.unitPrice !== undefined) segs.push(['AMT', UNIT_PRICE, l.unitPrice]);
    total = addQuantities(total, l.quantity);
  }
  // W76-01 is the total quantity ordered over all W01s.
  segs.push(['W76', total]);
  return segs;
}
