// 944 Warehouse Stock Transfer Receipt Advice <-> receipt: what the warehouse actually received, per
// line, with lots, expiry, serials and damaged quantities (W13 exceptions).
import { entityKeys } from '../../../model/index.ts';
import type { Receipt } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { Segment } from '../tokenizer.ts';
import { addQuantities, productIdPairs, readItemN9, readProductIds, setDecoder, x12Date, type SetEncodeResult, type SetReader } from './common.ts';
import { openStockDocument, readStockHeader, stockLayout, type StockHeader } from './stock-header.ts';
import { writeFacility, writeReferences } from './write.ts';

const KNOWN = new Set(['W17', 'N1', 'N2', 'N3', 'N4', 'G61', 'PER', 'N9', 'REF', 'G62', 'NTE', 'W27', 'W10', 'LX', 'W07', 'W13', 'G69', 'W14', 'W20', 'QTY', 'FA1', 'FA2', 'MAN']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [4, 7];

/** W13-03 receiving condition code '01' is damaged product (W13-05 then gives the reason). */
const DAMAGED = '01';

const LAYOUT = stockLayout<Receipt['lines'][number]>(KNOWN, 'W07', readW07);

export const decode944 = setDecoder<Receipt>('W17', 'warehouse receipt identification', (r, w17, set, ctx) => {
  // W17-02 date received, W17-03 warehouse receipt number, W17-04 depositor order number, W17-05 shipment id.
  r.date(w17, 2, 'receipt date', true);
  const receiptNumber = r.req(w17, 3, 'warehouse receipt number');
  const poNumber = r.el(w17, 4) || undefined;
  const asnNumber = r.el(w17, 5) || undefined;
  const h = readStockHeader(r, LAYOUT, 'the receiving warehouse', 'W07', 'item detail for stock receipt');
  if (!receiptNumber) return [];
  const doc = openStockDocument<Receipt>('receipt', set, ctx, entityKeys.inbound(poNumber ?? asnNumber ?? receiptNumber), h);
  doc.receiptNumber = receiptNumber;
  doc.complete = true;
  if (poNumber !== undefined) doc.poNumber = poNumber;
  if (asnNumber !== undefined) doc.asnNumber = asnNumber;
  return [doc];
});

/** W07 loop: W07-01 quantity received, W07-02 unit, W07-03 U.P.C., W07-04/05 product id, W07-06 warehouse lot. */
function readW07(r: SetReader, w07: Segment, h: StockHeader<Receipt['lines'][number]>): void {
  const quantity = r.decimal(w07, 1, 'quantity received');
  const uom = r.req(w07, 2, 'unit of measure');
  const ids = readProductIds(w07, ID_POSITIONS, 3);
  if (!ids.sku) r.error('X12_ELEMENT_MISSING', 'W07 names no product: W07-04/05 must give an item id.', w07, 5);
  const line: Receipt['lines'][number] = { sku: ids.sku ?? '', quantity: quantity ?? '0', uom, damagedQuantity: '0', serials: [] };
  const lot = r.el(w07, 6);
  if (lot) line.lot = lot;
  for (let s = r.peek(); s && (s.id === 'G69' || s.id === 'N9' || s.id === 'G62' || s.id === 'QTY' || s.id === 'W13' || s.id === 'W20'); s = r.peek()) {
    r.next();
    if (s.id === 'W13') {
      // W13-01 quantity, W13-03 receiving condition.
      const q = r.decimal(s, 1, 'exception quantity');
      if (q !== undefined && r.el(s, 3) === DAMAGED) line.damagedQuantity = addQuantities(line.damagedQuantity, q);
    } else if (s.id === 'G62' && r.el(s, 1) === '36') {
      line.expiryDate = r.date(s, 2, 'expiration date');
    } else if (s.id === 'QTY' && r.el(s, 1) === '38') {
      // QTY-01 38, original quantity: what was expected.
      line.expectedQuantity = r.decimal(s, 2, 'expected quantity');
    } else if (s.id === 'N9') {
      readItemN9(r, s, line);
    }
  }
  h.lines.push(line);
}

export function encode944(doc: Receipt): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  segs.push(['W17', 'F', x12Date(doc.occurredAt), doc.receiptNumber, doc.poNumber ?? '', doc.asnNumber ?? '']);
  writeFacility(segs, 'WH', doc);
  writeReferences(segs, 'N9', doc.references);
  let total = '0';
  for (const l of doc.lines) {
    const pairs = productIdPairs(l.sku);
    const lotFits = l.lot !== undefined && l.lot.length <= 12;
    segs.push(['W07', l.quantity, l.uom, '', pairs[0]!, pairs[1]!, lotFits ? l.lot! : '']);
    if (l.lineNumber) segs.push(['N9', 'LI', l.lineNumber]);
    if (l.lot && !lotFits) segs.push(['N9', 'LT', l.lot]);
    for (const s of l.serials) segs.push(['N9', 'SE', s]);
    if (l.expiryDate) segs.push(['G62', '36', x12Date(l.expiryDate)]);
    if (l.expectedQuantity !== undefined) segs.push(['QTY', '38', l.expectedQuantity, l.uom]);
    // W13-05 exception reason is required with condition 01; 'DM' (damaged) unless the partner says otherwise.
    if (l.damagedQuantity !== '0') segs.push(['W13', l.damagedQuantity, l.uom, DAMAGED, '', 'DM']);
    total = addQuantities(total, l.quantity);
  }
  // W14-01 total quantity received.
  segs.push(['W14', total]);
  return { id: '944', segments: segs, errors: [] };
}
