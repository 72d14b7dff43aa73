// X12 bookkeeping around the pipeline: duplicate interchanges and sets, the acknowledgments we owe
// partners, tracking of the groups we send until their 997/999 comes, overdue checks and alerts.
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { madeByX12Decoder, profilesOf, type X12AckMarker, type X12Envelope } from '../../codecs/x12/codec.ts';
import { getCodec } from '../../codecs/index.ts';
import type { CausewayConfig } from '../../config/index.ts';
import { durationMs, readX12, type PartnerProfile } from '../../edi/x12/index.ts';
import type { Acknowledgment, CanonicalDocument, CausewayError } from '../../model/index.ts';
import type { EdiGroup, EdiGroupSent, NewAlert, NewDelivery, Store, StoredMessage } from '../../store/index.ts';
import type { HubMetrics } from '../metrics.ts';
import type { DecodedMessage, EndpointInfo } from '../processor.ts';

const DEFAULT_WINDOW_MS = 30 * 86_400_000;
/** The pseudo-flow name our acknowledgments are delivered under (lineage shows it). */
export const ACK_FLOW = 'x12-acknowledgment';

export interface X12DeskDeps {
  store: Store;
  endpoints: Map<string, EndpointInfo>;
  partners: CausewayConfig['partners'];
  metrics: HubMetrics;
  logger: Logger;
}

/** Endpoints our acknowledgments are written to: the hub opens them as sinks even when no flow targets them. */
export function acknowledgmentEndpoints(config: CausewayConfig): string[] {
  return Object.values(config.partners).flatMap((p) => (p.acknowledgments.send && p.acknowledgments.endpoint ? [p.acknowledgments.endpoint] : []));
}

/** Checks that go across config sections: partners named by endpoints exist, acknowledgments have somewhere to go. */
export function checkX12Config(config: CausewayConfig): CausewayError[] {
  const errors: CausewayError[] = [];
  const readBy = new Map<string, string>();
  for (const [name, ep] of Object.entries(config.endpoints)) {
    const partner = ep.codecOptions?.partner;
    if (partner === undefined) continue;
    if (typeof partner !== 'string' || !config.partners[partner]) {
      errors.push({ code: 'CONFIG_INVALID', path: `$.endpoints.${name}.codecOptions.partner`, message: `no partner profile named ${JSON.stringify(partner)} under partners` });
    } else if ((ep.codec ?? '') === 'x12') readBy.set(partner, name);
  }
  for (const [name, p] of Object.entries(config.partners)) {
    const ack = p.acknowledgments;
    if (ack.endpoint !== undefined && !config.endpoints[ack.endpoint]) {
      errors.push({ code: 'CONFIG_INVALID', path: `$.partners.${name}.acknowledgments.endpoint`, message: `no endpoint named "${ack.endpoint}"` });
    } else if (ack.endpoint !== undefined && config.endpoints[ack.endpoint]!.codec !== 'x12') {
      errors.push({ code: 'CONFIG_INVALID', path: `$.partners.${name}.acknowledgments.endpoint`, message: `endpoint "${ack.endpoint}" must have codec x12 to carry 997s` });
    } else if (ack.send && ack.endpoint === undefined && readBy.has(name)) {
      errors.push({ code: 'CONFIG_INVALID', path: `$.partners.${name}.acknowledgments.endpoint`, message: `endpoint "${readBy.get(name)}" reads X12 from ${name} and acknowledgments.send is true: name the endpoint 997s are written to, or set send: false` });
    }
  }
  return errors;
}

/** Where a document came from in an interchange; only what our X12 decoder wrote counts, never a payload's own extensions. */
function envelopeOf(doc: CanonicalDocument): X12Envelope | undefined {
  const env = doc.extensions?.x12Envelope;
  return madeByX12Decoder(env) ? (env as X12Envelope) : undefined;
}

/** The acknowledgment we owe a partner, as our X12 decoder marked it; a marker a caller wrote is ignored. */
function ackMarkerOf(doc: CanonicalDocument): X12AckMarker | undefined {
  const marker = doc.type === 'acknowledgment' ? doc.extensions?.x12Ack : undefined;
  return madeByX12Decoder(marker) ? (marker as X12AckMarker) : undefined;
}

export class X12Desk {
  private readonly profiles: Map<string, PartnerProfile>;
  private readonly alertsRaised: Counter<'tenant' | 'kind'>;

  constructor(private readonly deps: X12DeskDeps) {
    this.profiles = profilesOf({ partnerProfiles: deps.partners });
    this.alertsRaised = new Counter({ name: 'causeway_alerts_total', help: 'Alerts raised (X12 rejected, accepted with errors, overdue acknowledgments)', labelNames: ['tenant', 'kind'], registers: [deps.metrics.registry] });
  }

