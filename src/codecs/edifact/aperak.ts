// The APERAK we owe a partner whose message the hub will not apply: the rules refused a document of
// it, or it is no valid document; or later, when the target refused it for good or its hold ran
// out (then the envelope is read from the document as stored, `extensions.edifactEnvelope`). It names the partner's message by its UNH reference (RFF ACW) and
// carries each error (ERC + FTX); it goes to the partner's acknowledgment endpoint, like our CONTRLs.
import { aperakDraftFor, type Refusal } from '../../edi/edifact/index.ts';
import type { CausewayError } from '../../model/index.ts';
import type { HookContext, RefusalResult, RefusedDocument } from '../contract.ts';
import { encodeForPartner, type EdifactEnvelope, type EdifactMeta } from './codec.ts';
import { profileFor, type EdifactSettings } from './settings.ts';

/** The name our APERAKs are delivered under, in place of a flow's (lineage shows it). */
export const APERAK_FLOW = 'edifact-aperak';

/** The business number a refused document is known by, as an RFF the partner can match: an order's ON. */
const REFERENCE_OF: ReadonlyArray<[field: string, qualifier: string]> = [['orderNumber', 'ON'], ['shipmentNumber', 'AAK'], ['receiptNumber', 'AAK']];

/** The envelope a document we read carries as stored; undefined for one we did not read from EDIFACT. */
function storedEnvelopeOf(document: RefusedDocument['document']): EdifactEnvelope | undefined {
  const env = (document?.extensions as { edifactEnvelope?: EdifactEnvelope } | undefined)?.edifactEnvelope;
  return env && typeof env.interchange === 'string' && typeof env.message === 'string' && typeof env.messageType === 'string' ? env : undefined;
}

export async function answerRefusal(refused: RefusedDocument<EdifactMeta>, ctx: HookContext<EdifactSettings>): Promise<RefusalResult | undefined> {
  const env = refused.envelope ? (refused.envelope.kind === 'message' ? refused.envelope.envelope : undefined) : storedEnvelopeOf(refused.document);
  if (!env) return undefined;
  // Acknowledgments are never answered: an APERAK for an APERAK would echo forever.
  if (env.messageType === 'CONTRL' || env.messageType === 'APERAK') return undefined;
  const tenant = ctx.endpoint.tenant;
  const profile = profileFor(ctx.endpoint, env.partner, tenant);
  if (!profile?.acknowledgments.aperak.send) return undefined;
  // checkEdifactConfig holds a partner we send APERAKs to to an acknowledgment endpoint; one of another tenant is never written to.
  const target = profile.acknowledgments.endpoint ? ctx.endpointNamed(profile.acknowledgments.endpoint) : undefined;
  if (!target || target.tenant !== tenant) return undefined;
  const refusals: Refusal[] = refused.errors.map((e) => ({ code: e.code, message: (e.message || e.code).slice(0, 900), ...(e.path ? { path: e.path } : {}) }));
  const draft = aperakDraftFor(
    { header: { type: env.messageType, reference: env.message }, interchange: { sender: { id: env.senderId }, recipient: { id: env.recipientId } } },
    refusals,
    // BGM 1004, our APERAK's own number: the interchange and message it answers, which stay unique per sender.
    `${env.interchange}-${env.message}`.slice(-35),
  );
  const doc = refused.document as Record<string, unknown> | undefined;
  for (const [field, qualifier] of REFERENCE_OF) {
    const value = doc?.[field];
    if (typeof value === 'string' && value) {
      draft.references.push({ qualifier, value: value.slice(0, 35) });
      break;
    }
  }
  const { bytes } = await encodeForPartner(draft, profile, { tenant, endpoint: target.name, store: ctx.store });
  ctx.logger.info({ messageId: ctx.messageId, partner: profile.name, interchange: env.interchange, message: env.message, errors: refused.errors.map((e: CausewayError) => e.code) }, 'refused EDIFACT message answered with an APERAK');
  return { send: [{ endpoint: target.name, flow: APERAK_FLOW, payload: bytes, entityKey: draft.entityKey }] };
}
