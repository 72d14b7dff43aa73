import type { Hub } from '../engine/index.ts';

/** What middleware hands to handlers: the tenant every query is scoped to, and the key's name for logs. */
export interface ApiEnv {
  Variables: {
    tenant: string;
    keyName: string;
  };
}

export interface ApiDeps {
  hub: Hub;
}
