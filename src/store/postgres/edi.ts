// PostgreSQL rows of the EDI facet: receipts (duplicate screening), outbound groups and their
// acknowledgments, control numbers. PostgresStore calls these with its pool, or with the client of
// an open transaction where they say so.
import { clampLimit } from '../decisions.ts';
import { EdiReceiptConflict, judgeReceipt } from '../edi-receipts.ts';
import { jsonText, postgresRows as read } from '../rows.ts';
import type {
  CompletionReport, EdiGroup, EdiGroupFilter, EdiGroupSent, EdiReceipt, EdiReceiptRow, EdiReceiptVerdict, EdiReconciliation, EdiWrites, MessageOutcome, Page,
  SentGroupDocument,
} from '../types.ts';
import { raiseAlert } from './alerts.ts';
import type { Queryable } from './queryable.ts';

/**
 * Run inside a transaction (client): the row lock of the upsert serialises concurrent workers on one key.
 * Insert or lock the existing row first, so two workers seeing the same ISA13 cannot both call it new.
 */
export async function recordEdiReceipt(db: Queryable, r: EdiReceipt): Promise<EdiReceiptVerdict> {
  await db.query(`INSERT INTO edi_receipts (tenant, kind, key, partner, first_message_id, first_seen_at, last_message_id, last_seen_at, count)
    VALUES ($1, $2, $3, $4, $5, $6, $5, $6, 0) ON CONFLICT (tenant, kind, key) DO NOTHING`, [r.tenant, r.kind, r.key, r.partner, r.messageId, r.at]);
  const { rows: [row] } = await db.query('SELECT * FROM edi_receipts WHERE tenant = $1 AND kind = $2 AND key = $3 FOR UPDATE', [r.tenant, r.kind, r.key]);
  const { write, ...verdict } = judgeReceipt(read.receiptState(row), r);
  if (write === 'start') {
    await db.query(`UPDATE edi_receipts SET partner = $2, first_message_id = $3, first_seen_at = $4, last_message_id = $3, last_seen_at = $4, count = 1 WHERE id = $1`,
      [row.id, r.partner, r.messageId, r.at]);
  } else if (write === 'count') {
    await db.query('UPDATE edi_receipts SET count = count + 1, last_message_id = $2, last_seen_at = $3 WHERE id = $1', [row.id, r.messageId, r.at]);
  }
  return verdict;
}

/** The verdict as of now, read without a lock: what screening decides on before the outcome's transaction. */
export async function checkEdiReceipt(db: Queryable, r: EdiReceipt): Promise<EdiReceiptVerdict> {
  const { rows: [row] } = await db.query('SELECT * FROM edi_receipts WHERE tenant = $1 AND kind = $2 AND key = $3', [r.tenant, r.kind, r.key]);
  const { write: _w, ...verdict } = judgeReceipt(row && read.receiptState(row), r);
  return verdict;
}

/**
 * Records the receipts of the outcomes being completed, in their transaction, and refuses them all
 * (EdiReceiptConflict: the transaction rolls back) when a verdict differs from the one screening read.
 *
 * Why two workers racing on one interchange still agree: screening read the key without a lock, so
 * both may have called it new. Here each receipt first inserts the key (or finds it) and locks its
 * row. The second worker's insert waits for the first worker's transaction to end; once it commits,
 * the second one's row lock sees the committed row (READ COMMITTED reads afresh per statement) and
 * reaches "duplicate" where it screened "new": its outcome is refused and its message screened again,
 * now reading the first one's receipt. If the first rolls back instead, the second records the key as
 * new, as it screened. Within one batch the same holds in order: an earlier outcome's receipt is
 * already written when a later one's is judged. Keys are locked in sorted order (a stable sort, so
 * outcomes of one key keep theirs) so that two transactions never wait on each other's keys in a cycle.
 */
export async function recordScreenedReceipts(db: Queryable, outcomes: MessageOutcome[]): Promise<void> {
  const receipts = outcomes.flatMap((o) => (o.edi?.receipts ?? []).map((r) => ({ messageId: o.messageId, r, lockKey: `${r.tenant}\u0000${r.kind}\u0000${r.key}` })));
  receipts.sort((a, b) => (a.lockKey < b.lockKey ? -1 : a.lockKey > b.lockKey ? 1 : 0));
  const stale = new Set<number>();
  for (const { messageId, r } of receipts) if ((await recordEdiReceipt(db, r)).duplicate !== r.duplicate) stale.add(messageId);
  if (stale.size) throw new EdiReceiptConflict([...stale]);
}

/** The tracking, acknowledgments and alerts of one outcome, in its transaction (client). */
export async function applyEdiWrites(db: Queryable, edi: EdiWrites | undefined, report: CompletionReport): Promise<void> {
  if (!edi) return;
  if (edi.groups?.length) await recordEdiGroups(db, edi.groups);
  for (const r of edi.reconciliations ?? []) {
    const group = await reconcileEdiGroup(db, r.tenant, r.partner, r.groupControlNumber, r.ack);
    if (!group) {
      report.unknownGroups.push(r);
      continue;
    }
    const alert = r.alertFor?.(group);
    if (alert && (await raiseAlert(db, alert))) report.alerts.push(alert);
  }
  for (const a of edi.alerts ?? []) if (await raiseAlert(db, a)) report.alerts.push(a);
  for (const c of edi.controlNumbersSeen ?? []) {
    await db.query(`INSERT INTO control_numbers AS c (tenant, scope, kind, value) VALUES ($1, $2, $3, $4)
      ON CONFLICT (tenant, scope, kind) DO UPDATE SET value = GREATEST(c.value, EXCLUDED.value)`, [c.tenant, c.scope, c.kind, c.value]);
  }
}

