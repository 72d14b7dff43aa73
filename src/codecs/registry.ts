import type { Codec } from './contract.ts';
import { jsonCodec } from './json.ts';
import { x12Codec } from './x12/index.ts';

const codecs = new Map<string, Codec>([[jsonCodec.name, jsonCodec], [x12Codec.name, x12Codec]]);

/** Codecs plug in here by name; a new format (EDIFACT, CSV) registers the same way. */
export function registerCodec(codec: Codec): void {
  codecs.set(codec.name, codec);
}

export function getCodec(name: string): Codec | undefined {
  return codecs.get(name);
}

export function codecNames(): string[] {
  return [...codecs.keys()];
}
