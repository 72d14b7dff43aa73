// DESADV (despatch advice) <-> shipment. The pack hierarchy: CPS levels (CPS 1 the whole consignment, each
// child a pack), PAC and MEA for the pack, PCI+33E/GIN+BJ for its SSCC, then the LIN items in it with their
// lot (PIA NB, GIN BX or RFF BT), best-before date (DTM 361) and serials (GIN BN).
import { entityKeys, subtractDecimals } from '../../../model/index.ts';
import type { Shipment } from '../../../model/index.ts';
import type { EdifactSegmentData } from '../generator.ts';
import type { EdifactMessage } from '../reader.ts';
import type { Segment } from '../tokenizer.ts';
import { isDigits } from '../../digits.ts';
import {
  addItemId, addPiaIds, beginMessage, documentHead, dtmDate, dtmDateTime, emptyIds, MessageReader, occurredAt, otherSegment, readCarrier, readNad, skuOf, writeCarrier, writeDecimal, writeItem, writeNad, writeSerials,
  type DecodeContext, type ItemIds, type MessageDecodeResult, type MessageEncodeResult, type MessageOptions,
} from './common.ts';
import { fillPackageLines, linesFromPieces, piecesFromShipment, type ItemPiece } from './pieces.ts';

const KNOWN = new Set(['BGM', 'DTM', 'MEA', 'RFF', 'NAD', 'LOC', 'CTA', 'COM', 'TDT', 'TOD', 'TMD', 'TPL', 'SGP', 'EQD', 'EQA', 'SEL', 'CPS', 'FTX', 'PAC', 'QTY', 'HAN', 'PCI', 'GIN', 'GIR', 'LIN', 'PIA', 'IMD', 'QVR', 'CNT', 'DLM', 'MOA', 'ALI', 'DGS', 'SPS', 'CUX', 'FII']);

/** An SSCC from GIN BJ: 18 digits, or 20 with the GS1 application identifier 00 in front. */
export function readSscc(v: string): string | undefined {
  if (v.length === 18) return isDigits(v, 18, 18) ? v : undefined;
  if (v.length === 20 && v.startsWith('00') && isDigits(v, 20, 20)) return v.slice(2);
  return undefined;
}

/** Where a DESADV is in its pack hierarchy, and the item being read. */
class PackState {
  readonly packages: Shipment['packages'] = [];
  readonly pieces: ItemPiece[] = [];
  readonly levels = new Map<string, Level>();
  level: Level | null = null;
  piece: ItemPiece | null = null;
  ids: ItemIds = emptyIds();
  pieceSeg: Segment | null = null;
  readonly dims: Partial<Record<'LN' | 'WD' | 'HT', { value: string; unit: string }>> = {};

  constructor(private readonly r: MessageReader) {}

  closePiece(): void {
    const piece = this.piece;
    if (piece === null) return;
    const sku = skuOf(this.ids);
    if (!sku) this.r.error('EDIFACT_ELEMENT_MISSING', `Item ${piece.lineNumber} names no product: LIN C212 or a PIA must give an item number.`, this.pieceSeg ?? undefined, 3, 1);
    piece.sku = sku ?? '';
    if (piece.lot === undefined && this.ids.lot !== undefined) piece.lot = this.ids.lot;
    if (sku) this.pieces.push(piece);
    this.piece = null;
  }

  closeDims(): void {
    const d = this.dims;
    if (this.level?.pkg == null) return;
    if (d.LN && d.WD && d.HT) this.packages[this.level.pkg]!.dimensions = { length: d.LN.value, width: d.WD.value, height: d.HT.value, unit: d.LN.unit };
    d.LN = undefined;
    d.WD = undefined;
    d.HT = undefined;
  }

  /** The pack a pack-level segment describes; the consignment level becomes one when it carries an SSCC. */
  packOf(seg: Segment): number | null {
    const level = this.level;
    if (level === null) {
      this.r.error('EDIFACT_PACK_STRUCTURE', `${seg.tag} describes a pack, but no CPS level is open.`, seg);
      return null;
    }
    if (level.pkg === null) {
      this.packages.push({ lines: [] });
      level.pkg = this.packages.length - 1;
    }
    return level.pkg;
  }
}

