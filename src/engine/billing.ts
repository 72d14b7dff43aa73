import type { Logger } from 'pino';
import {
  BILLABLE_TYPES, BILLING_ENDPOINT, periodBounds, rateUsage, STORAGE_KINDS, storageDaysDue, storageOf, unmeasuredSkus, usageOf,
  type BillingConfig, type InvoiceLine, type ItemMeasures, type RateCard, type StorageMeasure, type StoredStock,
} from '../billing/index.ts';
import { randomUUID } from 'node:crypto';
import type { CausewayConfig } from '../config/index.ts';
import { entityKeys, type CanonicalDocument, type Invoice as InvoiceDocument, type Item } from '../model/index.ts';
import { contentHash } from './inbox.ts';
import type { ClosedPeriod, Store } from '../store/index.ts';

/** Documents read per page of the usage sweep. */
const PAGE = 500;

export class BillingError extends Error {
  constructor(readonly code: 'no-rate-card' | 'bad-period' | 'period-open' | 'busy', message: string) {
    super(message);
  }
}

export interface Invoice extends Omit<ClosedPeriod, 'lines'> {
  lines: InvoiceLine[];
}

type BillingPorts = Pick<Store, 'appliedDocuments' | 'billingCursor' | 'recordUsage' | 'storageCountedThrough' | 'recordStorage' | 'unbilledUsage' | 'closeBillingPeriod' | 'billingPeriod' | 'listUsageEvents' | 'tryAcquireJobLease' | 'releaseJobLease' | 'latestDocumentsOfType' | 'acceptMessages'>;

/** Where closed months' invoices go (config billing.sendTo): the tenant of that endpoint, and the processor to wake. */
export interface InvoiceOutbox {
  tenant: string;
  wake?: () => void;
}

/**
 * The usage sweep and the period close. The sweep turns applied documents into usage events
 * after its cursor; events are recorded with the cursor in one transaction, and each (key, kind)
 * once ever, so a sweep cut short by a crash is simply run again. The sweep and the close of a
 * tenant hold the same job lease, so no event is recorded while a period is being closed: the
 * usage a close rates is exactly the usage it marks as billed.
 */
export class BillingService {
  /**
   * `stock`: the warehouse's positions of a tenant as of a time (the inventory service's fold);
   * without it no storage is counted.
   */
  constructor(
    private readonly store: BillingPorts, private readonly config: BillingConfig, private readonly owner: string, private readonly logger?: Logger,
    private readonly stock?: (tenant: string, at: number) => Promise<StoredStock[]>,
    private readonly outbox?: InvoiceOutbox,
  ) {}

  static leaseOf(tenant: string): string {
    return `billing:${tenant}`;
  }

  /** Records the usage of every document applied since the last sweep, and the storage of every day ended since; the events new to the store. */
  async sweep(tenant: string, now = Date.now()): Promise<number> {
    return (await this.sweepDocuments(tenant)) + (await this.sweepStorage(tenant, now));
  }

  /**
   * Storage of each UTC day ended since the last one counted (the first time, yesterday only; at
   * most 62 days a sweep), from the warehouse's positions at the day's end, in each measure the
   * client's rate card prices (storage_unit_day, storage_volume_day, storage_pallet_day).
   */
  async sweepStorage(tenant: string, now = Date.now()): Promise<number> {
    const card = this.config.tenants[tenant];
    const measures = (Object.keys(STORAGE_KINDS) as StorageMeasure[]).filter((m) => card?.rates[STORAGE_KINDS[m]]);
    // Only a client whose card prices storage has it counted: folding positions for every day costs.
    if (!this.stock || !card || !measures.length) return 0;
    const days = storageDaysDue((await this.store.storageCountedThrough(tenant)) ?? undefined, now);
    const items = days.length && measures.some((m) => m !== 'unit') ? await this.itemMeasures(tenant) : undefined;
    let recorded = 0;
    for (const day of days) {
      const stock = await this.stock(tenant, Date.parse(`${day}T00:00:00Z`) + 86_400_000 - 1);
      const events = storageOf(tenant, day, stock, { measures, items, volumeUnit: card.volumeUnit });
      recorded += await this.store.recordStorage(tenant, events, day, now);
    }
    return recorded;
  }

  /** The item master's measures by SKU; of several endpoints' records, the first that gives a measure wins it. */
  private async itemMeasures(tenant: string): Promise<Map<string, ItemMeasures>> {
    const items = new Map<string, ItemMeasures>();
    for (const r of (await this.store.latestDocumentsOfType(tenant, 'item'))) {
      const item = r.body as Item;
      const known = items.get(item.sku);
      items.set(item.sku, {
        baseUom: known?.baseUom ?? item.baseUom,
        factors: known?.factors ?? Object.fromEntries((item.conversions ?? []).map((c) => [c.uom, c.factor])),
        dimensions: known?.dimensions ?? item.dimensions,
        unitsPerPallet: known?.unitsPerPallet ?? item.unitsPerPallet,
      });
    }
    return items;
  }

