import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../../src/endpoints.ts';
import { ContractServer, etagOf, type ContractRequest } from './contract-server.ts';
import { documentsOf, endpointOf, never, outbound } from './helpers.ts';
import { salesOrder } from '../../support/documents.ts';

/**
 * The profile docs/connectors/wms-rest.md shows for "a WMS of one's own", run as written against a
 * small server that speaks what it describes (an API key header, cursor tokens, an Idempotency-Key
 * on creates, ETags), and a second profile that pages by Link header under HTTP basic auth.
 */
const KEY = 'own-wms-api-key-0123456789';
type Json = Record<string, any>;

function documentedSettings(url: string): Record<string, unknown> {
  const doc = readFileSync(new URL('../../../docs/connectors/wms-rest.md', import.meta.url), 'utf8');
  const yaml = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).find((y) => y.includes('own-wms'))!;
  const loaded = parseConfig(yaml, '/tmp', { OWN_WMS_KEY: KEY });
  return { ...(loaded.endpointSettings['own-wms'] as Record<string, unknown>), url: `${url}/api/v2`, requestsPerMinute: 60_000, reconcileEveryMs: 0 };
}

class OwnWms {
  readonly http: ContractServer;
  readonly orders = new Map<number, Json & { version: number }>();
  readonly shipments: Json[] = [];
  private next = 1;

  constructor() {
    this.http = new ContractServer({
      contentType: 'application/json',
      retryAfterHeaders: ['retry-after'],
      authorise: (req) => (req.headers['x-api-key'] === KEY || req.headers.authorization === `Basic ${Buffer.from('causeway:pw-0123456789').toString('base64')}` ? undefined : { status: 401, body: { error: 'unauthorised' } }),
    });
    const h = this.http;
    h.route('GET', '/api/v2/orders', (req) => ({ status: 200, body: { data: [...this.orders.values()].filter((o) => o.client_ref === req.query.get('client_ref')).map(view) } }));
    h.route('GET', '/api/v2/orders/{id}', (_req, p) => {
      const o = this.orders.get(Number(p.id));
      return o ? { status: 200, headers: { etag: etagOf(o.version) }, body: view(o) } : { status: 404 };
    });
    h.route('POST', '/api/v2/orders', (req) => this.create(req));
    h.route('POST', '/api/v2/orders/{id}/cancel', (req, p) => {
      const o = this.orders.get(Number(p.id))!;
      if (req.headers['if-match'] !== etagOf(o.version)) return { status: 412, body: { error: 'stale' } };
      o.status = 'cancelled';
      o.version++;
      return { status: 200, body: view(o) };
    });
    h.route('GET', '/api/v2/shipments', (req) => {
      const from = Number(req.query.get('cursor') ?? 0);
      const limit = Number(req.query.get('limit'));
      const since = req.query.get('updated_since')!;
      const all = this.shipments.filter((s) => s.updated_at >= since);
      const page = all.slice(from, from + limit);
      return { status: 200, body: { data: page, next_cursor: from + limit < all.length ? String(from + limit) : null } };
    });
    h.route('GET', '/api/v2/receipts', (req) => {
      const page = Number(req.query.get('page') ?? 1);
      const items = [{ id: `R${page}`, updated: new Date(Date.now() - 1000 + page).toISOString(), po: `PO-${page}`, sku: 'S', qty: page }];
      const headers: Record<string, string> = page < 3 ? { link: `<${this.http.url}/api/v2/receipts?page=${page + 1}>; rel="next"` } : {};
      return { status: 200, headers, body: items };
    });
  }

  private create(req: ContractRequest) {
    const body = req.body as Json;
    if (!req.headers['idempotency-key']) return { status: 400, body: { error: 'Idempotency-Key required' } };
    if ([...this.orders.values()].some((o) => o.client_ref === body.client_ref)) return { status: 409, body: { error: 'client_ref exists' } };
    const id = this.next++;
    this.orders.set(id, { ...body, id, status: 'open', version: 1, key: req.headers['idempotency-key'] });
    return { status: 201, body: view(this.orders.get(id)!) };
  }
}

function view(o: Json): Json {
  const { version: _, ...rest } = o;
  return rest;
}

describe('a profile written in the config: the documented example, against a server that speaks what it describes (not any vendor)', () => {
  let wms: OwnWms;
  before(async () => {
    wms = new OwnWms();
    await wms.http.start();
  });
  after(() => wms.http.close());

  it('creates once with the delivery\'s idempotency key, and cancels with If-Match', async () => {
    const endpoint = endpointOf(documentedSettings(wms.http.url), 'own-wms');
    const message = outbound(salesOrder('OWN-1', 1, { facility: 'DC1' }));
    const created = await endpoint.sink.deliver(message, never);
    assert.deepEqual([created.kind, (created as { partnerRef: string }).partnerRef], ['delivered', '1']);
    assert.equal(wms.orders.get(1)!.key, message.idempotencyKey);
    assert.equal(wms.orders.get(1)!.warehouse, 'dc-1');
    assert.equal((await endpoint.sink.deliver(message, never)).kind, 'delivered');
    assert.equal(wms.orders.size, 1);
    assert.equal((await endpoint.sink.deliver(outbound({ type: 'order_cancel', orderNumber: 'OWN-1' }), never)).kind, 'delivered');
    assert.equal(wms.orders.get(1)!.status, 'cancelled');
  });

  it('reads shipments page by page with cursor tokens', async () => {
    const endpoint = endpointOf({ ...documentedSettings(wms.http.url), pageSize: 2 }, 'own-wms');
    const at = Date.now();
    for (let i = 1; i <= 5; i++) {
      wms.shipments.push({ id: `S${i}`, client_ref: `OWN-${i}`, warehouse: 'dc-1', shipped_at: new Date(at).toISOString(), updated_at: new Date(at + i).toISOString(), parcels: [{ tracking: `T${i}` }], lines: [{ line: 1, sku: 'SKU-1', qty: 1 }] });
    }
    const result = await endpoint.source.poll!(null, never);
    const docs = result.messages.flatMap(documentsOf);
    assert.deepEqual(docs.map((d) => d.type === 'shipment' && [d.orderNumber, d.facility, d.trackingNumbers[0]]),
      [1, 2, 3, 4, 5].map((i) => [`OWN-${i}`, 'DC1', `T${i}`]));
    const cursors = wms.http.requests.filter((r) => r.path === '/api/v2/shipments').map((r) => r.query.get('cursor'));
    assert.deepEqual(cursors, [null, '2', '4']);
  });

  it('follows a Link header\'s next page, under HTTP basic auth', async () => {
    const endpoint = endpointOf({
      url: wms.http.url, auth: { kind: 'basic', user: 'causeway', password: 'pw-0123456789' }, facilities: { DC1: 'dc-1' }, produce: ['receipt'], requestsPerMinute: 60_000,
      profile: {
        name: 'linked', description: 'pages by Link header', rateLimit: { requestsPerMinute: 60 },
        paging: { kind: 'link', next: '$link(headers.link, "next")' },
        reads: {
          receipt: {
            list: { path: '/api/v2/receipts', items: '$' }, id: 'id', modified: 'updated',
            documents: '{ "type": "receipt", "receiptNumber": id, "poNumber": po, "facility": "DC1", "lines": [{ "sku": sku, "quantity": $decimal(qty), "uom": "EA" }] }',
          },
        },
      },
    }, 'linked');
    const result = await endpoint.source.poll!(null, never);
    assert.deepEqual(result.messages.flatMap(documentsOf).map((d) => d.type === 'receipt' && d.poNumber), ['PO-1', 'PO-2', 'PO-3']);
  });
});
