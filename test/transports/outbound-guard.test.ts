import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import pino from 'pino';
import {
  classifyAddress, OutboundGuard, outboundRefusal, webhookEndpoint, type EndpointContext, type OutboundMessage, type OutboundPolicy, type SinkRuntime,
} from '../../src/transports/index.ts';
import { startReceiver } from '../support/receiver.ts';

const ctxWith = (outbound?: OutboundPolicy): EndpointContext => ({ name: 'wms', tenant: 'acme', logger: pino({ level: 'silent' }), store: undefined as never, baseDir: '/tmp', outbound });

const message: OutboundMessage = {
  deliveryId: 1, tenant: 'acme', endpoint: 'wms', documentType: 'sales_order', documentId: '1-1-0', entityKey: 'order:SO-1',
  idempotencyKey: 'cw-1-0-orders', contentType: 'application/json', payload: Buffer.from('{}'), attempt: 1,
};

async function deliverTo(url: string, outbound?: OutboundPolicy) {
  const sink = webhookEndpoint.createSink!({ timeoutMs: 5000, headers: {}, maxResponseBytes: 4096, url }, ctxWith(outbound)) as SinkRuntime;
  try {
    return await sink.deliver(message, AbortSignal.timeout(5000));
  } finally {
    await sink.close?.();
  }
}

/** A server on one loopback address answering every request with `answer`. */
async function serveOn(host: string, answer: (res: import('node:http').ServerResponse) => void): Promise<{ url: string; hits: () => number; close(): Promise<void> }> {
  let hits = 0;
  const server: Server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => answer(res));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, hits: () => hits, close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

describe('outbound guard', () => {
  it('classifies the non-public ranges, IPv4 inside IPv6 judged as the IPv4 it reaches', () => {
    const cases: Array<[string, string | undefined]> = [
      ['127.0.0.1', 'loopback'], ['127.8.9.10', 'loopback'], ['::1', 'loopback'], ['0.0.0.0', 'unspecified'], ['::', 'unspecified'],
      ['10.1.2.3', 'private'], ['172.16.0.1', 'private'], ['172.31.255.255', 'private'], ['192.168.1.1', 'private'], ['fd12:3456::1', 'private'],
      ['100.64.0.1', 'carrier-grade NAT'], ['169.254.169.254', 'metadata service'], ['169.254.10.1', 'link-local'], ['fe80::1', 'link-local'],
      ['::ffff:127.0.0.1', 'loopback'], ['::ffff:a9fe:a9fe', 'metadata service'], ['::ffff:10.0.0.1', 'private'], ['64:ff9b::192.168.0.1', 'private'],
      ['224.0.0.1', 'multicast'],
      ['8.8.8.8', undefined], ['172.32.0.1', undefined], ['100.128.0.1', undefined], ['2606:4700::1111', undefined], ['::ffff:8.8.8.8', undefined],
    ];
    for (const [address, kind] of cases) assert.equal(classifyAddress(address), kind, address);
  });

  it('refuses a webhook to a loopback address by default, as a permanent failure naming the endpoint and the address class', async () => {
    const receiver = await startReceiver();
    try {
      const outcome = await deliverTo(`${receiver.url}/hook`);
      assert.equal(outcome.kind, 'permanent');
      assert.match((outcome as { error: string }).error, /endpoint "wms" may not connect to 127\.0\.0\.1: a loopback address/);
      assert.match((outcome as { error: string }).error, /allowPrivateNetworks/);
      assert.equal(receiver.received.length, 0, 'nothing reached the receiver');
    } finally {
      await receiver.close();
    }
  });

  it('judges a host name by the address it resolves to (localhost), at connect time', async () => {
    const receiver = await startReceiver();
    try {
      const outcome = await deliverTo(receiver.url.replace('127.0.0.1', 'localhost') + '/hook');
      assert.equal(outcome.kind, 'permanent');
      assert.match((outcome as { error: string }).error, /may not connect to localhost \((127\.0\.0\.1|::1)\): a loopback address/);
      assert.equal(receiver.received.length, 0);
    } finally {
      await receiver.close();
    }
  });

  it('lets an endpoint with allowPrivateNetworks, or a network on the hub-wide allow-list, through', async () => {
    const receiver = await startReceiver();
    try {
      assert.equal((await deliverTo(`${receiver.url}/hook`, { allowPrivateNetworks: true, allow: [] })).kind, 'delivered');
      assert.equal((await deliverTo(`${receiver.url}/hook`, { allowPrivateNetworks: false, allow: ['127.0.0.0/8'] })).kind, 'delivered');
      assert.equal((await deliverTo(`${receiver.url}/hook`, { allowPrivateNetworks: false, allow: ['10.0.0.0/8'] })).kind, 'permanent');
      assert.equal(receiver.received.length, 2);
    } finally {
      await receiver.close();
    }
  });

  it('does not follow a webhook receiver\'s redirect', async () => {
    const inner = await startReceiver();
    const outer = await serveOn('127.0.0.1', (res) => res.writeHead(307, { location: `${inner.url}/hook` }).end());
    try {
      const outcome = await deliverTo(`${outer.url}/hook`, { allowPrivateNetworks: true, allow: [] });
      assert.equal(outcome.kind, 'permanent');
      assert.equal(outcome.statusCode, 307);
      assert.equal(inner.received.length, 0);
    } finally {
      await outer.close();
      await inner.close();
    }
  });

  it('refuses a redirect (followed by fetch) to an address the allow-list does not cover', async () => {
    // 127.0.0.2 is loopback too, but outside the one address allowed: a stand-in for a public API redirecting inward.
    const inward = await serveOn('127.0.0.2', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"secret":"metadata"}'));
    const api = await serveOn('127.0.0.1', (res) => res.writeHead(302, { location: `${inward.url}/latest/meta-data` }).end());
    const agent = new OutboundGuard('erp', { allowPrivateNetworks: false, allow: ['127.0.0.1/32'] }).agent();
    try {
      const error = await fetch(`${api.url}/orders`, { dispatcher: agent } as RequestInit).then(() => undefined, (e: unknown) => e);
      const refused = outboundRefusal(error);
      assert.ok(refused, `the redirect is refused (got ${String(error)})`);
      assert.equal(refused.address, '127.0.0.2');
      assert.equal(refused.addressClass, 'loopback');
      assert.equal(api.hits(), 1);
      assert.equal(inward.hits(), 0, 'nothing reached the inner address');
    } finally {
      await agent.close();
      await api.close();
      await inward.close();
    }
  });
});
