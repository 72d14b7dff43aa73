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