interface Level {
  id: string;
  /** The package this level is, or null for the consignment level. */
  pkg: number | null;
}

export function decodeDesadv(m: EdifactMessage, ctx: DecodeContext): MessageDecodeResult<Shipment> {
  const { r, offset, bgm } = beginMessage(m, ctx);
  if (!bgm) return { documents: [], errors: r.errors };
  const shipmentNumber = r.req(bgm, 2, 1, 'document number (the despatch advice number)');
  const references: Array<{ qualifier: string; value: string }> = [];
  const trackingNumbers: string[] = [];
  let documentDate: string | undefined;
  let shippedAt: string | undefined;
  let orderNumber = '';
  let lineOrderNumber = '';
  let billOfLading: string | undefined;
  let proNumber: string | undefined;
  let facility: string | undefined;
  let depositor: string | undefined;
  let supplierCode: string | undefined;
  let consignor: string | undefined;
  let shipTo: Shipment['shipTo'];
  let carrier: Shipment['carrier'];
  let totalWeight: Shipment['totalWeight'];
  let partial = false;
  let sawCps = false;
  let sawSupplier = false;
  let sawDelivery = false;
  // The pack and item state lives in one object with methods: closures made per message cost (tsx names each).
  const st = new PackState(r);
  const { packages, pieces, levels } = st;
  for (let seg = r.next(); seg; seg = r.next()) {
    switch (seg.tag) {
      case 'DTM': {
        if (st.piece !== null) {
          // 361 best before, 36 expiry date: the lot's.
          if (seg.is(1, 1, '361') || (st.piece.expiryDate === undefined && seg.is(1, 1, '36'))) {
            const d = r.dtm(seg, offset, true);
            if (d) st.piece.expiryDate = d;
          }
        } else if (st.level === null) {
          if (seg.is(1, 1, '137')) documentDate = r.dtm(seg, offset, false);
          else if (seg.is(1, 1, '11')) shippedAt = r.dtm(seg, offset, false);
        }
        break;
      }
      case 'RFF': {
        const q = seg.comp(1, 1);
        const v = seg.comp(1, 2);
        if (!v) break;
        if (st.piece !== null) {
          if (q === 'BT' && st.piece.lot === undefined) st.piece.lot = v;
          else if (q === 'ON' && !lineOrderNumber) lineOrderNumber = v;
        } else if (st.level !== null) {
          if (q === 'AAM') {
            const p = st.packOf(seg);
            if (p !== null) packages[p]!.trackingNumber = v;
          }
        } else if (q === 'ON' && !orderNumber) orderNumber = v;
        else if (q === 'BM') billOfLading = v;
        else if (q === 'CN') proNumber = v;
        else if (q === 'AAM') trackingNumbers.push(v);
        else references.push({ qualifier: q, value: v });
        break;
      }
      case 'NAD': {
        const p = readNad(r, seg);
        if (p.qualifier === 'SF') facility = p.code ?? p.address.name;
        else if (p.qualifier === 'SU') {
          sawSupplier = true;
          depositor = p.code ?? p.address.name;
          supplierCode = p.code ?? p.address.name;
        } else if (p.qualifier === 'CZ') consignor = p.code ?? p.address.name; else if (p.qualifier === 'DP' || p.qualifier === 'ST') {
          sawDelivery = true;
          if (shipTo === undefined || p.qualifier === 'ST') shipTo = p.code && !p.address.name ? { ...p.address, name: p.code } : p.address;
        }
        break;
      }
      case 'TDT':
        carrier = readCarrier(seg) ?? carrier;
        break;
      case 'CPS': {
        st.closePiece();
        st.closeDims();
        sawCps = true;
        // CPS 7164 this level's id, 7166 its parent's: a level with a parent is a pack.
        const id = seg.el(1);
        const parent = seg.el(2);
        if (!id) r.req(seg, 1, 1, 'hierarchical id number');
        if (parent && !levels.has(parent)) r.error('EDIFACT_PACK_STRUCTURE', `CPS-02 names parent level ${JSON.stringify(parent)}, which no earlier CPS has as its id.`, seg, 2);
        if (id && levels.has(id)) r.error('EDIFACT_PACK_STRUCTURE', `CPS-01 repeats level ${JSON.stringify(id)}; each CPS level has its own id.`, seg, 1);
        let pkg: number | null = null;
        if (parent) {
          packages.push({ lines: [] });
          pkg = packages.length - 1;
        }
        st.level = { id, pkg };
        if (id) levels.set(id, st.level);
        break;
      }
      case 'PAC':
        st.closePiece();
        break;
      case 'MEA': {
        // MEA 6311 PD physical dimensions, C502 6313: AAB unit gross weight, AAD total gross weight, LN/WD/HT; C174 unit and value.
        const what = seg.comp(2, 1);
        const unit = seg.comp(3, 1);
        const value = r.decimal(seg, 3, 2, 'measurement value', false);
        if (value === undefined || st.piece !== null || st.level === null) break;
        if (what === 'AAB' || what === 'AAD') {
          if (st.level.pkg === null) totalWeight = { value, unit: unit || 'KGM' };
          else packages[st.level.pkg]!.weight = { value, unit: unit || 'KGM' };
        } else if (what === 'LN' || what === 'WD' || what === 'HT') {
          if (st.level.pkg !== null) st.dims[what] = { value, unit: unit || 'MMT' };
        }
        break;
      }
      case 'GIN': {
        // GIN 7405: BJ SSCC (pack level), BX batch number, BN serial number (item level); up to five C208 of two ids.
        const q = seg.el(1);
        const values: string[] = [];
        for (let n = 2; n <= 6; n++) {
          const a = seg.comp(n, 1);
          if (a) values.push(a);
          const b = seg.comp(n, 2);
          if (b) values.push(b);
        }
        if (st.piece !== null) {
          if (q === 'BX' && values[0] && st.piece.lot === undefined) st.piece.lot = values[0];
          else if (q === 'BN') for (const v of values) st.piece.serials.push(v);
        } else if (q === 'BJ') {
          const p = st.packOf(seg);
          if (p === null) break;
          for (let i = 0; i < values.length; i++) {
            const v = values[i]!;
            const sscc = readSscc(v);
            if (!sscc) {
              r.error('EDIFACT_ELEMENT_INVALID', `GIN BJ holds ${JSON.stringify(v)}; an SSCC has 18 digits (or 20 with the 00 application identifier).`, seg, 2 + Math.floor(i / 2), 1 + (i % 2));
              continue;
            }
            // More SSCCs on one level are as many identical packs; the level's items stay with the first.
            if (i === 0 && packages[p]!.sscc === undefined) packages[p]!.sscc = sscc;
            else packages.push({ sscc, lines: [] });
          }
        }
        break;
      }
      case 'LIN': {
        st.closePiece();
        st.closeDims();
        st.ids = emptyIds();
        addItemId(st.ids, seg, 3);
        st.pieceSeg = seg;
        st.piece = { lineNumber: seg.el(1) || String(pieces.length + 1), sku: '', quantity: '0', uom: 'EA', serials: [], packageIndex: st.level?.pkg ?? null };
        if (st.level === null) r.error('EDIFACT_PACK_STRUCTURE', 'LIN comes before any CPS level; a DESADV lists its items under a CPS.', seg, undefined, undefined, r.eancom ? 'error' : 'warning');
        break;
      }
      case 'PIA':
        if (st.piece !== null) addPiaIds(st.ids, seg);
        break;
      case 'QTY': {
        if (st.piece === null) break;
        // 12 despatch quantity, 21 ordered quantity.
        if (seg.is(1, 1, '12')) {
          st.piece.quantity = r.decimal(seg, 1, 2, 'despatched quantity') ?? '0';
          const unit = seg.comp(1, 3);
          if (unit) st.piece.uom = unit;
        } else if (seg.is(1, 1, '21')) {
          const o = r.decimal(seg, 1, 2, 'ordered quantity', false);
          if (o !== undefined) st.piece.orderedQuantity = o;
        }
        break;
      }
      case 'QVR':
        // QVR 4221 BP: partial shipment, the balance is back-ordered.
        if (seg.comp(2, 1) === 'BP' || seg.el(2) === 'BP') partial = true;
        break;
      default:
        otherSegment(r, seg, KNOWN);
    }
  }
  st.closePiece();
  st.closeDims();
  if (!shipmentNumber) return { documents: [], errors: r.errors };
  if (!orderNumber) orderNumber = lineOrderNumber;
  if (!orderNumber) {
    r.missing('RFF+ON', 'the order this despatch fills; the despatch advice number is used', 'warning');
    orderNumber = shipmentNumber;
  }
  if (r.eancom) {
    if (!documentDate) r.missing('DTM+137', 'the document date, which EANCOM requires');
    if (!sawSupplier) r.missing('NAD+SU', 'the supplier, which EANCOM requires');
    if (!sawDelivery) r.missing('NAD+DP', 'the delivery party, which EANCOM requires');
    if (!sawCps) r.missing('CPS', 'the consignment packing sequence, which EANCOM requires');
  }
  if (pieces.length === 0) r.missing('LIN', 'the items despatched');
  if (facility === undefined) {
    // A supplier's own despatch advice often names no ship-from: the goods leave the consignor's or supplier's place.
    facility = consignor ?? supplierCode;
    if (facility === undefined) r.missing('NAD+SF', 'the ship-from facility');
    else r.missing('NAD+SF', `the ship-from facility; the ${consignor ? 'consignor (CZ)' : 'supplier (SU)'} ${facility} is taken as the facility`, 'warning');
  }
  const lines = linesFromPieces(pieces);
  fillPackageLines(pieces, packages);
  const shipment: Shipment = {
    type: 'shipment',
    ...documentHead(m, ctx, occurredAt(m, ctx, documentDate), entityKeys.order(orderNumber)),
    references,
    shipmentNumber,
    orderNumber,
    facility: facility ?? '',
    shippedAt: shippedAt ?? occurredAt(m, ctx, documentDate),
    complete: !partial,
    trackingNumbers,
    packages,
    lines,
  };
  if (depositor !== undefined) shipment.depositor = depositor;
  if (carrier !== undefined) shipment.carrier = carrier;
  if (shipTo !== undefined) shipment.shipTo = shipTo;
  if (billOfLading !== undefined) shipment.billOfLading = billOfLading;
  if (proNumber !== undefined) shipment.proNumber = proNumber;
  if (totalWeight !== undefined) shipment.totalWeight = totalWeight;
  return { documents: [shipment], errors: r.errors };
}

