import type { CausewayError } from './errors.ts';
import { CausewayFault } from './errors.ts';
import { compareDecimals, divideDecimals, multiplyDecimals, type Decimal } from './decimal.ts';

/** What a unit conversion needs to know of an item: its base unit and the factors to it. */
export interface ItemUnits {
  sku: string;
  baseUom: string;
  conversions: ReadonlyArray<{ uom: string; factor: Decimal }>;
}

function factorOf(item: ItemUnits, uom: string): Decimal | undefined {
  if (uom === item.baseUom) return '1';
  return item.conversions.find((c) => c.uom === uom)?.factor;
}

/** Converts through the item's base unit; throws a fault naming the unit the item does not know. */
export function convertQuantity(quantity: Decimal, from: string, to: string, item: ItemUnits): Decimal {
  if (from === to) return quantity;
  const fromFactor = factorOf(item, from);
  const toFactor = factorOf(item, to);
  if (fromFactor === undefined || toFactor === undefined) {
    const missing: CausewayError = {
      code: 'UOM_UNKNOWN',
      message: `item ${item.sku} has no conversion for unit ${fromFactor === undefined ? from : to} (base unit ${item.baseUom})`,
    };
    throw new CausewayFault(missing);
  }
  const base = multiplyDecimals(quantity, fromFactor);
  const converted = divideDecimals(base, toFactor);
  // 10 EA in cases of 12 is 0.8333... CS: rounded to 9 places it would go out as a quantity nobody
  // sent, and 12 of them would not make the 10 again. Only an exact conversion goes out.
  if (compareDecimals(multiplyDecimals(converted, toFactor), base) !== 0) {
    throw new CausewayFault({
      code: 'UOM_INEXACT',
      message: `${quantity} ${from} of item ${item.sku} does not convert exactly to ${to} (1 ${to} = ${divideDecimals(toFactor, fromFactor)} ${from}): it is ${converted}... ${to}, and rounding it would send a quantity nobody sent`,
    });
  }
  return converted;
}
