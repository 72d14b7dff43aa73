import { ClassifiedError, type DeliveryOutcome } from '../../transports/index.ts';

/**
 * What went wrong talking to a warehouse's API, classified for the engine. A retryable failure may
 * succeed later unchanged (network, 5xx, the partner's rate limit, a resource changed under us);
 * a permanent one will not (the warehouse refused the document, the profile cannot express it).
 * A throttled failure is retryable and says the partner is up: it never counts toward the breaker.
 */
export type WmsErrorCode =
  | 'WMS_NETWORK'
  | 'WMS_TIMEOUT'
  | 'WMS_THROTTLED'
  | 'WMS_UNAVAILABLE'
  | 'WMS_UNAUTHORIZED'
  | 'WMS_FORBIDDEN'
  | 'WMS_PRECONDITION_FAILED'
  | 'WMS_NOT_FOUND'
  | 'WMS_REFUSED'
  | 'WMS_PROTOCOL'
  | 'WMS_PROFILE'
  | 'WMS_REJECTED'
  /** The outbound guard refused the address the API's name resolved to (docs/security.md). */
  | 'WMS_ADDRESS_REFUSED';

const RETRYABLE: ReadonlySet<WmsErrorCode> = new Set([
  'WMS_NETWORK', 'WMS_TIMEOUT', 'WMS_THROTTLED', 'WMS_UNAVAILABLE', 'WMS_UNAUTHORIZED', 'WMS_PRECONDITION_FAILED',
]);

export class WmsError extends ClassifiedError<WmsErrorCode> {
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** The start of the warehouse's answer, for the attempt log; never carries our credentials. */
  readonly response: string | undefined;

  constructor(code: WmsErrorCode, message: string, options: { status?: number; retryAfterMs?: number; response?: string; cause?: unknown } = {}) {
    super('WmsError', code, message, RETRYABLE, options.cause);
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.response = options.response;
  }

  get throttled(): boolean {
    return this.code === 'WMS_THROTTLED';
  }
}

export function isWmsError(error: unknown): error is WmsError {
  return error instanceof WmsError;
}

/** A document Causeway itself will not send (no facility mapping, a cancel of an unknown order...). */
export function rejected(message: string): WmsError {
  return new WmsError('WMS_REJECTED', message);
}

/** The profile cannot express what is asked (no cancel operation, an expression that fails). */
export function profileFault(message: string): WmsError {
  return new WmsError('WMS_PROFILE', message);
}

/** The code of an HTTP answer that is not a success. */
export function codeForStatus(status: number): WmsErrorCode {
  if (status === 429) return 'WMS_THROTTLED';
  if (status === 401) return 'WMS_UNAUTHORIZED';
  if (status === 403) return 'WMS_FORBIDDEN';
  if (status === 404) return 'WMS_NOT_FOUND';
  if (status === 412) return 'WMS_PRECONDITION_FAILED';
  if (status === 408 || status === 425 || status >= 500) return 'WMS_UNAVAILABLE';
  return 'WMS_REFUSED';
}

/** The delivery's outcome for an error met while `doing` something. */
export function outcomeOf(error: WmsError, doing: string): DeliveryOutcome {
  const common = { error: `${doing}: ${error.message}`, statusCode: error.status, response: error.response ?? error.code };
  if (!error.retryable) return { kind: 'permanent', ...common };
  return { kind: 'retryable', ...common, retryAfterMs: error.retryAfterMs, throttled: error.throttled || undefined };
}
