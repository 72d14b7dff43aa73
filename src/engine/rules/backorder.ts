import type { SalesOrder } from '../../model/index.ts';
import type { OrderLedger } from './ledger.ts';
import { cmp } from './quantity.ts';
import { openOf } from './views.ts';
import { lineName, qty } from './words.ts';

/**
 * Why a backorder's lines do not fit what is open on the order, if they do not: a line the order
 * does not have (`unknown`), or more than is open (`behind`). The ERP opens its backorder when a
 * shipment is applied to it, so a backorder read while a later shipment is still on its way to
 * the ERP asks for what that shipment has since filled.
 */
export function backorderMisfit(ledger: OrderLedger, doc: SalesOrder): { kind: 'unknown' | 'behind'; message: string; path: string } | undefined {
  for (let i = 0; i < doc.lines.length; i++) {
    const want = doc.lines[i]!;
    const line = ledger.lines.find((l) => !l.unordered && l.lineNumber === want.lineNumber && l.sku === want.sku && l.uom === want.uom);
    if (!line) return { kind: 'unknown', path: `$.lines[${i}]`, message: `${lineName(want)} in ${want.uom} is not a line of the order` };
    const open = openOf(line);
    if (cmp(want.quantity, open) > 0) {
      return {
        kind: 'behind',
        path: `$.lines[${i}].quantity`,
        message: `${lineName(want)} asks for ${qty(want.quantity, want.uom)}, but ${qty(open, want.uom)} ${open === '1' ? 'is' : 'are'} open (ordered ${line.ordered}, shipped ${line.shipped}, cancelled ${line.cancelled})`,
      };
    }
  }
  return undefined;
}
