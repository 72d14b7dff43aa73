import { ClassifiedError } from '../../transports/index.ts';

/**
 * What went wrong talking to Tryton, classified for the engine: a retryable failure may succeed
 * later unchanged (network, 5xx, a locked SQLite database); a permanent one will not (Tryton
 * refused the document, or the credentials are wrong) and goes to the dead letters with Tryton's
 * own message.
 */
export type TrytonErrorCode =
  | 'TRYTON_USER_ERROR'
  | 'TRYTON_USER_WARNING'
  | 'TRYTON_AUTH'
  | 'TRYTON_ACCESS'
  | 'TRYTON_NETWORK'
  | 'TRYTON_UNAVAILABLE'
  | 'TRYTON_CONCURRENCY'
  | 'TRYTON_SERVER_FAULT'
  | 'TRYTON_PROTOCOL'
  | 'TRYTON_REJECTED'
  /** What the document needs has not reached Tryton yet (an order's SKU before its item): try again later. */
  | 'TRYTON_WAITING'
  /** The outbound guard refused the address the server's name resolved to (docs/security.md). */
  | 'TRYTON_ADDRESS_REFUSED';

const RETRYABLE: ReadonlySet<TrytonErrorCode> = new Set(['TRYTON_NETWORK', 'TRYTON_UNAVAILABLE', 'TRYTON_CONCURRENCY', 'TRYTON_WAITING']);

export class TrytonError extends ClassifiedError<TrytonErrorCode> {
  /** The Tryton call being made ("model.stock.shipment.out.pick"), when there was one. */
  readonly call: string | undefined;
  /** For a UserWarning: the warning's name, which a user could acknowledge in Tryton. */
  readonly warningName: string | undefined;

  constructor(code: TrytonErrorCode, message: string, options: { call?: string; warningName?: string; cause?: unknown } = {}) {
    super('TrytonError', code, message, RETRYABLE, options.cause);
    this.call = options.call;
    this.warningName = options.warningName;
  }
}

/** A document Causeway itself refuses to apply to Tryton (over-shipment, unknown order...). */
export function rejected(message: string): TrytonError {
  return new TrytonError('TRYTON_REJECTED', message);
}

/** A document that needs something Tryton will have later (an item, sent on its own flow): retried. */
export function waiting(message: string): TrytonError {
  return new TrytonError('TRYTON_WAITING', message);
}

export function isTrytonError(error: unknown): error is TrytonError {
  return error instanceof TrytonError;
}
