// The alert for a sent exchange whose acknowledgment is overdue. The store marks every kind of tracked
// exchange at once (X12 groups and EDIFACT interchanges), and whichever codec's periodic check runs first
// receives them all: each is worded for what it is, whichever check found it, and none is lost.
import type { EdiGroup, EdiStore, NewAlert } from '../store/index.ts';

/** How an EDIFACT interchange is tracked: one entry per interchange, under its UNB. */
export const EDIFACT_TRACKED_AS = 'UNB';

export function overdueAlert(g: EdiGroup, now: number): NewAlert {
  const sent = new Date(g.sentAt).toISOString();
  const due = new Date(g.deadlineAt ?? now).toISOString();
  if (g.functionalId === EDIFACT_TRACKED_AS) {
    return {
      tenant: g.tenant, kind: 'edifact_overdue', subject: `partner ${g.partner} interchange ${g.interchangeControlNumber}`,
      message: `${g.partner} has not sent a CONTRL for interchange ${g.interchangeControlNumber} (${g.sets.map((s) => `${s.id} ${s.controlNumber}`).join(', ')}) sent ${sent}; it was due by ${due}`,
      dedupeKey: `edifact:${g.partner}:${g.interchangeControlNumber}:overdue`, createdAt: now,
      detail: { partner: g.partner, interchange: g.interchangeControlNumber, deadlineAt: g.deadlineAt },
    };
  }
  return {
    tenant: g.tenant, kind: 'x12_overdue', subject: `partner ${g.partner} group ${g.groupControlNumber}`,
    message: `${g.partner} has not acknowledged group ${g.groupControlNumber} (${g.functionalId}, interchange ${g.interchangeControlNumber}, sets ${g.sets.map((s) => `${s.id} #${s.controlNumber}`).join(', ')}) sent ${sent}; it was due by ${due}`,
    dedupeKey: `x12:${g.partner}:${g.interchangeControlNumber}:${g.groupControlNumber}:overdue`, createdAt: now,
    detail: { partner: g.partner, group: g.groupControlNumber, interchange: g.interchangeControlNumber, deadlineAt: g.deadlineAt },
  };
}

/** The periodic check: what waited past its deadline becomes overdue (each once), and alerts. */
export async function overdueExchanges({ store, now }: { store: Pick<EdiStore, 'markOverdueEdiGroups'>; now: number }): Promise<NewAlert[]> {
  const overdue = await store.markOverdueEdiGroups(now);
  return overdue.map((g) => overdueAlert(g, now));
}