  /** A partner's profile, only when it belongs to this tenant: a tenant never acts in another's partner's name. */
  private profileFor(partner: unknown, tenant: string): PartnerProfile | undefined {
    const profile = typeof partner === 'string' ? this.profiles.get(partner) : undefined;
    return profile?.tenant === tenant ? profile : undefined;
  }

  /**
   * Drops what was already received: a whole interchange whose ISA13 this sender used within the window,
   * or a set whose content came before under other control numbers. Our acknowledgment of a duplicate
   * still goes out, so a partner resending for want of a 997 gets one.
   */
  async screenDuplicates(m: StoredMessage, decoded: DecodedMessage): Promise<void> {
    const { store } = this.deps;
    const now = Date.now();
    const duplicateInterchanges = new Set<string>();
    const seen = new Map<string, boolean>();
    const windowOf = (partner: string | undefined) => {
      const profile = this.profileFor(partner, m.tenant);
      return profile ? durationMs(profile.duplicateWindow) : DEFAULT_WINDOW_MS;
    };
    for (const { document } of decoded.documents) {
      const env = envelopeOf(document);
      if (!env) continue;
      const key = `${env.senderQualifier}:${env.senderId}:${env.interchange}`;
      if (seen.has(key)) continue;
      const r = await store.recordEdiReceipt({ tenant: m.tenant, kind: 'interchange', key, partner: env.partner ?? '', messageId: m.id, at: now, windowMs: windowOf(env.partner) });
      seen.set(key, r.duplicate);
      if (r.duplicate) {
        duplicateInterchanges.add(key);
        decoded.errors.push({ code: 'X12_DUPLICATE_INTERCHANGE', message: `interchange #${env.interchange} from ${env.senderQualifier}/${env.senderId} was already received in message ${r.firstMessageId} (seen ${r.count} times); its documents were not applied again`, position: { interchange: env.interchange } });
        this.deps.logger.warn({ messageId: m.id, interchange: env.interchange, sender: env.senderId, firstMessageId: r.firstMessageId }, 'duplicate X12 interchange not processed again');
      }
    }
    const duplicateSets = new Set<string>();
    const setSeen = new Set<string>();
    for (const { document } of decoded.documents) {
      const env = envelopeOf(document);
      if (!env || duplicateInterchanges.has(`${env.senderQualifier}:${env.senderId}:${env.interchange}`)) continue;
      const where = `${env.interchange}:${env.group}:${env.set}`;
      if (setSeen.has(where)) continue;
      setSeen.add(where);
      const r = await store.recordEdiReceipt({ tenant: m.tenant, kind: 'set', key: `${env.senderQualifier}:${env.senderId}:${env.setId}:${env.contentHash}`, partner: env.partner ?? '', messageId: m.id, at: now, windowMs: windowOf(env.partner) });
      if (r.duplicate) {
        duplicateSets.add(where);
        decoded.errors.push({ code: 'X12_DUPLICATE_SET', message: `set ${env.setId} #${env.set} in interchange #${env.interchange} repeats one received in message ${r.firstMessageId}; it was not applied again`, position: { interchange: env.interchange, group: env.group, set: env.set, setId: env.setId } });
      }
    }
    if (!duplicateInterchanges.size && !duplicateSets.size) return;
    decoded.documents = decoded.documents.filter(({ document }) => {
      const env = envelopeOf(document);
      if (!env) return true;
      return !duplicateInterchanges.has(`${env.senderQualifier}:${env.senderId}:${env.interchange}`) && !duplicateSets.has(`${env.interchange}:${env.group}:${env.set}`);
    });
  }

  /**
   * Our acknowledgment of a partner's group goes to the partner's acknowledgment endpoint and nowhere
   * else (returns its delivery). A partner's 997/999 settles the group it acknowledges, then goes
   * through flows like any document (returns undefined).
   */
  async route(doc: CanonicalDocument, m: StoredMessage, index: number): Promise<NewDelivery[] | undefined> {
    const marker = ackMarkerOf(doc);
    if (marker) return this.acknowledgmentDelivery(doc, marker, m, index);
    if (doc.type === 'acknowledgment') await this.reconcile(doc as Acknowledgment, m);
    return undefined;
  }

  private async acknowledgmentDelivery(doc: CanonicalDocument, marker: X12AckMarker, m: StoredMessage, index: number): Promise<NewDelivery[]> {
    const profile = this.profileFor(marker.partner, doc.tenant);
    const target = profile?.acknowledgments.endpoint ? this.deps.endpoints.get(profile.acknowledgments.endpoint) : undefined;
    if (!target || target.tenant !== doc.tenant) return [];
    const codec = getCodec(target.codec)!;
    // The ack endpoint speaks for the partner whose group we acknowledge, whatever its own codecOptions say.
    const payload = await codec.encode(doc, { tenant: doc.tenant, endpoint: target.name, options: { ...target.codecOptions, partner: marker.partner }, store: this.deps.store });
    return [{
      tenant: doc.tenant, documentId: doc.id, documentType: doc.type, messageId: m.id, flow: ACK_FLOW, endpoint: target.name, entityKey: doc.entityKey,
      payload, contentType: codec.contentType, idempotencyKey: `cw-${m.id}-${index}-${ACK_FLOW}`,
      occurredAt: Date.parse(doc.occurredAt), receivedAt: m.receivedAt, maxAttempts: target.maxAttempts,
    }];
  }

