export type * from './contract.ts';
export { jsonCodec } from './json.ts';
export { DEFAULT_MAX_JSON_DEPTH, findJsonTooDeep, findValueTooDeep } from './depth.ts';
export { registerCodec, getCodec, codecNames } from './registry.ts';
