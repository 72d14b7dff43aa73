// Duplicate interchanges and sets: what a partner sends again is not applied again.
import { durationMs } from '../../edi/x12/index.ts';
import type { DecodedDocument, HookContext, ScreenResult } from '../contract.ts';
import { interchangeOf, screenRepeats } from '../edi-common/index.ts';
import type { X12Envelope, X12Meta } from './codec.ts';
import { screenControlGaps } from './gaps.ts';
import { profileFor, type X12Settings } from './settings.ts';

const setOf = (env: X12Envelope) => `${env.interchange}:${env.group}:${env.set}`;

/**
 * Skips what was already received: a whole interchange whose ISA13 this sender used within the
 * window, or a set whose content came before under other control numbers (see screenRepeats); then
 * looks for gaps in the control numbers of what is new.
 */
export async function screenDuplicates(documents: ReadonlyArray<DecodedDocument<X12Meta>>, ctx: HookContext<X12Settings>): Promise<ScreenResult> {
  const sets = documents.flatMap((d) => (d.envelope?.kind === 'set' ? [{ index: d.index, env: d.envelope.envelope }] : []));
  const repeats = await screenRepeats(sets, ctx, {
    standard: 'X12',
    unitOf: setOf,
    interchangeKey: (interchange) => interchange,
    contentKey: (env) => `${env.senderQualifier}:${env.senderId}:${env.setId}:${env.contentHash}`,
    windowMs: (partner) => windowOf(profileFor(ctx.endpoint, partner, ctx.endpoint.tenant)),
    repeatedInterchange: (env, r) => ({ code: 'X12_DUPLICATE_INTERCHANGE', message: `interchange #${env.interchange} from ${env.senderQualifier}/${env.senderId} was already received in message ${r.firstMessageId} (seen ${r.count} times); its documents were not applied again`, position: { interchange: env.interchange } }),
    repeatedUnit: (env, r) => ({ code: 'X12_DUPLICATE_SET', message: `set ${env.setId} #${env.set} in interchange #${env.interchange} repeats one received in message ${r.firstMessageId}; it was not applied again`, position: { interchange: env.interchange, group: env.group, set: env.set, setId: env.setId } }),
  });
  const { skip, errors, receipts } = repeats;
  // Gaps are looked for in what is new: a duplicate interchange says nothing about what is missing.
  const gaps = await screenControlGaps(documents.filter((d) => !(d.envelope?.kind === 'set' && repeats.interchanges.has(interchangeOf(d.envelope.envelope)))), ctx);
  errors.push(...gaps.errors);
  return { skip, errors, writes: { receipts, ...(gaps.seen.length ? { controlNumbersSeen: gaps.seen } : {}), ...(gaps.alerts.length ? { alerts: gaps.alerts } : {}) } };
}

/** The partner's duplicate window; none without a profile. */
function windowOf(profile: { duplicateWindow: string } | undefined): number | undefined {
  return profile ? durationMs(profile.duplicateWindow) : undefined;
}
