import Big from 'big.js';
import type { RoutingConfig } from '../config/routing.ts';
import type { Availability } from '../inventory/index.ts';
import { entityKeyFor, type CanonicalDocument, type SalesOrder } from '../model/index.ts';
import { needsRouting, ordersFor, reservationsOf, routeOrder, stockKey } from '../routing/index.ts';
import type { RoutingStore } from '../store/index.ts';
import type { DecodedMessage } from './messages.ts';

type Entry = DecodedMessage['documents'][number];

/** How long a tenant's available-to-promise is reused between orders: folding the stock documents is the costly part. */
const AVAILABILITY_TTL_MS = 5_000;

/**
 * The pipeline's routing step: a sales_order with no facility (or `auto`) gets one before flows
 * route it. The decision is kept on the order (`extensions.routing`) and in the store with the
 * stock it holds, which later orders count against; a shipment of the order at a facility
 * releases what it held there. A split order becomes one order per facility.
 */
export class OrderRouter {
  private readonly atp = new Map<string, { at: number; available: Map<string, Big> }>();

  constructor(
    private readonly store: RoutingStore,
    private readonly config: RoutingConfig,
    private readonly availability: (tenant: string, now: number) => Promise<Availability[]>,
  ) {}

  get enabled(): boolean {
    return Object.keys(this.config.facilities).length > 0;
  }

  async apply(entries: Entry[], channel: string, decoded: DecodedMessage, now = Date.now()): Promise<Entry[]> {
    if (!this.enabled) return entries;
    // Places past every document of the message, and past every one that failed, so a split part's delivery key is its own.
    let nextIndex = decoded.documents.reduce((n, d) => Math.max(n, d.index + 1), 0) + decoded.errors.length;
    const out: Entry[] = [];
    for (const entry of entries) {
      const doc = entry.document;
      if (doc.type === 'shipment' && doc.orderNumber && doc.facility) {
        await this.store.releaseReservations(doc.tenant, `order:${doc.orderNumber}`, doc.facility);
      }
      if (doc.type !== 'sales_order' || !needsRouting(doc)) { out.push(entry); continue; }
      const order = doc as SalesOrder & CanonicalDocument;
      const decision = routeOrder(order, {
        config: this.config, now, tenant: doc.tenant, channel,
        available: await this.available(doc.tenant, now), reserved: await this.reserved(doc.tenant),
      });
      const reservations = reservationsOf(decision).map((r) => ({ facility: r.facility, sku: r.sku, quantity: r.quantity.toFixed() }));
      await this.store.putRouting(doc.tenant, { orderKey: doc.entityKey, status: decision.status, facility: decision.facility ?? null, decision, decidedAt: now }, reservations);
      const parts = ordersFor(order, decision);
      if (!parts.length) {
        // Held or unroutable: the order is kept with its decision and goes nowhere until it is routed.
        out.push({ ...entry, document: { ...order, extensions: { ...order.extensions, routing: decision } } as CanonicalDocument });
        continue;
      }
      for (const [i, part] of parts.entries()) {
        const split = parts.length > 1;
        const document = { ...part, id: split ? `${doc.id}-${part.facility}` : doc.id, entityKey: split ? entityKeyFor(part) ?? doc.entityKey : doc.entityKey } as CanonicalDocument;
        // The first part keeps the order's place in the message; the others take places after the message's own.
        out.push({ ...entry, index: i === 0 ? entry.index : nextIndex++, document });
      }
    }
    return out;
  }

  private async available(tenant: string, now: number): Promise<Map<string, Big>> {
    const hit = this.atp.get(tenant);
    if (hit && now - hit.at < AVAILABILITY_TTL_MS && now >= hit.at) return hit.available;
    const available = new Map((await this.availability(tenant, now)).map((a) => [stockKey(a.facility, a.sku), new Big(a.available)]));
    this.atp.set(tenant, { at: now, available });
    return available;
  }

  private async reserved(tenant: string): Promise<Map<string, Big>> {
    const out = new Map<string, Big>();
    for (const r of await this.store.reservations(tenant)) {
      const key = stockKey(r.facility, r.sku);
      out.set(key, (out.get(key) ?? new Big(0)).plus(r.quantity));
    }
    return out;
  }
}
