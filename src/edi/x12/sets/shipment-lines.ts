// 945s and 856s both list what shipped as item pieces, some inside packages. A canonical shipment keeps
// lines (with lots, serials, ordered quantity) and packages (with their own contents) apart; these
// helpers turn one into the other so that writing and reading back gives the same shipment.
import { compareDecimals, subtractDecimals } from '../../../model/index.ts';
import { addQuantities, isPositiveQuantity } from './common.ts';
import type { Shipment } from '../../../model/index.ts';

/** One W12 (945) or one item HL (856). */
export interface ItemPiece {
  lineNumber: string;
  sku: string;
  quantity: string;
  uom: string;
  lot?: string;
  orderedQuantity?: string;
  serials: string[];
  /** Index into the shipment's packages, or null when the piece is loose. */
  packageIndex: number | null;
}

type Line = Shipment['lines'][number];

/** Lines from pieces: quantities summed per line number, lots merged per lot, the first ordered quantity kept. */
export function linesFromPieces(pieces: readonly ItemPiece[]): Line[] {
  const out: Line[] = [];
  // A Map only for long orders: most have a handful of lines, where a scan of `out` is cheaper than a Map per order.
  const byNumber = pieces.length > 32 ? new Map<string, Line>() : null;
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    let line = byNumber !== null ? byNumber.get(p.lineNumber) : findLine(out, p.lineNumber);
    if (line === undefined) {
      line = { lineNumber: p.lineNumber, sku: p.sku, quantity: '0', uom: p.uom, lots: [], serials: [] };
      out.push(line);
      byNumber?.set(p.lineNumber, line);
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
  return out;
}

function findLine(lines: Line[], lineNumber: string): Line | undefined {
  for (let i = 0; i < lines.length; i++) if (lines[i]!.lineNumber === lineNumber) return lines[i];
  return undefined;
}

/**
 * Pieces to write: every package's contents, then what of each line is not in a package (per lot, then
 * unlotted). A line's ordered quantity and serials ride on its first piece.
 */
export function piecesFromShipment(doc: Pick<Shipment, 'lines' | 'packages'>): ItemPiece[] {
  const out: ItemPiece[] = [];
  const firstOf = new Map<string, ItemPiece>();
  const lineOf = new Map(doc.lines.map((l) => [l.lineNumber, l]));
  const packed = new Map<string, string>(); // lineNumber|lot -> quantity in packages
  doc.packages.forEach((pkg, i) => {
    for (const pl of pkg.lines) {
      const piece: ItemPiece = { lineNumber: pl.lineNumber, sku: pl.sku, quantity: pl.quantity, uom: pl.uom, serials: [], packageIndex: i };
      if (pl.lot) piece.lot = pl.lot;
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
      if (compareDecimals(rest, '0') > 0) pushLoose(out, firstOf, line, rest, lot.lot);
    }
    const rest = subtractDecimals(subtractDecimals(line.quantity, lotted), packed.get(`${line.lineNumber}|`) ?? '0');
    if (compareDecimals(rest, '0') > 0 || !firstOf.has(line.lineNumber)) pushLoose(out, firstOf, line, compareDecimals(rest, '0') > 0 ? rest : '0', undefined);
  }
  for (const [n, piece] of firstOf) {
    const line = lineOf.get(n);
    if (!line) continue;
    if (line.orderedQuantity !== undefined) piece.orderedQuantity = line.orderedQuantity;
    piece.serials = line.serials;
  }
  return out;
}

function pushLoose(out: ItemPiece[], firstOf: Map<string, ItemPiece>, line: Line, quantity: string, lot: string | undefined): void {
  const piece: ItemPiece = { lineNumber: line.lineNumber, sku: line.sku, quantity, uom: line.uom, serials: [], packageIndex: null };
  if (lot) piece.lot = lot;
  out.push(piece);
  if (!firstOf.has(line.lineNumber)) firstOf.set(line.lineNumber, piece);
}

/** Package contents from pieces. */
export function packageLines(pieces: readonly ItemPiece[], index: number): Shipment['packages'][number]['lines'] {
  const out: Shipment['packages'][number]['lines'] = [];
  for (const p of pieces) {
    if (p.packageIndex !== index || !isPositiveQuantity(p.quantity)) continue;
    const l: Shipment['packages'][number]['lines'][number] = { lineNumber: p.lineNumber, sku: p.sku, quantity: p.quantity, uom: p.uom };
    if (p.lot) l.lot = p.lot;
    out.push(l);
  }
  return out;
}

/** Every package's contents from pieces in one pass (packages' `lines` start empty): what packageLines does for each index. */
export function fillPackageLines(pieces: readonly ItemPiece[], packages: Shipment['packages']): void {
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]!;
    if (p.packageIndex === null || !isPositiveQuantity(p.quantity)) continue;
    const l: Shipment['packages'][number]['lines'][number] = { lineNumber: p.lineNumber, sku: p.sku, quantity: p.quantity, uom: p.uom };
    if (p.lot) l.lot = p.lot;
    packages[p.packageIndex]!.lines.push(l);
  }
}
