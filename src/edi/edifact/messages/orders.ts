// ORDERS (purchase order) <-> sales_order; an ORDERS whose BGM message function is 1 (cancellation) is read
// as an order_cancel. EANCOM ORDERS (EAN008 on D96A, EAN010 on D01B) require DTM 137, NAD BY and SU, UNS.
import { entityKeys } from '../../../model/index.ts';
import type { Address, OrderCancel, SalesOrder } from '../../../model/index.ts';
import type { EdifactSegmentData } from '../generator.ts';
import type { EdifactMessage } from '../reader.ts';
import type { Segment } from '../tokenizer.ts';
import {
  addItemId, addPiaIds, beginMessage, documentHead, dtmDate, dtmDateTime, emptyIds, MessageReader, occurredAt, otherSegment, partyOf, readCarrier, readNad, skuOf, writeCarrier, writeDecimal, writeItem, writeNad,
  type DecodeContext, type ItemIds, type MessageDecodeResult, type MessageEncodeResult, type MessageOptions,
} from './common.ts';

/** DTM 2005 qualifiers: 137 document date, 2 delivery requested, 10 shipment requested, 61 cancel if not delivered by. */
const DTM = { document: '137', delivery: '2', ship: '10', cancelAfter: '61' } as const;
/** C273 item description components: 4 in D96A's ... 7009, 1131, 3055, 7008, 7008 (5); D01B adds 3453 (6). */
const IMD_COMPONENTS = { D96A: 5, D01B: 6 } as const;

const KNOWN = new Set(['BGM', 'DTM', 'PAI', 'ALI', 'IMD', 'FTX', 'RFF', 'NAD', 'LOC', 'FII', 'CTA', 'COM', 'TAX', 'CUX', 'PAT', 'TDT', 'TOD', 'PAC', 'MEA', 'PCI', 'GIN', 'EQD', 'SCC', 'QTY', 'LIN', 'PIA', 'PRI', 'MOA', 'ALC', 'QVR', 'UNS', 'CNT', 'GIR', 'HAN', 'RNG', 'APR', 'RCS', 'DGS', 'MTD', 'CCI', 'GIS', 'STG', 'AJT', 'INP', 'DOC', 'SEQ', 'TDT', 'RJL', 'PGI', 'MKS']);

type Line = SalesOrder['lines'][number];

/** The order line being read, closed into the order's lines when the next LIN (or UNS, or the end) comes. */
class LineState {
  readonly lines: Line[] = [];
  line: Line | null = null;
  ids: ItemIds = emptyIds();
  lineSeg: Segment | null = null;
  lineCount = 0;

  constructor(private readonly r: MessageReader) {}

  close(): void {
    const line = this.line;
    const lineSeg = this.lineSeg;
    const ids = this.ids;
    const r = this.r;
    if (line === null || lineSeg === null) return;
    const sku = skuOf(ids);
    if (!sku) r.error('EDIFACT_ELEMENT_MISSING', `Line ${line.lineNumber} names no product: LIN C212 or a PIA must give an item number.`, lineSeg, 3, 1);
    line.sku = sku ?? '';
    if (ids.gtin !== undefined && ids.gtin !== sku) line.gtin = ids.gtin;
    if (ids.customerSku !== undefined && ids.customerSku !== sku) line.customerSku = ids.customerSku;
    if (ids.lot !== undefined) line.lot = ids.lot;
    if (line.quantity === '') r.error('EDIFACT_SEGMENT_MISSING', `Line ${line.lineNumber} has no QTY 21 (ordered quantity).`, lineSeg);
    else if (line.quantity === 'unreadable') {
      // Reported where it was read.
    } else if (line.quantity === '0' || line.quantity.startsWith('-')) r.error('EDIFACT_ELEMENT_INVALID', `Line ${line.lineNumber} orders ${line.quantity}; an ordered quantity must be more than zero.`, lineSeg);
    else this.lines.push(line);
    this.line = null;
    this.lineSeg = null;
  }
}

