// The billing facet, written once in SQL both dialects read alike (see console-sql.ts for the
// port). Exactly once is the store's unique key: INSERT ... ON CONFLICT DO NOTHING on
// (tenant, event_key, kind), so the sweep may offer an event any number of times.
import Big from 'big.js';
import { clampLimit } from './decisions.ts';
import type { SqlPort, SqlStep } from './console-sql.ts';
import type { Row } from './rows.ts';
import type { AppliedDocumentRow, BillingCursor, BillingStore, ClosedPeriod, NewUsageEvent, UsageEventRow } from './types.ts';

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/**
 * How far behind its cursor the sweep reads again. On PostgreSQL a document's number is taken
 * when it is inserted, not when its transaction commits, so a slow commit can land behind a number
 * the sweep already passed; re-reading this many numbers back catches it. A commit later than
 * that many documents is the one case the document path misses (the verdict path still sees it
 * when the rules are on). SQLite writes one transaction at a time, so its numbers come in order.
 */
export const BILLING_LOOKBACK = 1000;

/** The latest verdict of document d, or null. */
const LATEST_VERDICT = `(SELECT v.verdict FROM rule_verdicts v WHERE v.tenant = d.tenant AND v.message_id = d.message_id AND v.document_id = d.id ORDER BY v.id DESC LIMIT 1)`;

function eventOf(r: Row): UsageEventRow {
  return {
    id: Number(r.id), tenant: r.tenant, key: r.event_key, kind: r.kind, quantity: r.quantity, facility: r.facility, occurredAt: Number(r.occurred_at),
    documentId: r.document_id, messageId: Number(r.message_id), recordedAt: Number(r.recorded_at), invoicePeriod: r.invoice_period ?? null,
  };
}

class BillingSql {
  /** `seq`: the column that numbers documents in insertion order (SQLite's rowid, PostgreSQL's seq). */
  constructor(private readonly db: SqlPort, private readonly seq: string) {}

  async appliedDocuments(tenant: string, types: readonly string[], cursor: BillingCursor | null, limit: number) {
    const from = { document: Math.max(0, (cursor?.document ?? 0) - BILLING_LOOKBACK), verdict: Math.max(0, (cursor?.verdict ?? 0) - BILLING_LOOKBACK) };
    const t = marks(types.length);
    const documents: AppliedDocumentRow[] = [];
    const read = (r: Row): AppliedDocumentRow => ({ documentId: r.id, messageId: Number(r.message_id), type: r.type, occurredAt: Number(r.occurred_at), body: this.db.json(r.body) });
    const byDocument = await this.db.all(`SELECT d.${this.seq} AS n, d.id, d.message_id, d.type, d.occurred_at, d.body FROM documents d JOIN messages m ON m.id = d.message_id
      WHERE d.tenant = ? AND d.${this.seq} > ? AND d.type IN (${t}) AND m.status = 'processed' AND d.generation = m.generation
        AND COALESCE(${LATEST_VERDICT}, 'apply') = 'apply'
      ORDER BY d.${this.seq} LIMIT ?`, [tenant, from.document, ...types, limit + BILLING_LOOKBACK]);
    documents.push(...byDocument.map(read));
    const byVerdict = await this.db.all(`SELECT v.id AS n, d.id, d.message_id, d.type, d.occurred_at, d.body FROM rule_verdicts v JOIN documents d ON d.id = v.document_id AND d.tenant = v.tenant
      WHERE v.tenant = ? AND v.id > ? AND v.verdict = 'apply' AND v.document_type IN (${t})
      ORDER BY v.id LIMIT ?`, [tenant, from.verdict, ...types, limit + BILLING_LOOKBACK]);
    documents.push(...byVerdict.map(read));
    const last = (rows: Row[], was: number) => Math.max(was, ...rows.map((r) => Number(r.n)));
    // The page is `limit` past the re-read stretch, so the cursor always moves on; a full page leaves the rest for the next call.
    return { documents, next: { document: last(byDocument, cursor?.document ?? 0), verdict: last(byVerdict, cursor?.verdict ?? 0) } };
  }

  async billingCursor(tenant: string): Promise<BillingCursor | null> {
    const [r] = await this.db.all('SELECT document_seq, verdict_id FROM billing_cursors WHERE tenant = ?', [tenant]);
    return r ? { document: Number(r.document_seq), verdict: Number(r.verdict_id) } : null;
  }

  async storageCountedThrough(tenant: string): Promise<string | null> {
    const [r] = await this.db.all('SELECT storage_day FROM billing_cursors WHERE tenant = ?', [tenant]);
    return r?.storage_day ?? null;
  }

  recordStorage(tenant: string, events: NewUsageEvent[], day: string, now: number): Promise<number> {
    return this.recordUsage(tenant, events, null, now, {
      sql: `INSERT INTO billing_cursors (tenant, document_seq, verdict_id, storage_day, updated_at) VALUES (?, 0, 0, ?, ?)
        ON CONFLICT (tenant) DO UPDATE SET storage_day = excluded.storage_day, updated_at = excluded.updated_at`,
      params: [tenant, day, now],
    });
  }

