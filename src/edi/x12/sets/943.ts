// 943 Warehouse Stock Transfer Shipment Advice <-> purchase_order (kind 'transfer'): what the depositor
// has sent to the warehouse, so the warehouse can expect and receive it.
import { addDecimals, compareDecimals, subtractDecimals } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { PurchaseOrder } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { Segment } from '../tokenizer.ts';
import { addQuantities, openDocument, productIdPairs, readItemN9, readProductIds, setDecoder, withCarrierExtras, x12Date, type ItemReferences, type Reference, type SetEncodeResult, type SetReader } from './common.ts';
import { facilityParties, loopAndPartiesLayout, readWarehouseBody, SHIPMENT_REFERENCES } from './layout.ts';
import { w27, writeCarrierAccount, writeFacility, writeParty, writeReferences } from './write.ts';

const KNOWN = new Set(['W06', 'N1', 'N2', 'N3', 'N4', 'G61', 'PER', 'N9', 'REF', 'G62', 'NTE', 'W27', 'W28', 'W10', 'LX', 'W04', 'G69', 'W03', 'FA1', 'FA2', 'QTY', 'AMT', 'LH1', 'LH2', 'LH3', 'MAN']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [4];

type Line = PurchaseOrder['lines'][number];
type Asn = NonNullable<PurchaseOrder['asn']>;

/** What a 943 says besides W06, and its lines by line number. */
interface TransferHeader {
  references: Reference[];
  facility: string | undefined;
  depositor: string | undefined;
  supplier: PurchaseOrder['supplier'];
  expectedDate: string | undefined;
  carrier: Asn['carrier'];
  carrierAccount: string | undefined;
  billOfLading: string | undefined;
  proNumber: string | undefined;
  trackingNumbers: string[];
  lines: Map<string, Line>;
}

const LAYOUT = loopAndPartiesLayout<TransferHeader>({
  segments: KNOWN,
  loop: 'W04',
  reader: readW04,
  parties: {
    ...facilityParties('ST'),
    DE: { as: 'code', to: 'depositor' },
    SF: { as: 'party', to: 'supplier' },
    SU: { as: 'party', to: 'supplier' },
    VN: { as: 'party', to: 'supplier' },
  },
  references: SHIPMENT_REFERENCES,
  rules: {
    // G62-01 17: estimated delivery, the day the warehouse should expect it.
    G62: { read: 'date', qualifier: 1, date: 2, qualifiers: { '17': { to: 'expectedDate', what: 'estimated delivery date' } } },
    // W27-01 transportation method, W27-02 SCAC, W27-03 routing (the service), W27-04 method of payment.
    W27: { read: 'carrier', to: 'carrier', scac: 2, service: 3, mode: 1, payment: 4, replaces: true },
  },
});

export const decode943 = setDecoder<PurchaseOrder>('W06', 'warehouse shipment identification', (r, w06, set, ctx) => {
  // W06-02 depositor order number: the transfer the warehouse will receive against; W06-03 ship date; W06-04 shipment id.
  const poNumber = r.req(w06, 2, 'depositor order number');
  const shippedAt = r.timestamp(w06, 3, null, 'shipment date', r.utcOffset);
  const shipmentId = r.el(w06, 4);
  const h: TransferHeader = {
    references: [],
    facility: undefined,
    depositor: undefined,
    supplier: undefined,
    expectedDate: undefined,
    carrier: undefined,
    carrierAccount: undefined,
    billOfLading: undefined,
    proNumber: undefined,
    trackingNumbers: [],
    lines: new Map(),
  };
  readWarehouseBody(r, LAYOUT, h, 'the receiving warehouse', { segment: 'W04', what: 'item detail total', count: (t) => t.lines.size });
  if (!poNumber) return [];
  const doc = openDocument<PurchaseOrder>('purchase_order', set, ctx, 0, entityKeys.inbound(poNumber), h.references);
  doc.poNumber = poNumber;
  doc.kind = 'transfer';
  doc.facility = h.facility ?? '';
  doc.lines = Array.from(h.lines.values());
  if (h.depositor !== undefined) doc.depositor = h.depositor;
  if (h.supplier !== undefined) doc.supplier = h.supplier;
  if (h.expectedDate !== undefined) doc.expectedDate = h.expectedDate;
  if (shipmentId) {
    const asn: Asn = { asnNumber: shipmentId, trackingNumbers: h.trackingNumbers, containers: [] };
    if (shippedAt !== undefined) asn.shippedAt = shippedAt;
    const carrier = withCarrierExtras(h.carrier, h.carrierAccount);
    if (carrier !== undefined) asn.carrier = carrier;
    if (h.billOfLading !== undefined) asn.billOfLading = h.billOfLading;
    if (h.proNumber !== undefined) asn.proNumber = h.proNumber;
    doc.asn = asn;
  } else if (h.proNumber !== undefined) doc.references.push({ qualifier: 'CN', value: h.proNumber });
  return [doc];
});

/** W04 loop: W04-01 units shipped, W04-02 unit, W04-03 U.P.C. case code, W04-04/05 product id; N9 LI/LT/SE/VP; G62*36 expiry. */
function readW04(r: SetReader, w04: Segment, h: TransferHeader): void {
  const lines = h.lines;
  const quantity = r.decimal(w04, 1, 'number of units shipped');
  const uom = r.req(w04, 2, 'unit of measure');
  const ids = readProductIds(w04, ID_POSITIONS, 3);
  if (!ids.sku) r.error('X12_ELEMENT_MISSING', 'W04 names no product: W04-04/05 must give an item id.', w04, 5);
  const item: ItemReferences = { lot: ids.lot, serials: [] };
  let expiry: string | undefined;
  let description: string | undefined;
  let vendorSku: string | undefined;
  for (let s = r.peek(); s && (s.id === 'G69' || s.id === 'N9' || s.id === 'G62' || s.id === 'QTY' || s.id === 'MAN'); s = r.peek()) {
    r.next();
    if (s.id === 'G69') description = r.el(s, 1) || description;
    if (s.id === 'G62' && r.el(s, 1) === '36') expiry = r.date(s, 2, 'expiration date');
    if (s.id === 'N9' && readItemN9(r, s, item) === 'VP') vendorSku = r.el(s, 2);
  }
  if (quantity === undefined || !ids.sku) return;
  const lineNumber = item.lineNumber || String(lines.size + 1);
  const lot = item.lot;
  let line = lines.get(lineNumber);
  if (!line) {
    line = { lineNumber, sku: ids.sku, quantity: '0', uom, lots: [], serials: [] };
    if (description !== undefined) line.description = description;
    if (vendorSku !== undefined) line.vendorSku = vendorSku;
    lines.set(lineNumber, line);
  }
  line.quantity = addQuantities(line.quantity, quantity);
  if (lot) line.lots.push(expiry !== undefined ? { lot, quantity, expiryDate: expiry } : { lot, quantity });
  for (const s of item.serials) line.serials.push(s);
}

export function encode943(doc: PurchaseOrder): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  segs.push(['W06', 'J', doc.poNumber, x12Date(doc.asn?.shippedAt ?? doc.occurredAt), doc.asn?.asnNumber ?? '']);
  writeFacility(segs, 'WH', doc);
  if (doc.supplier) writeParty(segs, 'SF', doc.supplier);
  writeReferences(segs, 'N9', doc.references);
  if (doc.asn?.billOfLading) segs.push(['N9', 'BM', doc.asn.billOfLading]);
  if (doc.asn?.proNumber) segs.push(['N9', 'CN', doc.asn.proNumber]);
  for (const t of doc.asn?.trackingNumbers ?? []) segs.push(['N9', '2I', t]);
  writeCarrierAccount(segs, 'N9', doc.asn?.carrier);
  if (doc.expectedDate) segs.push(['G62', '17', x12Date(doc.expectedDate)]);
  if (doc.asn?.carrier) segs.push(w27(doc.asn.carrier));
  let total = '0';
  for (const l of doc.lines) {
    // One W04 per lot, then one for what is not in a lot; N9*LI ties them to the line.
    const parts: Array<{ quantity: string; lot?: string; expiryDate?: string }> = l.lots.map((x) => ({ quantity: x.quantity, lot: x.lot, expiryDate: x.expiryDate }));
    const rest = subtractDecimals(l.quantity, l.lots.reduce((a, x) => addDecimals(a, x.quantity), '0'));
    if (compareDecimals(rest, '0') > 0 || parts.length === 0) parts.push({ quantity: rest });
    parts.forEach((p, i) => {
      const pairs = productIdPairs(l.sku);
      segs.push(['W04', p.quantity, l.uom, '', pairs[0]!, pairs[1]!]);
      if (i === 0 && l.description) segs.push(['G69', l.description]);
      segs.push(['N9', 'LI', l.lineNumber]);
      if (p.lot) segs.push(['N9', 'LT', p.lot]);
      if (i === 0 && l.vendorSku) segs.push(['N9', 'VP', l.vendorSku]);
      if (i === 0) for (const s of l.serials) segs.push(['N9', 'SE', s]);
      if (p.expiryDate) segs.push(['G62', '36', x12Date(p.expiryDate)]);
      total = addDecimals(total, p.quantity);
    });
  }
  segs.push(['W03', total]);
  return { id: '943', segments: segs, errors: [] };
}
