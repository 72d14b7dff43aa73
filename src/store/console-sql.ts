// The console's facet and the alert states, written once in SQL both dialects read alike. A
// dialect gives a SqlPort: `?` placeholders (PostgreSQL's port numbers them), its JSON reading,
// and a transaction over a list of statements. Conditions are added only when a filter is given,
// so no statement needs a typed `? IS NULL` test.
import { clampLimit } from './decisions.ts';
import { toKpiSample, type Row, type RowMapping } from './rows.ts';
import type {
  Alert, AlertPage, AuditEntry, ConsoleSessionRow, TrendHour, KpiSample, EndpointFigures, MessageCorrection, MessageEdit, MessageSearch, MessageSummary, NewAuditEntry, OpenDeadLetter, Page,
  Store, TrendBucket, MessageFilter, DeliveryFilter, StoredMessage, StoredDelivery,
} from './types.ts';
import { splitWarnings, type CausewayError } from '../model/index.ts';

export interface SqlStep {
  sql: string;
  params: unknown[];
  /** The transaction is rolled back (and false returned) when this step changes no row. */
  mustChange?: boolean;
}

export interface SqlPort {
  all(sql: string, params: unknown[]): Promise<Row[]>;
  /** Runs the steps in one transaction; false when a mustChange step changed nothing (all undone). */
  steps(steps: SqlStep[]): Promise<boolean>;
  /** Rows changed by one statement. */
  run(sql: string, params: unknown[]): Promise<number>;
  /** A JSON column as the driver returns it, parsed. */
  json(value: unknown): unknown;
  /** SQL reading a top-level text field of a JSON column. */
  jsonField(column: string, field: string): string;
  read: RowMapping;
}

const jsonParam = (v: unknown) => (v === undefined ? null : JSON.stringify(v));

/** What grouping needs of a message's errors: each code and path once, with the first sentence said of it. */
function errorPattern(errors: CausewayError[]): CausewayError[] {
  const seen = new Map<string, CausewayError>();
  for (const e of errors) {
    const key = `${e.code}\u0000${e.path ?? ''}`;
    if (!seen.has(key)) seen.set(key, { code: e.code, path: e.path, message: (e.message ?? '').slice(0, 200) } as CausewayError);
    if (seen.size >= 100) break;
  }
  return [...seen.values()];
}

/** A WHERE clause grown one known condition at a time. */
class Where {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];
  add(sql: string, ...params: unknown[]): this {
    this.parts.push(sql);
    this.params.push(...params);
    return this;
  }
  get sql(): string {
    return this.parts.join(' AND ');
  }
}

/** The tenant's rows, of this status and through this endpoint when the filter says. */
function byStatusAndEndpoint(f: { tenant: string; status?: string; endpoint?: string }): Where {
  const w = new Where().add('tenant = ?', f.tenant);
  if (f.status !== undefined) w.add('status = ?', f.status);
  if (f.endpoint !== undefined) w.add('endpoint = ?', f.endpoint);
  return w;
}

export class ConsoleSql {
  constructor(private readonly db: SqlPort) {}

  // The API's lists of messages and deliveries: only the filters given become conditions, so the
  // newest-first page is a range read of the primary key, however many rows the tenant has.

  async listMessages(f: MessageFilter): Promise<StoredMessage[]> {
    return (await this.newestFirst('messages', 'received_at', f, byStatusAndEndpoint(f))).map(this.db.read.message);
  }

  async listDeliveries(f: DeliveryFilter): Promise<StoredDelivery[]> {
    const w = byStatusAndEndpoint(f);
    if (f.entityKey !== undefined) w.add('entity_key = ?', f.entityKey);
    if (f.type !== undefined) w.add('document_type = ?', f.type);
    return (await this.newestFirst('deliveries', 'created_at', f, w)).map(this.db.read.delivery);
  }

  /** A newest-first page of a table's rows: the conditions given, from/to on the column `at`, then ?before and the limit. */
  private newestFirst(table: 'messages' | 'deliveries', at: string, f: { from?: number; to?: number; before?: number; limit?: number }, w: Where): Promise<Row[]> {
    if (f.from !== undefined) w.add(`${at} >= ?`, f.from);
    if (f.to !== undefined) w.add(`${at} < ?`, f.to);
    if (f.before !== undefined) w.add('id < ?', f.before);
    return this.db.all(`SELECT * FROM ${table} WHERE ${w.sql} ORDER BY id DESC LIMIT ?`, [...w.params, clampLimit(f.limit)]);
  }

