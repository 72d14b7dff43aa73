import type { CausewayError, Decimal } from '../../model/index.ts';
import { cmp, plus } from './quantity.ts';

/** A line of an order or a purchase order, as far as matching goes. */
export interface PlannedLine {
  lineNumber?: string;
  sku: string;
  uom: string;
  /** A line the warehouse shipped (or received) that was never planned, kept so later documents match it by SKU and unit. */
  unordered?: true;
  unexpected?: true;
}

/** A line of a shipment or a receipt. */
export interface ConfirmedLine {
  lineNumber?: string;
  sku: string;
  uom: string;
  quantity: Decimal;
}

const unplanned = (p: PlannedLine): boolean => p.unordered === true || p.unexpected === true;

export interface LineMatches {
  /** For each confirmed line, the index of the planned line it counts against; -1 when none. */
  targets: number[];
  /** Differences from the plan, each naming the confirmed line at fault. */
  findings: CausewayError[];
}

export interface MatchWords {
  /** "shipment SH-1" */
  document: string;
  /** "order SO-1" */
  plan: string;
}

/**
 * Matches a shipment's (or a receipt's) lines to the order's (or purchase order's). A line number
 * that names a line of the same SKU and unit matches it. Otherwise, and for lines with no number,
 * the line goes to the first line of the same SKU and unit with something still open, else the
 * first of that SKU and unit. Quantities only ever add up on a line of the same SKU and the same
 * unit: a line of another SKU or unit is never merged, only reported (and, when nothing matches,
 * left unmatched for the caller to count as unplanned).
 */
export function matchLines(planned: readonly PlannedLine[], confirmed: readonly ConfirmedLine[], open: (index: number) => Decimal, words: MatchWords): LineMatches {
  const targets: number[] = [];
  const findings: CausewayError[] = [];
  const taken = new Map<number, Decimal>();
  const room = (j: number) => cmp(open(j), taken.get(j) ?? '0') > 0;

  for (let i = 0; i < confirmed.length; i++) {
    const line = confirmed[i]!;
    const path = `$.lines[${i}]`;
    let target = -1;
    let numbered = -1;
    const before = findings.length;
    if (line.lineNumber !== undefined) {
      numbered = planned.findIndex((p) => !unplanned(p) && p.lineNumber === line.lineNumber);
      const named = planned[numbered];
      if (named && named.sku === line.sku && named.uom === line.uom) {
        target = numbered;
      } else if (named && named.sku !== line.sku) {
        findings.push({ code: 'DOCUMENT_CHAIN', path: `${path}.sku`, message: `${words.document} line ${line.lineNumber} is ${line.sku}; line ${line.lineNumber} of ${words.plan} is ${named.sku}` });
      } else if (named) {
        findings.push({ code: 'DOCUMENT_CHAIN', path: `${path}.uom`, message: `${words.document} line ${line.lineNumber} (${line.sku}) is in ${line.uom}; ${words.plan} has it in ${named.uom}, and units are never added up` });
      }
    }
    if (target < 0) {
      let first = -1;
      for (let j = 0; j < planned.length; j++) {
        const p = planned[j]!;
        if (p.sku !== line.sku || p.uom !== line.uom) continue;
        if (first < 0) first = j;
        if (room(j)) { target = j; break; }
      }
      if (target < 0) target = first;
      const notPlanned = target < 0 || unplanned(planned[target]!);
      // A line number naming a line of another SKU or unit has said what is wrong with this line already.
      const said = findings.length > before;
      if (!said && notPlanned) {
        findings.push({ code: 'DOCUMENT_CHAIN', path, message: `${words.document} line ${line.lineNumber ?? i + 1}: ${line.sku} in ${line.uom} is not on ${words.plan}` });
      } else if (!said && line.lineNumber !== undefined && numbered < 0) {
        findings.push({ code: 'DOCUMENT_CHAIN', path: `${path}.lineNumber`, message: `${words.document} line ${line.lineNumber} (${line.sku}) is not a line of ${words.plan}; counted on its line ${planned[target]!.lineNumber ?? target + 1} of the same SKU and unit` });
      }
    }
    targets.push(target);
    if (target >= 0) taken.set(target, plus(taken.get(target) ?? '0', line.quantity));
  }
  return { targets, findings };
}
