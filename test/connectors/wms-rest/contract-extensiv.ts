import { bearerOf, ContractServer, etagOf, type ContractAnswer, type ContractRequest } from './contract-server.ts';

/**
 * A contract server built from Extensiv 3PL Warehouse Manager's public REST documentation (the
 * rels pages at 3w.extensiv.com and the help centre), for tests. It is not Extensiv: it behaves as
 * the documentation says, on loopback.
 *
 * - OAuth2 client credentials at POST /AuthServer/api/Token: Basic base64(client id:secret), JSON
 *   body with grant_type and user_login_id; bearer tokens that expire (expires_in).
 * - HAL+JSON: collections as { totalResults, _links, _embedded: { item: [...] } }; pgsiz / pgnum
 *   (1-indexed), rql filters (`==`, `=ge=`, `=gt=`, `=le=`, `=lt=`, `!=`, `;` for and) and sort.
 * - Orders, receivers and items carry an ETag; PUT and the canceler operators need If-Match
 *   (428 without, 412 when it is stale). A confirmed order cannot be cancelled.
 * - Times are written without an offset ("2026-05-01T10:00:00.123"), in UTC here.
 * - It does not refuse a second order with a reference already used (nothing in the documentation
 *   says it does), so a client must look its reference up before creating.
 */
export const EXTENSIV_CLIENT = { id: 'causeway-client', secret: 'extensiv-client-secret-0123456789', userLoginId: '17' };
export const CUSTOMER_ID = 17;
export const FACILITIES = { 2: 'Reno DC', 3: 'Ontario DC' } as const;

type Json = Record<string, any>;

interface Stored {
  version: number;
  resource: Json;
}

/** Stamps strictly increasing by at least a millisecond, as a database clock would give. */
let last = 0;
export function stamp(at = Date.now()): string {
  last = Math.max(at, last + 1);
  return new Date(last).toISOString().slice(0, 23);
}

export class ExtensivContract {
  readonly http: ContractServer;
  readonly orders = new Map<number, Stored>();
  readonly receivers = new Map<number, Stored>();
  readonly items = new Map<number, Stored>();
  readonly adjustments = new Map<number, Stored>();
  readonly stock = new Map<number, Json[]>();
  tokenTtlSeconds = 3600;
  private nextId = 100;
  private readonly bumpAfterGet = new Set<string>();