  // Audit log.

  async recordAudit(e: NewAuditEntry): Promise<void> {
    await this.db.run('INSERT INTO audit_log (tenant, actor, action, subject, detail, at) VALUES (?, ?, ?, ?, ?, ?)',
      [e.tenant, e.actor, e.action, e.subject, jsonParam(e.detail), e.at]);
  }

  async listAudit(tenant: string, page: Page = {}): Promise<AuditEntry[]> {
    const w = new Where().add('tenant = ?', tenant);
    if (page.before !== undefined) w.add('id < ?', page.before);
    const rows = await this.db.all(`SELECT * FROM audit_log WHERE ${w.sql} ORDER BY id DESC LIMIT ?`, [...w.params, clampLimit(page.limit)]);
    return rows.map((r) => ({ id: r.id, tenant: r.tenant, actor: r.actor, action: r.action, subject: r.subject, detail: this.db.json(r.detail) ?? undefined, at: r.at }));
  }

  // Message search: the text is looked up through indexes first (entity keys, partner references),
  // then the page is read from the candidates, so a search never scans every message.

  async searchMessages(s: MessageSearch): Promise<MessageSummary[]> {
    const text = s.text?.trim();
    // Newest first over all of a tenant's messages is a backwards walk of the primary key; the
    // tenant's indexes would make the planner sort every message instead (`|| ''` keeps them out).
    const w = new Where().add(text || s.status ? 'm.tenant = ?' : `m.tenant || '' = ?`, s.tenant);
    if (text) {
      const ids = new Set<number>();
      const keys = [...new Set([text, ...(s.entityKeys ?? [])])].slice(0, 20);
      for (const r of await this.db.all(`SELECT DISTINCT message_id FROM documents WHERE tenant = ? AND entity_key IN (${keys.map(() => '?').join(', ')}) LIMIT 5000`, [s.tenant, ...keys])) {
        ids.add(r.message_id);
      }
      for (const r of await this.db.all('SELECT id FROM messages WHERE tenant = ? AND partner_ref = ? LIMIT 5000', [s.tenant, text])) ids.add(r.id);
      if (/^\d{1,15}$/.test(text)) ids.add(Number(text));
      if (ids.size === 0) return [];
      w.add(`m.id IN (${[...ids].map(() => '?').join(', ')})`, ...ids);
    }
    if (s.status) w.add('m.status = ?', s.status);
    // An endpoint is a filter on the walk, never its index: (tenant, endpoint, key) would sort them all.
    if (s.endpoint) w.add(`m.endpoint || '' = ?`, s.endpoint);
    if (s.from !== undefined) w.add('m.received_at >= ?', s.from);
    if (s.to !== undefined) w.add('m.received_at < ?', s.to);
    if (s.before !== undefined) w.add('m.id < ?', s.before);
    if (s.type) w.add('EXISTS (SELECT 1 FROM documents d WHERE d.message_id = m.id AND d.tenant = m.tenant AND d.type = ?)', s.type);
    const rows = await this.db.all(`SELECT m.id, m.endpoint, m.codec, m.partner_ref, m.received_at, m.status, m.generation, m.errors, length(m.body) AS size
      FROM messages m WHERE ${w.sql} ORDER BY m.id DESC LIMIT ?`, [...w.params, clampLimit(s.limit)]);
    return rows.map((r) => ({
      id: r.id, endpoint: r.endpoint, codec: r.codec, partnerRef: r.partner_ref, receivedAt: r.received_at, status: r.status, generation: r.generation,
      size: Number(r.size), errors: splitWarnings((this.db.json(r.errors) as CausewayError[] | null) ?? []).errors,
    }));
  }

  // Corrections: the quarantined body is copied aside, then the message runs again with the new one.

