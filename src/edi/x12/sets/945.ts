// 945 Warehouse Shipping Advice <-> shipment: what the warehouse shipped against a 940, line by line,
// with lots, serials, packages (MAN), carrier (W27) and tracking.
import { addDecimals } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { Shipment } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { Segment } from '../tokenizer.ts';
import { openDocument, productIdPairs, readItemN9, readProductIds, readSscc, setDecoder, withCarrierExtras, x12Date, x12Time, type Reference, type SetEncodeResult, type SetReader } from './common.ts';
import { facilityParties, loopAndPartiesLayout, readWarehouseBody, SHIPMENT_REFERENCES } from './layout.ts';
import { fillPackageLines, linesFromPieces, piecesFromShipment, type ItemPiece } from './shipment-lines.ts';
import { ssccWithAi, w27, writeCarrierAccount, writeFacility, writeN1Loop, writeReferences } from './write.ts';

const KNOWN = new Set(['W06', 'N1', 'N2', 'N3', 'N4', 'G61', 'PER', 'N9', 'REF', 'G62', 'NTE', 'W27', 'W6', 'W28', 'W10', 'G72', 'LX', 'MAN', 'PAL', 'W12', 'G69', 'W03', 'FA1', 'FA2', 'QTY', 'AMT', 'LH1', 'LH2', 'LH3', 'LFH', 'LEP', 'LHR', 'LHT', 'N9']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [7, 17];

/**
 * W12-01 shipment/order status (element 368): CC shipment complete, CP partial considered complete (no
 * backorder), BP partial with backorder to follow, SS split shipment. BP and SS mean more is coming.
 */
const MORE_TO_COME = new Set(['BP', 'SS', 'PR']);

/** What a 945 says besides W06, and what it shipped. */
interface ShipmentHeader {
  references: Reference[];
  facility: string | undefined;
  shipTo: Shipment['shipTo'];
  depositor: string | undefined;
  shippedAt: string | undefined;
  carrier: Shipment['carrier'];
  carrierAccount: string | undefined;
  billOfLading: string | undefined;
  proNumber: string | undefined;
  totalWeight: Shipment['totalWeight'];
  trackingNumbers: string[];
  packages: Shipment['packages'];
  pieces: ItemPiece[];
  /** False once a W12-01 says more is to come. */
  complete: boolean;
}

const LAYOUT = loopAndPartiesLayout<ShipmentHeader>({
  segments: KNOWN,
  loop: 'LX',
  reader: readLx,
  parties: { ...facilityParties('SF'), ST: { as: 'address', to: 'shipTo', keep: 'first' }, DE: { as: 'code', to: 'depositor' } },
  references: SHIPMENT_REFERENCES,
  rules: {
    // G62-01 11: shipped on this date; G62-04 the time.
    G62: { read: 'date', qualifier: 1, date: 2, qualifiers: { '11': { to: 'shippedAt', what: 'ship date', time: 4 } } },
    // W27-01 transportation method, W27-02 SCAC, W27-03 routing (the carrier's service), W27-04 method of payment.
    W27: { read: 'carrier', to: 'carrier', scac: 2, service: 3, mode: 1, payment: 4, replaces: true },
    // W03-02 total weight, W03-03 its unit of measure.
    W03: { read: 'weight', to: 'totalWeight', value: 2, unit: 3, what: 'total weight' },
  },
});

export const decode945 = setDecoder<Shipment>('W06', 'warehouse shipment identification', (r, w06, set, ctx) => {
  // W06-02 depositor order number (the 940's W05-02), W06-03 shipment date, W06-04 shipment id number, W06-06 PO number.
  const orderNumber = r.req(w06, 2, 'depositor order number');
  const shipDate = r.timestamp(w06, 3, null, 'shipment date', r.utcOffset);
  const shipmentNumber = r.el(w06, 4) || orderNumber;
  const h: ShipmentHeader = {
    references: [],
    facility: undefined,
    shipTo: undefined,
    depositor: undefined,
    shippedAt: undefined,
    carrier: undefined,
    carrierAccount: undefined,
    billOfLading: undefined,
    proNumber: undefined,
    totalWeight: undefined,
    trackingNumbers: [],
    packages: [],
    pieces: [],
    complete: true,
  };
  if (r.el(w06, 6)) h.references.push({ qualifier: 'PO', value: r.el(w06, 6) });
  readWarehouseBody(r, LAYOUT, h, 'the shipping warehouse', { segment: 'W12', what: 'warehouse item detail', count: (s) => s.pieces.length });
  if (!orderNumber) return [];
  const doc = openDocument<Shipment>('shipment', set, ctx, 0, entityKeys.order(orderNumber), h.references);
  doc.shipmentNumber = shipmentNumber;
  doc.orderNumber = orderNumber;
  doc.facility = h.facility ?? '';
  doc.shippedAt = h.shippedAt ?? shipDate ?? ctx.receivedAt;
  doc.complete = h.complete;
  doc.trackingNumbers = h.trackingNumbers;
  doc.packages = h.packages;
  doc.lines = linesFromPieces(h.pieces);
  fillPackageLines(h.pieces, h.packages);
  if (h.depositor !== undefined) doc.depositor = h.depositor;
  if (h.shipTo !== undefined) doc.shipTo = h.shipTo;
  const carrier = withCarrierExtras(h.carrier, h.carrierAccount);
  if (carrier !== undefined) doc.carrier = carrier;
  if (h.billOfLading !== undefined) doc.billOfLading = h.billOfLading;
  if (h.proNumber !== undefined) doc.proNumber = h.proNumber;
  if (h.totalWeight !== undefined) doc.totalWeight = h.totalWeight;
  return [doc];
});

/** LX loop: an optional package (MAN GM SSCC, MAN CP tracking) holding W12 loops. */
function readLx(r: SetReader, lx: Segment, h: ShipmentHeader): void {
  const pkgIndex = readPackages(r, h.packages);
  let any = false;
  while (r.peek()?.id === 'W12') {
    any = true;
    readW12(r, r.next()!, pkgIndex, h);
  }
  if (!any) r.error('X12_SEGMENT_MISSING', `LX ${r.el(lx, 1)} has no W12 warehouse item detail.`, lx);
}

/** The MAN segments that open an LX loop; the index of the loop's first package, or null when it has none. */
function readPackages(r: SetReader, packages: Shipment['packages']): number | null {
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
  return pkgIndex;
}

/** W12 and its N9s: one piece of what shipped. A W12-01 that says more is to come makes the shipment incomplete. */
function readW12(r: SetReader, w12: Segment, pkgIndex: number | null, h: ShipmentHeader): void {
  // W12-02 quantity ordered, W12-03 units shipped, W12-05 unit, W12-07/08 product id, W12-09 warehouse lot.
  const shipped = r.decimal(w12, 3, 'number of units shipped');
  const ordered = r.decimal(w12, 2, 'quantity ordered', false);
  const uom = r.req(w12, 5, 'unit of measure');
  const ids = readProductIds(w12, ID_POSITIONS, 6);
  if (!ids.sku) r.error('X12_ELEMENT_MISSING', 'W12 names no product: W12-07/08 must give an item id.', w12, 8);
  if (MORE_TO_COME.has(w12.el(1))) h.complete = false;
  const piece: ItemPiece = { lineNumber: '', sku: ids.sku ?? '', quantity: shipped ?? '0', uom, serials: [], packageIndex: pkgIndex };
  if (r.el(w12, 9)) piece.lot = r.el(w12, 9);
  if (ordered !== undefined) piece.orderedQuantity = ordered;
  for (let s = r.peek(); s && (s.id === 'G69' || s.id === 'N9' || s.id === 'QTY' || s.id === 'AMT' || s.id === 'G62'); s = r.peek()) {
    r.next();
    if (s.id === 'N9') readItemN9(r, s, piece);
  }
  // Without N9*LI the line number stays open: LX-01 numbers packages, not order lines.
  h.pieces.push(piece);
}

export function encode945(doc: Shipment): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  writeHeader(segs, doc);
  const total = writeLxLoops(segs, doc);
  // W03-01 total units shipped, W03-02/03 weight and its unit.
  segs.push(['W03', total, doc.totalWeight?.value ?? '', doc.totalWeight ? doc.totalWeight.unit : '']);
  return { id: '945', segments: segs, errors: [] };
}

