// SQLite rows of the EDI facet: receipts (duplicate screening), outbound groups and their
// acknowledgments, control numbers. Writers that say so run inside the caller's transaction; SQLite
// has one writer at a time, so nothing commits between a row's read and its write.
import { clampLimit } from '../decisions.ts';
import { EdiReceiptConflict, judgeReceipt, type ReceiptRow } from '../edi-receipts.ts';
import { jsonText, sqliteRows as read, type Row } from '../rows.ts';
import type {
  CompletionReport, EdiGroup, EdiGroupFilter, EdiGroupSent, EdiReceipt, EdiReceiptRow, EdiReceiptVerdict, EdiReconciliation, EdiWrites, MessageOutcome, Page,
  SentGroupDocument,
} from '../types.ts';
import { writeAlert } from './alerts.ts';
import type { Statements } from './statements.ts';

function readReceipt(sql: Statements, r: EdiReceipt): (ReceiptRow & { id: number }) | undefined {
  const row = sql.q('SELECT * FROM edi_receipts WHERE tenant = ? AND kind = ? AND key = ?').get(r.tenant, r.kind, r.key) as Row | undefined;
  return row && read.receiptState(row);
}

export function checkEdiReceipt(sql: Statements, r: EdiReceipt): EdiReceiptVerdict {
  const { write: _w, ...verdict } = judgeReceipt(readReceipt(sql, r), r);
  return verdict;
}

/** Inside a transaction. */
export function writeEdiReceipt(sql: Statements, r: EdiReceipt): EdiReceiptVerdict {
  const row = readReceipt(sql, r);
  const { write, ...verdict } = judgeReceipt(row, r);
  if (write === 'start') {
    sql.q(`INSERT INTO edi_receipts (tenant, kind, key, partner, first_message_id, first_seen_at, last_message_id, last_seen_at, count)
      VALUES (@tenant, @kind, @key, @partner, @messageId, @at, @messageId, @at, 1)
      ON CONFLICT (tenant, kind, key) DO UPDATE SET partner = excluded.partner, first_message_id = excluded.first_message_id,
        first_seen_at = excluded.first_seen_at, last_message_id = excluded.last_message_id, last_seen_at = excluded.last_seen_at, count = 1`)
      .run({ tenant: r.tenant, kind: r.kind, key: r.key, partner: r.partner, messageId: r.messageId, at: r.at });
  } else if (write === 'count') {
    sql.q('UPDATE edi_receipts SET count = count + 1, last_message_id = ?, last_seen_at = ? WHERE id = ?').run(r.messageId, r.at, row!.id);
  }
  return verdict;
}

/** Inside the outcomes' transaction: records every receipt, and refuses them all when one verdict differs from the one screening read. */
export function recordScreenedReceipts(sql: Statements, outcomes: MessageOutcome[]): void {
  const stale = new Set<number>();
  for (const o of outcomes) {
    for (const r of o.edi?.receipts ?? []) if (writeEdiReceipt(sql, r).duplicate !== r.duplicate) stale.add(o.messageId);
  }
  if (stale.size) throw new EdiReceiptConflict([...stale]);
}

/** Inside the outcome's transaction: its group tracking, acknowledgments and alerts. */
export function applyEdiWrites(sql: Statements, edi: EdiWrites | undefined, report: CompletionReport): void {
  if (!edi) return;
  if (edi.groups?.length) writeEdiGroups(sql, edi.groups);
  for (const r of edi.reconciliations ?? []) {
    const group = reconcileEdiGroup(sql, r.tenant, r.partner, r.groupControlNumber, r.ack);
    if (!group) {
      report.unknownGroups.push(r);
      continue;
    }
    const alert = r.alertFor?.(group);
    if (alert && writeAlert(sql, alert)) report.alerts.push(alert);
  }
  for (const a of edi.alerts ?? []) if (writeAlert(sql, a)) report.alerts.push(a);
  for (const c of edi.controlNumbersSeen ?? []) {
    sql.q(`INSERT INTO control_numbers (tenant, scope, kind, value) VALUES (?, ?, ?, ?)
      ON CONFLICT (tenant, scope, kind) DO UPDATE SET value = MAX(value, excluded.value)`).run(c.tenant, c.scope, c.kind, c.value);
  }
}

export function lastControlNumberSeen(sql: Statements, tenant: string, scope: string, kind: string): number | null {
  const r = sql.q('SELECT value FROM control_numbers WHERE tenant = ? AND scope = ? AND kind = ?').get(tenant, scope, kind) as Row | undefined;
  return r ? (r.value as number) : null;
}

export function listEdiDuplicates(sql: Statements, tenant: string, page: Page = {}): EdiReceiptRow[] {
  return (sql.q(`SELECT * FROM edi_receipts WHERE tenant = ? AND count > 1 AND (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`)
    .all(tenant, page.before ?? null, page.before ?? null, clampLimit(page.limit)) as Row[]).map(read.ediReceipt);
}