  async correctMessage(c: MessageCorrection): Promise<{ generation: number } | undefined> {
    const [current] = await this.db.all(`SELECT generation FROM messages WHERE tenant = ? AND id = ? AND status = 'quarantined'`, [c.tenant, c.messageId]);
    if (!current) return undefined;
    const generation = current.generation as number;
    const done = await this.db.steps([
      {
        sql: `INSERT INTO message_edits (tenant, message_id, generation, body_before, codec_before, content_type_before, edited_by, edited_at, note)
          SELECT tenant, id, generation, body, codec, content_type, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS TEXT) FROM messages WHERE tenant = ? AND id = ? AND status = 'quarantined' AND generation = ?`,
        params: [c.editedBy, c.at, c.note, c.tenant, c.messageId, generation], mustChange: true,
      },
      {
        sql: `UPDATE messages SET body = ?, content_hash = ?, codec = ?, content_type = ?, status = 'pending', generation = generation + 1, errors = NULL,
          lease_owner = NULL, lease_until = NULL WHERE tenant = ? AND id = ? AND status = 'quarantined' AND generation = ?`,
        params: [c.body, c.contentHash, c.codec, c.contentType, c.tenant, c.messageId, generation], mustChange: true,
      },
      {
        sql: `UPDATE dead_letters SET replayed_at = ? WHERE tenant = ? AND kind = 'message' AND ref_id = ? AND replayed_at IS NULL`,
        params: [c.at, c.tenant, c.messageId],
      },
    ]);
    return done ? { generation: generation + 1 } : undefined;
  }

  async listMessageEdits(tenant: string, messageId: number): Promise<MessageEdit[]> {
    const rows = await this.db.all('SELECT * FROM message_edits WHERE tenant = ? AND message_id = ? ORDER BY id', [tenant, messageId]);
    return rows.map((r) => ({
      id: r.id, tenant: r.tenant, messageId: r.message_id, generation: r.generation, bodyBefore: Buffer.from(r.body_before), codecBefore: r.codec_before,
      contentTypeBefore: r.content_type_before, editedBy: r.edited_by, editedAt: r.edited_at, note: r.note,
    }));
  }

  // Dead letters as the console groups them.

  async listOpenDeadLetters(tenant: string, limit: number): Promise<OpenDeadLetter[]> {
    // A dead delivery's reason names the partner's HTTP status ("... HTTP 422: ..."): read from it,
    // not from the attempt log. A quarantined message's errors are read from the message once and
    // kept on its dead letter as their codes and paths (error_pattern): grouping thousands of dead
    // letters then reads the dead letters alone, not a message row each.
    const rows = await this.db.all(`SELECT dl.id, dl.kind, dl.ref_id, dl.endpoint, dl.reason, dl.created_at, dl.error_pattern
      FROM dead_letters dl
      WHERE dl.tenant = ? AND dl.replayed_at IS NULL AND NOT EXISTS (SELECT 1 FROM dead_letter_resolutions r WHERE r.dead_letter_id = dl.id)
      ORDER BY dl.id DESC LIMIT ?`, [tenant, Math.max(1, Math.min(limit, 50_000))]);
    const patterns = new Map<number, CausewayError[]>();
    for (const r of rows) if (r.error_pattern !== null && r.error_pattern !== undefined) patterns.set(r.id, JSON.parse(r.error_pattern));
    const unread = rows.filter((r) => r.kind === 'message' && !patterns.has(r.id));
    for (let i = 0; i < unread.length; i += 500) {
      const part = unread.slice(i, i + 500);
      const errors = new Map((await this.db.all(`SELECT id, errors FROM messages WHERE tenant = ? AND id IN (${part.map(() => '?').join(', ')})`, [tenant, ...part.map((r) => r.ref_id)]))
        .map((m) => [Number(m.id), splitWarnings((this.db.json(m.errors) as CausewayError[] | null) ?? []).errors]));
      const steps: SqlStep[] = [];
      for (const r of part) {
        const pattern = errorPattern(errors.get(Number(r.ref_id)) ?? []);
        patterns.set(r.id, pattern);
        steps.push({ sql: 'UPDATE dead_letters SET error_pattern = ? WHERE id = ? AND error_pattern IS NULL', params: [JSON.stringify(pattern), r.id] });
      }
      await this.db.steps(steps);
    }
    return rows.map((r) => ({
      id: r.id, kind: r.kind, refId: r.ref_id, endpoint: r.endpoint, reason: r.reason, createdAt: r.created_at,
      errors: r.kind === 'message' ? patterns.get(r.id) ?? [] : [],
      statusCode: r.kind === 'delivery' ? Number(/\bHTTP (\d{3})\b/.exec(r.reason)?.[1] ?? Number.NaN) || null : null,
    }));
  }

