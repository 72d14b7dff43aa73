// 940 Warehouse Shipping Order <-> sales_order, and order_cancel when W05-01 says cancel.
import { addDecimals } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { Address, OrderCancel, SalesOrder } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { TransactionSet } from '../reader.ts';
import {
  addQuantities,
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
  type DecodeContext,
  type SetDecodeResult,
  type SetEncodeResult,
} from './common.ts';

/** Segments a 940 may hold (004010 and 005010); anything else is reported, not guessed at. */
const KNOWN = new Set(['W05', 'N1', 'N2', 'N3', 'N4', 'G61', 'PER', 'N9', 'REF', 'G62', 'NTE', 'W66', 'LM', 'LQ', 'FA1', 'FA2', 'W6', 'LX', 'W01', 'G69', 'W20', 'MAN', 'QTY', 'AMT', 'LH1', 'LH2', 'LH3', 'LFH', 'LEP', 'LHR', 'LHT', 'W76', 'G66', 'W09', 'W27']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [4, 6];

/**
 * G62-01 date qualifiers: 10 requested ship, 02 delivery requested, 01 cancel after, 04 purchase order date,
 * 53 deliver no later than (treated as cancel-after when 01 is absent).
 */
const DATE_QUALIFIER = { ship: '10', delivery: '02', cancelAfter: '01' } as const;

export function decode940(set: TransactionSet, ctx: DecodeContext): SetDecodeResult<SalesOrder | OrderCancel> {
  const r = new SetReader(set);
  const w05 = r.next();
  if (!w05 || w05.id !== 'W05') {
    r.missing('W05', 'shipping order identification');
    return { documents: [], errors: r.errors };
  }
  // W05-01 order status code (element 473): N original, R change, F cancel, D delete.
  const status = r.req(w05, 1, 'order status code');
  const orderNumber = r.req(w05, 2, 'depositor order number');
  const customerOrderNumber = r.el(w05, 3);
  const references: Array<{ qualifier: string; value: string }> = [];
  const notes: string[] = [];
  let shipTo: Address | undefined;
  let billTo: Address | undefined;
  let customer: SalesOrder['customer'];
  let facility: string | undefined;
  let depositor: string | undefined;
  let requestedShipDate: string | undefined;
  let requestedDeliveryDate: string | undefined;
  let cancelAfter: string | undefined;
  let carrier: SalesOrder['carrier'];
  let paymentMethod: string | undefined;
  let transportationMethod: string | undefined;
  const lines: SalesOrder['lines'] = [];

  for (let seg = r.next(); seg; seg = r.next()) {
    switch (seg.id) {
      case 'N1': {
        const p = readN1Loop(r, seg, references);
        if (p.entity === 'ST') shipTo = p.address;
        else if (p.entity === 'BT') billTo = p.address;
        else if (p.entity === 'BY' || p.entity === 'CN') customer = partyOf(p);
        else if (p.entity === 'WH') facility = p.code ?? p.address.name;
        else if (p.entity === 'DE') depositor = p.code ?? p.address.name;
        break;
      }
      case 'N9':
      case 'REF':
        references.push(refOf(r, seg));
        break;
      case 'G62': {
        const q = r.el(seg, 1);
        const d = r.date(seg, 2, 'date');
        if (q === DATE_QUALIFIER.ship) requestedShipDate = d;
        else if (q === DATE_QUALIFIER.delivery) requestedDeliveryDate = d;
        else if (q === DATE_QUALIFIER.cancelAfter || (q === '53' && cancelAfter === undefined)) cancelAfter = d;
        break;
      }
      case 'NTE':
        if (r.el(seg, 2)) notes.push(r.el(seg, 2));
        break;
      case 'W66': {
        // W66-01 shipment method of payment, W66-02 transportation method, W66-05 routing, W66-10 SCAC.
        const scac = seg.el(10);
        const service = seg.el(5);
        carrier = undefined;
        if (scac || service) {
          carrier = {};
          if (scac) carrier.scac = scac;
          if (service) carrier.service = service;
        }
        const payment = seg.el(1);
        if (payment) paymentMethod = payment;
        const transport = seg.el(2);
        if (transport) transportationMethod = transport;
        break;
      }
      case 'LX':
        readLine(r, seg, lines);
        break;
      default:
        if (!KNOWN.has(seg.id)) r.unknown(seg);
    }
  }
  if (!orderNumber) return { documents: [], errors: r.errors };

  // Each document is one object literal with its optional fields added when present (no spread, no compact copy).
  if (status === 'F' || status === 'D') {
    const cancelLines: OrderCancel['lines'] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      cancelLines[i] = { lineNumber: l.lineNumber, sku: l.sku, quantity: l.quantity, uom: l.uom };
    }
    const cancel: OrderCancel = {
      type: 'order_cancel',
      schemaVersion: 1,
      tenant: ctx.tenant,
      id: documentId(set, 0),
      source: documentSource(set, ctx),
      occurredAt: documentOccurredAt(set, ctx),
      receivedAt: ctx.receivedAt,
      entityKey: entityKeys.order(orderNumber),
      references,
      orderNumber,
      lines: cancelLines,
    };
    if (facility !== undefined) cancel.facility = facility;
    if (notes.length) cancel.reason = notes.join(' ');
    return { documents: [cancel], errors: r.errors };
  }
  if (status !== 'N' && status !== 'R' && status !== '') {
    r.error('X12_CODE_UNKNOWN', `W05-01, the order status code, is ${JSON.stringify(status)}; Causeway reads N (original), R (change), F (cancel) and D (delete).`, w05, 1);
  }
  if (lines.length === 0) r.missing('W01', 'line item detail');
  if (!shipTo) r.missing('N1*ST', 'ship-to party', 'warning');
  const order: SalesOrder = {
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
    purpose: status === 'R' ? 'replace' : 'original',
    shipTo: shipTo ?? { lines: [] },
    priority: 'normal',
    dropShip: false,
    notes,
    lines,
  };
  if (customerOrderNumber) order.customerOrderNumber = customerOrderNumber;
  if (facility !== undefined) order.facility = facility;
  if (depositor !== undefined) order.depositor = depositor;
  if (customer !== undefined) order.customer = customer;
  if (billTo !== undefined) order.billTo = billTo;
  if (carrier !== undefined) order.carrier = carrier;
  if (requestedShipDate !== undefined) order.requestedShipDate = requestedShipDate;
  if (requestedDeliveryDate !== undefined) order.requestedDeliveryDate = requestedDeliveryDate;
  if (cancelAfter !== undefined) order.cancelAfter = cancelAfter;
  if (paymentMethod !== undefined || transportationMethod !== undefined) {
    const x12: Record<string, string> = {};
    if (paymentMethod !== undefined) x12.paymentMethod = paymentMethod;
    if (transportationMethod !== undefined) x12.transportationMethod = transportationMethod;
    order.extensions = { x12 };
  }
  return { documents: [order], errors: r.errors };
}

