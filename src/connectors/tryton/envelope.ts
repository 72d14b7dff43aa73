import type { TrytonOptions } from './options.ts';
import type { TrytonDateTime } from './values.ts';

/**
 * The envelope of a document read from Tryton. The id is derived from the record and its change
 * stamp, so reading the same version twice yields the same id (the engine's inbox dedupes it)
 * while a later change yields a new one.
 */
export function envelope(options: TrytonOptions, database: string, model: string, recordId: number, changedAt: TrytonDateTime, partnerRef: string) {
  const stamp = changedAt.toISOString();
  return {
    tenant: options.tenant,
    id: `tryton:${database}:${model}:${recordId}:${stamp}`,
    source: { endpoint: options.endpoint, partnerRef },
    occurredAt: stamp,
    receivedAt: (options.now?.() ?? new Date()).toISOString(),
  };
}
