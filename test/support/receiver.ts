import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  at: number;
}

/**
 * A real HTTP server on loopback that plays a partner's webhook receiver. `respond` decides the
 * status for each request (fail some, slow some) so tests can drive retries and circuit breaking.
 */
export async function startReceiver(respond: (r: Received, n: number) => number | Promise<number> = () => 200): Promise<{
  url: string; received: Received[]; close(): Promise<void>; server: Server;
}> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const r: Received = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks), at: Date.now() };
      received.push(r);
      const status = await respond(r, received.length);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ reference: `R-${received.length}` }));
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    server,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Polls `check` until it returns something truthy, and returns that. On timeout it fails naming
 * `what` it waited for, or else quoting the check itself.
 */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 10_000, what?: string): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what ?? `\`${String(check).replace(/\s+/g, ' ').slice(0, 200)}\``}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