  private async reconcile(ack: Acknowledgment, m: StoredMessage): Promise<void> {
    const env = envelopeOf(ack);
    const gcn = ack.acknowledges.groupControlNumber;
    if (!env?.partner || !gcn || !this.profileFor(env.partner, ack.tenant)) return;
    const group = await this.deps.store.reconcileEdiGroup(ack.tenant, env.partner, gcn, {
      status: ack.status, messageId: m.id, at: Date.now(), detail: { status: ack.status, sets: ack.sets, errors: ack.errors, interchange: env.interchange },
    });
    if (!group) {
      this.deps.logger.warn({ partner: env.partner, group: gcn, messageId: m.id }, 'an acknowledgment came for a group Causeway has no record of sending');
      return;
    }
    if (ack.status === 'accepted') return;
    const rejectedSets = ack.sets.filter((s) => s.status !== 'accepted').map((s) => `${s.transactionSetId} #${s.controlNumber} ${s.status}${s.errors.length ? ` (${s.errors.map((e) => e.code).join(', ')})` : ''}`);
    await this.alert({
      tenant: group.tenant, kind: `x12_${ack.status}`, subject: `partner ${group.partner} group ${group.groupControlNumber}`,
      message: `${group.partner} answered group ${group.groupControlNumber} (${group.functionalId}, interchange ${group.interchangeControlNumber}) with ${ack.status.replace(/_/g, ' ')}${rejectedSets.length ? `: ${rejectedSets.join('; ')}` : ''}`,
      dedupeKey: `x12:${group.partner}:${group.interchangeControlNumber}:${group.groupControlNumber}:${ack.status}`, createdAt: Date.now(),
      detail: { partner: group.partner, group: group.groupControlNumber, interchange: group.interchangeControlNumber, ackMessageId: m.id, sets: ack.sets, errors: ack.errors },
    });
  }

  /** After writing an interchange for a partner: track its groups (not acknowledgments) until their 997s come. */
  async trackSent(bytes: Buffer, target: EndpointInfo, deliveryKey: string, messageId: number | null): Promise<void> {
    if (target.codec !== 'x12') return;
    const profile = this.profileFor(target.codecOptions.partner, target.tenant);
    if (!profile) return;
    const now = Date.now();
    const groups: EdiGroupSent[] = [];
    let current: EdiGroupSent | null = null;
    for (const item of readX12(bytes)) {
      if (item.kind === 'group-start') {
        current = null;
        if (item.group.functionalId === 'FA') continue;
        current = {
          tenant: target.tenant, partner: profile.name!, interchangeControlNumber: item.interchange.controlNumber, groupControlNumber: item.group.controlNumber,
          functionalId: item.group.functionalId, sets: [], deliveryKey, messageId, endpoint: target.name, sentAt: now,
          deadlineAt: profile.acknowledgments.expect ? now + durationMs(profile.acknowledgments.deadline) : null,
        };
        groups.push(current);
      } else if (item.kind === 'set' && current) current.sets.push({ id: item.set.id, controlNumber: item.set.controlNumber });
    }
    if (groups.length) await this.deps.store.recordEdiGroups(groups);
  }

  /** The periodic check (one worker at a time, under a job lease): groups past their deadline become overdue and alert. */
  async markOverdue(now: number): Promise<EdiGroup[]> {
    const overdue = await this.deps.store.markOverdueEdiGroups(now);
    for (const g of overdue) {
      await this.alert({
        tenant: g.tenant, kind: 'x12_overdue', subject: `partner ${g.partner} group ${g.groupControlNumber}`,
        message: `${g.partner} has not acknowledged group ${g.groupControlNumber} (${g.functionalId}, interchange ${g.interchangeControlNumber}, sets ${g.sets.map((s) => `${s.id} #${s.controlNumber}`).join(', ')}) sent ${new Date(g.sentAt).toISOString()}; it was due by ${new Date(g.deadlineAt ?? now).toISOString()}`,
        dedupeKey: `x12:${g.partner}:${g.interchangeControlNumber}:${g.groupControlNumber}:overdue`, createdAt: now,
        detail: { partner: g.partner, group: g.groupControlNumber, interchange: g.interchangeControlNumber, deadlineAt: g.deadlineAt },
      });
    }
    return overdue;
  }

  private async alert(a: NewAlert): Promise<void> {
    if (!(await this.deps.store.raiseAlert(a))) return;
    this.alertsRaised.inc({ tenant: a.tenant, kind: a.kind });
    this.deps.logger.warn({ tenant: a.tenant, alert: a.kind, subject: a.subject }, a.message);
  }
}