export function encodeDesadv(doc: Shipment, o: MessageOptions): MessageEncodeResult {
  const segs: EdifactSegmentData[] = [];
  const errors: MessageEncodeResult['errors'] = [];
  segs.push(['BGM', ['351'], [doc.shipmentNumber], '9']);
  segs.push(dtmDateTime('137', doc.occurredAt));
  segs.push(dtmDateTime('11', doc.shippedAt));
  segs.push(['RFF', ['ON', doc.orderNumber]]);
  if (doc.billOfLading) segs.push(['RFF', ['BM', doc.billOfLading]]);
  if (doc.proNumber) segs.push(['RFF', ['CN', doc.proNumber]]);
  for (const t of doc.trackingNumbers) segs.push(['RFF', ['AAM', t]]);
  for (const ref of doc.references) segs.push(['RFF', [ref.qualifier, ref.value]]);
  if (doc.depositor) segs.push(...writeNad('SU', { code: doc.depositor }, o.directory));
  else if (o.eancom) errors.push({ code: 'EDIFACT_VALUE_MISSING', message: 'An EANCOM DESADV needs NAD+SU, but the shipment has no depositor.', position: { messageType: 'DESADV', segmentTag: 'NAD' }, severity: 'error' });
  segs.push(...writeNad('SF', { code: doc.facility }, o.directory));
  if (doc.shipTo) segs.push(...writeNad(o.eancom ? 'DP' : 'ST', { address: doc.shipTo }, o.directory));
  else if (o.eancom) errors.push({ code: 'EDIFACT_VALUE_MISSING', message: 'An EANCOM DESADV needs NAD+DP, but the shipment has no ship-to address.', position: { messageType: 'DESADV', segmentTag: 'NAD' }, severity: 'error' });
  if (doc.carrier) segs.push(writeCarrier(doc.carrier));
  const pieces = piecesFromShipment(doc);
  const partial = !doc.complete;
  const short = new Set(doc.lines.filter((l) => l.orderedQuantity !== undefined && l.orderedQuantity !== l.quantity).map((l) => l.lineNumber));
  const marked = new Set<string>();
  let lineCount = 0;
  const writePiece = (p: ItemPiece): void => {
    lineCount++;
    segs.push(...writeItem(p.lineNumber, p.sku, { lot: p.lot, eancom: o.eancom }));
    segs.push(['QTY', ['12', writeDecimal(p.quantity, o.decimal), p.uom]]);
    if (p.orderedQuantity !== undefined) segs.push(['QTY', ['21', writeDecimal(p.orderedQuantity, o.decimal), p.uom]]);
    writeSerials(segs, p.serials);
    if (p.expiryDate) segs.push(dtmDate('361', p.expiryDate));
    if (partial && !marked.has(p.lineNumber) && (short.size === 0 || short.has(p.lineNumber))) {
      marked.add(p.lineNumber);
      const line = doc.lines.find((l) => l.lineNumber === p.lineNumber);
      const variance = line?.orderedQuantity !== undefined ? subtractDecimals(line.quantity, line.orderedQuantity) : '0';
      segs.push(['QVR', [writeDecimal(variance, o.decimal), '21'], 'BP']);
    }
  };
  // CPS 1 is the consignment: its weight and the items not in any pack.
  segs.push(['CPS', '1']);
  if (doc.packages.length > 0 || doc.totalWeight) {
    segs.push(['PAC', String(doc.packages.length || 1)]);
    if (doc.totalWeight) segs.push(['MEA', 'PD', 'AAD', [doc.totalWeight.unit, writeDecimal(doc.totalWeight.value, o.decimal)]]);
  }
  for (const p of pieces) if (p.packageIndex === null) writePiece(p);
  doc.packages.forEach((pkg, i) => {
    segs.push(['CPS', String(i + 2), '1']);
    segs.push(['PAC', '1']);
    if (pkg.weight) segs.push(['MEA', 'PD', 'AAB', [pkg.weight.unit, writeDecimal(pkg.weight.value, o.decimal)]]);
    if (pkg.dimensions) {
      const d = pkg.dimensions;
      segs.push(['MEA', 'PD', 'LN', [d.unit, writeDecimal(d.length, o.decimal)]]);
      segs.push(['MEA', 'PD', 'WD', [d.unit, writeDecimal(d.width, o.decimal)]]);
      segs.push(['MEA', 'PD', 'HT', [d.unit, writeDecimal(d.height, o.decimal)]]);
    }
    if (pkg.sscc || pkg.trackingNumber) {
      // PCI 33E: marked with an SSCC.
      segs.push(['PCI', pkg.sscc ? '33E' : 'ZZZ']);
      if (pkg.trackingNumber) segs.push(['RFF', ['AAM', pkg.trackingNumber]]);
      if (pkg.sscc) segs.push(['GIN', 'BJ', [pkg.sscc]]);
    }
    for (const p of pieces) if (p.packageIndex === i) writePiece(p);
  });
  // CNT 2: number of line items.
  segs.push(['CNT', ['2', String(lineCount)]]);
  return { type: 'DESADV', segments: segs, errors };
}

