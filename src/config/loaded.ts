import type { ClientSet } from './clients.ts';
import type { Registry } from './registry.ts';
import type { CausewayConfig } from './schema.ts';

/** A config as read and checked, with what it was read with. */
export interface LoadedConfig {
  config: CausewayConfig;
  /** Relative paths in the file resolve against its folder. */
  baseDir: string;
  /** Each endpoint's own settings, validated by its transport's spec. */
  endpointSettings: Record<string, unknown>;
  /** The endpoint types and codecs the config was read with; the hub opens endpoints and codecs from it. */
  registry: Registry;
  /** Present when the config names a clients folder: each client's config as read, for its reload (docs/3pl.md). */
  clients?: ClientSet;
}
