import { signWebhook } from '../../../src/transports/index.ts';
import { bearerOf, ContractServer, type ContractAnswer, type ContractRequest } from './contract-server.ts';

/**
 * A contract server built from ShipBob's public developer documentation (developer.shipbob.com),
 * for tests. It is not ShipBob: it behaves as the documentation says, on loopback.
 *
 * - Dated paths (/2026-01/...); a personal access token as Bearer, or an OAuth2 token from
 *   /connect/token that expires; the channel in the shipbob_channel_id header, required to write.
 * - Orders: reference_id unique within the account (a second create is refused with 422); a list
 *   filtered by ReferenceIds and LastUpdateStartDate, Page/Limit (Limit at most 250) and a
 *   next-page header while more follow; cancel; shipments held and released in bulk.
 * - Receiving (WRO) with boxes, products, inventory levels per location, returns.
 * - 150 requests a minute by default; a 429 says how long to wait in x-retry-after (seconds).
 * - Webhooks signed the Standard Webhooks way, topic in x-webhook-topic, the resource as payload.
 * The list filters the documentation we read does not name (receiving and returns by change,
 * products by SKU) are served under the names the profile uses.
 */
export const API_VERSION = '2026-01';
export const CHANNEL_ID = '4242';
export const PAT = 'shipbob-personal-access-token-0123456789';
export const SHIPBOB_CLIENT = { id: 'causeway-app', secret: 'shipbob-client-secret-0123456789' };
export const WEBHOOK_SECRET = 'whsec_' + Buffer.from('shipbob-webhook-signing-secret!!').toString('base64');
export const LOCATIONS = { 228: 'Moreno Valley (CA)', 229: 'Bethlehem (PA)' } as const;

type Json = Record<string, any>;

let last = 0;
function now(): string {
  last = Math.max(Date.now(), last + 1);
  return new Date(last).toISOString();
}

export class ShipBobContract {
  readonly http: ContractServer;
  readonly orders = new Map<number, Json>();
  readonly receiving = new Map<number, Json>();
  readonly products = new Map<number, Json>();
  readonly returns = new Map<number, Json>();
  inventory: Json[] = [];
  tokenTtlSeconds = 3600;
  /** References a list does not show yet, as a search index that lags behind a create. */
  private readonly hidden = new Set<string>();
  private nextId = 5000;

  constructor() {
    this.http = new ContractServer({
      contentType: 'application/json; charset=utf-8',
      retryAfterHeaders: ['x-retry-after'],
      authorise: (req, server) => {
        const token = bearerOf(req);
        return token === PAT || server.tokenValid(token) ? undefined : { status: 401, body: { message: 'No access right at this time' } };
      },
    });
    this.http.limitRate(150, 60_000);
    const v = `/${API_VERSION}`;
    const h = this.http;
    h.route('POST', '/connect/token', (req) => this.token(req), true);
    h.route('GET', `${v}/order`, (req) => this.listOrders(req));
    h.route('GET', `${v}/order/{id}`, (req, p) => this.found(this.orders.get(Number(p.id)), `order ${p.id}`));
    h.route('POST', `${v}/order`, (req) => this.createOrder(req));
    h.route('POST', `${v}/order/{id}/cancel`, (req, p) => this.cancelOrder(req, p.id));
    h.route('POST', `${v}/shipment:bulkPlaceOnHold`, (req) => this.hold(req, true));
    h.route('POST', `${v}/shipment:bulkReleaseHold`, (req) => this.hold(req, false));
    h.route('GET', `${v}/receiving`, (req) => this.listReceiving(req));
    h.route('GET', `${v}/receiving/{id}`, (req, p) => this.found(this.receiving.get(Number(p.id)), `receiving order ${p.id}`, (w) => withoutBoxes(w)));
    h.route('GET', `${v}/receiving/{id}/boxes`, (req, p) => this.found(this.receiving.get(Number(p.id)), `receiving order ${p.id}`, (w) => w.boxes));
    h.route('POST', `${v}/receiving`, (req) => this.createReceiving(req));
    h.route('POST', `${v}/receiving/{id}/cancel`, (req, p) => this.cancelReceiving(req, p.id));
    h.route('GET', `${v}/product`, (req) => this.page(req, [...this.products.values()].filter((p) => !req.query.get('SKU') || p.sku === req.query.get('SKU'))));
    h.route('GET', `${v}/product/{id}`, (req, p) => this.found(this.products.get(Number(p.id)), `product ${p.id}`));
    h.route('POST', `${v}/product`, (req) => this.createProduct(req));
    h.route('PATCH', `${v}/product/{id}`, (req, p) => this.patchProduct(req, p.id));
    h.route('GET', `${v}/inventory-level/locations`, (req) => this.page(req, this.inventory));
    h.route('GET', `${v}/return`, (req) => this.page(req, [...this.returns.values()].filter((r) => since(r, req.query.get('LastUpdatedStartDate')) && (!req.query.get('Status') || r.status === req.query.get('Status')))));
    h.route('GET', `${v}/return/{id}`, (req, p) => this.found(this.returns.get(Number(p.id)), `return ${p.id}`));
  }

