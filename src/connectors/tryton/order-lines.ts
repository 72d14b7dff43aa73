import Big from 'big.js';
import { rejected } from './errors.ts';
import type { ProductInfo } from './lookup.ts';

/** An order line in Tryton (sale.line or purchase.line) with what is still open on it. */
export interface OpenLine {
  lineId: number;
  lineNumber: string;
  productId: number;
  open: Big;
}

/** A line of a warehouse confirmation: what was shipped or received, and in which lots. */
export interface ConfirmedLine {
  lineNumber?: string;
  sku: string;
  quantity: string;
  lots: Array<{ lot: string; quantity: string; expiryDate?: string }>;
}

export interface LinePlan {
  lineId: number;
  quantity: Big;
  lots: Array<{ lot: string | null; quantity: Big; expiryDate?: string }>;
}

/**
 * Matches confirmed lines to the order's lines (by line number when it names a line of that SKU,
 * else the first line of that SKU with something open). Whether the quantities and lots are
 * acceptable (over-shipment, lots of a lot-tracked SKU, lot totals) is the rules step's decision,
 * taken before the document reached this connector under the flow's policy: an over-shipment the
 * policy accepted is written as it was shipped. What stays here is what only Tryton can answer:
 * which sale line a SKU is on.
 */
export function planLines(orderNumber: string, openLines: OpenLine[], confirmed: ConfirmedLine[], products: Map<string, ProductInfo>): Map<number, LinePlan> {
  const plans = new Map<number, LinePlan>();
  const planned = (lineId: number) => plans.get(lineId)?.quantity ?? new Big(0);
  for (const line of confirmed) {
    const product = products.get(line.sku)!;
    const quantity = new Big(line.quantity);
    if (quantity.eq(0)) continue;
    const byNumber = openLines.find((l) => l.lineNumber === line.lineNumber && l.productId === product.id);
    const target = byNumber ?? openLines.find((l) => l.productId === product.id && l.open.minus(planned(l.lineId)).gt(0))
      ?? openLines.find((l) => l.productId === product.id);
    if (!target) throw rejected(`order ${orderNumber} has no line for ${line.sku} in Tryton`);
    const lots = line.lots.length > 0
      ? line.lots.filter((l) => !new Big(l.quantity).eq(0)).map((l) => ({ lot: l.lot, quantity: new Big(l.quantity), ...(l.expiryDate ? { expiryDate: l.expiryDate } : {}) }))
      : [{ lot: null, quantity }];
    const plan = plans.get(target.lineId) ?? { lineId: target.lineId, quantity: new Big(0), lots: [] };
    plan.quantity = plan.quantity.plus(quantity);
    plan.lots.push(...lots);
    plans.set(target.lineId, plan);
  }
  return plans;
}