  async resolveDeadLetters(tenant: string, ids: number[], by: string, at: number): Promise<number> {
    let n = 0;
    for (const id of ids) {
      n += await this.db.run(`INSERT INTO dead_letter_resolutions (dead_letter_id, tenant, resolved_by, resolved_at)
        SELECT id, tenant, CAST(? AS TEXT), CAST(? AS BIGINT) FROM dead_letters WHERE tenant = ? AND id = ? AND replayed_at IS NULL
        AND NOT EXISTS (SELECT 1 FROM dead_letter_resolutions r WHERE r.dead_letter_id = dead_letters.id)`, [by, at, tenant, id]);
    }
    return n;
  }

  async countDeadLetters(tenant: string, since: number, endpoint?: string): Promise<number> {
    const w = new Where().add('tenant = ?', tenant).add('created_at >= ?', since);
    if (endpoint) w.add('endpoint = ?', endpoint);
    const [r] = await this.db.all(`SELECT COUNT(*) AS n FROM dead_letters WHERE ${w.sql}`, w.params);
    return Number(r?.n ?? 0);
  }

  async countOpenDeadLetters(tenant: string, kind: 'delivery' | 'message'): Promise<number> {
    const [r] = await this.db.all(`SELECT COUNT(*) AS n FROM dead_letters dl WHERE dl.tenant = ? AND dl.kind = ? AND dl.replayed_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM dead_letter_resolutions r WHERE r.dead_letter_id = dl.id)`, [tenant, kind]);
    return Number(r?.n ?? 0);
  }

  /**
   * The KPI sample of one tenant, as the pipeline's kpiSample gives it, with every statement
   * led by the tenant so its (tenant, time) indexes serve the window.
   */
  async kpiSample(tenant: string, since: number, now: number): Promise<KpiSample> {
    const [latencies, [attempts], [deadLetters], [messages], backlog, orderToShipment, verdicts, [superseded]] = await Promise.all([
      this.db.all(`SELECT delivered_at - occurred_at AS o, delivered_at - received_at AS r FROM deliveries
        WHERE tenant = ? AND status = 'delivered' AND delivered_at >= ? AND delivered_at <= ? ORDER BY delivered_at DESC LIMIT 200000`, [tenant, since, now]),
      this.db.all(`SELECT COUNT(*) AS n, SUM(CASE WHEN outcome <> 'delivered' THEN 1 ELSE 0 END) AS failed FROM attempts WHERE tenant = ? AND finished_at >= ? AND finished_at <= ?`, [tenant, since, now]),
      this.db.all(`SELECT COUNT(*) AS n FROM dead_letters WHERE tenant = ? AND created_at >= ? AND created_at <= ? AND kind = 'delivery'`, [tenant, since, now]),
      this.db.all(`SELECT COUNT(*) AS n, SUM(CASE WHEN status = 'quarantined' THEN 1 ELSE 0 END) AS q, SUM(duplicates) AS dup FROM messages
        WHERE tenant = ? AND received_at >= ? AND received_at <= ?`, [tenant, since, now]),
      this.db.all(`SELECT endpoint, COUNT(*) AS n, MIN(created_at) AS oldest FROM deliveries WHERE tenant = ? AND status = 'pending' GROUP BY endpoint ORDER BY endpoint`, [tenant]),
      this.db.all(`SELECT s.occurred_at AS shipment_at, ${this.db.jsonField('s.body', 'shippedAt')} AS shipped_at, MIN(o.occurred_at) AS order_at FROM documents s
        JOIN documents o ON o.tenant = s.tenant AND o.entity_key = s.entity_key AND o.type = 'sales_order'
        WHERE s.tenant = ? AND s.type = 'shipment' AND s.received_at >= ? AND s.received_at <= ? GROUP BY s.id, s.occurred_at, shipped_at LIMIT 100000`, [tenant, since, now]),
      this.db.all(`SELECT verdict, COUNT(*) AS n FROM rule_verdicts WHERE tenant = ? AND created_at >= ? AND created_at <= ? GROUP BY verdict`, [tenant, since, now]),
      this.db.all(`SELECT COUNT(*) AS n FROM deliveries WHERE tenant = ? AND superseded_at >= ? AND superseded_at <= ?`, [tenant, since, now]),
    ]);
    const num = (r: Row | undefined) => Object.fromEntries(Object.entries(r ?? {}).map(([k, v]) => [k, v === null ? null : Number(v)]));
    return toKpiSample({ latencies, attempts: num(attempts), deadLetters: num(deadLetters), messages: num(messages), backlog: backlog.map((b) => ({ ...b, n: Number(b.n) })), orderToShipment,
      verdicts: verdicts.map((v) => ({ ...v, n: Number(v.n) })), superseded: { n: Number(superseded?.n ?? 0) } });
  }