export function decodeOrders(m: EdifactMessage, ctx: DecodeContext): MessageDecodeResult<SalesOrder | OrderCancel> {
  const { r, offset, bgm } = beginMessage(m, ctx);
  if (!bgm) return { documents: [], errors: r.errors };
  // BGM C002 1001 document name (220 order, 105 purchase order ...), C106 1004 the order number, 1225 message function.
  const orderNumber = r.req(bgm, 2, 1, 'document number (the order number)');
  const fn = bgm.el(3);
  const references: Array<{ qualifier: string; value: string }> = [];
  const notes: string[] = [];
  let documentDate: string | undefined;
  let shipTo: Address | undefined;
  let deliveryParty: Address | undefined;
  let billTo: Address | undefined;
  let customer: SalesOrder['customer'];
  let facility: string | undefined;
  let depositor: string | undefined;
  let customerOrderNumber: string | undefined;
  let requestedShipDate: string | undefined;
  let requestedDeliveryDate: string | undefined;
  let cancelAfter: string | undefined;
  let carrier: SalesOrder['carrier'];
  let sawBuyer = false;
  let sawSupplier = false;
  let sawUns = false;
  let declaredLines: number | undefined;
  let cntSeg: Segment | undefined;
  // The line being read lives in one object with a method: a closure made per message costs (tsx names each).
  const st = new LineState(r);
  const lines = st.lines;
  for (let seg = r.next(); seg; seg = r.next()) {
    switch (seg.tag) {
      case 'DTM': {
        const q = seg.comp(1, 1);
        if (st.line !== null) break;
        if (q === DTM.document) documentDate = r.dtm(seg, offset, false);
        else if (q === DTM.delivery) requestedDeliveryDate = r.dtm(seg, offset, true);
        else if (q === DTM.ship) requestedShipDate = r.dtm(seg, offset, true);
        else if (q === DTM.cancelAfter) cancelAfter = r.dtm(seg, offset, true);
        break;
      }
      case 'RFF': {
        const q = seg.comp(1, 1);
        const v = seg.comp(1, 2);
        if (st.line !== null || !v) break;
        // CR customer reference and ON (order number) when it is not the BGM's: the customer's own PO number.
        if ((q === 'CR' || q === 'ON') && customerOrderNumber === undefined && v !== orderNumber) customerOrderNumber = v;
        else if (!(q === 'ON' && v === orderNumber)) references.push({ qualifier: q, value: v });
        break;
      }
      case 'NAD': {
        const p = readNad(r, seg);
        switch (p.qualifier) {
          case 'BY':
            sawBuyer = true;
            customer = partyOf(p);
            break;
          case 'ST':
            shipTo = p.address;
            if (p.code) shipTo = { ...p.address, ...(p.address.name ? {} : { name: p.code }) };
            break;
          case 'DP':
            deliveryParty = p.code && !p.address.name ? { ...p.address, name: p.code } : p.address;
            break;
          case 'IV':
            billTo = p.address;
            break;
          case 'SU':
            sawSupplier = true;
            depositor = p.code ?? p.address.name;
            break;
          case 'SF':
          case 'WH':
            facility = p.code ?? p.address.name;
            break;
        }
        break;
      }
      case 'TDT':
        carrier = readCarrier(seg) ?? carrier;
        break;
      case 'FTX': {
        const text = [1, 2, 3, 4, 5].map((j) => seg.comp(4, j)).filter(Boolean).join(' ');
        if (text && st.line === null) notes.push(text);
        break;
      }
      case 'LIN': {
        st.close();
        st.ids = emptyIds();
        addItemId(st.ids, seg, 3);
        st.lineSeg = seg;
        st.lineCount++;
        st.line = { lineNumber: seg.el(1) || String(lines.length + 1), sku: '', quantity: '', uom: 'EA' };
        break;
      }
      case 'PIA':
        if (st.line === null) break;
        addPiaIds(st.ids, seg);
        break;
      case 'IMD': {
        r.components(seg, 3, IMD_COMPONENTS[r.directory], 'item description (C273)');
        if (st.line === null) break;
        // A first 7008 filled to its 35 characters was cut for length: the second goes on mid-word.
        const first = seg.comp(3, 4);
        const second = seg.comp(3, 5);
        const d = first && second ? first + (first.length >= 35 ? '' : ' ') + second : first || second;
        if (d) (st.line as SalesOrder['lines'][number]).description = d;
        break;
      }
      case 'QTY': {
        if (st.line === null) break;
        // 6063 21 ordered quantity; 6411 its unit (absent: each).
        if (seg.comp(1, 1) === '21') {
          const l = st.line as SalesOrder['lines'][number];
          // An unreadable quantity is reported once, here; the line is then left out without more errors.
          l.quantity = r.decimal(seg, 1, 2, 'ordered quantity') ?? 'unreadable';
          const unit = seg.comp(1, 3);
          if (unit) l.uom = unit;
        }
        break;
      }
      case 'PRI': {
        // PRI C509 5125 AAA net price, AAB gross price.
        if (st.line === null) break;
        const q = seg.comp(1, 1);
        const price = r.decimal(seg, 1, 2, 'price', false);
        if (price !== undefined && (q === 'AAA' || ((st.line as SalesOrder['lines'][number]).unitPrice === undefined && q === 'AAB'))) (st.line as SalesOrder['lines'][number]).unitPrice = price;
        break;
      }
      case 'UNS':
        st.close();
        sawUns = true;
        break;
      case 'CNT': {
        // CNT C270 6069 2: number of line items.
        if (seg.comp(1, 1) === '2') {
          const n = r.decimal(seg, 1, 2, 'number of line items', false);
          if (n !== undefined) declaredLines = Number(n);
          cntSeg = seg;
        }
        break;
      }
      default:
        otherSegment(r, seg, KNOWN);
    }
  }
  st.close();
  if (!orderNumber) return { documents: [], errors: r.errors };
  const cancelled = fn === '1' || fn === '3';
  const head = { ...documentHead(m, ctx, occurredAt(m, ctx, documentDate), entityKeys.order(orderNumber)), references, orderNumber };
  if (cancelled) {
    const cancel: OrderCancel = { type: 'order_cancel', ...head, lines: lines.map((l) => ({ lineNumber: l.lineNumber, sku: l.sku, quantity: l.quantity, uom: l.uom })) };
    if (facility !== undefined) cancel.facility = facility;
    if (notes.length) cancel.reason = notes.join(' ');
    return { documents: [cancel], errors: r.errors };
  }
  if (fn !== '' && fn !== '9' && fn !== '5' && fn !== '4' && fn !== '7' && fn !== '31' && fn !== '43') {
    r.error('EDIFACT_CODE_UNKNOWN', `BGM-03, the message function, is ${JSON.stringify(fn)}; Causeway reads 9 (original), 5/4 (replace, change), 1 (cancellation) and 7 (duplicate).`, bgm, 3);
  }
  if (st.lineCount === 0) r.missing('LIN', 'line items');
  if (declaredLines !== undefined && declaredLines !== lines.length) {
    r.error('EDIFACT_ELEMENT_INVALID', `CNT 2 says the order has ${declaredLines} lines, but ${lines.length} were read.`, cntSeg, 1, 2);
  }
  if (r.eancom) {
    if (!documentDate) r.missing('DTM+137', 'the document date, which EANCOM requires');
    if (!sawBuyer) r.missing('NAD+BY', 'the buyer, which EANCOM requires');
    if (!sawSupplier) r.missing('NAD+SU', 'the supplier, which EANCOM requires');
    if (!sawUns) r.missing('UNS', 'the section control separating lines from the summary, which EANCOM requires');
  }
  const destination = shipTo ?? deliveryParty;
  if (!destination) r.missing('NAD+ST', 'the ship-to party (or DP, the delivery party)', 'warning');
  const order: SalesOrder = {
    type: 'sales_order',
    ...head,
    purpose: fn === '5' || fn === '4' ? 'replace' : 'original',
    shipTo: destination ?? { lines: [] },
    priority: 'normal',
    dropShip: false,
    notes,
    lines,
  };
  if (customerOrderNumber !== undefined) order.customerOrderNumber = customerOrderNumber;
  if (facility !== undefined) order.facility = facility;
  if (depositor !== undefined) order.depositor = depositor;
  if (customer !== undefined) order.customer = customer;
  if (billTo !== undefined) order.billTo = billTo;
  if (carrier !== undefined) order.carrier = carrier;
  if (requestedShipDate !== undefined) order.requestedShipDate = requestedShipDate;
  if (requestedDeliveryDate !== undefined) order.requestedDeliveryDate = requestedDeliveryDate;
  if (cancelAfter !== undefined) order.cancelAfter = cancelAfter;
  return { documents: [order], errors: r.errors };
}