  constructor() {
    this.http = new ContractServer({
      contentType: 'application/hal+json; charset=utf-8',
      retryAfterHeaders: ['Retry-After'],
      authorise: (req, server) => (server.tokenValid(bearerOf(req)) ? undefined : {
        status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' }, body: { message: 'Authorization has been denied for this request.' },
      }),
    });
    const h = this.http;
    h.route('POST', '/AuthServer/api/Token', (req) => this.token(req), true);
    h.route('GET', '/orders', (req) => this.list(req, this.orders, 1000));
    h.route('GET', '/orders/{id}', (req, p) => this.get('orders', this.orders, p.id));
    h.route('POST', '/orders', (req) => this.createOrder(req));
    h.route('PUT', '/orders/{id}', (req, p) => this.put('orders', this.orders, req, p.id));
    h.route('POST', '/orders/{id}/canceler', (req, p) => this.cancel(this.orders, req, p.id, 'a confirmed order cannot be cancelled'));
    h.route('GET', '/inventory/receivers', (req) => this.list(req, this.receivers, 500, (r) => req.query.get('receivertype') === null || String(r.readOnly.receiverType) === req.query.get('receivertype')));
    h.route('GET', '/inventory/receivers/{id}', (req, p) => this.get('receivers', this.receivers, p.id));
    h.route('POST', '/inventory/receivers', (req) => this.createReceiver(req));
    h.route('POST', '/inventory/receivers/{id}/canceler', (req, p) => this.cancel(this.receivers, req, p.id, 'a received receiver cannot be cancelled'));
    h.route('GET', '/customers/{cid}/items', (req) => this.list(req, this.items, 500));
    h.route('GET', '/customers/{cid}/items/{id}', (req, p) => this.get('items', this.items, p.id));
    h.route('POST', '/customers/{cid}/items', (req, p) => this.createItem(req, p.cid));
    h.route('PUT', '/customers/{cid}/items/{id}', (req, p) => this.put('items', this.items, req, p.id));
    h.route('GET', '/inventory/adjustments', (req) => this.list(req, this.adjustments, 500));
    h.route('GET', '/inventory/stockdetails', (req) => this.stockDetails(req));
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

  orderByRef(referenceNum: string): Json | undefined {
    return [...this.orders.values()].find((o) => o.resource.referenceNum === referenceNum)?.resource;
  }

  receiverByRef(referenceNum: string): Json | undefined {
    return [...this.receivers.values()].find((o) => o.resource.referenceNum === referenceNum)?.resource;
  }

  itemBySku(sku: string): Stored | undefined {
    return [...this.items.values()].find((o) => o.resource.sku === sku);
  }

  /** Confirms (ships) an order: tracking, packages and the lots picked. */
  confirmOrder(referenceNum: string, ship: { trackingNumber: string; scac?: string; weight?: number; lots?: Record<string, Array<{ lot: string; qty: number; expiry?: string }>>; pallets?: number; charges?: Charge[] }): Json {
    const stored = this.storedByRef(this.orders, referenceNum);
    const o = stored.resource;
    const at = stamp();
    o.readOnly.status = 1;
    o.readOnly.isClosed = true;
    o.readOnly.processDate = at;
    o.routingInfo = { ...o.routingInfo, trackingNumber: ship.trackingNumber, scacCode: ship.scac ?? o.routingInfo?.scacCode };
    for (const item of o.orderItems) {
      const lots = ship.lots?.[item.itemIdentifier.sku] ?? [];
      item.readOnly.allocations = lots.map((l, i) => ({ receiveItemId: 900 + i, qty: l.qty, detail: { itemTraits: { lotNumber: l.lot, expirationDate: l.expiry } } }));
    }
    o.readOnly.packages = [{
      packageId: 1, trackingNumber: ship.trackingNumber, weight: ship.weight,
      packageContents: o.orderItems.map((i: Json) => ({ orderItemId: i.readOnly.orderItemId, sku: i.itemIdentifier.sku, qty: i.qty })),
    }];
    if (ship.pallets) o.readOnly.shippingPallets = Array.from({ length: ship.pallets }, (_, i) => ({ shippingPalletId: 60 + i, ucc128: `00000999990000000${60 + i}`, weight: 400 }));
    if (ship.charges) o.billing = billingOf(ship.charges);
    this.touch(stored, at);
    return o;
  }

  /** Receives an expected receiver: what came, by SKU and lot; the DMG qualifier marks damaged units. */
  receive(referenceNum: string, lines: Array<{ sku: string; qty: number; lot?: string; expiry?: string; qualifier?: string }>, units?: { cartons?: number; pallets?: number; charges?: Charge[] }): Json {
    const stored = this.storedByRef(this.receivers, referenceNum);
    const r = stored.resource;
    const expected = new Map<string, number>();
    for (const line of r.receiveItems) expected.set(line.itemIdentifier.sku, (expected.get(line.itemIdentifier.sku) ?? 0) + line.qty);
    const at = stamp();
    r.receiveItems = lines.map((l, i) => {
      const first = l.qualifier !== 'DMG' && expected.has(l.sku);
      const expectedQty = first ? expected.get(l.sku) : undefined;
      if (first) expected.delete(l.sku);
      return {
        readOnly: { receiveItemId: 500 + i }, itemIdentifier: { sku: l.sku }, qty: l.qty, expectedQty, lotNumber: l.lot,
        expirationDate: l.expiry, qualifier: l.qualifier,
      };
    });
    // Received, an ASN becomes a normal receiver (ReceiverType 0: "receivers and converted ASNs").
    r.readOnly.receiverType = 0;
    r.readOnly.status = 1;
    r.readOnly.arrivalDate = at;
    // The account's handling units: here Cartons first and Pallets second, as a 3PL sets them up.
    if (units?.cartons !== undefined) Object.assign(r, { numUnits1: units.cartons, unit1Identifier: { id: 1, name: 'Cartons' } });
    if (units?.pallets !== undefined) Object.assign(r, { numUnits2: units.pallets, unit2Identifier: { id: 2, name: 'Pallets' } });
    if (units?.charges) r.billing = billingOf(units.charges);
    this.touch(stored, at);
    return r;
  }

  /** A return received at the dock: a receiver of type Return. */
  receiveReturn(referenceNum: string, facilityId: number, lines: Array<{ sku: string; qty: number; lot?: string; qualifier?: string }>): Json {
    const id = this.nextId++;
    const at = stamp();
    const resource = {
      readOnly: { receiverId: id, receiverType: 1, status: 1, creationDate: at, lastModifiedDate: at, arrivalDate: at, customerIdentifier: { id: CUSTOMER_ID }, facilityIdentifier: { id: facilityId, name: FACILITIES[facilityId as 2] } },
      customerIdentifier: { id: CUSTOMER_ID }, facilityIdentifier: { id: facilityId }, referenceNum,
      receiveItems: lines.map((l, i) => ({ readOnly: { receiveItemId: 700 + i }, itemIdentifier: { sku: l.sku }, qty: l.qty, lotNumber: l.lot, qualifier: l.qualifier })),
    };
    this.receivers.set(id, { version: 1, resource });
    return resource;
  }

  adjust(facilityId: number, reason: string, lines: Array<{ sku: string; qty: number; lot?: string }>, notes?: string): Json {
    const id = this.nextId++;
    const at = stamp();
    const resource = {
      readOnly: { adjustmentId: id, processDate: at, lastModifiedDate: at, referenceNum: `ADJ-${id}`, customerIdentifier: { id: CUSTOMER_ID }, facilityIdentifier: { id: facilityId } },
      reason, notes,
      adjustmentItems: lines.map((l) => ({ itemIdentifier: { sku: l.sku }, qty: l.qty, lotNumber: l.lot })),
    };
    this.adjustments.set(id, { version: 1, resource });
    return resource;
  }

  /** The stock details of a facility: one entry per receive item, as GET /inventory/stockdetails gives them. */
  setStock(facilityId: number, details: Array<{ sku: string; onHand: number; available: number; lot?: string; expiry?: string; isOnHold?: boolean; quarantined?: boolean }>): void {
    this.stock.set(facilityId, details.map((d, i) => ({
      receiveItemId: 1000 + i, itemIdentifier: { sku: d.sku }, onHand: d.onHand, available: d.available, received: d.onHand,
      lotNumber: d.lot, expirationDate: d.expiry, isOnHold: d.isOnHold ?? false, quarantined: d.quarantined ?? false,
      locationIdentifier: { nameKey: { facilityIdentifier: { id: facilityId } } },
    })));
  }

  /** Someone at the warehouse edits the order: a new version, a new stamp. */
  touchOrder(referenceNum: string): void {
    this.touch(this.storedByRef(this.orders, referenceNum), stamp());
  }

  /** The next GET of this record is answered, then the record changes (a user edits it). */
  changeAfterNextGet(collection: 'orders' | 'receivers' | 'items', id: number): void {
    this.bumpAfterGet.add(`${collection}:${id}`);
  }

  /** A stamp in the past, as a late-committing transaction leaves it. */
  restamp(referenceNum: string, lastModifiedDate: string): void {
    const stored = this.storedByRef(this.orders, referenceNum);
    stored.version++;
    stored.resource.readOnly.lastModifiedDate = lastModifiedDate;
  }

  /** An event notification as the warehouse posts it: the transaction id, and the resource when configured to include it. */
  event(eventType: string, transactionId: number, withResource: boolean): Json {
    const collection = eventType.startsWith('Order') ? this.orders : this.receivers;
    const resource = collection.get(transactionId)?.resource;
    return { eventType, customerId: CUSTOMER_ID, transactionId, ...(withResource ? { resource } : {}) };
  }

  // The API.

  private token(req: ContractRequest): ContractAnswer {
    const expected = `Basic ${Buffer.from(`${EXTENSIV_CLIENT.id}:${EXTENSIV_CLIENT.secret}`).toString('base64')}`;
    const body = req.body as Json | undefined;
    if (req.headers.authorization !== expected) return { status: 401, body: { error: 'invalid_client' }, contentType: 'application/json' };
    if (body?.grant_type !== 'client_credentials' || body.user_login_id !== EXTENSIV_CLIENT.userLoginId) {
      return { status: 400, body: { error: 'invalid_request', error_description: 'grant_type client_credentials and user_login_id expected' }, contentType: 'application/json' };
    }
    return { status: 200, contentType: 'application/json', body: { access_token: this.http.issueToken(this.tokenTtlSeconds), token_type: 'Bearer', expires_in: this.tokenTtlSeconds, refresh_token: null, scope: null } };
  }

  private list(req: ContractRequest, collection: Map<number, Stored>, maxSize: number, keep: (r: Json) => boolean = () => true): ContractAnswer {
    const size = Number(req.query.get('pgsiz') ?? 100);
    const page = Number(req.query.get('pgnum') ?? 1);
    if (!Number.isInteger(size) || size < 1 || size > maxSize) return { status: 400, body: { message: `pgsiz must be 1 to ${maxSize}` } };
    if (!Number.isInteger(page) || page < 1) return { status: 400, body: { message: 'pgnum is 1-indexed' } };
    let items = [...collection.entries()].map(([id, s]) => ({ id, r: s.resource })).filter(({ r }) => keep(r));
    const rql = req.query.get('rql');
    if (rql) {
      const clauses = rql.split(';').map(parseClause);
      if (clauses.some((c) => !c)) return { status: 400, body: { message: `rql not understood: ${rql}` } };
      items = items.filter(({ r }) => clauses.every((c) => c!.test(r)));
    }
    const sort = req.query.get('sort');
    if (sort) {
      const desc = sort.startsWith('-');
      const path = desc ? sort.slice(1) : sort;
      items.sort((a, b) => compare(valueAt(a.r, path), valueAt(b.r, path)) * (desc ? -1 : 1) || a.id - b.id);
    } else items.sort((a, b) => a.id - b.id);
    const slice = items.slice((page - 1) * size, page * size);
    const links: Json = { self: { href: pageHref(req, page) } };
    if (page * size < items.length) links.next = { href: pageHref(req, page + 1) };
    return { status: 200, body: { totalResults: items.length, _links: links, _embedded: { item: slice.map(({ r }) => r) } } };
  }

  private get(name: 'orders' | 'receivers' | 'items', collection: Map<number, Stored>, id: string): ContractAnswer {
    const stored = collection.get(Number(id));
    if (!stored) return { status: 404, body: { message: `no ${name} ${id}` } };
    const answer = { status: 200, headers: { etag: etagOf(stored.version) }, body: structuredClone(stored.resource) };
    if (this.bumpAfterGet.delete(`${name}:${id}`)) this.touch(stored, stamp());
    return answer;
  }

  private createOrder(req: ContractRequest): ContractAnswer {
    const body = req.body as Json | undefined;
    const refused = this.checkTransaction(body, 'orderItems');
    if (refused) return refused;
    const id = this.nextId++;
    const at = stamp();
    const facilityId = body!.facilityIdentifier.id;
    const resource: Json = {
      ...body,
      readOnly: {
        orderId: id, status: 0, isClosed: false, creationDate: at, lastModifiedDate: at, packages: [],
        customerIdentifier: { id: body!.customerIdentifier.id }, facilityIdentifier: { id: facilityId, name: FACILITIES[facilityId as 2] },
      },
      orderItems: body!.orderItems.map((item: Json, i: number) => ({ ...item, readOnly: { orderItemId: i + 1, allocations: [] } })),
    };
    this.orders.set(id, { version: 1, resource });
    return { status: 201, headers: { etag: etagOf(1), location: `/orders/${id}` }, body: resource };
  }

  private createReceiver(req: ContractRequest): ContractAnswer {
    const body = req.body as Json | undefined;
    const refused = this.checkTransaction(body, 'receiveItems');
    if (refused) return refused;
    const id = this.nextId++;
    const at = stamp();
    const facilityId = body!.facilityIdentifier.id;
    const resource: Json = {
      ...body,
      readOnly: { receiverId: id, receiverType: 2, status: 0, creationDate: at, lastModifiedDate: at, customerIdentifier: { id: body!.customerIdentifier.id }, facilityIdentifier: { id: facilityId, name: FACILITIES[facilityId as 2] } },
      receiveItems: body!.receiveItems.map((item: Json, i: number) => ({ ...item, readOnly: { receiveItemId: i + 1 } })),
    };
    this.receivers.set(id, { version: 1, resource });
    return { status: 201, headers: { etag: etagOf(1), location: `/inventory/receivers/${id}` }, body: resource };
  }

  private createItem(req: ContractRequest, customerId: string): ContractAnswer {
    const body = req.body as Json | undefined;
    if (Number(customerId) !== CUSTOMER_ID) return { status: 404, body: { message: `no customer ${customerId}` } };
    if (!body?.sku) return { status: 400, body: { message: 'Sku is required' } };
    if (this.itemBySku(body.sku)) return { status: 409, body: { message: `an item with sku ${body.sku} exists` } };
    const id = this.nextId++;
    const resource = { ...body, itemId: id, readOnly: { creationDate: stamp() } };
    this.items.set(id, { version: 1, resource });
    return { status: 201, headers: { etag: etagOf(1) }, body: resource };
  }

  private put(name: 'orders' | 'receivers' | 'items', collection: Map<number, Stored>, req: ContractRequest, id: string): ContractAnswer {
    const stored = collection.get(Number(id));
    if (!stored) return { status: 404, body: { message: `no ${name} ${id}` } };
    const precondition = ifMatch(req, stored);
    if (precondition) return precondition;
    const body = req.body as Json;
    // The read-only part is the warehouse's: what a client sends of it is ignored.
    stored.resource = { ...body, readOnly: stored.resource.readOnly, ...(name === 'items' ? { itemId: stored.resource.itemId } : {}) };
    this.touch(stored, stamp());
    return { status: 200, headers: { etag: etagOf(stored.version) }, body: stored.resource };
  }

  private cancel(collection: Map<number, Stored>, req: ContractRequest, id: string, closed: string): ContractAnswer {
    const stored = collection.get(Number(id));
    if (!stored) return { status: 404, body: { message: `no transaction ${id}` } };
    const precondition = ifMatch(req, stored);
    if (precondition) return precondition;
    if (!(req.body as Json | undefined)?.reason) return { status: 400, body: { message: 'Reason is required' } };
    if (stored.resource.readOnly.status === 1) return { status: 400, body: { ErrorCode: 'InvalidState', Message: closed } };
    stored.resource.readOnly.status = 2;
    stored.resource.readOnly.isClosed = true;
    this.touch(stored, stamp());
    return { status: 204 };
  }

  private stockDetails(req: ContractRequest): ContractAnswer {
    const customerId = req.query.get('customerid');
    const facilityId = req.query.get('facilityid');
    if (!customerId || !facilityId) return { status: 400, body: { message: 'customerid and facilityid are required' } };
    const all = Number(customerId) === CUSTOMER_ID ? this.stock.get(Number(facilityId)) ?? [] : [];
    const size = Number(req.query.get('pgsiz') ?? 100);
    const page = Number(req.query.get('pgnum') ?? 1);
    if (size > 500) return { status: 400, body: { message: 'pgsiz must be 1 to 500' } };
    const links: Json = {};
    if (page * size < all.length) links.next = { href: pageHref(req, page + 1) };
    return { status: 200, body: { totalResults: all.length, _links: links, _embedded: { item: all.slice((page - 1) * size, page * size) } } };
  }

  private checkTransaction(body: Json | undefined, lines: string): ContractAnswer | undefined {
    if (!body?.referenceNum) return { status: 400, body: { message: 'ReferenceNum is required' } };
    if (body.customerIdentifier?.id !== CUSTOMER_ID) return { status: 400, body: { message: `CustomerIdentifier ${JSON.stringify(body.customerIdentifier)} unknown` } };
    if (!(body.facilityIdentifier?.id in FACILITIES)) return { status: 400, body: { message: `FacilityIdentifier ${JSON.stringify(body.facilityIdentifier)} unknown` } };
    if (!Array.isArray(body[lines]) || body[lines].length === 0) return { status: 400, body: { message: `${lines} required` } };
    return undefined;
  }

  private storedByRef(collection: Map<number, Stored>, referenceNum: string): Stored {
    const found = [...collection.values()].find((s) => s.resource.referenceNum === referenceNum);
    if (!found) throw new Error(`the contract server has no transaction ${referenceNum}`);
    return found;
  }

  private touch(stored: Stored, at: string): void {
    stored.version++;
    stored.resource.readOnly.lastModifiedDate = at;
  }
}

function ifMatch(req: ContractRequest, stored: Stored): ContractAnswer | undefined {
  const given = req.headers['if-match'];
  if (!given) return { status: 428, body: { message: 'If-Match header required' } };
  if (given !== etagOf(stored.version)) return { status: 412, body: { message: 'The resource was modified; get it again' } };
  return undefined;
}

function valueAt(resource: Json, path: string): unknown {
  let v: unknown = resource;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    const key = Object.keys(v as Json).find((k) => k.toLowerCase() === part.toLowerCase());
    v = key === undefined ? undefined : (v as Json)[key];
  }
  return v;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const [x, y] = [String(a ?? ''), String(b ?? '')];
  return x < y ? -1 : x > y ? 1 : 0;
}

