import pino from 'pino';
import { wmsRestEndpoint, wmsRestSettings, type WmsRestSettings } from '../../../src/connectors/wms-rest/index.ts';
import { entityKeyFor, validateDocument, type CanonicalDocument } from '../../../src/model/index.ts';
import type { EndpointContext, InboundMessage, OutboundMessage, PushReceiver, SinkRuntime, SourceRuntime } from '../../../src/transports/index.ts';

/** A wms-rest endpoint's three faces, made as the hub and the API make them, without a hub. */
export interface Endpoint {
  settings: WmsRestSettings;
  sink: SinkRuntime;
  source: SourceRuntime;
  receiver: PushReceiver | undefined;
}

export function endpointOf(settings: unknown, name = 'wms'): Endpoint {
  const parsed = wmsRestSettings.parse(settings);
  // The contract server listens on loopback, which the outbound guard refuses unless allowed.
  const ctx: EndpointContext = { name, tenant: 'acme', logger: pino({ level: 'silent' }), store: undefined as never, baseDir: '.', outbound: { allowPrivateNetworks: true, allow: [] } };
  return {
    settings: parsed,
    sink: wmsRestEndpoint.createSink!(parsed, ctx) as SinkRuntime,
    source: wmsRestEndpoint.createSource!(parsed, ctx) as SourceRuntime,
    receiver: wmsRestEndpoint.createPushReceiver!(parsed, ctx),
  };
}

let deliveries = 0;

/** A canonical document as the engine would hand it over: envelope filled, validated, encoded. */
export function outbound(doc: Record<string, unknown>, idempotencyKey = `cw-${++deliveries}-0-flow`): OutboundMessage {
  const filled = envelope(doc, `erp-${deliveries}`);
  const checked = validateDocument(filled);
  if (!checked.ok) throw new Error(`test document is not canonical: ${JSON.stringify(checked.errors)}`);
  return {
    deliveryId: deliveries, tenant: 'acme', endpoint: 'wms', documentType: checked.document.type, documentId: checked.document.id,
    entityKey: checked.document.entityKey, idempotencyKey, contentType: 'application/json', payload: Buffer.from(JSON.stringify(checked.document)), attempt: 1,
  };
}

/** What the engine makes of a message a source handed over: its documents, envelope filled and validated. */
export function documentsOf(message: InboundMessage): CanonicalDocument[] {
  const raw = JSON.parse(message.body.toString('utf8')) as Record<string, unknown> | Array<Record<string, unknown>>;
  return (Array.isArray(raw) ? raw : [raw]).map((doc, i) => {
    const checked = validateDocument(envelope(doc, `${message.idempotencyKey}-${i}`));
    if (!checked.ok) throw new Error(`the connector made a document that is not canonical: ${JSON.stringify(checked.errors)} in ${JSON.stringify(doc)}`);
    return checked.document;
  });
}

function envelope(doc: Record<string, unknown>, id: string): Record<string, unknown> {
  const at = new Date().toISOString();
  const filled: Record<string, unknown> = { tenant: 'acme', id, source: { endpoint: 'wms' }, receivedAt: at, occurredAt: at, ...doc };
  filled.entityKey ??= entityKeyFor(filled);
  return filled;
}

export const never = new AbortController().signal;

/** A push as the API hands it to the endpoint's receiver. */
export function push(body: string, headers: Record<string, string> = {}): { headers: Headers; body: Buffer } {
  return { headers: new Headers(headers), body: Buffer.from(body) };
}
