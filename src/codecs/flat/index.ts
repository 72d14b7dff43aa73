// Flat files: CSV and fixed-width records, mapped to canonical documents by a layout in the endpoint's codecOptions.
export { csvCodec, decodeCsv, encodeCsv } from './csv.ts';
export { fixedWidthCodec, decodeFixedWidth, encodeFixedWidth } from './fixed-width.ts';
export { compileLayout, layoutSchema, type Layout, type LayoutOptions } from './layout.ts';
export type { FlatEnvelope } from './documents.ts';