function parseClause(clause: string): { test(r: Json): boolean } | undefined {
  const m = /^([\w.]+)(==|!=|=ge=|=gt=|=le=|=lt=)(.*)$/.exec(clause);
  if (!m) return undefined;
  const [, path, op, raw] = m;
  return {
    test(r: Json) {
      const v = valueAt(r, path);
      const c = typeof v === 'number' && /^-?\d+(\.\d+)?$/.test(raw) ? v - Number(raw) : compare(v, raw);
      switch (op) {
        case '==': return c === 0;
        case '!=': return c !== 0;
        case '=ge=': return c >= 0;
        case '=gt=': return c > 0;
        case '=le=': return c <= 0;
        default: return c < 0;
      }
    },
  };
}

function pageHref(req: ContractRequest, page: number): string {
  const q = new URLSearchParams(req.query);
  q.set('pgnum', String(page));
  return `${req.path}?${q}`;
}

/** A charge the warehouse put on a transaction: a PriceCalcFieldType (1 handling, 5 special charges, 6 materials...), its label and units. */
export interface Charge { type: number; label: string; units: number; perUnit?: number }

/** Billing.BillingCharges as the documentation shapes them: one charge per type, its details beneath. */
function billingOf(charges: Charge[]): Json {
  const types = [...new Set(charges.map((c) => c.type))];
  return {
    billingCharges: types.map((chargeType) => {
      const details = charges.filter((c) => c.type === chargeType).map((c, i) => ({
        warehouseTransactionPriceCalcId: 40 + i, numUnits: c.units, chargeLabel: c.label, unitDescription: 'Each', chargePerUnit: c.perUnit ?? 1, systemGenerated: false,
      }));
      return { chargeType, subtotal: details.reduce((t, d) => t + d.numUnits * d.chargePerUnit, 0), details };
    }),
  };
}
