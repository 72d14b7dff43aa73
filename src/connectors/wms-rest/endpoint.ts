import type { EndpointSpec, SinkRuntime, SourceRuntime } from '../../transports/index.ts';
import { webhookReceiver } from './events.ts';
import { pollWarehouse } from './read.ts';
import { runtimeFor } from './runtime.ts';
import { profileOf, wmsRestSettings, writtenTypes, type WmsRestSettings } from './settings.ts';
import { deliverDocument } from './write.ts';

/**
 * A warehouse (a WMS or a 3PL) over its own REST API, as a profile describes it: one endpoint per
 * warehouse account. It takes orders, cancels, expected inbound, items and holds, and reads
 * shipments, receipts, stock, adjustments and returns by polling with a cursor, and takes the
 * warehouse's webhooks when `webhook` is set. Retries, ordering, idempotency keys, cursors and
 * logging of outcomes are the engine's; the endpoint answers each call with an outcome.
 */
export const wmsRestEndpoint: EndpointSpec<WmsRestSettings> = {
  type: 'wms-rest',
  description: 'A warehouse\'s REST API spoken through a profile (built in: Extensiv 3PL Warehouse Manager, ShipBob): creates and cancels orders and expected inbound, '
    + 'upserts items, holds and releases orders, idempotent on our reference; reads shipments, receipts, stock, adjustments and returns with a cursor; takes the warehouse\'s webhooks.',
  config: wmsRestSettings,
  defaultPollIntervalMs: 5000,
  produces: (c) => c.produce,
  accepts: (c) => writtenTypes(profileOf(c)),
  canonicalOnly: true,
  createSource: (c, ctx): SourceRuntime => {
    const rt = runtimeFor(c, ctx);
    return { poll: (cursor, signal) => pollWarehouse(rt, cursor, signal) };
  },
  createSink: (c, ctx): SinkRuntime => {
    const rt = runtimeFor(c, ctx);
    return { deliver: (message, signal) => deliverDocument(rt, message, signal) };
  },
  createPushReceiver: (c, ctx) => {
    const events = profileOf(c).events;
    return c.webhook && events ? webhookReceiver(runtimeFor(c, ctx), events) : undefined;
  },
};