/** W06 through W27: the shipment, its warehouse, its references and its carrier. */
function writeHeader(segs: X12SegmentData[], doc: Shipment): void {
  const po = doc.references.find((x) => x.qualifier === 'PO');
  segs.push(['W06', 'F', doc.orderNumber, x12Date(doc.shippedAt), doc.shipmentNumber, '', po?.value ?? '']);
  writeFacility(segs, 'WH', doc);
  if (doc.shipTo) writeN1Loop(segs, 'ST', { address: doc.shipTo });
  // The PO number went into W06-06.
  writeReferences(segs, 'N9', doc.references, (ref) => ref === po);
  if (doc.billOfLading) segs.push(['N9', 'BM', doc.billOfLading]);
  if (doc.proNumber) segs.push(['N9', 'CN', doc.proNumber]);
  for (const t of doc.trackingNumbers) segs.push(['N9', '2I', t]);
  writeCarrierAccount(segs, 'N9', doc.carrier);
  // G62-03 '8' qualifies G62-04 as the actual pickup (ship) time.
  segs.push(['G62', '11', x12Date(doc.shippedAt), '8', x12Time(doc.shippedAt)]);
  // W27 is mandatory.
  segs.push(w27(doc.carrier));
}

/** One LX loop per package with contents, then one per loose piece; the total units shipped. */
function writeLxLoops(segs: X12SegmentData[], doc: Shipment): string {
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
    if (pkg.sscc) segs.push(['MAN', 'GM', ssccWithAi(pkg.sscc)]);
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
  return total;
}