  // Figures per endpoint and trends.

  async endpointFigures(tenant: string, endpoints: string[], since: number): Promise<EndpointFigures[]> {
    const out = new Map<string, EndpointFigures>();
    const of = (endpoint: string) => {
      let f = out.get(endpoint);
      if (!f) out.set(endpoint, f = { endpoint, delivered: 0, lastSuccessAt: null, lastErrorAt: null, lastError: null });
      return f;
    };
    // One index lookup per endpoint: a DISTINCT over every delivery would read them all.
    for (const endpoint of endpoints) {
      const [last] = await this.db.all(`SELECT MAX(delivered_at) AS at FROM deliveries WHERE tenant = ? AND endpoint = ? AND status = 'delivered'`, [tenant, endpoint]);
      if (last?.at !== null && last?.at !== undefined) of(endpoint).lastSuccessAt = last.at;
    }
    for (const r of await this.db.all(`SELECT endpoint, COUNT(*) AS n FROM deliveries WHERE tenant = ? AND status = 'delivered' AND delivered_at >= ? GROUP BY endpoint`, [tenant, since])) {
      of(r.endpoint).delivered = Number(r.n);
    }
    const failures = await this.db.all(`SELECT d.endpoint, a.finished_at, a.error, a.status_code FROM attempts a JOIN deliveries d ON d.id = a.delivery_id
      WHERE a.tenant = ? AND a.outcome <> 'delivered' ORDER BY a.finished_at DESC LIMIT 500`, [tenant]);
    for (const r of failures) {
      const f = of(r.endpoint);
      if (f.lastErrorAt !== null) continue;
      f.lastErrorAt = r.finished_at;
      f.lastError = r.error ?? (r.status_code ? `HTTP ${r.status_code}` : 'failed');
    }
    return [...out.values()].sort((a, b) => a.endpoint.localeCompare(b.endpoint));
  }

  async trend(tenant: string, from: number, bucketMs: number, buckets: number): Promise<TrendBucket[]> {
    const to = from + bucketMs * buckets;
    const out: TrendBucket[] = Array.from({ length: buckets }, (_, i) => ({
      at: from + i * bucketMs, delivered: 0, meanSyncMs: null, attempts: 0, failedAttempts: 0, messages: 0, quarantined: 0, syncMsTotal: 0,
    }));
    const at = (b: unknown) => out[Number(b)];
    for (const r of await this.db.all(`SELECT CAST((delivered_at - ?) / ? AS BIGINT) AS b, COUNT(*) AS n, AVG(delivered_at - occurred_at) AS mean, SUM(delivered_at - occurred_at) AS total FROM deliveries
      WHERE tenant = ? AND status = 'delivered' AND delivered_at >= ? AND delivered_at < ? GROUP BY b`, [from, bucketMs, tenant, from, to])) {
      const b = at(r.b);
      if (b) { b.delivered = Number(r.n); b.meanSyncMs = r.mean === null ? null : Math.round(Number(r.mean)); b.syncMsTotal = Number(r.total ?? 0); }
    }
    for (const r of await this.db.all(`SELECT CAST((finished_at - ?) / ? AS BIGINT) AS b, COUNT(*) AS n FROM attempts WHERE tenant = ? AND finished_at >= ? AND finished_at < ? GROUP BY b`, [from, bucketMs, tenant, from, to])) {
      const b = at(r.b);
      if (b) b.attempts = Number(r.n);
    }
    for (const r of await this.db.all(`SELECT CAST((finished_at - ?) / ? AS BIGINT) AS b, COUNT(*) AS n FROM attempts WHERE tenant = ? AND outcome <> 'delivered' AND finished_at >= ? AND finished_at < ? GROUP BY b`, [from, bucketMs, tenant, from, to])) {
      const b = at(r.b);
      if (b) b.failedAttempts = Number(r.n);
    }
    for (const r of await this.db.all(`SELECT CAST((received_at - ?) / ? AS BIGINT) AS b, COUNT(*) AS n, SUM(CASE WHEN status = 'quarantined' THEN 1 ELSE 0 END) AS q FROM messages
      WHERE tenant = ? AND received_at >= ? AND received_at < ? GROUP BY b`, [from, bucketMs, tenant, from, to])) {
      const b = at(r.b);
      if (b) { b.messages = Number(r.n); b.quarantined = Number(r.q ?? 0); }
    }
    return out;
  }

