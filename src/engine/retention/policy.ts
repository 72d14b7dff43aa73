import type { RetentionConfig, RetentionKeep } from '../../config/retention.ts';
import type { RetentionMonth } from '../../store/index.ts';

// Which parts of which rows retention may remove: pure decisions over the config, shared by the
// scheduled pruner and `causeway prune`. Unset means keep for ever, and a longer period always
// wins, so no setting can make another one remove something sooner than it says.

const DAY_MS = 86_400_000;
type Part = keyof RetentionKeep;
type TenantWide = 'messagesDays' | 'ledgerDays' | 'reconciliationDays';

/** The longer of two periods, where undefined (for ever) is the longest. */
function longer(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : Math.max(a, b);
}

export class RetentionPolicy {
  constructor(private readonly config: RetentionConfig) {}

  /** True when any setting could remove anything: otherwise the pruner has nothing to do. */
  get active(): boolean {
    const any = (t: Partial<RetentionKeep & Record<TenantWide, number>> & { byType?: Record<string, RetentionKeep | undefined> }) =>
      [t.rawDays, t.documentsDays, t.attemptsDays, t.messagesDays, t.ledgerDays, t.reconciliationDays].some((d) => d !== undefined)
      || Object.values(t.byType ?? {}).some((k) => k && Object.values(k).some((d) => d !== undefined));
    return any(this.config) || Object.values(this.config.tenants).some(any);
  }

  /** Days a part of a document type is kept for a tenant: tenant's type, tenant, type, then the top level. */
  keepDays(tenant: string, part: Part, type?: string): number | undefined {
    const t = this.config.tenants[tenant];
    const candidates = [
      type === undefined ? undefined : t?.byType?.[type as keyof typeof t.byType]?.[part],
      t?.[part],
      type === undefined ? undefined : this.config.byType[type as keyof typeof this.config.byType]?.[part],
      this.config[part],
    ];
    // The narrowest place that says something decides.
    return candidates.find((d) => d !== undefined);
  }

  tenantDays(tenant: string, what: TenantWide): number | undefined {
    return this.config.tenants[tenant]?.[what] ?? this.config[what];
  }

  /**
   * Days a message keeps a part: the longest among its documents' types (a message without
   * documents, e.g. one quarantined at decode, follows the tenant's setting).
   */
  messageKeepDays(tenant: string, part: Part, types: string[]): number | undefined {
    if (types.length === 0) return this.keepDays(tenant, part);
    let days: number | undefined = 0;
    for (const type of types) days = longer(days, this.keepDays(tenant, part, type));
    return days;
  }

  /** The shortest period any type of the tenant has for a part: older messages are worth looking at. */
  shortestDays(tenant: string, part: Part): number | undefined {
    const t = this.config.tenants[tenant];
    const all = [this.keepDays(tenant, part),
      ...Object.keys({ ...this.config.byType, ...(t?.byType ?? {}) }).map((type) => this.keepDays(tenant, part, type))];
    const set = all.filter((d): d is number => d !== undefined);
    return set.length ? Math.min(...set) : undefined;
  }

  /** Types with a period of their own for a part (for pruning attempts type by type). */
  typesWithOwnDays(tenant: string, part: Part): string[] {
    const t = this.config.tenants[tenant];
    return [...new Set([...Object.keys(this.config.byType), ...Object.keys(t?.byType ?? {})])]
      .filter((type) => this.keepDays(tenant, part, type) !== this.keepDays(tenant, part));
  }

  /** The shortest period any tenant keeps message rows: no month ending after it can go whole. */
  shortestMessagesDays(): number | undefined {
    const set = [this.config.messagesDays, ...Object.values(this.config.tenants).map((t) => t.messagesDays)].filter((d): d is number => d !== undefined);
    return set.length ? Math.min(...set) : undefined;
  }

  /**
   * Whether a month may go whole: every tenant with messages in it would have lost every one of
   * them, row by row, by now (nothing open, and each part's longest period over for the month's
   * last instant).
   */
  monthExpired(now: number, month: RetentionMonth): boolean {
    const last = month.end - 1;
    return month.tenants.every((t) => t.open === 0
      && expired(now, last, this.tenantDays(t.tenant, 'messagesDays'))
      && (['rawDays', 'documentsDays'] as const).every((part) => expired(now, last, longer(this.messageKeepDays(t.tenant, part, t.types), this.keepDays(t.tenant, part)))));
  }

  /** Tenants named in the config besides those the hub knows. */
  namedTenants(): string[] {
    return Object.keys(this.config.tenants);
  }
}

/** The time before which something kept `days` days may go. */
export function cutoff(now: number, days: number): number {
  return now - Math.round(days * DAY_MS);
}

/** Whether a message received at `receivedAt` may lose a part kept `days` days. */
export function expired(now: number, receivedAt: number, days: number | undefined): boolean {
  return days !== undefined && receivedAt < cutoff(now, days);
}