  private async sweepDocuments(tenant: string): Promise<number> {
    let cursor = await this.store.billingCursor(tenant);
    let recorded = 0;
    for (;;) {
      const { documents, next } = await this.store.appliedDocuments(tenant, BILLABLE_TYPES, cursor, PAGE);
      const events = documents.flatMap((d) => usageOf({ documentId: d.documentId, messageId: d.messageId, occurredAt: d.occurredAt, document: d.body as CanonicalDocument }));
      recorded += await this.store.recordUsage(tenant, events, next, Date.now());
      const moved = !cursor || next.document !== cursor.document || next.verdict !== cursor.verdict;
      cursor = next;
      if (!moved) return recorded;
    }
  }

  /** Runs `work` holding the tenant's billing lease, waiting up to `waitMs` for it. */
  async withLease<T>(tenant: string, work: () => Promise<T>, waitMs = 10_000): Promise<T> {
    const key = BillingService.leaseOf(tenant);
    // An owner of its own: the schedule in this same process must not count as already holding it.
    const owner = `${this.owner}:${randomUUID()}`;
    const until = Date.now() + waitMs;
    while (!(await this.store.tryAcquireJobLease(key, owner, 120_000, Date.now()))) {
      if (Date.now() > until) throw new BillingError('busy', `billing of ${tenant} is busy on another worker; try again shortly`);
      await new Promise((r) => setTimeout(r, 100));
    }
    try {
      return await work();
    } finally {
      await this.store.releaseJobLease(key, owner);
    }
  }

  rateCard(tenant: string): RateCard {
    const card = this.config.tenants[tenant];
    if (!card) throw new BillingError('no-rate-card', `no rate card for tenant ${tenant}: add billing.tenants.${tenant} to the config`);
    return card;
  }

  /**
   * Closes a period: sweeps, rates every unbilled event that happened before the period's end, and
   * stores the lines. Closing a closed period returns its stored lines; they never change.
   */
  async close(tenant: string, period: string, now = Date.now()): Promise<Invoice & { closedNow: boolean; unpriced: string[]; unmeasured: string[] }> {
    const bounds = periodBounds(period);
    if (!bounds) throw new BillingError('bad-period', `period ${JSON.stringify(period)} is not a month: expected YYYY-MM`);
    const stored = await this.store.billingPeriod(tenant, period);
    if (stored) return { ...(await this.send(stored as Invoice)), closedNow: false, unpriced: [], unmeasured: [] };
    const card = this.rateCard(tenant);
    if (bounds.end > now) throw new BillingError('period-open', `period ${period} ends ${new Date(bounds.end).toISOString()}: it cannot be closed before then`);
    return this.withLease(tenant, async () => {
      const again = await this.store.billingPeriod(tenant, period);
      if (again) return { ...(await this.send(again as Invoice)), closedNow: false, unpriced: [], unmeasured: [] };
      await this.sweep(tenant);
      const totals = await this.store.unbilledUsage(tenant, bounds.end);
      const rated = rateUsage(totals, card);
      const unmeasured = unmeasuredSkus(totals);
      const closed = { tenant, period, currency: rated.currency, total: rated.total, closedAt: now, lines: rated.lines, before: bounds.end };
      const wrote = await this.store.closeBillingPeriod(closed);
      if (!wrote) return { ...(await this.send((await this.store.billingPeriod(tenant, period)) as Invoice)), closedNow: false, unpriced: [], unmeasured: [] };
      this.logger?.info({ tenant, period, total: rated.total, lines: rated.lines.length, unpriced: rated.unpriced, unmeasured }, 'billing period closed');
      const { before: _, ...invoice } = closed;
      await this.send(invoice);
      return { ...invoice, closedNow: true, unpriced: rated.unpriced, unmeasured };
    });
  }