  async listTrendHours(tenant: string, from: number, to: number): Promise<TrendHour[]> {
    const rows = await this.db.all('SELECT * FROM console_trend_hours WHERE tenant = ? AND hour_at >= ? AND hour_at < ? ORDER BY hour_at', [tenant, from, to]);
    return rows.map((r) => {
      const delivered = Number(r.delivered);
      const total = Number(r.sync_ms_total);
      return {
        at: Number(r.hour_at), delivered, meanSyncMs: delivered ? Math.round(total / delivered) : null, syncMsTotal: total, attempts: Number(r.attempts),
        failedAttempts: Number(r.failed_attempts), messages: Number(r.messages), quarantined: Number(r.quarantined), computedAt: Number(r.computed_at),
      };
    });
  }

  async saveTrendHours(tenant: string, hours: TrendHour[]): Promise<void> {
    if (!hours.length) return;
    await this.db.steps(hours.flatMap((h) => [
      { sql: 'DELETE FROM console_trend_hours WHERE tenant = ? AND hour_at = ?', params: [tenant, h.at] },
      {
        sql: `INSERT INTO console_trend_hours (tenant, hour_at, delivered, sync_ms_total, attempts, failed_attempts, messages, quarantined, computed_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        params: [tenant, h.at, h.delivered, Math.round(h.syncMsTotal), h.attempts, h.failedAttempts, h.messages, h.quarantined, h.computedAt],
      },
    ]));
  }

  // Console sessions.

  async putConsoleSession(s: ConsoleSessionRow): Promise<void> {
    await this.db.run(`INSERT INTO console_sessions (id_hash, csrf, key_name, scopes, grant_label, key_tenant, tenant, flash, created_at, expires_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [s.idHash, s.csrf, s.keyName, JSON.stringify(s.scopes), s.grant, s.keyTenant, s.tenant, jsonParam(s.flash ?? undefined), s.createdAt, s.expiresAt]);
  }

  async getConsoleSession(idHash: string, now: number): Promise<ConsoleSessionRow | undefined> {
    const [r] = await this.db.all('SELECT * FROM console_sessions WHERE id_hash = ? AND expires_at > ?', [idHash, now]);
    if (!r) return undefined;
    return {
      idHash: r.id_hash, csrf: r.csrf, keyName: r.key_name, scopes: JSON.parse(r.scopes), grant: r.grant_label, keyTenant: r.key_tenant, tenant: r.tenant,
      flash: r.flash === null || r.flash === undefined ? null : JSON.parse(r.flash), createdAt: Number(r.created_at), expiresAt: Number(r.expires_at),
    };
  }

  async updateConsoleSession(idHash: string, change: { tenant?: string; flash?: ConsoleSessionRow['flash'] }): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [];
    if (change.tenant !== undefined) { sets.push('tenant = ?'); params.push(change.tenant); }
    if (change.flash !== undefined) { sets.push('flash = ?'); params.push(jsonParam(change.flash ?? undefined)); }
    if (sets.length) await this.db.run(`UPDATE console_sessions SET ${sets.join(', ')} WHERE id_hash = ?`, [...params, idHash]);
  }

  async deleteConsoleSession(idHash: string): Promise<void> {
    await this.db.run('DELETE FROM console_sessions WHERE id_hash = ?', [idHash]);
  }

  async purgeConsoleSessions(now: number): Promise<number> {
    return this.db.run('DELETE FROM console_sessions WHERE expires_at <= ?', [now]);
  }

  // Alert states.

  async listAlerts(tenant: string, page: AlertPage = {}): Promise<Alert[]> {
    const w = new Where().add('tenant = ?', tenant);
    if (page.kind) w.add('kind = ?', page.kind);
    if (page.open === true) w.add('resolved_at IS NULL');
    if (page.open === false) w.add('resolved_at IS NOT NULL');
    if (page.before !== undefined) w.add('id < ?', page.before);
    return (await this.db.all(`SELECT * FROM alerts WHERE ${w.sql} ORDER BY id DESC LIMIT ?`, [...w.params, clampLimit(page.limit)])).map(this.db.read.alert);
  }

  async acknowledgeAlert(tenant: string, id: number, by: string, at: number): Promise<boolean> {
    return (await this.db.run('UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE tenant = ? AND id = ? AND resolved_at IS NULL AND acknowledged_at IS NULL',
      [at, by, tenant, id])) === 1;
  }

  async resolveAlert(tenant: string, id: number, at: number, options: { reopenable?: boolean } = {}): Promise<boolean> {
    // Freeing the key: the same condition raised again later is a new alert, told again.
    const key = options.reopenable ? `dedupe_key = dedupe_key || '#' || CAST(id AS TEXT), ` : '';
    return (await this.db.run(`UPDATE alerts SET ${key}resolved_at = ? WHERE tenant = ? AND id = ? AND resolved_at IS NULL`, [at, tenant, id])) === 1;
  }

  async alertsToNotify(limit: number): Promise<Alert[]> {
    return (await this.db.all(`SELECT * FROM alerts WHERE notified_at IS NULL OR (resolved_at IS NOT NULL AND resolved_notified_at IS NULL) ORDER BY id LIMIT ?`,
      [clampLimit(limit)])).map(this.db.read.alert);
  }

  async markAlertNotified(id: number, which: 'raised' | 'resolved', at: number): Promise<void> {
    await this.db.run(`UPDATE alerts SET ${which === 'raised' ? 'notified_at' : 'resolved_notified_at'} = ? WHERE id = ?`, [at, id]);
  }
}

/** The facet as a store carries it: the console's reads and writes, alerts once raised, dead letters, figures. */
export type SharedConsole = Pick<Store, 'listMessages' | 'listDeliveries' | 'listAlerts' | 'acknowledgeAlert' | 'resolveAlert' | 'alertsToNotify' | 'markAlertNotified' | 'recordAudit' | 'listAudit' | 'searchMessages' | 'correctMessage' | 'listMessageEdits' | 'listOpenDeadLetters' | 'resolveDeadLetters' | 'countDeadLetters' | 'countOpenDeadLetters' | 'endpointFigures' | 'tenantKpiSample' | 'trend' | 'listTrendHours' | 'saveTrendHours' | 'putConsoleSession' | 'getConsoleSession' | 'updateConsoleSession' | 'deleteConsoleSession' | 'purgeConsoleSessions'>;

/** These methods over a port, bound, for a store to take on as its own (Object.assign in its constructor), as retention does. */
export function consoleFacet(port: SqlPort): SharedConsole {
  const sql = new ConsoleSql(port);
  return {
    listMessages: (...a) => sql.listMessages(...a),
    listDeliveries: (...a) => sql.listDeliveries(...a),
    listAlerts: (...a) => sql.listAlerts(...a),
    acknowledgeAlert: (...a) => sql.acknowledgeAlert(...a),
    resolveAlert: (...a) => sql.resolveAlert(...a),
    alertsToNotify: (...a) => sql.alertsToNotify(...a),
    markAlertNotified: (...a) => sql.markAlertNotified(...a),
    recordAudit: (...a) => sql.recordAudit(...a),
    listAudit: (...a) => sql.listAudit(...a),
    searchMessages: (...a) => sql.searchMessages(...a),
    correctMessage: (...a) => sql.correctMessage(...a),
    listMessageEdits: (...a) => sql.listMessageEdits(...a),
    listOpenDeadLetters: (...a) => sql.listOpenDeadLetters(...a),
    resolveDeadLetters: (...a) => sql.resolveDeadLetters(...a),
    countDeadLetters: (...a) => sql.countDeadLetters(...a),
    countOpenDeadLetters: (...a) => sql.countOpenDeadLetters(...a),
    endpointFigures: (...a) => sql.endpointFigures(...a),
    tenantKpiSample: (...a) => sql.kpiSample(...a),
    trend: (...a) => sql.trend(...a),
    listTrendHours: (...a) => sql.listTrendHours(...a),
    saveTrendHours: (...a) => sql.saveTrendHours(...a),
    putConsoleSession: (...a) => sql.putConsoleSession(...a),
    getConsoleSession: (...a) => sql.getConsoleSession(...a),
    updateConsoleSession: (...a) => sql.updateConsoleSession(...a),
    deleteConsoleSession: (...a) => sql.deleteConsoleSession(...a),
    purgeConsoleSessions: (...a) => sql.purgeConsoleSessions(...a),
  };
}