export async function lastControlNumberSeen(db: Queryable, tenant: string, scope: string, kind: string): Promise<number | null> {
  const { rows: [r] } = await db.query('SELECT value FROM control_numbers WHERE tenant = $1 AND scope = $2 AND kind = $3', [tenant, scope, kind]);
  return r ? Number(r.value) : null;
}

export async function listEdiDuplicates(db: Queryable, tenant: string, page: Page = {}): Promise<EdiReceiptRow[]> {
  const { rows } = await db.query(`SELECT * FROM edi_receipts WHERE tenant = $1 AND count > 1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
    [tenant, page.before ?? null, clampLimit(page.limit)]);
  return rows.map(read.ediReceipt);
}

/** Run inside a transaction (client). */
export async function recordEdiGroups(db: Queryable, groups: EdiGroupSent[]): Promise<void> {
  const keys = [...new Map(groups.map((g) => [`${g.tenant}\u0000${g.deliveryKey}`, g])).values()];
  for (const g of keys) await db.query('DELETE FROM edi_groups WHERE tenant = $1 AND delivery_key = $2', [g.tenant, g.deliveryKey]);
  for (const g of groups) {
    await db.query(`INSERT INTO edi_groups (tenant, partner, interchange_control_number, group_control_number, functional_id, sets, delivery_key, message_id, endpoint, sent_at, deadline_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      ON CONFLICT (tenant, partner, group_control_number) DO UPDATE SET interchange_control_number = excluded.interchange_control_number,
        functional_id = excluded.functional_id, sets = excluded.sets, delivery_key = excluded.delivery_key, message_id = excluded.message_id,
        endpoint = excluded.endpoint, status = 'sent', sent_at = excluded.sent_at, deadline_at = excluded.deadline_at, acked_at = NULL, ack_message_id = NULL, ack_detail = NULL`,
    [g.tenant, g.partner, g.interchangeControlNumber, g.groupControlNumber, g.functionalId, jsonText(g.sets), g.deliveryKey, g.messageId, g.endpoint, g.sentAt, g.deadlineAt]);
  }
}

export async function sentGroupDocument(db: Queryable, tenant: string, partner: string, groupControlNumber: string): Promise<SentGroupDocument | undefined> {
  const { rows: [r] } = await db.query(`SELECT x.document_id, x.document_type, x.entity_key, d.body->>'orderNumber' AS order_number FROM edi_groups g
    JOIN deliveries x ON x.tenant = g.tenant AND x.endpoint = g.endpoint AND x.idempotency_key = g.delivery_key
    JOIN documents d ON d.id = x.document_id
    WHERE g.tenant = $1 AND g.partner = $2 AND (g.group_control_number = $3 OR (g.group_control_number ~ '^[0-9]+$' AND $3 ~ '^[0-9]+$' AND g.group_control_number::numeric = $3::numeric))
    ORDER BY g.id DESC LIMIT 1`, [tenant, partner, groupControlNumber]);
  return r && { documentId: r.document_id, documentType: r.document_type, entityKey: r.entity_key, orderNumber: r.order_number ?? null };
}

export async function reconcileEdiGroup(db: Queryable, tenant: string, partner: string, groupControlNumber: string, ack: EdiReconciliation['ack']): Promise<EdiGroup | undefined> {
  // GS06 compared as a number (000012 is 12); a non-numeric one compares as text.
  const { rows: [r] } = await db.query(`UPDATE edi_groups SET status = $4, acked_at = $5, ack_message_id = $6, ack_detail = $7
    WHERE tenant = $1 AND partner = $2 AND (group_control_number = $3 OR (group_control_number ~ '^[0-9]+$' AND $3 ~ '^[0-9]+$' AND group_control_number::numeric = $3::numeric)) RETURNING *`,
  [tenant, partner, groupControlNumber, ack.status, ack.at, ack.messageId, jsonText(ack.detail)]);
  return r && read.ediGroup(r);
}

export async function markOverdueEdiGroups(db: Queryable, now: number): Promise<EdiGroup[]> {
  const { rows } = await db.query(`UPDATE edi_groups SET status = 'overdue' WHERE status = 'sent' AND deadline_at IS NOT NULL AND deadline_at < $1 RETURNING *`, [now]);
  return rows.map(read.ediGroup);
}

export async function listEdiGroups(db: Queryable, f: EdiGroupFilter): Promise<EdiGroup[]> {
  const { rows } = await db.query(`SELECT * FROM edi_groups WHERE tenant = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR partner = $3)
    AND ($4::bigint IS NULL OR id < $4) ORDER BY id DESC LIMIT $5`, [f.tenant, f.status ?? null, f.partner ?? null, f.before ?? null, clampLimit(f.limit)]);
  return rows.map(read.ediGroup);
}

export async function nextControlNumber(db: Queryable, tenant: string, scope: string, kind: string, max: number): Promise<number> {
  // Wraps to 1 after max (ISA13 is nine digits); the upsert's row lock serialises concurrent callers.
  const { rows: [r] } = await db.query(`INSERT INTO control_numbers AS c (tenant, scope, kind, value) VALUES ($1, $2, $3, 1)
    ON CONFLICT (tenant, scope, kind) DO UPDATE SET value = CASE WHEN c.value >= $4 THEN 1 ELSE c.value + 1 END
    RETURNING value`, [tenant, scope, kind, max]);
  return r.value;
}