/** LX loop: LX-01 is the line number; W01 the line; G69 the description; N9*LT a requested lot. */
function readLine(r: SetReader, lx: ReturnType<SetReader['next']> & object, lines: SalesOrder['lines']): void {
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
    }
  }
  if (quantity !== undefined && quantity !== '0' && !quantity.startsWith('-')) lines.push(line);
  else if (quantity !== undefined) r.error('X12_ELEMENT_INVALID', `W01-01, the quantity ordered, is ${quantity}; it must be more than zero.`, w01, 1);
}

export function encode940(doc: SalesOrder | OrderCancel): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  if (doc.type === 'order_cancel') {
    segs.push(['W05', 'F', doc.orderNumber]);
    if (doc.facility) segs.push(...writeN1Loop('WH', { code: doc.facility }));
    for (const ref of doc.references) segs.push(['N9', ref.qualifier, ref.value]);
    if (doc.reason) segs.push(['NTE', 'GEN', doc.reason]);
    doc.lines.forEach((l) => {
      segs.push(['LX', l.lineNumber]);
      segs.push(['W01', l.quantity ?? '', l.uom ?? '', '', l.sku ? 'VN' : '', l.sku ?? '']);
    });
    return { id: '940', segments: segs, errors: [] };
  }
  const x12 = (doc.extensions?.x12 ?? {}) as Record<string, string>;
  segs.push(['W05', doc.purpose === 'replace' ? 'R' : 'N', doc.orderNumber, doc.customerOrderNumber ?? '']);
  segs.push(...writeN1Loop('ST', { address: doc.shipTo }));
  if (doc.billTo) segs.push(...writeN1Loop('BT', { address: doc.billTo }));
  if (doc.customer) segs.push(...writeN1Loop('BY', { name: doc.customer.name, code: doc.customer.code, address: doc.customer.address }));
  if (doc.depositor) segs.push(...writeN1Loop('DE', { code: doc.depositor }));
  if (doc.facility) segs.push(...writeN1Loop('WH', { code: doc.facility }));
  for (const ref of doc.references) segs.push(['N9', ref.qualifier, ref.value]);
  if (doc.requestedShipDate) segs.push(['G62', DATE_QUALIFIER.ship, ymd(doc.requestedShipDate)]);
  if (doc.requestedDeliveryDate) segs.push(['G62', DATE_QUALIFIER.delivery, ymd(doc.requestedDeliveryDate)]);
  if (doc.cancelAfter) segs.push(['G62', DATE_QUALIFIER.cancelAfter, ymd(doc.cancelAfter)]);
  for (const n of doc.notes) segs.push(['NTE', 'WHI', n]);
  // W66 is mandatory in the 940: payment method (default PP, prepaid) and transportation method (default M, motor).
  segs.push(['W66', x12.paymentMethod ?? 'PP', x12.transportationMethod ?? 'M', '', '', doc.carrier?.service ?? '', '', '', '', '', doc.carrier?.scac ?? '']);
  let total = '0';
  for (const l of doc.lines) {
    segs.push(['LX', l.lineNumber]);
    const pairs = productIdPairs(l.sku, l.gtin);
    segs.push(['W01', l.quantity, l.uom, '', pairs[0]!, pairs[1]!, pairs[2] ?? (l.customerSku ? 'BP' : ''), pairs[3] ?? l.customerSku ?? '']);
    if (l.description) segs.push(['G69', l.description]);
    if (l.lot) segs.push(['N9', 'LT', l.lot]);
    if (l.gtin && l.customerSku) segs.push(['N9', 'BP', l.customerSku]);
    total = addQuantities(total, l.quantity);
  }
  // W76-01 is the total quantity ordered over all W01s.
  segs.push(['W76', total]);
  return { id: '940', segments: segs, errors: [] };
}

function ymd(iso: string): string {
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10);
}

