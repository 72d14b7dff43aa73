// 846 Inventory Inquiry/Advice <-> inventory_snapshot: stock per SKU, lot and status at a facility.
import type { InventorySnapshot } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { Segment } from '../tokenizer.ts';
import {
  openDocument,
  productIdPairs,
  readProductIds,
  setDecoder,
  x12Date,
  x12Time,
  type EncodeOptions,
  type Reference,
  type SetEncodeResult,
  type SetReader,
} from './common.ts';
import { defineLayout, facilityParties, readBody } from './layout.ts';
import { writeFacility, writeReferences } from './write.ts';

const KNOWN = new Set(['BIA', 'CUR', 'DTM', 'REF', 'PER', 'MEA', 'N1', 'N2', 'N3', 'N4', 'LM', 'LQ', 'LIN', 'SLN', 'PID', 'PO4', 'QTY', 'SCH', 'CTP', 'G39', 'LDT', 'CTT', 'N9', 'UIT', 'AMT']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [2, 4, 6, 8];

/**
 * QTY-01 quantity qualifiers (element 673): 17 quantity on hand, 33 quantity available for sale.
 * Allocated stock has no single standard code; guides use QC (quantity committed) most, and a
 * partner's code table can rename it.
 */
export const QTY_ON_HAND = '17';
export const QTY_AVAILABLE = '33';
export const QTY_ALLOCATED = 'QC';
/** REF-01 qualifier we use for a position's inventory status when it is not 'available' (mutually defined). */
const REF_STATUS = 'ZZ';

/** What an 846 says besides BIA, and its positions. */
interface SnapshotHeader {
  references: Reference[];
  facility: string | undefined;
  depositor: string | undefined;
  positions: InventorySnapshot['positions'];
  /** The QTY-01 code of allocated stock, as the partner uses it. */
  allocated: string;
}

const LAYOUT = defineLayout<SnapshotHeader>({
  segments: KNOWN,
  rules: {
    LIN: { read: 'loop', reader: readLin },
    N1: {
      read: 'party',
      entities: { ...facilityParties('SN'), DE: { as: 'code', to: 'depositor' }, MF: { as: 'code', to: 'depositor' } },
    },
    REF: { read: 'reference' },
  },
});

export const decode846 = setDecoder<InventorySnapshot>('BIA', 'beginning segment for inventory inquiry/advice', (r, bia, set, ctx) => {
  // BIA-01 purpose: 00 original (a full picture), 04 change (only what changed); BIA-03 report id; BIA-04/05 date and time.
  const purpose = r.req(bia, 1, 'transaction set purpose code');
  const reportId = r.req(bia, 3, 'reference identification');
  const asOf = r.timestamp(bia, 4, r.el(bia, 5) ? 5 : null, 'report date', r.utcOffset);
  const h: SnapshotHeader = {
    references: [],
    facility: undefined,
    depositor: undefined,
    positions: [],
    allocated: ctx.allocatedQualifier ?? QTY_ALLOCATED,
  };
  readBody(r, LAYOUT, h);
  if (!h.facility) r.missing('N1*WH', 'the facility the stock is in');
  if (!reportId) return [];
  const doc = openDocument<InventorySnapshot>('inventory_snapshot', set, ctx, 0, entityKeys.stock(h.facility ?? ''), h.references);
  doc.facility = h.facility ?? '';
  doc.asOf = asOf ?? ctx.receivedAt;
  doc.scope = purpose === '04' ? 'partial' : 'full';
  doc.positions = h.positions;
  doc.reportNumber = reportId;
  if (h.depositor !== undefined) doc.depositor = h.depositor;
  return [doc];
});

/** LIN loop: LIN-02/03.. product ids (LT for the lot), QTY per quantity kind, DTM*036 expiry, REF*ZZ status. */
function readLin(r: SetReader, lin: Segment, h: SnapshotHeader): void {
  const allocated = h.allocated;
  const ids = readProductIds(lin, ID_POSITIONS);
  if (!ids.sku) r.error('X12_ELEMENT_MISSING', 'LIN names no product: LIN-02/03 must give an item id.', lin, 3);
  const pos: InventorySnapshot['positions'][number] = { sku: ids.sku ?? '', status: 'available', uom: '', onHand: '0', allocated: '0' };
  if (ids.lot !== undefined) pos.lot = ids.lot;
  let sawOnHand = false;
  for (let s = r.peek(); s && s.id !== 'LIN' && s.id !== 'CTT' && KNOWN.has(s.id) && s.id !== 'N1' && s.id !== 'BIA'; s = r.peek()) {
    r.next();
    if (s.id === 'QTY') {
      const q = r.el(s, 1);
      const v = r.decimal(s, 2, 'quantity');
      // QTY-03 is a composite in 005010 (C001): its first component is the unit.
      const unit = r.el(s, 3).split(r.set.interchange.delimiters.component)[0]!;
      if (unit && !pos.uom) pos.uom = unit;
      if (v === undefined) continue;
      if (q === QTY_ON_HAND) {
        pos.onHand = v.startsWith('-') ? '0' : v;
        sawOnHand = true;
        if (v.startsWith('-')) r.error('X12_ELEMENT_INVALID', `QTY02, the quantity on hand, is ${v}; stock on hand cannot be negative.`, s, 2);
      } else if (q === allocated) pos.allocated = v.startsWith('-') ? '0' : v;
      else if (q === QTY_AVAILABLE) pos.available = v;
    } else if (s.id === 'DTM' && r.el(s, 1) === '036') {
      pos.expiryDate = r.date(s, 2, 'expiration date');
    } else if (s.id === 'REF' && r.el(s, 1) === REF_STATUS && r.el(s, 2)) {
      pos.status = r.el(s, 2);
    } else if (s.id === 'REF' && r.el(s, 1) === 'LT' && r.el(s, 2)) {
      pos.lot = r.el(s, 2);
    }
  }
  if (!sawOnHand && pos.available !== undefined) pos.onHand = pos.available.startsWith('-') ? '0' : pos.available;
  if (!pos.uom) {
    pos.uom = 'EA';
    r.error('X12_ELEMENT_MISSING', 'No QTY-03 unit of measure for this LIN; EA was assumed.', lin, undefined, 'warning');
  }
  h.positions.push(pos);
}

export function encode846(doc: InventorySnapshot, options: EncodeOptions = {}): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  // BIA-03 is mandatory: a snapshot without a report number is numbered by when it was taken, never by an id of ours.
  const reportId = doc.reportNumber ?? doc.references.find((x) => x.qualifier === 'BIA')?.value ?? `${x12Date(doc.asOf)}${x12Time(doc.asOf)}`;
  // BIA-02 report type DD: distributor (warehouse) inventory report.
  segs.push(['BIA', doc.scope === 'partial' ? '04' : '00', 'DD', reportId, x12Date(doc.asOf), x12Time(doc.asOf)]);
  writeReferences(segs, 'REF', doc.references, isReportId);
  writeFacility(segs, 'WH', doc);
  let n = 0;
  for (const p of doc.positions) {
    segs.push(['LIN', String(++n), ...productIdPairs(p.sku, undefined, p.lot)] as unknown as X12SegmentData);
    segs.push(['QTY', QTY_ON_HAND, p.onHand, p.uom]);
    if (p.allocated !== '0') segs.push(['QTY', options.allocatedQualifier ?? QTY_ALLOCATED, p.allocated, p.uom]);
    if (p.available !== undefined) segs.push(['QTY', QTY_AVAILABLE, p.available, p.uom]);
    if (p.expiryDate) segs.push(['DTM', '036', x12Date(p.expiryDate)]);
    if (p.status !== 'available') segs.push(['REF', REF_STATUS, p.status]);
  }
  // CTT-01 number of LIN segments.
  segs.push(['CTT', String(n)]);
  return { id: '846', segments: segs, errors: [] };
}

/** The report id went into BIA-03. */
function isReportId(ref: Reference): boolean {
  return ref.qualifier === 'BIA';
}
