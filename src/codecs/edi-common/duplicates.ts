// What a partner sends again is not applied again, in any EDI standard: a whole interchange whose
// control reference this sender used within the window, or a unit (an X12 set, an EDIFACT message)
// whose content came before under other control numbers. Our acknowledgment of a duplicate still
// goes out, so a partner resending for want of one gets it.
//
// The store is only read here; the receipts are recorded with the message's outcome, which the
// store refuses if another message recorded one of them in between (the message is then screened
// again). So a worker that dies before its outcome commits leaves no receipt behind.
import type { CausewayError } from '../../model/index.ts';
import type { EdiReceipt, EdiReceiptVerdict, ScreenedReceipt } from '../../store/index.ts';
import type { HookContext } from '../contract.ts';

/** How long a control reference counts as used when the partner's profile does not say. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 30 * 86_400_000;

/** What screening reads of a unit's envelope, in either standard. */
export interface ScreenedEnvelope {
  senderQualifier: string;
  senderId: string;
  /** The interchange's control reference (ISA13, UNB 0020). */
  interchange: string;
  /** The partner profile the sender was matched to. */
  partner?: string;
}

/** What a standard says of its envelopes, for screening them. */
export interface RepeatRules<E extends ScreenedEnvelope> {
  /** The standard's name in logs. */
  standard: string;
  /** The unit within the file (interchange, group, set): each is screened once. */
  unitOf(env: E): string;
  /** The receipt keys: of the interchange (from interchangeOf), and of the unit's content. */
  interchangeKey(interchange: string): string;
  contentKey(env: E): string;
  /** The partner's window, in ms; undefined without a profile for it. */
  windowMs(partner: string): number | undefined;
  repeatedInterchange(env: E, verdict: EdiReceiptVerdict): CausewayError;
  repeatedUnit(env: E, verdict: EdiReceiptVerdict): CausewayError;
}

export interface Repeats {
  /** Indexes of the documents not to apply again. */
  skip: number[];
  errors: CausewayError[];
  receipts: ScreenedReceipt[];
  /** Each repeated interchange, as interchangeOf names it. */
  interchanges: ReadonlySet<string>;
}

/** The sender's interchange: sender qualifier, sender id and control reference. */
export function interchangeOf(env: ScreenedEnvelope): string {
  return `${env.senderQualifier}:${env.senderId}:${env.interchange}`;
}

/** Screens the units of one message (each with its document's index) against the receipts of earlier ones. */
export async function screenRepeats<E extends ScreenedEnvelope, S>(units: ReadonlyArray<{ index: number; env: E }>, ctx: HookContext<S>, rules: RepeatRules<E>): Promise<Repeats> {
  const { tenant } = ctx.endpoint;
  const receipts: ScreenedReceipt[] = [];
  const errors: CausewayError[] = [];
  const screen = async (r: Omit<EdiReceipt, 'tenant' | 'messageId' | 'at' | 'windowMs'>) => {
    const receipt: EdiReceipt = { ...r, tenant, messageId: ctx.messageId, at: ctx.now, windowMs: rules.windowMs(r.partner) ?? DEFAULT_DUPLICATE_WINDOW_MS };
    const verdict = await ctx.store.checkEdiReceipt(receipt);
    receipts.push({ ...receipt, duplicate: verdict.duplicate });
    return verdict;
  };

  const interchanges = new Set<string>();
  const seen = new Set<string>();
  for (const { env } of units) {
    const key = interchangeOf(env);
    if (seen.has(key)) continue;
    seen.add(key);
    const r = await screen({ kind: 'interchange', key: rules.interchangeKey(key), partner: env.partner ?? '' });
    if (!r.duplicate) continue;
    interchanges.add(key);
    errors.push(rules.repeatedInterchange(env, r));
    ctx.logger.warn({ messageId: ctx.messageId, interchange: env.interchange, sender: env.senderId, firstMessageId: r.firstMessageId }, `duplicate ${rules.standard} interchange not processed again`);
  }

  const repeatedUnits = new Set<string>();
  const unitSeen = new Set<string>();
  for (const { env } of units) {
    const unit = rules.unitOf(env);
    if (interchanges.has(interchangeOf(env)) || unitSeen.has(unit)) continue;
    unitSeen.add(unit);
    const r = await screen({ kind: 'set', key: rules.contentKey(env), partner: env.partner ?? '' });
    if (!r.duplicate) continue;
    repeatedUnits.add(unit);
    errors.push(rules.repeatedUnit(env, r));
  }

  const skip = units.filter(({ env }) => interchanges.has(interchangeOf(env)) || repeatedUnits.has(rules.unitOf(env))).map((u) => u.index);
  return { skip, errors, receipts, interchanges };
}