  async start(): Promise<this> {
    await this.http.start();
    return this;
  }

  get url(): string {
    return this.http.url;
  }

  close(): Promise<void> {
    return this.http.close();
  }

  // What the warehouse does on its side.

  orderByRef(referenceId: string): Json | undefined {
    return [...this.orders.values()].find((o) => o.reference_id === referenceId);
  }

  wroByPo(po: string): Json | undefined {
    return [...this.receiving.values()].find((w) => w.purchase_order_number === po);
  }

  /** The next lookup lists without this reference, as a lagging search index would. */
  hideFromNextList(referenceId: string): void {
    this.hidden.add(referenceId);
  }

  /** Ships one shipment of an order (the first still to go): tracking, lots, weight. */
  ship(referenceId: string, ship: { tracking: string; carrier?: string; lots?: Record<string, Array<{ lot: string; quantity: number; expiry?: string }>>; split?: boolean }): Json {
    const order = this.orderByRef(referenceId)!;
    if (ship.split && order.shipments.length === 1) {
      // The warehouse splits the order: the last product goes in a second shipment, later.
      const [first] = order.shipments;
      const moved = first.products.pop();
      order.shipments.push({ ...structuredClone(first), id: this.nextId++, products: [moved], status: 'Processing', tracking: null });
    }
    const shipment = order.shipments.find((s: Json) => s.status !== 'Completed' && s.status !== 'Cancelled');
    const at = now();
    shipment.status = 'Completed';
    shipment.actual_fulfillment_date = at;
    shipment.last_update_at = at;
    shipment.tracking = { carrier: ship.carrier ?? 'USPS', carrier_service: 'Ground Advantage', tracking_number: ship.tracking, bol: null, shipping_date: at };
    shipment.measurements = { total_weight_oz: 12.5, length_in: 8, width_in: 6, depth_in: 4 };
    for (const p of shipment.products) {
      const lots = ship.lots?.[p.sku];
      p.inventory_items = lots
        ? lots.map((l, i) => ({ id: 800 + i, name: p.sku, quantity: l.quantity, lot: l.lot, expiration_date: l.expiry, serial_numbers: [] }))
        : [{ id: 800, name: p.sku, quantity: p.quantity, lot: null, serial_numbers: [] }];
    }
    order.status = order.shipments.every((s: Json) => s.status === 'Completed') ? 'Fulfilled' : 'PartiallyFulfilled';
    order.last_updated_date = at;
    return order;
  }

