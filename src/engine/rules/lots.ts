import { addDecimals, type CausewayError, type Decimal } from '../../model/index.ts';
import { cmp } from './quantity.ts';
import type { ItemFacts } from './context.ts';

export interface LotLine {
  lineNumber?: string;
  sku: string;
  quantity: Decimal;
  lots: ReadonlyArray<{ lot: string; quantity: Decimal; expiryDate?: string }>;
}

export interface LotCheck {
  /** The first line that cannot be applied: a lot-tracked SKU without a lot, or lots that do not add up. */
  refusal?: CausewayError;
  /** Lots past their expiry date on `onDate`. */
  expired: CausewayError[];
}

/**
 * Lots of a shipment's or a receipt's lines against the item master. `onDate` is the day the goods
 * moved (YYYY-MM-DD, the sender's local date): a lot that expired before it is flagged. An item the
 * lookup does not know is not checked for a missing lot: the item master may not have reached
 * Causeway yet, and refusing every line of it would stop the dock.
 */
export function checkLots(lines: readonly LotLine[], item: (sku: string) => ItemFacts | undefined, onDate: string, document: string): LotCheck {
  const expired: CausewayError[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const name = `${document} line ${line.lineNumber ?? i + 1} (${line.sku})`;
    if (line.lots.length === 0) {
      if (line.quantity !== '0' && item(line.sku)?.lotTracked) {
        return { expired, refusal: { code: 'LOT_MISSING', path: `$.lines[${i}]`, message: `${name}: ${line.sku} is lot-tracked in the item master and the line names no lot` } };
      }
      continue;
    }
    if (line.lots.length > 1 || line.lots[0]!.quantity !== line.quantity) {
      const total = addDecimals(...line.lots.map((l) => l.quantity));
      if (cmp(total, line.quantity) !== 0) {
        return { expired, refusal: { code: 'LOT_QUANTITY_MISMATCH', path: `$.lines[${i}].lots`, message: `${name}: the lots add up to ${total}, the line says ${line.quantity}` } };
      }
    }
    for (let k = 0; k < line.lots.length; k++) {
      const lot = line.lots[k]!;
      if (lot.expiryDate !== undefined && lot.expiryDate < onDate && lot.quantity !== '0') {
        expired.push({ code: 'LOT_EXPIRED', path: `$.lines[${i}].lots[${k}].expiryDate`, message: `${name}: lot ${lot.lot} expired on ${lot.expiryDate}, before the goods moved on ${onDate}` });
      }
    }
  }
  return { expired };
}
