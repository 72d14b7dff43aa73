// PostgreSQL rows of the ledger facet. Writes run on the client of the caller's transaction.
import { clampLimit } from '../decisions.ts';
import { LedgerConflict } from '../facets/ledger.ts';
import { ledgerBodyText } from '../ledger-body.ts';
import { jsonText, postgresRows as read } from '../rows.ts';
import type { LedgerFilter, LedgerRow, RulesWrites, StoredDelivery, VerdictRow } from '../types.ts';
import type { Queryable } from './queryable.ts';

/**
 * Writes ledgers (version-checked), verdicts, withdrawn deliveries and dead letters; throws
 * LedgerConflict, the caller rolls back. Under READ COMMITTED a racing writer of the same ledger
 * waits on the row (or the key's unique index) and then finds the version moved on.
 */
export async function applyRulesWrites(db: Queryable, w: RulesWrites | undefined, now: number, messageIds: number[] = []): Promise<void> {
  if (!w) return;
  for (const l of w.ledgers ?? []) {
    const params = [l.tenant, l.entityKey, l.kind, l.reference, l.version, l.status, l.facility, l.dueAt, now, ledgerBodyText(l.body), l.stuckAt ?? null];
    const r = l.expectedVersion === 0
      ? await db.query(`INSERT INTO ledgers (tenant, entity_key, kind, reference, version, status, facility, due_at, updated_at, body, stuck_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11) ON CONFLICT (tenant, entity_key) DO NOTHING`, params)
      : await db.query(`UPDATE ledgers SET version = $5, status = $6, facility = $7, due_at = $8, updated_at = $9, body = $10::jsonb, stuck_at = $11
          WHERE tenant = $1 AND entity_key = $2 AND kind = $3 AND reference = $4 AND version = $12`, [...params, l.expectedVersion]);
    if (r.rowCount !== 1) throw new LedgerConflict([l.entityKey], messageIds, `expected version ${l.expectedVersion}`);
  }
  const v = w.verdicts ?? [];
  if (v.length > 0) {
    await db.query(`INSERT INTO rule_verdicts (tenant, entity_key, document_id, document_type, message_id, verdict, rule, reason, path, detail, created_at)
      SELECT tenant, entity_key, document_id, document_type, message_id, verdict, rule, reason, path, detail, created_at FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::jsonb[], $11::bigint[]) WITH ORDINALITY
        AS u(tenant, entity_key, document_id, document_type, message_id, verdict, rule, reason, path, detail, created_at, ord) ORDER BY ord`, [
      v.map((x) => x.tenant), v.map((x) => x.entityKey), v.map((x) => x.documentId), v.map((x) => x.documentType), v.map((x) => x.messageId),
      v.map((x) => x.verdict), v.map((x) => x.rule), v.map((x) => x.reason), v.map((x) => x.path ?? null), v.map((x) => jsonText(x.detail)), v.map((x) => x.createdAt),
    ]);
  }
  for (const s of w.supersede ?? []) {
    // Only deliveries to the targets the newer document goes to: another sender's state going elsewhere is not replaced.
    const match = `tenant = $1 AND entity_key = $2 AND document_type = $3
      AND ($4::text IS NULL OR (document_id <> $4 AND endpoint IN (SELECT k.endpoint FROM deliveries k WHERE k.tenant = $1 AND k.document_id = $4)))
      AND (($5::text[] IS NOT NULL AND document_id = ANY($5::text[])) OR ($6::bigint IS NOT NULL AND occurred_at < $6))`;
    const params = [s.tenant, s.entityKey, s.documentType, s.keep ?? null, s.documentIds ?? null, s.occurredBefore ?? null];
    // Row locks first: a sender claiming one of them now waits for this commit, or this waits for its claim.
    const rows = (await db.query(`SELECT id, status, lease_until FROM deliveries WHERE ${match} AND status IN ('pending', 'delivered') FOR UPDATE`, params)).rows;
    if (s.required && rows.some((r) => r.status === 'delivered' || (r.lease_until !== null && r.lease_until >= now))) {
      throw new LedgerConflict([s.entityKey], messageIds, `a ${s.documentType} delivery to withdraw is already on its way`, 'in_flight');
    }
    await db.query(`UPDATE deliveries SET status = 'superseded', superseded_at = $7, last_error = $8, lease_owner = NULL, lease_until = NULL
      WHERE ${match} AND status = 'pending' AND (lease_until IS NULL OR lease_until < $7)`, [...params, now, s.reason]);
  }
  for (const d of w.deadLetters ?? []) {
    await db.query(`INSERT INTO dead_letters (tenant, kind, ref_id, endpoint, reason, created_at)
      SELECT tenant, 'message', id, endpoint, $1, $2 FROM messages WHERE tenant = $3 AND id = $4`, [d.reason, now, d.tenant, d.messageId]);
  }
}