/** Inside a transaction. */
export function writeEdiGroups(sql: Statements, groups: EdiGroupSent[]): void {
  for (const key of new Set(groups.map((g) => `${g.tenant}\u0000${g.deliveryKey}`))) {
    const [tenant, deliveryKey] = key.split('\u0000');
    sql.q('DELETE FROM edi_groups WHERE tenant = ? AND delivery_key = ?').run(tenant, deliveryKey);
  }
  for (const g of groups) {
    sql.q(`INSERT INTO edi_groups (tenant, partner, interchange_control_number, group_control_number, functional_id, sets, delivery_key, message_id, endpoint, sent_at, deadline_at)
      VALUES (@tenant, @partner, @interchangeControlNumber, @groupControlNumber, @functionalId, @sets, @deliveryKey, @messageId, @endpoint, @sentAt, @deadlineAt)
      ON CONFLICT (tenant, partner, group_control_number) DO UPDATE SET interchange_control_number = excluded.interchange_control_number,
        functional_id = excluded.functional_id, sets = excluded.sets, delivery_key = excluded.delivery_key, message_id = excluded.message_id,
        endpoint = excluded.endpoint, status = 'sent', sent_at = excluded.sent_at, deadline_at = excluded.deadline_at, acked_at = NULL, ack_message_id = NULL, ack_detail = NULL`)
      .run({ ...g, sets: jsonText(g.sets) });
  }
}

export function reconcileEdiGroup(sql: Statements, tenant: string, partner: string, groupControlNumber: string, ack: EdiReconciliation['ack']): EdiGroup | undefined {
  // GS06 is compared as a number: a partner may echo 000012 for 12.
  const r = sql.q(`UPDATE edi_groups SET status = @status, acked_at = @at, ack_message_id = @messageId, ack_detail = @detail
    WHERE tenant = @tenant AND partner = @partner AND (group_control_number = @gcn OR (group_control_number NOT GLOB '*[^0-9]*' AND @gcn NOT GLOB '*[^0-9]*'
      AND @gcn <> '' AND CAST(group_control_number AS INTEGER) = CAST(@gcn AS INTEGER))) RETURNING *`)
    .get({ tenant, partner, gcn: groupControlNumber, status: ack.status, at: ack.at, messageId: ack.messageId, detail: jsonText(ack.detail) }) as Row | undefined;
  return r && read.ediGroup(r);
}

export function sentGroupDocument(sql: Statements, tenant: string, partner: string, groupControlNumber: string): SentGroupDocument | undefined {
  const r = sql.q(`SELECT x.document_id, x.document_type, x.entity_key, json_extract(d.body, '$.orderNumber') AS order_number FROM edi_groups g
    JOIN deliveries x ON x.tenant = g.tenant AND x.endpoint = g.endpoint AND x.idempotency_key = g.delivery_key
    JOIN documents d ON d.id = x.document_id
    WHERE g.tenant = @tenant AND g.partner = @partner AND (g.group_control_number = @gcn OR (g.group_control_number NOT GLOB '*[^0-9]*' AND @gcn NOT GLOB '*[^0-9]*'
      AND @gcn <> '' AND CAST(g.group_control_number AS INTEGER) = CAST(@gcn AS INTEGER)))
    ORDER BY g.id DESC LIMIT 1`).get({ tenant, partner, gcn: groupControlNumber }) as Row | undefined;
  return r && { documentId: r.document_id, documentType: r.document_type, entityKey: r.entity_key, orderNumber: typeof r.order_number === 'string' ? r.order_number : null };
}

export function markOverdueEdiGroups(sql: Statements, now: number): EdiGroup[] {
  return (sql.q(`UPDATE edi_groups SET status = 'overdue' WHERE status = 'sent' AND deadline_at IS NOT NULL AND deadline_at < ? RETURNING *`).all(now) as Row[]).map(read.ediGroup);
}

export function listEdiGroups(sql: Statements, f: EdiGroupFilter): EdiGroup[] {
  return (sql.q(`SELECT * FROM edi_groups WHERE tenant = @tenant AND (@status IS NULL OR status = @status) AND (@partner IS NULL OR partner = @partner)
    AND (@before IS NULL OR id < @before) ORDER BY id DESC LIMIT @limit`)
    .all({ tenant: f.tenant, status: f.status ?? null, partner: f.partner ?? null, before: f.before ?? null, limit: clampLimit(f.limit) }) as Row[]).map(read.ediGroup);
}

export function nextControlNumber(sql: Statements, tenant: string, scope: string, kind: string, max: number): number {
  // Wraps to 1 after max (ISA13 is nine digits); the row lock of the upsert makes it unique.
  const r = sql.q(`INSERT INTO control_numbers (tenant, scope, kind, value) VALUES (?, ?, ?, 1)
    ON CONFLICT (tenant, scope, kind) DO UPDATE SET value = CASE WHEN value >= ? THEN 1 ELSE value + 1 END
    RETURNING value`).get(tenant, scope, kind, max) as Row;
  return r.value as number;
}
