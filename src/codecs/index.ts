export type * from './contract.ts';
export { jsonCodec } from './json.ts';
export { x12Codec } from './x12/index.ts';
export { csvCodec, fixedWidthCodec } from './flat/index.ts';
export { edifactCodec } from './edifact/index.ts';
export { DEFAULT_MAX_JSON_DEPTH, findJsonShapeError, findValueTooDeep } from './depth.ts';