  /** Completes a WRO: what arrived in each box line, with lots. */
  completeReceiving(po: string, received: Array<{ sku: string; received: number; lot?: string; lotDate?: string }>, onPallets?: number): Json {
    const wro = this.wroByPo(po)!;
    const at = now();
    const contents = received.map((r) => {
      const expected = wro.boxes[0].box_items.find((b: Json) => b.sku === r.sku);
      return { sku: r.sku, quantity: expected?.quantity ?? 0, received_quantity: r.received, stowed_quantity: r.received, lot_number: r.lot, lot_date: r.lotDate };
    });
    // A pallet WRO lists each pallet as one of its boxes; the contents sit on the first here.
    const count = onPallets ?? 1;
    if (onPallets !== undefined) wro.package_type = 'Pallet';
    wro.boxes = Array.from({ length: count }, (_, i) => ({
      box_id: i + 1, tracking_number: `${wro.boxes[0].tracking_number}${i ? `-${i + 1}` : ''}`, box_status: 'Completed', box_items: i === 0 ? contents : [],
    }));
    wro.status = 'Completed';
    wro.completed_date = at;
    wro.last_updated_date = at;
    return wro;
  }

  completeReturn(referenceId: string, locationId: number, inventory: Array<{ sku: string; restock: number; dispose: number }>): Json {
    const id = this.nextId++;
    const at = now();
    const ret = {
      id, reference_id: referenceId, status: 'Completed', insert_date: at, completed_date: at, last_updated_date: at,
      fulfillment_center: { id: locationId, name: LOCATIONS[locationId as 228] },
      inventory: inventory.map((i) => ({
        id: 300, sku: i.sku, quantity: i.restock + i.dispose,
        action_taken: [
          ...(i.restock ? [{ quantity_processed: i.restock, action: 'Restock', action_reason: 'Good condition' }] : []),
          ...(i.dispose ? [{ quantity_processed: i.dispose, action: 'Dispose', action_reason: 'Damaged' }] : []),
        ],
      })),
    };
    this.returns.set(id, ret);
    return ret;
  }

  setInventory(items: Array<{ sku: string; locations: Array<{ id: number; onhand: number; committed: number; fulfillable: number }> }>): void {
    this.inventory = items.map((item, i) => ({
      inventory_id: 70 + i, sku: item.sku, name: item.sku,
      locations: item.locations.map((l) => ({ location_id: l.id, location_name: LOCATIONS[l.id as 228], onhand_quantity: l.onhand, committed_quantity: l.committed, fulfillable_quantity: l.fulfillable })),
    }));
  }

  /** A webhook as ShipBob posts it: Standard Webhooks headers, the topic header, the resource as body. */
  webhook(topic: string, resource: Json, options: { id?: string; secret?: string; at?: number } = {}): { headers: Record<string, string>; body: string } {
    const body = JSON.stringify(resource);
    const id = options.id ?? `msg_${topic}_${resource.id}_${resource.last_updated_date ?? ''}`;
    const at = options.at ?? Math.floor(Date.now() / 1000);
    return {
      body,
      headers: {
        'content-type': 'application/json', 'x-webhook-topic': topic, 'webhook-id': id, 'webhook-timestamp': String(at),
        'webhook-signature': signWebhook(options.secret ?? WEBHOOK_SECRET, id, at, Buffer.from(body)),
      },
    };
  }

  // The API.

  private token(req: ContractRequest): ContractAnswer {
    const form = new URLSearchParams(req.text);
    if (form.get('grant_type') !== 'client_credentials' || form.get('client_id') !== SHIPBOB_CLIENT.id || form.get('client_secret') !== SHIPBOB_CLIENT.secret) {
      return { status: 400, body: { error: 'invalid_client' } };
    }
    return { status: 200, body: { access_token: this.http.issueToken(this.tokenTtlSeconds), token_type: 'Bearer', expires_in: this.tokenTtlSeconds } };
  }