  /**
   * Puts a closed month's invoice into the outbox to billing.sendTo. Every close answer offers it
   * again under the one idempotency key `invoice:<tenant>:<period>`, which the inbox takes once:
   * a crash between the close and this leaves it to the next close call, and no call sends two.
   */
  private async send(invoice: Invoice): Promise<Invoice> {
    if (!this.outbox) return invoice;
    const usageKeys = new Map<string, string[]>();
    for (const kind of new Set(invoice.lines.map((l) => l.kind))) {
      if (kind !== 'minimum') usageKeys.set(kind, await this.billedKeys(invoice.tenant, invoice.period, kind));
    }
    const document: Omit<InvoiceDocument, 'id' | 'source' | 'receivedAt' | 'schemaVersion' | 'references'> = {
      type: 'invoice', tenant: this.outbox.tenant, entityKey: entityKeys.invoice(invoice.tenant, invoice.period), occurredAt: new Date(invoice.closedAt).toISOString(),
      client: invoice.tenant, period: invoice.period, currency: invoice.currency, total: invoice.total, closedAt: new Date(invoice.closedAt).toISOString(),
      lines: invoice.lines.map((l) => ({ line: l.line, kind: l.kind, tier: l.tier, quantity: l.quantity, rate: l.unitPrice, amount: l.amount, usageKeys: usageKeys.get(l.kind) ?? [] })),
    };
    const body = Buffer.from(JSON.stringify(document));
    const [accepted] = await this.store.acceptMessages([{
      tenant: this.outbox.tenant, endpoint: BILLING_ENDPOINT, codec: 'json', contentType: 'application/json',
      idempotencyKey: `invoice:${invoice.tenant}:${invoice.period}`, contentHash: contentHash(body), body, receivedAt: invoice.closedAt,
    }]);
    if (accepted && !accepted.duplicate) this.outbox.wake?.();
    return invoice;
  }

  /** The keys of the events of `kind` a closed period billed, each once, sorted: the same invoice always reads the same. */
  private async billedKeys(tenant: string, period: string, kind: string): Promise<string[]> {
    const keys: string[] = [];
    let before: number | undefined;
    for (;;) {
      const page = await this.store.listUsageEvents(tenant, { invoicePeriod: period, kind, limit: 1000, ...(before === undefined ? {} : { before }) });
      keys.push(...page.map((e) => e.key));
      if (page.length < 1000) break;
      before = page.at(-1)!.id;
    }
    return [...new Set(keys)].sort();
  }

  async invoice(tenant: string, period: string): Promise<Invoice | undefined> {
    return (await this.store.billingPeriod(tenant, period)) as Invoice | undefined;
  }

  /** The usage events behind line `line` of a closed period (none for the minimum). */
  async lineEvents(tenant: string, period: string, line: number, page: { limit?: number; before?: number } = {}) {
    const invoice = await this.store.billingPeriod(tenant, period);
    const l = invoice?.lines.find((x) => x.line === line);
    if (!l) return undefined;
    if (l.kind === 'minimum') return { line: l, events: [] };
    return { line: l, events: await this.store.listUsageEvents(tenant, { ...page, invoicePeriod: period, kind: l.kind }) };
  }
}

/** The usage sweep on a schedule: each tenant's on one worker of the cluster at a time (the job lease). */
export async function runBillingSchedule(deps: { service: BillingService; store: Pick<Store, 'tryAcquireJobLease' | 'releaseJobLease'>; tenants: string[]; owner: string; everyMs: number; logger: Logger }, signal: AbortSignal): Promise<void> {
  if (deps.everyMs <= 0 || deps.tenants.length === 0) return;
  while (!signal.aborted) {
    for (const tenant of deps.tenants) {
      const key = BillingService.leaseOf(tenant);
      try {
        if (await deps.store.tryAcquireJobLease(key, deps.owner, deps.everyMs + 30_000, Date.now())) {
          try {
            const recorded = await deps.service.sweep(tenant);
            deps.logger[recorded ? 'info' : 'debug']({ tenant, recorded }, 'usage sweep done');
          } finally {
            await deps.store.releaseJobLease(key, deps.owner);
          }
        }
      } catch (e) {
        deps.logger.warn({ err: e, tenant }, 'usage sweep failed; trying again next time');
      }
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, deps.everyMs);
      signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
    });
  }
}

/** The outbox of billing.sendTo, in the tenant its endpoint belongs to; none without one. */
export function invoiceOutboxOf(config: Pick<CausewayConfig, 'billing' | 'endpoints' | 'defaultTenant'>, wake?: () => void): InvoiceOutbox | undefined {
  const to = config.billing.sendTo;
  return to === undefined ? undefined : { tenant: config.endpoints[to]?.tenant ?? config.defaultTenant, wake };
}

/** The warehouse side of the inventory service's positions, as storage counts them. */
export function warehouseStock(positions: (tenant: string, at: number) => Promise<Array<{ facility: string; sku: string; uom: string; warehouse: { onHand: string } | null }>>) {
  return async (tenant: string, at: number): Promise<StoredStock[]> =>
    (await positions(tenant, at)).flatMap((p) => (p.warehouse ? [{ facility: p.facility, sku: p.sku, uom: p.uom, onHand: p.warehouse.onHand }] : []));
}