export function encodeOrders(doc: SalesOrder | OrderCancel, o: MessageOptions): MessageEncodeResult {
  const segs: EdifactSegmentData[] = [];
  const errors: MessageEncodeResult['errors'] = [];
  const isCancel = doc.type === 'order_cancel';
  segs.push(['BGM', ['220'], [doc.orderNumber], isCancel ? '1' : doc.purpose === 'replace' ? '5' : '9']);
  segs.push(dtmDateTime(DTM.document, doc.occurredAt));
  if (doc.type === 'sales_order') {
    if (doc.requestedShipDate) segs.push(dtmDate(DTM.ship, doc.requestedShipDate));
    if (doc.requestedDeliveryDate) segs.push(dtmDate(DTM.delivery, doc.requestedDeliveryDate));
    if (doc.cancelAfter) segs.push(dtmDate(DTM.cancelAfter, doc.cancelAfter));
    for (const n of doc.notes) segs.push(['FTX', 'PUR', '', '', chunks(n, 512, 5)]);
  } else if (doc.reason) segs.push(['FTX', 'PUR', '', '', chunks(doc.reason, 512, 5)]);
  if (doc.type === 'sales_order' && doc.customerOrderNumber) segs.push(['RFF', ['CR', doc.customerOrderNumber]]);
  for (const ref of doc.references) segs.push(['RFF', [ref.qualifier, ref.value]]);
  if (doc.type === 'sales_order') {
    if (doc.customer) segs.push(...writeNad('BY', { code: doc.customer.code, name: doc.customer.name, address: doc.customer.address }, o.directory));
    else if (o.eancom) errors.push(missingFor('NAD+BY', 'the customer (a buyer with a GLN)'));
    if (doc.depositor) segs.push(...writeNad('SU', { code: doc.depositor }, o.directory));
    else if (o.eancom) errors.push(missingFor('NAD+SU', 'the depositor (the supplier)'));
    segs.push(...writeNad(o.eancom ? 'DP' : 'ST', { address: doc.shipTo }, o.directory));
    if (doc.billTo) segs.push(...writeNad('IV', { address: doc.billTo }, o.directory));
  }
  if (doc.facility) segs.push(...writeNad('SF', { code: doc.facility }, o.directory));
  if (doc.type === 'sales_order' && doc.carrier) segs.push(writeCarrier(doc.carrier));
  let count = 0;
  for (const l of doc.lines) {
    count++;
    if (doc.type === 'sales_order') {
      const line = l as SalesOrder['lines'][number];
      segs.push(...writeItem(line.lineNumber, line.sku, { gtin: line.gtin, customerSku: line.customerSku, lot: line.lot, eancom: o.eancom }));
      if (line.description) segs.push(['IMD', 'F', '', ['', '', '', ...splitText(line.description, 35)]]);
      segs.push(['QTY', ['21', writeDecimal(line.quantity, o.decimal), line.uom]]);
      if (line.unitPrice !== undefined) segs.push(['PRI', ['AAA', writeDecimal(line.unitPrice, o.decimal)]]);
    } else {
      const line = l as OrderCancel['lines'][number];
      segs.push(...writeItem(line.lineNumber, line.sku ?? '', { eancom: o.eancom }));
      if (line.quantity) segs.push(['QTY', ['21', writeDecimal(line.quantity, o.decimal), line.uom ?? 'EA']]);
    }
  }
  segs.push(['UNS', 'S']);
  segs.push(['CNT', ['2', String(count)]]);
  return { type: 'ORDERS', segments: segs, errors };
}

/**
 * A description as C273's two 35-character 7008 components: split at a space (which the reader puts back)
 * leaving the first short of 35, else cut at 35 (which the reader joins without a space); past 70 it is cut.
 */
export function splitText(text: string, size: number): string[] {
  if (text.length <= size) return [text];
  for (let i = Math.min(size - 1, text.length - 1); i > 0; i--) {
    if (text[i] === ' ' && text.length - i - 1 <= size && text[i - 1] !== ' ' && text[i + 1] !== ' ') return [text.slice(0, i), text.slice(i + 1)];
  }
  return [text.slice(0, size), text.slice(size, 2 * size)];
}

/** A text cut into at most `max` pieces of `size` characters (free-text components are an..512 or an..35). */
export function chunks(text: string, size: number, max: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length && out.length < max; i += size) out.push(text.slice(i, i + size));
  return out;
}

function missingFor(tag: string, what: string): MessageEncodeResult['errors'][number] {
  return { code: 'EDIFACT_VALUE_MISSING', message: `An EANCOM ORDERS needs ${tag}, but the document has no ${what}.`, position: { messageType: 'ORDERS', segmentTag: tag.slice(0, 3) }, severity: 'error' };
}
