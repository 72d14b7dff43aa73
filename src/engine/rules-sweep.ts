import type { CausewayError } from '../model/index.ts';
import { LedgerConflict, type LedgerStore, type NewAlert, type NewDelivery, type NewVerdict, type PipelineStore, type RulesDeadLetter } from '../store/index.ts';
import { expireHolds, findStuck, type Ledger } from './rules/index.ts';
import type { RulesPolicy } from './rules/policy.ts';
import { ledgerWriteOf, syncSent } from './rules-step.ts';

/** What the partner a refused held document came from is owed (an EDIFACT APERAK), written with the refusal. */
export type AnswerExpiredHold = (tenant: string, stored: { id: string; messageId: number; body: unknown }, error: CausewayError) => Promise<NewDelivery[]>;

type Store = LedgerStore & Pick<PipelineStore, 'listDeliveries' | 'deliveriesOfDocument'> & { raiseAlert(a: NewAlert): Promise<boolean> };

/**
 * What time alone decides, for the ledgers whose due time has come: held documents whose order
 * never came within the window are refused (their messages dead-lettered with HOLD_EXPIRED), an
 * order's send is recorded once its delivery is done, and stuck orders (no acknowledgment in time,
 * not shipped by the requested date) raise an alert, once each. Returns the alerts newly raised.
 */
export async function sweepRules(store: Store, policy: RulesPolicy, now: number, limit = 500, answer?: AnswerExpiredHold): Promise<NewAlert[]> {
  const raised: NewAlert[] = [];
  const at = new Date(now).toISOString();
  for (const row of await store.listDueLedgers(now, limit)) {
    let ledger = row.body as Ledger;
    if (ledger.kind === 'order') ledger = await syncSent(store, row.tenant, ledger);
    const verdicts: NewVerdict[] = [];
    const deadLetters: RulesDeadLetter[] = [];
    const answers: NewDelivery[] = [];
    if (ledger.kind !== 'state') {
      const { ledger: next, expired } = expireHolds(ledger, policy, at);
      ledger = next;
      const stored = new Map((await store.getDocuments(row.tenant, expired.map((e) => e.documentId))).map((d) => [d.id, d]));
      for (const e of expired) {
        const document = stored.get(e.documentId);
        if (document === undefined) continue;
        const { messageId } = document;
        if (answer) answers.push(...(await answer(row.tenant, document, { code: e.rule, message: e.reason })));
        verdicts.push({ tenant: row.tenant, entityKey: row.entityKey, documentId: e.documentId, documentType: e.documentType, messageId, verdict: 'refuse', rule: e.rule, reason: e.reason, createdAt: now });
        deadLetters.push({ tenant: row.tenant, messageId, reason: `${e.rule}: ${e.reason}` });
      }
    }
    const alerts: NewAlert[] = [];
    if (ledger.kind === 'order') {
      for (const s of findStuck([ledger], policy.stuck, at)) {
        alerts.push({
          tenant: row.tenant, kind: `rules_${s.rule.toLowerCase()}`, subject: s.entityKey, message: s.reason,
          dedupeKey: `rules:stuck:${s.rule}:${s.entityKey}:${s.since}`, createdAt: now, detail: { rule: s.rule, orderNumber: s.orderNumber, since: s.since },
        });
      }
    }
    try {
      await store.writeRules({ ledgers: [ledgerWriteOf(row.tenant, ledger, row.version, policy, now)], verdicts, deadLetters, ...(answers.length ? { deliveries: answers } : {}) }, now);
    } catch (e) {
      // A message moved this ledger on meanwhile: the next sweep finds it due again, as it is then.
      if (e instanceof LedgerConflict) continue;
      throw e;
    }
    for (const a of alerts) if (await store.raiseAlert(a)) raised.push(a);
  }
  return raised;
}
