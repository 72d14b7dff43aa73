// The header of the warehouse's stock reports (944 receipts, 947 adjustments): references, the facility
// (N1 WH) and the depositor (N1 DE), over the set's own detail loop.
import type { CanonicalDocument } from '../../../model/index.ts';
import type { TransactionSet } from '../reader.ts';
import type { Segment } from '../tokenizer.ts';
import { openDocument, type DecodeContext, type Reference, type SetReader } from './common.ts';
import { defineLayout, readWarehouseBody, type Layout } from './layout.ts';

export interface StockHeader<L> {
  references: Reference[];
  facility: string | undefined;
  depositor: string | undefined;
  lines: L[];
}

/** The layout: N1 WH/DE, N9 and REF as references, and the detail segment read by `reader`. */
export function stockLayout<L>(segments: ReadonlySet<string>, detail: string, reader: (r: SetReader, seg: Segment, h: StockHeader<L>) => void): Layout<StockHeader<L>> {
  return defineLayout<StockHeader<L>>({
    segments,
    rules: {
      [detail]: { read: 'loop', reader },
      N1: { read: 'party', entities: { WH: { as: 'facility', rank: 0 }, DE: { as: 'code', to: 'depositor' } } },
      N9: { read: 'reference' },
      REF: { read: 'reference' },
    },
  });
}

/** Reads the body after the beginning segment and reports a missing facility or detail. */
export function readStockHeader<L>(r: SetReader, layout: Layout<StockHeader<L>>, facility: string, detail: string, detailWhat: string): StockHeader<L> {
  const h: StockHeader<L> = { references: [], facility: undefined, depositor: undefined, lines: [] };
  readWarehouseBody(r, layout, h, facility, { segment: detail, what: detailWhat, count: (s) => s.lines.length });
  return h;
}

/** The document with its envelope, facility, depositor and lines from the header; the caller adds the rest. */
export function openStockDocument<D extends CanonicalDocument & { facility: string; depositor?: string; lines: unknown[] }>(
  type: D['type'], set: TransactionSet, ctx: DecodeContext, entityKey: string, h: StockHeader<D['lines'][number]>,
): D {
  const doc = openDocument<D>(type, set, ctx, 0, entityKey, h.references);
  doc.facility = h.facility ?? '';
  doc.lines = h.lines;
  if (h.depositor !== undefined) doc.depositor = h.depositor;
  return doc;
}
