// 943 Warehouse Stock Transfer Shipment Advice <-> purchase_order (kind 'transfer'): what the depositor
// has sent to the warehouse, so the warehouse can expect and receive it.
import { addDecimals, compareDecimals, subtractDecimals } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { PurchaseOrder } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { TransactionSet } from '../reader.ts';
import type { Segment } from '../tokenizer.ts';
import {
  addQuantities,
  compact,
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

const KNOWN = new Set(['W06', 'N1', 'N2', 'N3', 'N4', 'G61', 'PER', 'N9', 'REF', 'G62', 'NTE', 'W27', 'W28', 'W10', 'LX', 'W04', 'G69', 'W03', 'FA1', 'FA2', 'QTY', 'AMT', 'LH1', 'LH2', 'LH3', 'MAN']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [4];

type Line = PurchaseOrder['lines'][number];

export function decode943(set: TransactionSet, ctx: DecodeContext): SetDecodeResult<PurchaseOrder> {
  const r = new SetReader(set);
  const offset = ctx.utcOffset ?? 'Z';
  const w06 = r.next();
  if (!w06 || w06.id !== 'W06') {
    r.missing('W06', 'warehouse shipment identification');
    return { documents: [], errors: r.errors };
  }
  // W06-02 depositor order number: the transfer the warehouse will receive against; W06-03 ship date; W06-04 shipment id.
  const poNumber = r.req(w06, 2, 'depositor order number');
  const shippedAt = r.timestamp(w06, 3, null, 'shipment date', offset);
  const shipmentId = r.el(w06, 4);
  const references: Array<{ qualifier: string; value: string }> = [];
  let facility: string | undefined;
  let depositor: string | undefined;
  let supplier: PurchaseOrder['supplier'];
  let expectedDate: string | undefined;
  let carrier: NonNullable<PurchaseOrder['asn']>['carrier'];
  let billOfLading: string | undefined;
  const trackingNumbers: string[] = [];
  const lines = new Map<string, Line>();
  // REFs inside an N1 loop are collected and placed afterwards: no closure per set.
  const n1Refs: Array<{ qualifier: string; value: string }> = [];
  for (let seg = r.next(); seg; seg = r.next()) {
    switch (seg.id) {
      case 'N1': {
        const p = readN1Loop(r, seg, n1Refs);
        if (p.entity === 'WH' || p.entity === 'ST') facility ??= p.code ?? p.address.name;
        else if (p.entity === 'DE') depositor = p.code ?? p.address.name;
        else if (p.entity === 'SF' || p.entity === 'SU' || p.entity === 'VN') supplier = partyOf(p);
        for (let i = 0; i < n1Refs.length; i++) {
          const ref = n1Refs[i]!;
          if (ref.qualifier === 'BM') billOfLading = ref.value;
          else if (ref.qualifier === '2I') trackingNumbers.push(ref.value);
          else references.push(ref);
        }
        n1Refs.length = 0;
        break;
      }
      case 'N9':
      case 'REF': {
        const ref = refOf(r, seg);
        if (ref.qualifier === 'BM') billOfLading = ref.value;
        else if (ref.qualifier === '2I') trackingNumbers.push(ref.value);
        else references.push(ref);
        break;
      }
      case 'G62':
        // G62-01 17: estimated delivery, the day the warehouse should expect it.
        if (r.el(seg, 1) === '17') expectedDate = r.date(seg, 2, 'estimated delivery date');
        break;
      case 'W27': {
        const scac = seg.el(2);
        const service = seg.el(3);
        carrier = undefined;
        if (scac || service) {
          carrier = {};
          if (scac) carrier.scac = scac;
          if (service) carrier.service = service;
        }
        break;
      }
      case 'LX':
        break;
      case 'W04':
        readW04(r, seg, lines);
        break;
      default:
        if (!KNOWN.has(seg.id)) r.unknown(seg);
    }
  }
  if (!facility) r.missing('N1*WH', 'the receiving warehouse');
  if (lines.size === 0) r.missing('W04', 'item detail total');
  if (!poNumber) return { documents: [], errors: r.errors };
  // One object literal, optional fields added when present: no spread of a base and no compact copy.
  const doc: PurchaseOrder = {
    type: 'purchase_order',
    schemaVersion: 1,
    tenant: ctx.tenant,
    id: documentId(set, 0),
    source: documentSource(set, ctx),
    occurredAt: documentOccurredAt(set, ctx),
    receivedAt: ctx.receivedAt,
    entityKey: entityKeys.inbound(poNumber),
    references,
    poNumber,
    kind: 'transfer',
    facility: facility ?? '',
    lines: Array.from(lines.values()),
  };
  if (depositor !== undefined) doc.depositor = depositor;
  if (supplier !== undefined) doc.supplier = supplier;
  if (expectedDate !== undefined) doc.expectedDate = expectedDate;
  if (shipmentId) {
    const asn: NonNullable<PurchaseOrder['asn']> = { asnNumber: shipmentId, trackingNumbers, containers: [] };
    if (shippedAt !== undefined) asn.shippedAt = shippedAt;
    if (carrier !== undefined) asn.carrier = carrier;
    if (billOfLading !== undefined) asn.billOfLading = billOfLading;
    doc.asn = asn;
  }
  return { documents: [doc], errors: r.errors };
}

/** W04 loop: W04-01 units shipped, W04-02 unit, W04-03 U.P.C. case code, W04-04/05 product id; N9 LI/LT/SE/VP; G62*36 expiry. */
function readW04(r: SetReader, w04: Segment, lines: Map<string, Line>): void {
  const quantity = r.decimal(w04, 1, 'number of units shipped');
  const uom = r.req(w04, 2, 'unit of measure');
  const ids = readProductIds(w04, ID_POSITIONS, 3);
  if (!ids.sku) r.error('X12_ELEMENT_MISSING', 'W04 names no product: W04-04/05 must give an item id.', w04, 5);
  let lineNumber = '';
  let lot = ids.lot;
  let expiry: string | undefined;
  let description: string | undefined;
  let vendorSku: string | undefined;
  const serials: string[] = [];
  for (let s = r.peek(); s && (s.id === 'G69' || s.id === 'N9' || s.id === 'G62' || s.id === 'QTY' || s.id === 'MAN'); s = r.peek()) {
    r.next();
    if (s.id === 'G69') description = r.el(s, 1) || description;
    if (s.id === 'G62' && r.el(s, 1) === '36') expiry = r.date(s, 2, 'expiration date');
    if (s.id !== 'N9') continue;
    const q = r.el(s, 1);
    if (q === 'LI') lineNumber = r.el(s, 2);
    else if (q === 'LT') lot = r.el(s, 2);
    else if (q === 'SE' && r.el(s, 2)) serials.push(r.el(s, 2));
    else if (q === 'VP') vendorSku = r.el(s, 2);
  }
  if (quantity === undefined || !ids.sku) return;
  if (!lineNumber) lineNumber = String(lines.size + 1);
  let line = lines.get(lineNumber);
  if (!line) {
    line = { lineNumber, sku: ids.sku, quantity: '0', uom, lots: [], serials: [] };
    if (description !== undefined) line.description = description;
    if (vendorSku !== undefined) line.vendorSku = vendorSku;
    lines.set(lineNumber, line);
  }
  line.quantity = addQuantities(line.quantity, quantity);
  if (lot) line.lots.push(expiry !== undefined ? { lot, quantity, expiryDate: expiry } : { lot, quantity });
  for (const s of serials) line.serials.push(s);
}

export function encode943(doc: PurchaseOrder): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  segs.push(['W06', 'J', doc.poNumber, x12Date(doc.asn?.shippedAt ?? doc.occurredAt), doc.asn?.asnNumber ?? '']);
  segs.push(['N1', 'WH', '', '92', doc.facility]);
  if (doc.depositor) segs.push(['N1', 'DE', '', '92', doc.depositor]);
  if (doc.supplier) segs.push(...writeN1Loop('SF', { name: doc.supplier.name, code: doc.supplier.code, address: doc.supplier.address }));
  for (const ref of doc.references) segs.push(['N9', ref.qualifier, ref.value]);
  if (doc.asn?.billOfLading) segs.push(['N9', 'BM', doc.asn.billOfLading]);
  for (const t of doc.asn?.trackingNumbers ?? []) segs.push(['N9', '2I', t]);
  if (doc.expectedDate) segs.push(['G62', '17', x12Date(doc.expectedDate)]);
  if (doc.asn?.carrier) segs.push(['W27', 'M', doc.asn.carrier.scac ?? '', doc.asn.carrier.service ?? '']);
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
