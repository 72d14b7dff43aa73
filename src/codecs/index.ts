export type * from './contract.ts';
export { jsonCodec } from './json.ts';
export { registerCodec, getCodec, codecNames } from './registry.ts';
