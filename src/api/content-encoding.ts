import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate, inflateRaw, type ZlibOptions } from 'node:zlib';
import type { Context, Next } from 'hono';
import { ApiProblem } from './problems.ts';

const decoders: Record<string, (body: Buffer, options: ZlibOptions) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  br: promisify(brotliDecompress),
  // HTTP's deflate is the zlib format; some senders send the raw stream, read as such when it is not.
  deflate: (body, options) => promisify(inflate)(body, options).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ERR_BUFFER_TOO_LARGE') throw e;
    return promisify(inflateRaw)(body, options);
  }),
};

/**
 * A request body sent compressed (Content-Encoding gzip, deflate or br, as ERPs and integration
 * platforms send large exports) is decompressed before any route reads it. Stored as sent, such a
 * body was quarantined as "not valid UTF-8", and a signed webhook's signature (made over the
 * payload, not the compressed bytes) could never hold. The size limit counts the decompressed
 * bytes, so a small compressed body cannot fill memory; an encoding it cannot undo is refused, and
 * nothing is stored.
 */
export function decodeContentEncoding(maxBytes: number, tooLarge: () => never) {
  return async (c: Context, next: Next): Promise<void> => {
    const header = c.req.header('content-encoding');
    if (header === undefined || c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const codings = header.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '' && s !== 'identity');
    if (codings.length === 0) return next();
    const decode = codings.length === 1 ? decoders[codings[0]!] : undefined;
    if (!decode) {
      throw new ApiProblem(415, 'unsupported-media-type', `Content-Encoding ${JSON.stringify(header)} is not one Causeway reads; send the body uncompressed, or compressed with gzip, deflate or br alone`,
        [{ code: 'CONTENT_ENCODING_UNSUPPORTED', path: 'header.Content-Encoding', message: 'expected gzip, deflate, br or identity' }]);
    }
    const sent = Buffer.from(await c.req.raw.arrayBuffer());
    let body: Buffer;
    try {
      body = await decode(sent, { maxOutputLength: maxBytes });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') tooLarge();
      throw new ApiProblem(400, 'bad-request', `the body is not valid ${codings[0]} as its Content-Encoding says: ${(e as Error).message}`,
        [{ code: 'CONTENT_ENCODING_INVALID', path: 'header.Content-Encoding', message: `the body does not decompress as ${codings[0]}` }]);
    }
    const headers = new Headers(c.req.raw.headers);
    headers.delete('content-encoding');
    headers.delete('transfer-encoding');
    headers.set('content-length', String(body.length));
    c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers, body: body as Uint8Array<ArrayBuffer>, signal: c.req.raw.signal });
    return next();
  };
}
