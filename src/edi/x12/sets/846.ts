// 846 Inventory Inquiry/Advice <-> inventory_snapshot: stock per SKU, lot and status at a facility.
import type { InventorySnapshot } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { TransactionSet } from '../reader.ts';
import type { Segment } from '../tokenizer.ts';
import {
  documentId,
  documentOccurredAt,
  documentSource,
  productIdPairs,
  readN1Loop,
  readProductIds,
  refOf,
  SetReader,
  x12Date,
  x12Time,
  type DecodeContext,
  type EncodeOptions,
  type SetDecodeResult,
  type SetEncodeResult,
} from './common.ts';

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

export function decode846(set: TransactionSet, ctx: DecodeContext): SetDecodeResult<InventorySnapshot> {
  const r = new SetReader(set);
  const offset = ctx.utcOffset ?? 'Z';
  const bia = r.next();
  if (!bia || bia.id !== 'BIA') {
    r.missing('BIA', 'beginning segment for inventory inquiry/advice');
    return { documents: [], errors: r.errors };
  }
  // BIA-01 purpose: 00 original (a full picture), 04 change (only what changed); BIA-03 report id; BIA-04/05 date and time.
  const purpose = r.req(bia, 1, 'transaction set purpose code');
  const reportId = r.req(bia, 3, 'reference identification');
  const asOf = r.timestamp(bia, 4, r.el(bia, 5) ? 5 : null, 'report date', offset);
  const references: Array<{ qualifier: string; value: string }> = reportId ? [{ qualifier: 'BIA', value: reportId }] : [];
  let facility: string | undefined;
  let depositor: string | undefined;
  const positions: InventorySnapshot['positions'] = [];
  for (let seg = r.next(); seg; seg = r.next()) {
    switch (seg.id) {
      case 'N1': {
        const p = readN1Loop(r, seg, references);
        if (p.entity === 'WH' || p.entity === 'SN') facility = p.code ?? p.address.name;
        else if (p.entity === 'DE' || p.entity === 'MF') depositor = p.code ?? p.address.name;
        break;
      }
      case 'LIN':
        readLin(r, seg, positions, ctx.allocatedQualifier ?? QTY_ALLOCATED);
        break;
      case 'REF':
        references.push(refOf(r, seg));
        break;
      default:
        if (!KNOWN.has(seg.id)) r.unknown(seg);
    }
  }
  if (!facility) r.missing('N1*WH', 'the facility the stock is in');
  if (!reportId) return { documents: [], errors: r.errors };
  // One object literal, optional fields added when present: no spread of a base and no compact copy.
  const doc: InventorySnapshot = {
    type: 'inventory_snapshot',
    schemaVersion: 1,
    tenant: ctx.tenant,
    id: documentId(set, 0),
    source: documentSource(set, ctx),
    occurredAt: documentOccurredAt(set, ctx),
    receivedAt: ctx.receivedAt,
    entityKey: entityKeys.stock(facility ?? ''),
    references,
    facility: facility ?? '',
    asOf: asOf ?? ctx.receivedAt,
    scope: purpose === '04' ? 'partial' : 'full',
    positions,
  };
  if (depositor !== undefined) doc.depositor = depositor;
  return { documents: [doc], errors: r.errors };
}

/** LIN loop: LIN-02/03.. product ids (LT for the lot), QTY per quantity kind, DTM*036 expiry, REF*ZZ status. */
function readLin(r: SetReader, lin: Segment, positions: InventorySnapshot['positions'], allocated: string): void {
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
  positions.push(pos);
}

export function encode846(doc: InventorySnapshot, options: EncodeOptions = {}): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  const reportId = doc.references.find((x) => x.qualifier === 'BIA')?.value ?? doc.id.slice(-30);
  // BIA-02 report type DD: distributor (warehouse) inventory report.
  segs.push(['BIA', doc.scope === 'partial' ? '04' : '00', 'DD', reportId, x12Date(doc.asOf), x12Time(doc.asOf)]);
  for (const ref of doc.references) if (ref.qualifier !== 'BIA') segs.push(['REF', ref.qualifier, ref.value]);
  segs.push(['N1', 'WH', '', '92', doc.facility]);
  if (doc.depositor) segs.push(['N1', 'DE', '', '92', doc.depositor]);
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