  private page(req: ContractRequest, all: Json[]): ContractAnswer {
    const limit = Number(req.query.get('Limit') ?? 50);
    const page = Number(req.query.get('Page') ?? 1);
    if (!Number.isInteger(limit) || limit < 1 || limit > 250) return { status: 400, body: { message: 'Limit must be between 1 and 250' } };
    const headers: Record<string, string> = { 'page-number': String(page), 'total-pages': String(Math.max(1, Math.ceil(all.length / limit))) };
    if (page * limit < all.length) {
      const q = new URLSearchParams(req.query);
      q.set('Page', String(page + 1));
      headers['next-page'] = `${req.path}?${q}`;
    }
    return { status: 200, headers, body: all.slice((page - 1) * limit, page * limit) };
  }

  private found(resource: Json | undefined, what: string, view: (r: Json) => unknown = (r) => r): ContractAnswer {
    return resource ? { status: 200, body: view(resource) } : { status: 404, body: { message: `${what} not found` } };
  }

  private listOrders(req: ContractRequest): ContractAnswer {
    const refs = req.query.get('ReferenceIds')?.split(',');
    const hiding = refs?.filter((r) => this.hidden.delete(r)) ?? [];
    const from = req.query.get('LastUpdateStartDate');
    let all = [...this.orders.values()].filter((o) => (!refs || refs.includes(o.reference_id)) && !hiding.includes(o.reference_id) && since(o, from));
    // SortOrder orders by creation (the id), not by the last update.
    all = all.sort((a, b) => (req.query.get('SortOrder') === 'Newest' ? b.id - a.id : a.id - b.id));
    return this.page(req, all);
  }

  private createOrder(req: ContractRequest): ContractAnswer {
    if (req.headers.shipbob_channel_id !== CHANNEL_ID) return { status: 400, body: { message: 'shipbob_channel_id header is required' } };
    const body = req.body as Json | undefined;
    if (!body?.reference_id || !body.recipient?.address?.address1 || !body.shipping_method || !Array.isArray(body.products) || body.products.length === 0) {
      return { status: 422, body: { message: 'reference_id, recipient.address, shipping_method and products are required' } };
    }
    if (this.orderByRef(body.reference_id)) return { status: 422, body: { message: `an order with reference_id ${body.reference_id} already exists` } };
    const id = this.nextId++;
    const at = now();
    const locationId = body.location_id ?? 228;
    const order = {
      ...body, id, status: 'Processing', created_date: at, last_updated_date: at, channel: { id: Number(CHANNEL_ID) },
      products: body.products.map((p: Json, i: number) => ({ ...p, id: 100 + i, sku: p.reference_id })),
      shipments: [{
        id: this.nextId++, order_id: id, reference_id: body.reference_id, status: 'Processing', created_date: at, last_update_at: at,
        location: { id: locationId, name: LOCATIONS[locationId as 228] },
        products: body.products.map((p: Json, i: number) => ({ id: 100 + i, reference_id: p.reference_id, sku: p.reference_id, quantity: p.quantity, inventory_items: [] })),
      }],
    };
    this.orders.set(id, order);
    return { status: 201, body: order };
  }

  private cancelOrder(req: ContractRequest, id: string): ContractAnswer {
    const order = this.orders.get(Number(id));
    if (!order) return { status: 404, body: { message: `order ${id} not found` } };
    if (order.shipments.some((s: Json) => s.status === 'Completed')) return { status: 422, body: { message: 'The order has shipped and cannot be cancelled' } };
    order.status = 'Cancelled';
    for (const s of order.shipments) s.status = 'Cancelled';
    order.last_updated_date = now();
    return { status: 200, body: { order_id: order.id, status: 'Cancelled' } };
  }

