// 945s and 856s both list what shipped as item pieces (one W12, one item HL), some inside packages. How
// a shipment becomes pieces is shared with EDIFACT (../../shipment-pieces.ts); how X12 pieces read back
// into lines is X12's own.
import type { Shipment } from '../../../model/index.ts';
import { addQuantities } from '../../quantities.ts';
import type { ItemPiece } from '../../shipment-pieces.ts';

export { fillPackageLines, piecesFromShipment, type ItemPiece } from '../../shipment-pieces.ts';

type Line = Shipment['lines'][number];

/**
 * Lines from pieces. Pieces merge into one line only when they are the same line: the same line number
 * (or both without one), the same SKU and the same unit. So the lots of one line, sent as several W12s
 * or items under one line number, add up to that line, while different products or units are never
 * summed. Quantities are summed, lots merged per lot, the first ordered quantity kept. A line sent
 * without a number gets the first number no numbered line uses: the order is then matched by SKU.
 */
export function linesFromPieces(pieces: readonly ItemPiece[]): Line[] {
  const out: Line[] = [];
  let unnumbered = false;
  // A Map only for long orders: most have a handful of lines, where a scan of `out` is cheaper than a Map per order.
  const byKey = pieces.length > 32 ? new Map<string, Line>() : null;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    let line = byKey !== null ? byKey.get(keyOf(p)) : findLine(out, p);
    if (line === undefined) {
      line = { lineNumber: p.lineNumber, sku: p.sku, quantity: '0', uom: p.uom, lots: [], serials: [] };
      out.push(line);
      byKey?.set(keyOf(p), line);
      if (p.lineNumber === '') unnumbered = true;
    }
    line.quantity = addQuantities(line.quantity, p.quantity);
    if (p.orderedQuantity !== undefined && line.orderedQuantity === undefined) line.orderedQuantity = p.orderedQuantity;
    if (p.lot) {
      let lot: { lot: string; quantity: string } | undefined;
      for (let j = 0; j < line.lots.length; j++) {
        if (line.lots[j]!.lot === p.lot) {
          lot = line.lots[j];
          break;
        }
      }
      if (lot) lot.quantity = addQuantities(lot.quantity, p.quantity);
      else line.lots.push({ lot: p.lot, quantity: p.quantity });
    }
    for (let j = 0; j < p.serials.length; j++) line.serials.push(p.serials[j]!);
  }
  if (unnumbered) numberLines(out, pieces);
  return out;
}

function keyOf(p: ItemPiece): string {
  return `${p.lineNumber}\u0000${p.sku}\u0000${p.uom}`;
}

function findLine(lines: Line[], p: ItemPiece): Line | undefined {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.lineNumber === p.lineNumber && l.sku === p.sku && l.uom === p.uom) return l;
  }
  return undefined;
}

/** Lines sent without a number get 1, 2, 3... skipping the numbers other lines were sent with; their pieces follow. */
function numberLines(lines: Line[], pieces: readonly ItemPiece[]): void {
  const used = new Set<string>();
  for (const l of lines) if (l.lineNumber !== '') used.add(l.lineNumber);
  const given = new Map<string, string>();
  let next = 1;
  for (const l of lines) {
    if (l.lineNumber !== '') continue;
    while (used.has(String(next))) next++;
    l.lineNumber = String(next++);
    given.set(`\u0000${l.sku}\u0000${l.uom}`, l.lineNumber);
  }
  // Package contents name the line too.
  for (const p of pieces) if (p.lineNumber === '') p.lineNumber = given.get(keyOf(p)) ?? p.lineNumber;
}
