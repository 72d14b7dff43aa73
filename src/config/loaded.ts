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
}
