import { UnencodableHeaderValue } from './header-values.ts';

/**
 * Errors thrown while a request or message is being put together, before a byte is sent: an
 * argument the client library refuses (undici's InvalidArgumentError, Node's header and argument
 * checks), a value no encoding can carry. The same delivery fails the same way on every attempt, so
 * it is a permanent failure, and it says nothing about whether the endpoint is up. Only these are
 * listed: a thrown error in general may be a lost connection (fetch throws TypeError for that).
 */
const BUILD_ERROR_CODES = new Set([
  'UND_ERR_INVALID_ARG',
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
  'ERR_INVALID_URL',
]);

export function cannotBeFormed(e: unknown): boolean {
  if (e instanceof UnencodableHeaderValue || e instanceof URIError) return true;
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && BUILD_ERROR_CODES.has(code);
}