export async function getLedgers(db: Queryable, tenant: string, entityKeys: string[]): Promise<LedgerRow[]> {
  if (entityKeys.length === 0) return [];
  return (await db.query('SELECT * FROM ledgers WHERE tenant = $1 AND entity_key = ANY($2::text[])', [tenant, entityKeys])).rows.map(read.ledger);
}

export async function listLedgers(db: Queryable, f: LedgerFilter): Promise<LedgerRow[]> {
  return (await db.query(`SELECT * FROM ledgers WHERE tenant = $1 AND kind = $2
    AND ($3::text[] IS NULL OR status = ANY($3::text[])) AND ($4::text IS NULL OR facility = $4)
    AND ($5::bigint IS NULL OR updated_at >= $5) AND ($6::bigint IS NULL OR updated_at < $6) AND ($7::text IS NULL OR entity_key > $7)
    ${f.stuckBy !== undefined ? 'AND stuck_at <= $9' : ''}
    ORDER BY entity_key COLLATE "C" LIMIT $8`, [
    f.tenant, f.kind, f.status ?? null, f.facility ?? null, f.from ?? null, f.to ?? null, f.after ?? null, clampLimit(f.limit), ...(f.stuckBy !== undefined ? [f.stuckBy] : []),
  ])).rows.map(read.ledger);
}

export async function listDueLedgers(db: Queryable, now: number, limit: number): Promise<LedgerRow[]> {
  return (await db.query('SELECT * FROM ledgers WHERE due_at IS NOT NULL AND due_at <= $1 ORDER BY due_at LIMIT $2', [now, clampLimit(limit)])).rows.map(read.ledger);
}

export async function listVerdicts(db: Queryable, tenant: string, by: { entityKey?: string; messageId?: number; limit?: number }): Promise<VerdictRow[]> {
  return (await db.query(`SELECT * FROM rule_verdicts WHERE tenant = $1 AND ($2::text IS NULL OR entity_key = $2)
    AND ($3::bigint IS NULL OR message_id = $3) ORDER BY id LIMIT $4`, [tenant, by.entityKey ?? null, by.messageId ?? null, clampLimit(by.limit ?? 1000)])).rows.map(read.verdict);
}

export async function deliveriesOfDocument(db: Queryable, tenant: string, documentId: string): Promise<StoredDelivery[]> {
  return (await db.query('SELECT * FROM deliveries WHERE tenant = $1 AND document_id = $2 ORDER BY id', [tenant, documentId])).rows.map(read.delivery);
}

export async function getDocuments(db: Queryable, tenant: string, ids: string[]): Promise<Array<{ id: string; messageId: number; body: unknown }>> {
  if (ids.length === 0) return [];
  const { rows } = await db.query('SELECT id, message_id, body FROM documents WHERE tenant = $1 AND id = ANY($2::text[])', [tenant, ids]);
  return rows.map((r) => ({ id: r.id, messageId: r.message_id, body: r.body }));
}
