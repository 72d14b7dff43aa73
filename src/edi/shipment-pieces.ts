// Both EDI engines list what shipped as item pieces (an X12 945's W12s, an 856's item HLs, a DESADV's
// LINs), some inside packages. A canonical shipment keeps lines (with lots, expiry, serials, ordered
// quantity) and packages (with their contents) apart; these turn a shipment into pieces to write, and
// read pieces back into package contents. Reading pieces back into lines differs by syntax (X12 merges
// by line, SKU and unit and numbers unnumbered lines), so each engine keeps its own linesFromPieces.
import { compareDecimals, subtractDecimals } from '../model/index.ts';
import type { Shipment } from '../model/index.ts';
import { addQuantities, isPositiveQuantity } from './quantities.ts';

/** One item piece: a W12 (945), an item HL (856) or a LIN (DESADV). */
export interface ItemPiece {
  lineNumber: string;
  sku: string;
  quantity: string;
  uom: string;
  lot?: string;
  /** The expiry (or best before) of the piece's lot; written by EDIFACT (DTM 361/36), not by X12. */
  expiryDate?: string;
  orderedQuantity?: string;
  serials: string[];
  /** Index into the shipment's packages, or null when the piece is loose. */
  packageIndex: number | null;
}

type Line = Shipment['lines'][number];

/**
 * Pieces to write: every package's contents, then what of each line is not in a package (per lot, then
 * unlotted). A line's ordered quantity and serials ride on its first piece; a lot's expiry on each of its pieces.
 */
export function piecesFromShipment(doc: Pick<Shipment, 'lines' | 'packages'>): ItemPiece[] {
  const out: ItemPiece[] = [];
  const firstOf = new Map<string, ItemPiece>();
  const lineOf = new Map(doc.lines.map((l) => [l.lineNumber, l]));
  const expiryOf = (lineNumber: string, lot: string | undefined): string | undefined => (lot ? lineOf.get(lineNumber)?.lots.find((l) => l.lot === lot)?.expiryDate : undefined);
  const packed = new Map<string, string>(); // lineNumber|lot -> quantity in packages
  doc.packages.forEach((pkg, i) => {
    for (const pl of pkg.lines) {
      const piece: ItemPiece = { lineNumber: pl.lineNumber, sku: pl.sku, quantity: pl.quantity, uom: pl.uom, serials: [], packageIndex: i };
      if (pl.lot) piece.lot = pl.lot;
      const expiry = expiryOf(pl.lineNumber, pl.lot);
      if (expiry) piece.expiryDate = expiry;
      out.push(piece);
      if (!firstOf.has(pl.lineNumber)) firstOf.set(pl.lineNumber, piece);
      const k = `${pl.lineNumber}|${pl.lot ?? ''}`;
      packed.set(k, addQuantities(packed.get(k) ?? '0', pl.quantity));
    }
  });
  for (const line of doc.lines) {
    let lotted = '0';
    for (const lot of line.lots) {
      lotted = addQuantities(lotted, lot.quantity);
      const rest = subtractDecimals(lot.quantity, packed.get(`${line.lineNumber}|${lot.lot}`) ?? '0');
      if (compareDecimals(rest, '0') > 0) pushLoose(out, firstOf, line, rest, lot.lot, lot.expiryDate);
    }
    const rest = subtractDecimals(subtractDecimals(line.quantity, lotted), packed.get(`${line.lineNumber}|`) ?? '0');
    if (compareDecimals(rest, '0') > 0 || !firstOf.has(line.lineNumber)) pushLoose(out, firstOf, line, compareDecimals(rest, '0') > 0 ? rest : '0', undefined, undefined);
  }
  for (const [n, piece] of firstOf) {
    const line = lineOf.get(n);
    if (!line) continue;
    if (line.orderedQuantity !== undefined) piece.orderedQuantity = line.orderedQuantity;
    piece.serials = line.serials;
  }
  return out;
}

function pushLoose(out: ItemPiece[], firstOf: Map<string, ItemPiece>, line: Line, quantity: string, lot: string | undefined, expiry: string | undefined): void {
  const piece: ItemPiece = { lineNumber: line.lineNumber, sku: line.sku, quantity, uom: line.uom, serials: [], packageIndex: null };
  if (lot) piece.lot = lot;
  if (expiry) piece.expiryDate = expiry;
  out.push(piece);
  if (!firstOf.has(line.lineNumber)) firstOf.set(line.lineNumber, piece);
}

/** Every package's contents from pieces in one pass (packages' `lines` start empty). */
export function fillPackageLines(pieces: readonly ItemPiece[], packages: Shipment['packages']): void {
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (p.packageIndex === null || !isPositiveQuantity(p.quantity)) continue;
    const l: Shipment['packages'][number]['lines'][number] = { lineNumber: p.lineNumber, sku: p.sku, quantity: p.quantity, uom: p.uom };
    if (p.lot) l.lot = p.lot;
    packages[p.packageIndex]!.lines.push(l);
  }
}
