// DESADV and RECADV list what moved as item pieces (one LIN each), some inside packs. How a shipment
// becomes pieces is shared with X12 (../../shipment-pieces.ts); how EDIFACT pieces read back into lines
// is EDIFACT's own.
import type { Shipment } from '../../../model/index.ts';
import { addDecimals as addExact } from '../../../model/index.ts';
import type { ItemPiece } from '../../shipment-pieces.ts';

export { fillPackageLines, piecesFromShipment, type ItemPiece } from '../../shipment-pieces.ts';

/** a + b: whole numbers (nearly every quantity) without going through big.js, which costs on every line. */
function addDecimals(a: string, b: string): string {
  if (a === '0' && isCanonicalWhole(b)) return b;
  if (isWhole(a, 15) && isWhole(b, 15)) return String(Number(a) + Number(b));
  return addExact(a, b);
}

/** 1 to `max` digits, read by char codes: called for every piece, where a regex per call shows. */
function isWhole(v: string, max: number): boolean {
  const n = v.length;
  if (n === 0 || n > max) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A whole number already as String(Number(v)) writes it: no leading zero, at most 15 digits. */
function isCanonicalWhole(v: string): boolean {
  return isWhole(v, 15) && (v.length === 1 || v.charCodeAt(0) !== 48);
}

type Line = Shipment['lines'][number];

/** Lines from pieces: quantities summed per line number, lots merged per lot, the first ordered quantity kept. */
export function linesFromPieces(pieces: readonly ItemPiece[]): Line[] {
  const out: Line[] = [];
  // A message has a few lines: found by a look along them, no map made per message.
  for (const p of pieces) {
    let line: Line | undefined;
    for (let i = 0; i < out.length; i++) {
      if (out[i]!.lineNumber === p.lineNumber) {
        line = out[i];
        break;
      }
    }
    if (line === undefined) {
      line = { lineNumber: p.lineNumber, sku: p.sku, quantity: '0', uom: p.uom, lots: [], serials: [] };
      out.push(line);
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
  let numbered = true;
  let ordered = true;
  for (let i = 0; i < out.length && numbered; i++) {
    numbered = isWhole(out[i]!.lineNumber, 9);
    if (numbered && i > 0 && Number(out[i - 1]!.lineNumber) > Number(out[i]!.lineNumber)) ordered = false;
  }
  if (numbered && !ordered) out.sort((a, b) => Number(a.lineNumber) - Number(b.lineNumber));
  return out;
}
