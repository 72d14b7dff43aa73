import type { Codec } from '../codecs/index.ts';
import type { EndpointSpec } from '../transports/index.ts';

/**
 * The endpoint types and codecs a config may name. The composition root (src/endpoints.ts) makes
 * the built-in one; whatever reads a config is handed a registry and keeps it with the loaded
 * config, so the hub and the processor find specs and codecs there and nowhere else.
 */
export interface Registry {
  readonly endpoints: ReadonlyMap<string, EndpointSpec>;
  readonly codecs: ReadonlyMap<string, Codec>;
}

/** A registry of these parts, on top of `base` when given. Two parts of one name are a mistake, refused. */
export function createRegistry(parts: { endpoints?: readonly EndpointSpec[]; codecs?: readonly Codec[] }, base?: Registry): Registry {
  const endpoints = new Map(base?.endpoints);
  const codecs = new Map(base?.codecs);
  for (const spec of parts.endpoints ?? []) {
    if (endpoints.has(spec.type)) throw new Error(`two endpoint specs of type "${spec.type}"`);
    endpoints.set(spec.type, spec);
  }
  for (const codec of parts.codecs ?? []) {
    if (codecs.has(codec.name)) throw new Error(`two codecs named "${codec.name}"`);
    codecs.set(codec.name, codec);
  }
  return { endpoints, codecs };
}
