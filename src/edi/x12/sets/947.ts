// 947 Warehouse Inventory Adjustment Advice <-> inventory_adjustment: cycle counts, damage, found/lost, holds.
import type { InventoryAdjustment } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { Segment } from '../tokenizer.ts';
import { productIdPairs, readProductIds, setDecoder, x12Date, type SetEncodeResult, type SetReader } from './common.ts';
import { openStockDocument, readStockHeader, stockLayout, type StockHeader } from './stock-header.ts';
import { writeFacility, writeReferences } from './write.ts';

const KNOWN = new Set(['W15', 'N1', 'N2', 'N3', 'N4', 'G61', 'PER', 'N9', 'REF', 'G62', 'NTE', 'LX', 'W19', 'G69', 'W20', 'W22', 'N9', 'QTY', 'G66']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [5, 7, 17];

type Reason = InventoryAdjustment['lines'][number]['reason'];

/**
 * W19-01 quantity or status adjustment reason code (element 181) for each canonical reason: AA physical
 * count, AU damaged in facility, 51 unable-to-locate product located, AC condition change, AY receipt
 * error, 07 product dumped or destroyed, AX shelf-life obsolescence, 05 product put on hold, AH other.
 * 'lost' has no code of its own in element 181; ZZ (mutually defined) carries it.
 */
export const REASON_TO_181: Readonly<Record<Reason, string>> = {
  // A correction approved after reconciling the ERP against the warehouse's count. First, so that
  // an AA read back is a cycle count.
  reconciliation: 'AA',
  cycle_count: 'AA',
  damage: 'AU',
  found: '51',
  lost: 'ZZ',
  status_change: 'AC',
  receipt_correction: 'AY',
  shrinkage: '07',
  expired: 'AX',
  quality_hold: '05',
  other: 'AH',
};
const REASON_FROM_181: Readonly<Record<string, Reason>> = {
  ...Object.fromEntries(Object.entries(REASON_TO_181).map(([k, v]) => [v, k as Reason])),
  AV: 'damage', // damaged in transit
  '55': 'status_change', // product taken off hold
  '56': 'found', // book adjustment increase
};

type Line = InventoryAdjustment['lines'][number];

const LAYOUT = stockLayout<Line>(KNOWN, 'W19', readW19);

export const decode947 = setDecoder<InventoryAdjustment>('W15', 'warehouse adjustment identification', (r, w15, set, ctx) => {
  // W15-01 date, W15-02 warehouse adjustment number, W15-03 depositor adjustment number.
  r.date(w15, 1, 'adjustment date', true);
  const adjustmentNumber = r.el(w15, 2) || r.el(w15, 3);
  if (!adjustmentNumber) r.error('X12_ELEMENT_MISSING', 'W15 has neither W15-02 (warehouse) nor W15-03 (depositor) adjustment number; one is required.', w15, 2);
  const h = readStockHeader(r, LAYOUT, 'the facility adjusted', 'W19', 'warehouse adjustment item detail');
  if (!adjustmentNumber) return [];
  const doc = openStockDocument<InventoryAdjustment>('inventory_adjustment', set, ctx, entityKeys.stock(h.facility ?? ''), h);
  doc.adjustmentNumber = adjustmentNumber;
  return [doc];
});

/** W19-01 reason, W19-02 credit/debit quantity (signed), W19-03 unit, W19-05/06 product id, W19-09 lot. */
function readW19(r: SetReader, w19: Segment, h: StockHeader<Line>): void {
  const code = r.req(w19, 1, 'adjustment reason code');
  const quantity = r.decimal(w19, 2, 'credit/debit quantity');
  const uom = r.req(w19, 3, 'unit of measure');
  const ids = readProductIds(w19, ID_POSITIONS, 4);
  if (!ids.sku) r.error('X12_ELEMENT_MISSING', 'W19 names no product: W19-05/06 must give an item id.', w19, 6);
  let reason = REASON_FROM_181[code];
  if (code && !reason) {
    r.error('X12_CODE_UNKNOWN', `W19-01 reason code ${JSON.stringify(code)} has no canonical meaning; read as 'other'.`, w19, 1, 'warning');
    reason = 'other';
  }
  const line: Line = { sku: ids.sku ?? '', quantity: quantity ?? '0', uom, reason: reason ?? 'other', serials: [] };
  const lot = r.el(w19, 9) || ids.lot;
  if (lot !== undefined) line.lot = lot;
  for (let s = r.peek(); s && (s.id === 'G69' || s.id === 'N9' || s.id === 'W20' || s.id === 'QTY'); s = r.peek()) {
    r.next();
    if (s.id === 'G69' && r.el(s, 1)) line.note = r.el(s, 1);
    if (s.id !== 'N9') continue;
    // N9-01 LT lot, SE serial, and for status moves 'FS'/'TS' (mutually defined here) from and to status.
    const q = r.el(s, 1);
    if (q === 'LT') line.lot = r.el(s, 2);
    else if (q === 'SE' && r.el(s, 2)) line.serials.push(r.el(s, 2));
    else if (q === 'FS') line.fromStatus = r.el(s, 2);
    else if (q === 'TS') line.toStatus = r.el(s, 2);
  }
  if (quantity !== undefined && ids.sku) h.lines.push(line);
}

export function encode947(doc: InventoryAdjustment): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  segs.push(['W15', x12Date(doc.occurredAt), doc.adjustmentNumber]);
  writeFacility(segs, 'WH', doc);
  writeReferences(segs, 'N9', doc.references);
  let n = 0;
  for (const l of doc.lines) {
    segs.push(['LX', String(++n)]);
    const pairs = productIdPairs(l.sku);
    const lotFits = l.lot !== undefined && l.lot.length <= 12;
    segs.push(['W19', REASON_TO_181[l.reason], l.quantity, l.uom, '', pairs[0]!, pairs[1]!, '', '', lotFits ? l.lot! : '']);
    if (l.note) segs.push(['G69', l.note]);
    if (l.lot && !lotFits) segs.push(['N9', 'LT', l.lot]);
    for (const s of l.serials) segs.push(['N9', 'SE', s]);
    if (l.fromStatus) segs.push(['N9', 'FS', l.fromStatus]);
    if (l.toStatus) segs.push(['N9', 'TS', l.toStatus]);
  }
  return { id: '947', segments: segs, errors: [] };
}
