// DESADV and RECADV list what moved as item pieces (one LIN each), some inside packs. A canonical shipment
// keeps lines (with lots, expiry, serials, ordered quantity) and packages (with their contents) apart; these
// turn one into the other so that writing and reading back gives the same document.
import type { Shipment } from '../../../model/index.ts';
import { addDecimals as addExact, compareDecimals, subtractDecimals } from '../../../model/index.ts';

/** a + b: whole numbers (nearly every quantity) without going through big.js, which costs on every line. */
function addDecimals(a: string, b: string): string {
  if (/^\d{1,15}$/.test(a) && /^\d{1,15}$/.test(b)) return String(Number(a) + Number(b));
  return addExact(a, b);
}

/** One LIN of a DESADV. */
export interface ItemPiece {
  lineNumber: string;
  sku: string;
  quantity: string;
  uom: string;
  lot?: string;
  /** DTM 361 best before (or 36 expiry) of the piece's lot. */
  expiryDate?: string;
  orderedQuantity?: string;
  serials: string[];
  /** Index into the shipment's packages, or null when the piece is loose. */
  packageIndex: number | null;
}

type Line = Shipment['lines'][number];

/** q > 0, without big.js for the usual whole number. */
function isPositive(q: string): boolean {
  if (/^\d{1,15}$/.test(q)) return q !== '0' && !/^0+$/.test(q);
  return compareDecimals(q, '0') > 0;
}

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

/**
 * Pieces to write: every package's contents, then what of each line is not in a package (per lot, then
 * unlotted). A line's ordered quantity and serials ride on its first piece; a lot's expiry on each of its pieces.
 */
export function piecesFromShipment(doc: Pick<Shipment, 'lines' | 'packages'>): ItemPiece[] {
  const out: ItemPiece[] = [];
  const firstOf = new Map<string, ItemPiece>();
  const lineOf = new Map(doc.lines.map((l) => [l.lineNumber, l]));
  const expiryOf = (lineNumber: string, lot: string | undefined): string | undefined => (lot ? lineOf.get(lineNumber)?.lots.find((l) => l.lot === lot)?.expiryDate : undefined);
  const packed = new Map<string, string>();
  doc.packages.forEach((pkg, i) => {
    for (const pl of pkg.lines) {
      const piece: ItemPiece = { lineNumber: pl.lineNumber, sku: pl.sku, quantity: pl.quantity, uom: pl.uom, serials: [], packageIndex: i };
      if (pl.lot) piece.lot = pl.lot;
      const expiry = expiryOf(pl.lineNumber, pl.lot);
      if (expiry) piece.expiryDate = expiry;
      out.push(piece);
      if (!firstOf.has(pl.lineNumber)) firstOf.set(pl.lineNumber, piece);
      const k = `${pl.lineNumber}|${pl.lot ?? ''}`;
      packed.set(k, addDecimals(packed.get(k) ?? '0', pl.quantity));
    }
  });
  for (const line of doc.lines) {
    let lotted = '0';
    for (const lot of line.lots) {
      lotted = addDecimals(lotted, lot.quantity);
      const rest = subtractDecimals(lot.quantity, packed.get(`${line.lineNumber}|${lot.lot}`) ?? '0');
      if (compareDecimals(rest, '0') > 0) loose(out, firstOf, line, rest, lot.lot, lot.expiryDate);
    }
    const rest = subtractDecimals(subtractDecimals(line.quantity, lotted), packed.get(`${line.lineNumber}|`) ?? '0');
    if (compareDecimals(rest, '0') > 0 || !firstOf.has(line.lineNumber)) loose(out, firstOf, line, compareDecimals(rest, '0') > 0 ? rest : '0', undefined, undefined);
  }
  for (const [n, piece] of firstOf) {
    const line = lineOf.get(n);
    if (!line) continue;
    if (line.orderedQuantity !== undefined) piece.orderedQuantity = line.orderedQuantity;
    piece.serials = line.serials;
  }
  return out;
}

function loose(out: ItemPiece[], firstOf: Map<string, ItemPiece>, line: Line, quantity: string, lot: string | undefined, expiry: string | undefined): void {
  const piece: ItemPiece = { lineNumber: line.lineNumber, sku: line.sku, quantity, uom: line.uom, serials: [], packageIndex: null };
  if (lot) piece.lot = lot;
  if (expiry) piece.expiryDate = expiry;
  out.push(piece);
  if (!firstOf.has(line.lineNumber)) firstOf.set(line.lineNumber, piece);
}

/** Every package's contents from pieces (packages' `lines` start empty). */
export function fillPackageLines(pieces: readonly ItemPiece[], packages: Shipment['packages']): void {
  for (const p of pieces) {
    if (p.packageIndex === null || !isPositive(p.quantity)) continue;
    const l: Shipment['packages'][number]['lines'][number] = { lineNumber: p.lineNumber, sku: p.sku, quantity: p.quantity, uom: p.uom };
    if (p.lot) l.lot = p.lot;
    packages[p.packageIndex]!.lines.push(l);
  }
}