  private hold(req: ContractRequest, place: boolean): ContractAnswer {
    const ids = (req.body as Json | undefined)?.shipment_ids;
    if (!Array.isArray(ids) || ids.length === 0) return { status: 400, body: { message: 'shipment_ids must contain at least one id' } };
    const results = ids.map((id: number) => {
      const order = [...this.orders.values()].find((o) => o.shipments.some((s: Json) => s.id === id));
      const shipment = order?.shipments.find((s: Json) => s.id === id);
      if (!shipment) return { shipment_id: id, is_success: false, error: 'not found' };
      if (place && shipment.status === 'Processing') shipment.status = 'OnHold';
      else if (!place && shipment.status === 'OnHold') shipment.status = 'Processing';
      else if (place && shipment.status !== 'OnHold') return { shipment_id: id, is_success: false, error: `a ${shipment.status} shipment cannot be held` };
      order!.last_updated_date = now();
      return { shipment_id: id, is_success: true };
    });
    return { status: 200, body: { summary: { total: ids.length, succeeded: results.filter((r) => r.is_success).length }, results } };
  }

  private listReceiving(req: ContractRequest): ContractAnswer {
    const pos = req.query.get('PurchaseOrderNumbers')?.split(',');
    const statuses = req.query.get('Statuses')?.split(',');
    const all = [...this.receiving.values()]
      .filter((w) => (!pos || pos.includes(w.purchase_order_number)) && (!statuses || statuses.includes(w.status)) && since(w, req.query.get('LastUpdatedStartDate')))
      .map(withoutBoxes);
    return this.page(req, all);
  }

  private createReceiving(req: ContractRequest): ContractAnswer {
    if (req.headers.shipbob_channel_id !== CHANNEL_ID) return { status: 400, body: { message: 'shipbob_channel_id header is required' } };
    const body = req.body as Json | undefined;
    if (!body?.fulfillment_center?.id || !(body.fulfillment_center.id in LOCATIONS) || !Array.isArray(body.boxes) || body.boxes.length === 0) {
      return { status: 422, body: { message: 'fulfillment_center and boxes are required' } };
    }
    if (body.purchase_order_number && this.wroByPo(body.purchase_order_number)) return { status: 422, body: { message: `a receiving order for ${body.purchase_order_number} exists` } };
    const id = this.nextId++;
    const at = now();
    const wro = {
      ...body, id, status: 'Awaiting', insert_date: at, last_updated_date: at,
      fulfillment_center: { id: body.fulfillment_center.id, name: LOCATIONS[body.fulfillment_center.id as 228] },
      boxes: body.boxes.map((b: Json, i: number) => ({ box_id: i + 1, tracking_number: b.tracking_number, box_status: 'Awaiting', box_items: b.box_items })),
    };
    this.receiving.set(id, wro);
    return { status: 201, body: withoutBoxes(wro) };
  }

  private cancelReceiving(req: ContractRequest, id: string): ContractAnswer {
    const wro = this.receiving.get(Number(id));
    if (!wro) return { status: 404, body: { message: `receiving order ${id} not found` } };
    if (wro.status !== 'Awaiting') return { status: 422, body: { message: `a ${wro.status} receiving order cannot be cancelled` } };
    wro.status = 'Cancelled';
    wro.last_updated_date = now();
    return { status: 200, body: withoutBoxes(wro) };
  }

  private createProduct(req: ContractRequest): ContractAnswer {
    const body = req.body as Json | undefined;
    if (!body?.sku || !body.name) return { status: 422, body: { message: 'name and sku are required' } };
    if ([...this.products.values()].some((p) => p.sku === body.sku)) return { status: 422, body: { message: `a product with sku ${body.sku} exists` } };
    const id = this.nextId++;
    const product = { ...body, id };
    this.products.set(id, product);
    return { status: 201, body: product };
  }

  private patchProduct(req: ContractRequest, id: string): ContractAnswer {
    const product = this.products.get(Number(id));
    if (!product) return { status: 404, body: { message: `product ${id} not found` } };
    Object.assign(product, req.body as Json);
    return { status: 200, body: product };
  }
}

function since(resource: Json, from: string | null): boolean {
  return !from || Date.parse(resource.last_updated_date) >= Date.parse(from);
}

function withoutBoxes(wro: Json): Json {
  const { boxes: _, ...rest } = wro;
  return rest;
}
