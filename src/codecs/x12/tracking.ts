// The groups we send, tracked until their 997/999 comes; those that wait past their deadline alert.
import { durationMs, readX12 } from '../../edi/x12/index.ts';
import type { EdiGroupSent, EdiStore, NewAlert } from '../../store/index.ts';
import type { HookContext, HookResult } from '../contract.ts';
import { sentExchange } from '../edi-common/index.ts';
import { overdueExchanges } from '../overdue.ts';
import { profileFor, settingsOf, type X12Settings } from './settings.ts';

/**
 * After writing an interchange for a partner: its groups (not acknowledgments) to track. Committed
 * with the message's outcome; a replay writes the same delivery key and replaces the rows.
 */
export async function trackSentGroups(sent: { bytes: Buffer; deliveryKey: string }, ctx: HookContext<X12Settings>): Promise<HookResult | undefined> {
  const { endpoint } = ctx;
  const profile = profileFor(endpoint, settingsOf(endpoint).partner, endpoint.tenant);
  if (!profile) return undefined;
  const deadlineMs = profile.acknowledgments.expect ? durationMs(profile.acknowledgments.deadline) : null;
  const groups: EdiGroupSent[] = [];
  let current: EdiGroupSent | null = null;
  for (const item of readX12(sent.bytes)) {
    if (item.kind === 'group-start') {
      current = null;
      if (item.group.functionalId === 'FA') continue;
      const { interchange, group } = item;
      current = sentExchange(ctx, profile.name!, sent.deliveryKey, { interchangeControlNumber: interchange.controlNumber, groupControlNumber: group.controlNumber, functionalId: group.functionalId }, deadlineMs);
      groups.push(current);
    } else if (item.kind === 'set' && current) current.sets.push({ id: item.set.id, controlNumber: item.set.controlNumber });
  }
  return groups.length ? { writes: { groups } } : undefined;
}

/**
 * The periodic check: groups past their deadline become overdue (each once), and each alerts. The store
 * hands over EDIFACT interchanges in the same sweep; they alert as edifact_overdue, never as x12_overdue.
 */
export const overdueGroups = overdueExchanges;
