// Duplicate interchanges and sets: what a partner sends again is not applied again.
import { durationMs } from '../../edi/x12/index.ts';
import type { CausewayError } from '../../model/index.ts';
import type { EdiReceipt, ScreenedReceipt } from '../../store/index.ts';
import type { DecodedDocument, HookContext, ScreenResult } from '../contract.ts';
import type { X12Envelope, X12Meta } from './codec.ts';
import { screenControlGaps } from './gaps.ts';
import { profileFor, type X12Settings } from './settings.ts';

const DEFAULT_WINDOW_MS = 30 * 86_400_000;

const interchangeOf = (env: X12Envelope) => `${env.senderQualifier}:${env.senderId}:${env.interchange}`;
const setOf = (env: X12Envelope) => `${env.interchange}:${env.group}:${env.set}`;

/**
 * Skips what was already received: a whole interchange whose ISA13 this sender used within the
 * window, or a set whose content came before under other control numbers. Our acknowledgment of a
 * duplicate still goes out, so a partner resending for want of a 997 gets one.
 *
 * The store is only read here; the receipts are recorded with the message's outcome, which the
 * store refuses if another message recorded one of them in between (the message is then screened
 * again). So a worker that dies before its outcome commits leaves no receipt behind.
 */
export async function screenDuplicates(documents: ReadonlyArray<DecodedDocument<X12Meta>>, ctx: HookContext<X12Settings>): Promise<ScreenResult> {
  const { tenant } = ctx.endpoint;
  const receipts: ScreenedReceipt[] = [];
  const errors: CausewayError[] = [];
  const screen = async (r: Omit<EdiReceipt, 'tenant' | 'messageId' | 'at' | 'windowMs'>) => {
    const profile = profileFor(ctx.endpoint, r.partner, tenant);
    const receipt: EdiReceipt = { ...r, tenant, messageId: ctx.messageId, at: ctx.now, windowMs: profile ? durationMs(profile.duplicateWindow) : DEFAULT_WINDOW_MS };
    const verdict = await ctx.store.checkEdiReceipt(receipt);
    receipts.push({ ...receipt, duplicate: verdict.duplicate });
    return verdict;
  };
  const sets = documents.flatMap((d) => (d.envelope?.kind === 'set' ? [{ index: d.index, env: d.envelope.envelope }] : []));

  const duplicateInterchanges = new Set<string>();
  const seen = new Set<string>();
  for (const { env } of sets) {
    const key = interchangeOf(env);
    if (seen.has(key)) continue;
    seen.add(key);
    const r = await screen({ kind: 'interchange', key, partner: env.partner ?? '' });
    if (!r.duplicate) continue;
    duplicateInterchanges.add(key);
    errors.push({ code: 'X12_DUPLICATE_INTERCHANGE', message: `interchange #${env.interchange} from ${env.senderQualifier}/${env.senderId} was already received in message ${r.firstMessageId} (seen ${r.count} times); its documents were not applied again`, position: { interchange: env.interchange } });
    ctx.logger.warn({ messageId: ctx.messageId, interchange: env.interchange, sender: env.senderId, firstMessageId: r.firstMessageId }, 'duplicate X12 interchange not processed again');
  }

  const duplicateSets = new Set<string>();
  const setSeen = new Set<string>();
  for (const { env } of sets) {
    if (duplicateInterchanges.has(interchangeOf(env)) || setSeen.has(setOf(env))) continue;
    setSeen.add(setOf(env));
    const r = await screen({ kind: 'set', key: `${env.senderQualifier}:${env.senderId}:${env.setId}:${env.contentHash}`, partner: env.partner ?? '' });
    if (!r.duplicate) continue;
    duplicateSets.add(setOf(env));
    errors.push({ code: 'X12_DUPLICATE_SET', message: `set ${env.setId} #${env.set} in interchange #${env.interchange} repeats one received in message ${r.firstMessageId}; it was not applied again`, position: { interchange: env.interchange, group: env.group, set: env.set, setId: env.setId } });
  }

  const skip = sets.filter(({ env }) => duplicateInterchanges.has(interchangeOf(env)) || duplicateSets.has(setOf(env))).map((s) => s.index);
  // Gaps are looked for in what is new: a duplicate interchange says nothing about what is missing.
  const gaps = await screenControlGaps(documents.filter((d) => !(d.envelope?.kind === 'set' && duplicateInterchanges.has(interchangeOf(d.envelope.envelope)))), ctx);
  errors.push(...gaps.errors);
  return { skip, errors, writes: { receipts, ...(gaps.seen.length ? { controlNumbersSeen: gaps.seen } : {}), ...(gaps.alerts.length ? { alerts: gaps.alerts } : {}) } };
}
