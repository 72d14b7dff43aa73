// Gaps in a partner's control numbers: an ISA13, GS06 or ST02 that jumps past the next number means
// something the partner sent never arrived (or was lost on the way). Duplicates are screened elsewhere;
// this raises an alert for what is missing, once per gap.
import type { CausewayError } from '../../model/index.ts';
import type { ControlNumberSeen, NewAlert } from '../../store/index.ts';
import type { DecodedDocument, HookContext } from '../contract.ts';
import type { X12Envelope, X12Meta } from './codec.ts';
import type { X12Settings } from './settings.ts';

const KINDS = { ISA: 'interchange control number (ISA13)', GS: 'group control number (GS06)', ST: 'set control number (ST02)' } as const;
type Kind = keyof typeof KINDS;

/** A control number as a number when it is one (leading zeros allowed), else null: only numeric sequences have gaps. */
function numberOf(v: string | undefined): number | null {
  if (v === undefined || !/^\d{1,9}$/.test(v.trim())) return null;
  return Number(v.trim());
}

interface Observation {
  env: X12Envelope;
  kind: Kind;
  value: number;
  /** The number before it in the same message, or null to compare with the last one the store has seen. */
  prior: number | null;
}

/**
 * Looks at the control numbers of the message's sets, per partner and sender: against each other, and
 * against the highest the store saw before. Returns the highest numbers to record and an alert per gap.
 * An ST02 of 1 starts a sender's numbering afresh for its group; any other first ST02 continues the last one.
 */
export async function screenControlGaps(documents: ReadonlyArray<DecodedDocument<X12Meta>>, ctx: HookContext<X12Settings>): Promise<{ seen: ControlNumberSeen[]; alerts: NewAlert[]; errors: CausewayError[] }> {
  const tenant = ctx.endpoint.tenant;
  const observations: Observation[] = [];
  const interchanges = new Set<string>();
  const groups = new Set<string>();
  const sets = new Set<string>();
  let lastInterchange: { scope: string; value: number } | null = null;
  for (const d of documents) {
    if (d.envelope?.kind !== 'set') continue;
    const env = d.envelope.envelope;
    if (!env.partner) continue;
    const scope = scopeOf(env);
    const isa = numberOf(env.interchange);
    if (isa !== null && !interchanges.has(`${scope}|${env.interchange}`)) {
      interchanges.add(`${scope}|${env.interchange}`);
      observations.push({ env, kind: 'ISA', value: isa, prior: lastInterchange?.scope === scope ? lastInterchange.value : null });
      lastInterchange = { scope, value: isa };
    }
    const gs = numberOf(env.group);
    const groupKey = `${scope}|${env.interchange}|${env.group}`;
    if (gs !== null && !groups.has(groupKey)) {
      groups.add(groupKey);
      observations.push({ env, kind: 'GS', value: gs, prior: numberOf(env.priorGroup) });
    }
    const st = numberOf(env.set);
    const setKey = `${groupKey}|${env.set}`;
    if (st !== null && !sets.has(setKey)) {
      sets.add(setKey);
      // The first set of a group numbered 1 restarts the sequence: nothing to compare it with.
      if (env.priorSet !== undefined || st !== 1) observations.push({ env, kind: 'ST', value: st, prior: numberOf(env.priorSet) });
    }
  }
  const highest = new Map<string, ControlNumberSeen>();
  const alerts: NewAlert[] = [];
  const errors: CausewayError[] = [];
  const stored = new Map<string, number | null>();
  for (const o of observations) {
    const scope = scopeOf(o.env);
    const key = `${scope}|${o.kind}`;
    let prior = o.prior;
    if (prior === null) {
      // The highest seen before: in the store, or earlier in this message.
      if (!stored.has(key)) stored.set(key, await ctx.store.lastControlNumberSeen(tenant, scope, o.kind));
      const before = stored.get(key)!;
      const earlier = highest.get(key)?.value ?? null;
      prior = before === null ? earlier : earlier === null ? before : Math.max(before, earlier);
    }
    if (prior !== null && o.value > prior + 1) {
      const { alert, error } = gapAlert(tenant, o, prior, ctx.now);
      alerts.push(alert);
      errors.push(error);
      ctx.logger.warn({ messageId: ctx.messageId, partner: o.env.partner, kind: o.kind, from: prior, to: o.value }, 'gap in a partner\'s X12 control numbers');
    }
    const h = highest.get(key);
    if (!h || o.value > h.value) highest.set(key, { tenant, scope, kind: o.kind, value: o.value });
  }
  return { seen: [...highest.values()], alerts, errors };
}

function scopeOf(env: X12Envelope): string {
  return `x12-in:${env.partner}:${env.senderQualifier}:${env.senderId}`;
}

function gapAlert(tenant: string, o: Observation, prior: number, now: number): { alert: NewAlert; error: CausewayError } {
  const env = o.env;
  const first = prior + 1;
  const last = o.value - 1;
  const missing = first === last ? String(first) : `${first} to ${last}`;
  const where = o.kind === 'ISA' ? '' : o.kind === 'GS' ? ` in interchange #${env.interchange}` : ` in group #${env.group} of interchange #${env.interchange}`;
  const message = `${env.partner} (${env.senderQualifier}/${env.senderId}) sent ${KINDS[o.kind]} ${o.value}${where} after ${prior}: ${missing} never arrived`;
  return {
    alert: {
      tenant, kind: 'x12_control_gap', subject: `partner ${env.partner} ${o.kind} ${missing}`, message,
      dedupeKey: `x12-gap:${env.partner}:${env.senderQualifier}:${env.senderId}:${o.kind}:${o.kind === 'ST' ? `${env.interchange}:${env.group}:` : ''}${first}-${last}`,
      createdAt: now,
      detail: { partner: env.partner, sender: env.senderId, kind: o.kind, after: prior, received: o.value, missingFrom: first, missingTo: last, interchange: env.interchange, group: env.group },
    },
    error: { code: 'X12_CONTROL_GAP', message, position: { interchange: env.interchange, ...(o.kind !== 'ISA' ? { group: env.group } : {}), ...(o.kind === 'ST' ? { set: env.set, setId: env.setId } : {}) } },
  };
}
