// 945 Warehouse Shipping Advice <-> shipment: what the warehouse shipped against a 940, line by line,
// with lots, serials, packages (MAN), carrier (W27) and tracking.
import { addDecimals } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { Shipment } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { TransactionSet } from '../reader.ts';
import type { Segment } from '../tokenizer.ts';
import {
  compact,
  documentId,
  documentOccurredAt,
  documentSource,
  productIdPairs,
  readN1Loop,
  readProductIds,
  readSscc,
  refOf,
  SetReader,
  x12Date,
  x12Time,
  type DecodeContext,
  type SetDecodeResult,
  type SetEncodeResult,
} from './common.ts';
import { linesFromPieces, packageLines, piecesFromShipment, type ItemPiece } from './shipment-lines.ts';

const KNOWN = new Set(['W06', 'N1', 'N2', 'N3', 'N4', 'G61', 'PER', 'N9', 'REF', 'G62', 'NTE', 'W27', 'W28', 'W10', 'LX', 'MAN', 'PAL', 'W12', 'G69', 'W03', 'FA1', 'FA2', 'QTY', 'AMT', 'LH1', 'LH2', 'LH3', 'LFH', 'LEP', 'LHR', 'LHT', 'N9']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [7, 17];

/**
 * W12-01 shipment/order status (element 368): CC shipment complete, CP partial considered complete (no
 * backorder), BP partial with backorder to follow, SS split shipment. BP and SS mean more is coming.
 */
const MORE_TO_COME = new Set(['BP', 'SS', 'PR']);

export function decode945(set: TransactionSet, ctx: DecodeContext): SetDecodeResult<Shipment> {
  const r = new SetReader(set);
  const offset = ctx.utcOffset ?? 'Z';
  const w06 = r.next();
  if (!w06 || w06.id !== 'W06') {
    r.missing('W06', 'warehouse shipment identification');
    return { documents: [], errors: r.errors };
  }
  // W06-02 depositor order number (the 940's W05-02), W06-03 shipment date, W06-04 shipment id number, W06-06 PO number.
  const orderNumber = r.req(w06, 2, 'depositor order number');
  const shipDate = r.timestamp(w06, 3, null, 'shipment date', offset);
  const shipmentNumber = r.el(w06, 4) || orderNumber;
  const references: Array<{ qualifier: string; value: string }> = [];
  if (r.el(w06, 6)) references.push({ qualifier: 'PO', value: r.el(w06, 6) });
  let facility: string | undefined;
  let depositor: string | undefined;
  let shippedAt: string | undefined;
  let carrier: Shipment['carrier'];
  let billOfLading: string | undefined;
  let proNumber: string | undefined;
  let totalWeight: Shipment['totalWeight'];
  const trackingNumbers: string[] = [];
  const packages: Shipment['packages'] = [];
  const pieces: ItemPiece[] = [];
  let complete = true;

  // REFs inside an N1 loop are collected and placed afterwards: no closure per set.
  const n1Refs: Array<{ qualifier: string; value: string }> = [];
  // Where a reference goes, as plain code rather than a closure over the locals (one would be made per set).
  let ref: { qualifier: string; value: string } | undefined;

  for (let seg = r.next(); seg; seg = r.next()) {
    switch (seg.id) {
      case 'N1': {
        const p = readN1Loop(r, seg, n1Refs);
        if (p.entity === 'WH' || p.entity === 'SF') facility ??= p.code ?? p.address.name;
        else if (p.entity === 'DE') depositor = p.code ?? p.address.name;
        for (let i = 0; i < n1Refs.length; i++) {
          ref = n1Refs[i]!;
          // N9-01: BM bill of lading, CN carrier's reference (PRO), 2I tracking number.
          if (ref.qualifier === 'BM') billOfLading = ref.value;
          else if (ref.qualifier === 'CN') proNumber = ref.value;
          else if (ref.qualifier === '2I') trackingNumbers.push(ref.value);
          else references.push(ref);
        }
        n1Refs.length = 0;
        break;
      }
      case 'N9':
      case 'REF':
        ref = refOf(r, seg);
        if (ref.qualifier === 'BM') billOfLading = ref.value;
        else if (ref.qualifier === 'CN') proNumber = ref.value;
        else if (ref.qualifier === '2I') trackingNumbers.push(ref.value);
        else references.push(ref);
        break;
      case 'G62':
        // G62-01 11: shipped on this date; G62-04 the time.
        if (seg.el(1) === '11') shippedAt = r.timestamp(seg, 2, seg.el(4) ? 4 : null, 'ship date', offset);
        break;
      case 'W27': {
        // W27-02 SCAC, W27-03 routing (the carrier's service).
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
        if (readLx(r, seg, packages, pieces)) complete = false;
        break;
      case 'W03': {
        // W03-02 total weight, W03-03 its unit of measure.
        const w = r.decimal(seg, 2, 'total weight', false);
        if (w !== undefined) totalWeight = { value: w, unit: seg.el(3) || 'LB' };
        break;
      }
      default:
        if (!KNOWN.has(seg.id)) r.unknown(seg);
    }
  }
  if (!facility) r.missing('N1*WH', 'the shipping warehouse');
  if (pieces.length === 0) r.missing('W12', 'warehouse item detail');
  if (!orderNumber) return { documents: [], errors: r.errors };
  // One object literal, optional fields added when present: no spread of a base and no compact copy.
  const doc: Shipment = {
    type: 'shipment',
    schemaVersion: 1,
    tenant: ctx.tenant,
    id: documentId(set, 0),
    source: documentSource(set, ctx),
    occurredAt: documentOccurredAt(set, ctx),
    receivedAt: ctx.receivedAt,
    entityKey: entityKeys.order(orderNumber),
    references,
    shipmentNumber,
    orderNumber,
    facility: facility ?? '',
    shippedAt: shippedAt ?? shipDate ?? ctx.receivedAt,
    complete,
    trackingNumbers,
    packages,
    lines: linesFromPieces(pieces),
  };
  if (depositor !== undefined) doc.depositor = depositor;
  if (carrier !== undefined) doc.carrier = carrier;
  if (billOfLading !== undefined) doc.billOfLading = billOfLading;
  if (proNumber !== undefined) doc.proNumber = proNumber;
  if (totalWeight !== undefined) doc.totalWeight = totalWeight;
  return { documents: [doc], errors: r.errors };
}

/** LX loop: an optional package (MAN GM SSCC, MAN CP tracking) holding W12 loops. True when a W12-01 says more is to come. */
function readLx(r: SetReader, lx: Segment, packages: Shipment['packages'], pieces: ItemPiece[]): boolean {
  let moreToCome = false;
  let pkgIndex: number | null = null;
  let current: number | null = null;
  for (let s = r.peek(); s && (s.id === 'MAN' || s.id === 'PAL' || s.id === 'N9'); s = r.peek()) {
    r.next();
    if (s.id !== 'MAN') continue;
    // A MAN qualifier seen again in the same loop starts the next package (several cartons
    // listed before the loop's items); the items belong to the loop's first package.
    const kind = r.el(s, 1);
    const open = current === null ? undefined : packages[current]!;
    if (!open || (kind === 'GM' && open.sscc) || (kind === 'CP' && open.trackingNumber)) {
      packages.push({ lines: [] });
      current = packages.length - 1;
      pkgIndex ??= current;
    }
    const pkg = packages[current!]!;
    // MAN-01 GM: SSCC-18 (GS1 serial shipping container code); CP: carrier-assigned package id (tracking).
    if (r.el(s, 1) === 'GM') {
      const sscc = readSscc(r.el(s, 2));
      if (sscc) pkg.sscc = sscc;
      else r.error('X12_ELEMENT_INVALID', `MAN02 is ${JSON.stringify(r.el(s, 2))}; an SSCC (MAN01 GM) has 18 digits.`, s, 2);
    } else if (r.el(s, 1) === 'CP' && r.el(s, 2)) pkg.trackingNumber = r.el(s, 2);
  }
  let any = false;
  while (r.peek()?.id === 'W12') {
    const w12 = r.next()!;
    any = true;
    // W12-02 quantity ordered, W12-03 units shipped, W12-05 unit, W12-07/08 product id, W12-09 warehouse lot.
    const shipped = r.decimal(w12, 3, 'number of units shipped');
    const ordered = r.decimal(w12, 2, 'quantity ordered', false);
    const uom = r.req(w12, 5, 'unit of measure');
    const ids = readProductIds(w12, ID_POSITIONS, 6);
    if (!ids.sku) r.error('X12_ELEMENT_MISSING', 'W12 names no product: W12-07/08 must give an item id.', w12, 8);
    if (MORE_TO_COME.has(w12.el(1))) moreToCome = true;
    const piece: ItemPiece = { lineNumber: '', sku: ids.sku ?? '', quantity: shipped ?? '0', uom, serials: [], packageIndex: pkgIndex };
    if (r.el(w12, 9)) piece.lot = r.el(w12, 9);
    if (ordered !== undefined) piece.orderedQuantity = ordered;
    for (let s = r.peek(); s && (s.id === 'G69' || s.id === 'N9' || s.id === 'QTY' || s.id === 'AMT' || s.id === 'G62'); s = r.peek()) {
      r.next();
      if (s.id !== 'N9') continue;
      // N9-01 LI line item identifier (the 940's LX), LT lot, SE serial number.
      const q = r.el(s, 1);
      if (q === 'LI') piece.lineNumber = r.el(s, 2);
      else if (q === 'LT') piece.lot = r.el(s, 2);
      else if (q === 'SE' && r.el(s, 2)) piece.serials.push(r.el(s, 2));
    }
    if (!piece.lineNumber) piece.lineNumber = r.el(lx, 1) || String(pieces.length + 1);
    pieces.push(piece);
  }
  if (!any) r.error('X12_SEGMENT_MISSING', `LX ${r.el(lx, 1)} has no W12 warehouse item detail.`, lx);
  if (pkgIndex !== null) packages[pkgIndex]!.lines = packageLines(pieces, pkgIndex);
  return moreToCome;
}

export function encode945(doc: Shipment): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  const po = doc.references.find((x) => x.qualifier === 'PO');
  segs.push(['W06', 'F', doc.orderNumber, x12Date(doc.shippedAt), doc.shipmentNumber, '', po?.value ?? '']);
  segs.push(['N1', 'WH', '', '92', doc.facility]);
  if (doc.depositor) segs.push(['N1', 'DE', '', '92', doc.depositor]);
  for (const ref of doc.references) if (ref !== po) segs.push(['N9', ref.qualifier, ref.value]);
  if (doc.billOfLading) segs.push(['N9', 'BM', doc.billOfLading]);
  if (doc.proNumber) segs.push(['N9', 'CN', doc.proNumber]);
  for (const t of doc.trackingNumbers) segs.push(['N9', '2I', t]);
  // G62-03 '8' qualifies G62-04 as the actual pickup (ship) time.
  segs.push(['G62', '11', x12Date(doc.shippedAt), '8', x12Time(doc.shippedAt)]);
  // W27 is mandatory: W27-01 transportation method code, M (motor) unless known otherwise.
  segs.push(['W27', 'M', doc.carrier?.scac ?? '', doc.carrier?.service ?? '']);

  const pieces = piecesFromShipment(doc);
  const short = !doc.complete && doc.lines.some((l) => l.orderedQuantity !== undefined && l.quantity !== l.orderedQuantity);
  const statusOf = (p: ItemPiece): string => {
    const line = doc.lines.find((l) => l.lineNumber === p.lineNumber);
    const full = !line || line.orderedQuantity === undefined || line.orderedQuantity === line.quantity;
    if (doc.complete) return full ? 'CC' : 'CP';
    if (!short) return 'SS';
    return full ? 'CC' : 'BP';
  };
  let lx = 0;
  let total = '0';
  const writeW12 = (p: ItemPiece): void => {
    const pairs = productIdPairs(p.sku);
    // A warehouse lot over 12 characters does not fit W12-09; it goes in N9*LT instead.
    const lotFits = p.lot !== undefined && p.lot.length <= 12;
    segs.push(['W12', statusOf(p), p.orderedQuantity ?? '', p.quantity, '', p.uom, '', pairs[0]!, pairs[1]!, lotFits ? p.lot! : '']);
    segs.push(['N9', 'LI', p.lineNumber]);
    if (p.lot && !lotFits) segs.push(['N9', 'LT', p.lot]);
    for (const s of p.serials) segs.push(['N9', 'SE', s]);
    total = addDecimals(total, p.quantity);
  };
  const writeMan = (i: number): void => {
    const pkg = doc.packages[i]!;
    if (pkg.sscc) segs.push(['MAN', 'GM', pkg.sscc]);
    if (pkg.trackingNumber) segs.push(['MAN', 'CP', pkg.trackingNumber]);
    if (!pkg.sscc && !pkg.trackingNumber) segs.push(['MAN', 'ZZ', String(i + 1)]);
  };
  // Every LX loop needs a W12, so a package that lists no lines of its own cannot have a loop of
  // its own: its MAN segments go into the first loop of unpackaged lines (or the last loop).
  const packed = doc.packages.map((_, i) => i).filter((i) => pieces.some((p) => p.packageIndex === i));
  const lineless = doc.packages.map((_, i) => i).filter((i) => !packed.includes(i));
  const loose = pieces.filter((p) => p.packageIndex === null);
  for (const i of packed) {
    segs.push(['LX', String(++lx)]);
    writeMan(i);
    if (!loose.length && i === packed[packed.length - 1]) lineless.forEach(writeMan);
    for (const p of pieces) if (p.packageIndex === i) writeW12(p);
  }
  loose.forEach((p, n) => {
    segs.push(['LX', String(++lx)]);
    if (n === 0) lineless.forEach(writeMan);
    writeW12(p);
  });
  // W03-01 total units shipped, W03-02/03 weight and its unit.
  segs.push(['W03', total, doc.totalWeight?.value ?? '', doc.totalWeight ? doc.totalWeight.unit : '']);
  return { id: '945', segments: segs, errors: [] };
}

