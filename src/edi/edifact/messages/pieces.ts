// DESADV and RECADV list what moved as item pieces (one LIN each), some inside packs. How a shipment
// becomes pieces is shared with X12 (../../shipment-pieces.ts); how EDIFACT pieces read back into lines
// is EDIFACT's own.
import type { Shipment } from '../../../model/index.ts';
import { addDecimals as addExact } from '../../../model/index.ts';
import type { ItemPiece } from '../../shipment-pieces.ts';

export { fillPackageLines, piecesFromShipment, type ItemPiece } from '../../shipment-pieces.ts';

/** a + b: whole numbers (nearly every quantity) without going through big.js, which costs on every line. */
function addDecimals(a: string, b: string): string {
  if (/^\d{1,15}$/.test(a) && /^\d{1,15}$/.test(b)) return String(Number(a) + Number(b));
  return addExact(a, b);
}

type Line = Shipment['lines'][number];

/** Lines from pieces: quantities summed per line number, lots merged per lot, the first ordered quantity kept. */
export function linesFromPieces(pieces: readonly ItemPiece[]): Line[] {
  const out: Line[] = [];
  const byNumber = new Map<string, Line>();
  for (const p of pieces) {
    let line = byNumber.get(p.lineNumber);
    if (line === undefined) {
      line = { lineNumber: p.lineNumber, sku: p.sku, quantity: '0', uom: p.uom, lots: [], serials: [] };
      out.push(line);
      byNumber.set(p.lineNumber, line);
    }
    line.quantity = addDecimals(line.quantity, p.quantity);
    if (p.orderedQuantity !== undefined && line.orderedQuantity === undefined) line.orderedQuantity = p.orderedQuantity;
    if (p.lot) {
      const lot = line.lots.find((l) => l.lot === p.lot);
      if (lot) {
        lot.quantity = addDecimals(lot.quantity, p.quantity);
        if (lot.expiryDate === undefined && p.expiryDate !== undefined) lot.expiryDate = p.expiryDate;
      } else line.lots.push(p.expiryDate !== undefined ? { lot: p.lot, quantity: p.quantity, expiryDate: p.expiryDate } : { lot: p.lot, quantity: p.quantity });
    }
    for (const s of p.serials) line.serials.push(s);
  }
  // Loose items come under the consignment level, before the packs: numbered lines go back in number order.
  if (out.every((l) => /^\d{1,9}$/.test(l.lineNumber))) out.sort((a, b) => Number(a.lineNumber) - Number(b.lineNumber));
  return out;
}
