// SQLite rows of the ledger facet. Writes run inside the caller's IMMEDIATE transaction: a message's
// outcome, or writeRules' own.
import { clampLimit } from '../decisions.ts';
import { LedgerConflict } from '../facets/ledger.ts';
import { ledgerBodyText } from '../ledger-body.ts';
import { jsonText, sqliteRows as read, type Row } from '../rows.ts';
import type { LedgerFilter, LedgerRow, RulesWrites, StoredDelivery, VerdictRow } from '../types.ts';
import type { Statements } from './statements.ts';

/** Writes ledgers (version-checked), verdicts, withdrawn deliveries and dead letters; throws LedgerConflict, the caller rolls back. */
export function applyRulesWrites(sql: Statements, w: RulesWrites | undefined, now: number, messageIds: number[] = []): void {
  if (!w) return;
  // Positional parameters: binding a dozen named ones per row costs more than the insert of a verdict itself.
  const insert = sql.q(`INSERT INTO ledgers (tenant, entity_key, kind, reference, version, status, facility, due_at, stuck_at, updated_at, body)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, entity_key) DO NOTHING`);
  const update = sql.q(`UPDATE ledgers SET version = ?, status = ?, facility = ?, due_at = ?, stuck_at = ?, updated_at = ?, body = ?
    WHERE tenant = ? AND entity_key = ? AND version = ?`);
  for (const l of w.ledgers ?? []) {
    const body = ledgerBodyText(l.body);
    const stuckAt = l.stuckAt ?? null;
    const r = l.expectedVersion === 0
      ? insert.run(l.tenant, l.entityKey, l.kind, l.reference, l.version, l.status, l.facility, l.dueAt, stuckAt, now, body)
      : update.run(l.version, l.status, l.facility, l.dueAt, stuckAt, now, body, l.tenant, l.entityKey, l.expectedVersion);
    if (r.changes !== 1) throw new LedgerConflict([l.entityKey], messageIds, `expected version ${l.expectedVersion}`);
  }
  const verdict = sql.q(`INSERT INTO rule_verdicts (tenant, entity_key, document_id, document_type, message_id, verdict, rule, reason, path, detail, created_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const v of w.verdicts ?? []) {
    verdict.run(v.tenant, v.entityKey, v.documentId, v.documentType, v.messageId, v.verdict, v.rule, v.reason, v.path ?? null, jsonText(v.detail), v.createdAt);
  }
  for (const s of w.supersede ?? []) {
    // Only deliveries to the targets the newer document goes to: another sender's state going elsewhere is not replaced.
    const match = `tenant = @tenant AND entity_key = @entityKey AND document_type = @documentType
      AND (@keep IS NULL OR (document_id <> @keep AND endpoint IN (SELECT k.endpoint FROM deliveries k WHERE k.tenant = @tenant AND k.document_id = @keep)))
      AND ((@ids IS NOT NULL AND document_id IN (SELECT value FROM json_each(@ids))) OR (@before IS NOT NULL AND occurred_at < @before))`;
    const params = { tenant: s.tenant, entityKey: s.entityKey, documentType: s.documentType, keep: s.keep ?? null, ids: jsonText(s.documentIds), before: s.occurredBefore ?? null, now };
    if (s.required) {
      const gone = sql.q(`SELECT 1 FROM deliveries WHERE ${match} AND (status = 'delivered' OR (status = 'pending' AND lease_until >= @now)) LIMIT 1`).get(params);
      if (gone) throw new LedgerConflict([s.entityKey], messageIds, `a ${s.documentType} delivery to withdraw is already on its way`, 'in_flight');
    }
    sql.q(`UPDATE deliveries SET status = 'superseded', superseded_at = @now, last_error = @reason, lease_owner = NULL, lease_until = NULL
      WHERE ${match} AND status = 'pending' AND (lease_until IS NULL OR lease_until < @now)`).run({ ...params, reason: s.reason });
  }
  const dead = sql.q(`INSERT INTO dead_letters (tenant, kind, ref_id, endpoint, reason, created_at)
    SELECT tenant, 'message', id, endpoint, ?, ? FROM messages WHERE tenant = ? AND id = ?`);
  for (const d of w.deadLetters ?? []) dead.run(d.reason, now, d.tenant, d.messageId);
}

export function getLedgers(sql: Statements, tenant: string, entityKeys: string[]): LedgerRow[] {
  if (entityKeys.length === 0) return [];
  // The rules step reads one ledger per document: the plain key lookup is the fast path.
  if (entityKeys.length === 1) return (sql.q('SELECT * FROM ledgers WHERE tenant = ? AND entity_key = ?').all(tenant, entityKeys[0]) as Row[]).map(read.ledger);
  return (sql.q('SELECT * FROM ledgers WHERE tenant = ? AND entity_key IN (SELECT value FROM json_each(?))').all(tenant, JSON.stringify(entityKeys)) as Row[]).map(read.ledger);
}

export function listLedgers(sql: Statements, f: LedgerFilter): LedgerRow[] {
  if (f.stuckBy !== undefined) {
    // Few ledgers are stuck: found through their stuck time, then put in key order.
    return (sql.q(`SELECT * FROM ledgers INDEXED BY ledgers_stuck WHERE tenant = @tenant AND stuck_at <= @stuckBy AND kind = @kind
      AND (@status IS NULL OR status IN (SELECT value FROM json_each(@status))) AND (@facility IS NULL OR facility = @facility)
      AND (@from IS NULL OR updated_at >= @from) AND (@to IS NULL OR updated_at < @to) AND (@after IS NULL OR entity_key > @after)
      ORDER BY entity_key LIMIT @limit`).all({
      tenant: f.tenant, kind: f.kind, stuckBy: f.stuckBy, status: jsonText(f.status), facility: f.facility ?? null, from: f.from ?? null, to: f.to ?? null,
      after: f.after ?? null, limit: clampLimit(f.limit),
    }) as Row[]).map(read.ledger);
  }
  return (sql.q(`SELECT * FROM ledgers WHERE tenant = @tenant AND kind = @kind
    AND (@status IS NULL OR status IN (SELECT value FROM json_each(@status))) AND (@facility IS NULL OR facility = @facility)
    AND (@from IS NULL OR updated_at >= @from) AND (@to IS NULL OR updated_at < @to) AND (@after IS NULL OR entity_key > @after)
    ORDER BY entity_key LIMIT @limit`).all({
    tenant: f.tenant, kind: f.kind, status: jsonText(f.status), facility: f.facility ?? null, from: f.from ?? null, to: f.to ?? null,
    after: f.after ?? null, limit: clampLimit(f.limit),
  }) as Row[]).map(read.ledger);
}

export function listDueLedgers(sql: Statements, now: number, limit: number): LedgerRow[] {
  return (sql.q('SELECT * FROM ledgers WHERE due_at IS NOT NULL AND due_at <= ? ORDER BY due_at LIMIT ?').all(now, clampLimit(limit)) as Row[]).map(read.ledger);
}

export function listVerdicts(sql: Statements, tenant: string, by: { entityKey?: string; messageId?: number; limit?: number }): VerdictRow[] {
  return (sql.q(`SELECT * FROM rule_verdicts WHERE tenant = @tenant AND (@entityKey IS NULL OR entity_key = @entityKey)
    AND (@messageId IS NULL OR message_id = @messageId) ORDER BY id LIMIT @limit`)
    .all({ tenant, entityKey: by.entityKey ?? null, messageId: by.messageId ?? null, limit: clampLimit(by.limit ?? 1000) }) as Row[]).map(read.verdict);
}

export function deliveriesOfDocument(sql: Statements, tenant: string, documentId: string): StoredDelivery[] {
  return (sql.q('SELECT * FROM deliveries WHERE tenant = ? AND document_id = ? ORDER BY id').all(tenant, documentId) as Row[]).map(read.delivery);
}

export function getDocuments(sql: Statements, tenant: string, ids: string[]): Array<{ id: string; messageId: number; body: unknown }> {
  if (ids.length === 0) return [];
  const rows = sql.q('SELECT id, message_id, body FROM documents WHERE tenant = ? AND id IN (SELECT value FROM json_each(?))').all(tenant, JSON.stringify(ids)) as Row[];
  return rows.map((r) => ({ id: r.id, messageId: r.message_id, body: JSON.parse(r.body) }));
}
