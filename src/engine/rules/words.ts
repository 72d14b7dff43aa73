import type { Decimal } from '../../model/index.ts';

/** How quantities, lines and documents are named in the sentences the rules say. */

export const qty = (quantity: Decimal, uom: string): string => `${quantity} ${uom}`;

export const lineName = (line: { lineNumber?: string; sku: string }, index?: number): string =>
  `line ${line.lineNumber ?? (index === undefined ? '?' : index + 1)} (${line.sku})`;

export const list = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

/** The local calendar day of an ISO-8601 time, as the sender wrote it. */
export const dayOf = (time: string): string => time.slice(0, 10);