  async recordUsage(tenant: string, events: NewUsageEvent[], cursor: BillingCursor | null, now: number, also?: SqlStep): Promise<number> {
    const keys = [...new Set(events.map((e) => e.key))];
    const countKnown = async () => {
      if (!keys.length) return 0;
      const [r] = await this.db.all(`SELECT COUNT(*) AS n FROM billing_usage WHERE tenant = ? AND event_key IN (${marks(keys.length)})`, [tenant, ...keys]);
      return Number(r?.n ?? 0);
    };
    const before = await countKnown();
    const steps: SqlStep[] = events.map((e) => {
      if (e.tenant !== tenant) throw new Error(`a usage event of tenant ${e.tenant} offered for tenant ${tenant}`);
      return {
        sql: `INSERT INTO billing_usage (tenant, event_key, kind, quantity, facility, occurred_at, document_id, message_id, recorded_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, event_key, kind) DO NOTHING`,
        params: [tenant, e.key, e.kind, e.quantity, e.facility, e.occurredAt, e.documentId, e.messageId, now],
      };
    });
    if (cursor) {
      steps.push({
        sql: `INSERT INTO billing_cursors (tenant, document_seq, verdict_id, updated_at) VALUES (?, ?, ?, ?)
          ON CONFLICT (tenant) DO UPDATE SET document_seq = excluded.document_seq, verdict_id = excluded.verdict_id, updated_at = excluded.updated_at`,
        params: [tenant, cursor.document, cursor.verdict, now],
      });
    }
    if (also) steps.push(also);
    if (steps.length) await this.db.steps(steps);
    return (await countKnown()) - before;
  }

  async unbilledUsage(tenant: string, before: number): Promise<Record<string, string>> {
    const totals = new Map<string, Big>();
    for (const r of await this.db.all('SELECT kind, quantity FROM billing_usage WHERE tenant = ? AND invoice_period IS NULL AND occurred_at < ?', [tenant, before])) {
      totals.set(r.kind, (totals.get(r.kind) ?? new Big(0)).plus(r.quantity));
    }
    return Object.fromEntries([...totals].map(([k, v]) => [k, v.toString()]));
  }

  async closeBillingPeriod(c: Omit<ClosedPeriod, 'lines'> & { lines: ClosedPeriod['lines']; before: number }): Promise<boolean> {
    return this.db.steps([
      {
        sql: `INSERT INTO billing_periods (tenant, period, currency, total, closed_at, usage_before) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, period) DO NOTHING`,
        params: [c.tenant, c.period, c.currency, c.total, c.closedAt, c.before], mustChange: true,
      },
      ...c.lines.map((l) => ({
        sql: 'INSERT INTO billing_invoice_lines (tenant, period, line, kind, tier, quantity, unit_price, amount) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        params: [c.tenant, c.period, l.line, l.kind, l.tier, l.quantity, l.unitPrice, l.amount],
      })),
      { sql: 'UPDATE billing_usage SET invoice_period = ? WHERE tenant = ? AND invoice_period IS NULL AND occurred_at < ?', params: [c.period, c.tenant, c.before] },
    ]);
  }

  async billingPeriod(tenant: string, period: string): Promise<ClosedPeriod | undefined> {
    const [p] = await this.db.all('SELECT * FROM billing_periods WHERE tenant = ? AND period = ?', [tenant, period]);
    if (!p) return undefined;
    const lines = await this.db.all('SELECT * FROM billing_invoice_lines WHERE tenant = ? AND period = ? ORDER BY line', [tenant, period]);
    return {
      tenant, period, currency: p.currency, total: p.total, closedAt: Number(p.closed_at),
      lines: lines.map((l) => ({ line: Number(l.line), kind: l.kind, tier: Number(l.tier), quantity: l.quantity, unitPrice: l.unit_price, amount: l.amount })),
    };
  }

  async listUsageEvents(tenant: string, filter: { limit?: number; before?: number; invoicePeriod?: string | null; kind?: string } = {}): Promise<UsageEventRow[]> {
    const where = ['tenant = ?'];
    const params: unknown[] = [tenant];
    if (filter.invoicePeriod === null) where.push('invoice_period IS NULL');
    else if (filter.invoicePeriod !== undefined) where.push('invoice_period = ?'), params.push(filter.invoicePeriod);
    if (filter.kind !== undefined) where.push('kind = ?'), params.push(filter.kind);
    if (filter.before !== undefined) where.push('id < ?'), params.push(filter.before);
    const rows = await this.db.all(`SELECT * FROM billing_usage WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`, [...params, clampLimit(filter.limit)]);
    return rows.map(eventOf);
  }
}

/** The billing methods over a port, bound, for a store to take on as its own (Object.assign in its constructor). */
export function billingFacet(port: SqlPort, documentSeq: 'rowid' | 'seq'): BillingStore {
  const sql = new BillingSql(port, documentSeq);
  return {
    appliedDocuments: (...a) => sql.appliedDocuments(...a),
    billingCursor: (...a) => sql.billingCursor(...a),
    recordUsage: (tenant, events, cursor, now) => sql.recordUsage(tenant, events, cursor, now),
    storageCountedThrough: (...a) => sql.storageCountedThrough(...a),
    recordStorage: (...a) => sql.recordStorage(...a),
    unbilledUsage: (...a) => sql.unbilledUsage(...a),
    closeBillingPeriod: (...a) => sql.closeBillingPeriod(...a),
    billingPeriod: (...a) => sql.billingPeriod(...a),
    listUsageEvents: (...a) => sql.listUsageEvents(...a),
  };
}
