/**
 * Our values (entity keys, idempotency keys, document ids) in message headers. An HTTP or NATS
 * header carries visible ASCII safely; anything else (an order number with "Ł", a line break, a
 * leading space) either cannot be sent at all or arrives altered. So a value of visible ASCII, with
 * spaces only between characters, goes as it is; any other value is percent-encoded as UTF-8
 * (every byte outside RFC 3986's unreserved set becomes %XX, as RFC 8187 writes values) and the
 * header's name is listed in a companion header. A receiver percent-decodes exactly the headers
 * listed there; a value not listed is taken as it is, even when it holds a "%".
 */

/** Visible ASCII, spaces allowed inside but not at either end (parsers trim those). */
const SENT_AS_IS = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** A value that cannot be encoded: a string with a lone UTF-16 surrogate has no UTF-8 form. */
export class UnencodableHeaderValue extends Error {
  constructor(readonly header: string) {
    super(`the value of ${header} holds a lone UTF-16 surrogate, which has no UTF-8 form`);
  }
}

function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += UNRESERVED.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export interface EncodedHeaders {
  headers: Record<string, string>;
  /** Names of the headers whose values were percent-encoded, in the order given. */
  encoded: string[];
}

/**
 * Encodes the values that need it and adds the companion header (`companion`) naming them, only
 * when there is any. Throws UnencodableHeaderValue for a value no encoding can carry.
 */
export function encodeHeaderValues(values: Record<string, string>, companion: string): EncodedHeaders {
  const headers: Record<string, string> = {};
  const encoded: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (SENT_AS_IS.test(value)) {
      headers[name] = value;
      continue;
    }
    if (!isWellFormed(value)) throw new UnencodableHeaderValue(name);
    headers[name] = percentEncode(value);
    encoded.push(name);
  }
  if (encoded.length) headers[companion] = encoded.join(', ');
  return { headers, encoded };
}

function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}
