// The X12 codec: a stored file -> canonical documents set by set (plus the acknowledgment we owe for
// each functional group), and a canonical document -> one interchange for a partner, using its profile.
import { createHash } from 'node:crypto';
import {
  ackSetOf, acknowledgeGroup, decodeItem, delimitersOf, describePosition, DEFAULT_SET_FOR, encodeDocument, exchanges, findProfile,
  isaVersionOf, readX12, readX12StreamBatches, translate, validateOutbound, writeInterchange, x12Error,
  type DecodeContext as SetContext, type GroupHeader, type InterchangeHeader, type PartnerProfile, type SetOutcome, type X12Error, type X12Item,
} from '../../edi/x12/index.ts';
import { CausewayFault, entityKeyFor, validateDocument, type CanonicalDocument, type CausewayError } from '../../model/index.ts';
import type { EdiStore } from '../../store/index.ts';
import type { DecodeContext, DecodeResult, EncodeContext } from '../contract.ts';
import { settingsOf, type X12Settings } from './settings.ts';

/**
 * Where a decoded document came from: the hooks' duplicates and tracking read it from the decode
 * result; a copy is written to `extensions.x12Envelope` for people reading lineage, never read back.
 */
export interface X12Envelope {
  partner?: string;
  senderQualifier: string;
  senderId: string;
  receiverId: string;
  interchange: string;
  group: string;
  functionalId: string;
  set: string;
  setId: string;
  usage: string;
  /** SHA-1 of the set's segments between ST and SE: the same set resent under new control numbers has the same hash. */
  contentHash: string;
  /** ST02 of the set before it in its group, and GS06 of the group before it in its interchange (gap detection). */
  priorSet?: string;
  priorGroup?: string;
}

/** An acknowledgment we drafted for a partner's group: it goes to the partner, never through flows. Shown as `extensions.x12Ack`. */
export interface X12AckMarker {
  partner: string;
  set: '997' | '999';
  interchange: string;
  senderQualifier: string;
  senderId: string;
}

/**
 * What the decoder says of each document, beside it in the decode result: the set it was read
 * from, or the group it acknowledges for us. A document that came in any other way (posted to the
 * API with the same extensions) has none, so it can neither pass for a partner's interchange nor
 * have a 997 sent in a partner's name.
 */
export type X12Meta = { kind: 'set'; envelope: X12Envelope } | { kind: 'owed-ack'; ack: X12AckMarker };

function outboundError(e: X12Error, type: string): CausewayError {
  const where = describePosition(e.position);
  return { code: e.code, message: `The ${type} cannot be written as the partner's X12: ${e.message}${where ? ` (${where})` : ''}`, position: { ...e.position } };
}

function asError(e: X12Error): CausewayError {
  const where = describePosition(e.position);
  return { code: e.code, message: where ? `${e.message} (${where})` : e.message, position: { ...e.position } };
}

/** Our unit, carrier and facility codes <-> the partner's, through the profile's code tables. */
export function translateCodes<T>(doc: T, p: PartnerProfile, inbound: boolean): T {
  const { units, carriers, facilities } = p.codeTables;
  if (!Object.keys(units).length && !Object.keys(carriers).length && !Object.keys(facilities).length) return doc;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (typeof x === 'string' && k === 'uom') out[k] = translate(units, x, inbound);
      else if (typeof x === 'string' && k === 'scac') out[k] = translate(carriers, x, inbound);
      else if (typeof x === 'string' && k === 'facility') out[k] = translate(facilities, x, inbound);
      else out[k] = walk(x);
    }
    return out;
  };
  return walk(doc) as T;
}

function setHash(set: { segments: Array<{ elements: string[] }> }): string {
  const h = createHash('sha1');
  // ST and SE carry the control number, which a resend changes: only the body counts.
  for (let i = 1; i < set.segments.length - 1; i++) h.update(set.segments[i]!.elements.join('\u001f') + '\u001e');
  return h.digest('hex');
}

export interface X12DecodeOptions {
  receivedAt?: string;
}

/**
 * Decodes a whole stored message. One bad set rejects that set only; its group's acknowledgment says so.
 * An interchange from a sender that is not the endpoint's partner, or a test interchange (ISA15 T) sent
 * to a production profile, is not read into documents (but its groups are still acknowledged).
 */
export function decodeX12Message(body: Buffer, ctx: DecodeContext<X12Settings>): DecodeResult<X12Meta> {
  const reading = new X12MessageReading(ctx);
  if (reading.ready) for (const raw of readX12(body)) reading.take(raw);
  return reading.flush();
}

/**
 * Decodes a large stored message as it streams by, in parts of bounded size: a part ends when an
 * interchange closes (its groups' GE and its IEA read and checked, their acknowledgments drafted),
 * so a part's documents are never committed before the trailers that may reject them are known.
 * An interchange of more than `maxHeldSets` sets cannot be held whole: its sets go out in parts of
 * that size before its trailers are read (docs/operations.md, "Large files").
 */
export async function* decodeX12Parts(source: AsyncIterable<Buffer>, ctx: DecodeContext<X12Settings>, maxHeldSets = DEFAULT_MAX_HELD_SETS): AsyncGenerator<DecodeResult<X12Meta>> {
  const reading = new X12MessageReading(ctx);
  if (!reading.ready) {
    yield reading.flush();
    return;
  }
  for await (const batch of readX12StreamBatches(source)) {
    for (const raw of batch) {
      reading.take(raw);
      if (reading.settled ? reading.held > 0 : reading.held >= maxHeldSets) yield reading.flush();
    }
  }
  if (reading.held > 0 || reading.hasErrors) yield reading.flush();
}

/** Sets of one open interchange held before its IEA is read; beyond it they go out before the trailers. */
export const DEFAULT_MAX_HELD_SETS = 5000;

/** The decoder's state across a message's items: the interchange's partner and verdicts, the open group, what is read so far. */
class X12MessageReading {
  private readonly receivedAt: string;
  private readonly profiles: Map<string, PartnerProfile>;
  private readonly partner: string | undefined;
  private documents: Array<Record<string, unknown>> = [];
  private envelopes: X12Meta[] = [];
  private errors: CausewayError[] = [];
  private profile: PartnerProfile | undefined;
  private setCtx: SetContext;
  private readable = true;
  private answer = true;
  private group: { header: GroupHeader; interchange: InterchangeHeader; sets: SetOutcome[] } | null = null;
  /** The group before the one being read in this interchange, for the envelope (control-number gaps). */
  private priorGroup: string | undefined;
  private inInterchange = false;
  /** Sets read into what is held now (documents or not). */
  held = 0;
  readonly ready: boolean;

  constructor(private readonly ctx: DecodeContext<X12Settings>) {
    const options = (ctx.options ?? {}) as X12DecodeOptions;
    const { profiles, partner } = settingsOf(ctx);
    this.profiles = profiles;
    this.partner = partner;
    this.receivedAt = options.receivedAt ?? new Date().toISOString();
    this.setCtx = { tenant: ctx.tenant, endpoint: ctx.endpoint, receivedAt: this.receivedAt };
    this.ready = !(partner && !profiles.has(partner));
    if (!this.ready) this.errors.push({ code: 'X12_PARTNER_UNKNOWN', message: `the endpoint names partner "${partner}", which has no profile under partners` });
  }

  /** No interchange is open: what is held may be applied. */
  get settled(): boolean {
    return !this.inInterchange;
  }

  get hasErrors(): boolean {
    return this.errors.length > 0;
  }

  /** What is read so far, handed out and forgotten. */
  flush(): DecodeResult<X12Meta> {
    const part = { documents: this.documents, envelopes: this.envelopes, errors: this.errors };
    this.documents = [];
    this.envelopes = [];
    this.errors = [];
    this.held = 0;
    return part;
  }

  take(raw: X12Item): void {
    const { ctx, errors, documents, envelopes } = this;
    switch (raw.kind) {
      case 'error':
        errors.push(asError(raw.error));
        break;
      case 'interchange-start': {
        const ic = raw.interchange;
        for (const e of raw.errors) if (e.severity === 'error') errors.push(asError(e));
        this.inInterchange = true;
        const profile = findProfile(this.profiles, this.partner, { qualifier: ic.senderQualifier, id: ic.senderId });
        this.profile = profile;
        this.priorGroup = undefined;
        this.readable = true;
        this.answer = true;
        if (profile && profile.theirs.id !== ic.senderId) {
          // Not from our partner: neither applied nor answered in the partner's name.
          this.readable = false;
          this.answer = false;
          errors.push(asError(x12Error('X12_PARTNER_MISMATCH', `The interchange is from ${ic.senderQualifier}/${ic.senderId}, but this endpoint's partner ${profile.name} sends as ${profile.theirs.qualifier}/${profile.theirs.id}; it was not read.`, { interchange: ic.controlNumber, segmentId: 'ISA', element: 6, offset: ic.offset })));
        } else if (profile && profile.usage === 'P' && ic.usage === 'T') {
          this.readable = false;
          errors.push(asError(x12Error('X12_TEST_INTERCHANGE', `Interchange #${ic.controlNumber} is a test interchange (ISA15 T) but partner ${profile.name} is in production (usage P); it was acknowledged, not applied.`, { interchange: ic.controlNumber, segmentId: 'ISA', element: 15, offset: ic.offset })));
        }
        this.setCtx = { tenant: ctx.tenant, endpoint: ctx.endpoint, receivedAt: this.receivedAt, utcOffset: profile?.utcOffset, asn856As: profile?.asn856As, allocatedQualifier: profile?.qualifiers.allocated, guidelines: profile?.guidelines };
        break;
      }
      case 'group-start':
        for (const e of raw.errors) if (e.severity === 'error') errors.push(asError(e));
        if (this.group !== null) this.priorGroup = this.group.header.controlNumber;
        this.group = { header: raw.group, interchange: raw.interchange, sets: [] };
        break;
      case 'set': {
        const { profile } = this;
        const set = raw.set;
        this.held++;
        // A set the partner is not set up to send is not read at all: AK5 1, not supported.
        let item = profile && !exchanges(profile, set.id, 'inbound') ? { kind: 'set' as const, set, documents: [], errors: set.errors, accepted: false } : decodeItem(raw, this.setCtx);
        if (item.kind !== 'set') break;
        if (profile && !exchanges(profile, set.id, 'inbound')) {
          const e = x12Error('X12_SET_NOT_EXCHANGED', `Partner ${profile.name} does not send ${set.id}s to us (partners.${profile.name}.sets); the set was rejected.`, { interchange: set.interchange.controlNumber, group: set.group.controlNumber, set: set.controlNumber, setId: set.id, segmentPosition: 1, segmentId: 'ST', element: 1, offset: set.offset });
          item = { ...item, errors: [...item.errors, e], documents: [], accepted: false };
        }
        const priorSet = this.group?.sets[this.group.sets.length - 1]?.set.controlNumber;
        // The acknowledgment quotes bad values from a set with errors only: a clean set is remembered without its segments.
        this.group?.sets.push({ set: item.errors.length ? set : { ...set, segments: [] }, errors: item.errors });
        for (const e of item.errors) if (e.severity === 'error') errors.push(asError(e));
        if (!this.readable) break;
        const envelope: X12Envelope = {
          ...(profile?.name ? { partner: profile.name } : {}),
          senderQualifier: set.interchange.senderQualifier, senderId: set.interchange.senderId, receiverId: set.interchange.receiverId,
          interchange: set.interchange.controlNumber, group: set.group.controlNumber, functionalId: set.group.functionalId,
          set: set.controlNumber, setId: set.id, usage: set.interchange.usage, contentHash: setHash(set),
          ...(priorSet !== undefined ? { priorSet } : {}), ...(this.priorGroup !== undefined && this.group?.header.controlNumber !== this.priorGroup ? { priorGroup: this.priorGroup } : {}),
        };
        for (const doc of item.documents) {
          const d = (profile ? translateCodes(doc, profile, true) : doc) as CanonicalDocument;
          documents.push({ ...d, extensions: { ...(d.extensions ?? {}), x12Envelope: { ...envelope } } });
          envelopes.push({ kind: 'set', envelope });
        }
        break;
      }
      case 'group-end': {
        const { profile, group } = this;
        for (const e of raw.errors) if (e.severity === 'error') errors.push(asError(e));
        // Acknowledgments are never acknowledged (a 997 for a 997 would echo forever).
        if (group && this.answer && profile?.acknowledgments.send && raw.group.functionalId !== 'FA') {
          const ackSet = ackSetOf(profile);
          const draft = acknowledgeGroup(raw.interchange, raw.group, group.sets, raw.errors, ackSet);
          const marker: X12AckMarker = { partner: profile.name!, set: ackSet, interchange: raw.interchange.controlNumber, senderQualifier: raw.interchange.senderQualifier, senderId: raw.interchange.senderId };
          documents.push({ ...draft, extensions: { x12Ack: { ...marker } } });
          envelopes.push({ kind: 'owed-ack', ack: marker });
          this.held++;
        }
        if (this.group !== null) this.priorGroup = this.group.header.controlNumber;
        this.group = null;
        break;
      }
      case 'interchange-end':
        for (const e of raw.errors) if (e.severity === 'error') errors.push(asError(e));
        this.inInterchange = false;
        break;
      case 'ta1':
        break;
    }
  }
}

export interface X12EncodeOptions {
  now?: () => Date;
}

export interface WrittenForPartner {
  text: string;
  partner: PartnerProfile;
  written: Awaited<ReturnType<typeof writeInterchange>>;
}

/** Writes one canonical document as an interchange for the endpoint's partner; faults name what is wrong. */
export async function encodeX12Document(payload: unknown, ctx: EncodeContext<X12Settings>): Promise<WrittenForPartner> {
  const { profiles, partner } = settingsOf(ctx);
  const profile = partner ? profiles.get(partner) : undefined;
  if (!profile) {
    throw new CausewayFault({ code: 'X12_PARTNER_UNKNOWN', message: partner ? `no partner profile "${partner}" under partners` : 'writing X12 needs a partner: set codecOptions.partner on the endpoint (or --partner)' });
  }
  const { now } = (ctx.options ?? {}) as X12EncodeOptions;
  return encodeForPartner(payload, profile, { tenant: ctx.tenant, endpoint: ctx.endpoint, store: ctx.store, now });
}

/** Writes one canonical document as an interchange for this partner, whatever partner the endpoint names. */
export async function encodeForPartner(payload: unknown, profile: PartnerProfile, ctx: { tenant: string; endpoint: string; store: Pick<EdiStore, 'nextControlNumber'>; now?: () => Date }): Promise<WrittenForPartner> {
  if (!payload || typeof payload !== 'object' || typeof (payload as { type?: unknown }).type !== 'string') {
    throw new CausewayFault({ code: 'X12_DOCUMENT_INVALID', path: '$', message: 'X12 is written from a canonical document (an object with a "type"); a mapping for an X12 endpoint must keep the document\'s shape' });
  }
  // A mapped payload or a hand-written file may lack the envelope and defaults: fill them, then hold it to its schema.
  const now = new Date().toISOString();
  const raw = payload as Record<string, unknown>;
  const filled: Record<string, unknown> = { tenant: ctx.tenant, id: `x12-out-${Date.now()}`, source: { endpoint: ctx.endpoint }, occurredAt: now, receivedAt: now, ...raw };
  filled.entityKey ??= entityKeyFor(filled);
  const valid = validateDocument(filled);
  if (!valid.ok) throw new CausewayFault(valid.errors);
  const doc = translateCodes(valid.document, profile, false);
  const setId = doc.type === 'acknowledgment' ? ackSetOf(profile) : (profile.writeAs[doc.type] ?? DEFAULT_SET_FOR[doc.type] ?? '');
  if (setId && !exchanges(profile, setId, 'outbound')) {
    throw new CausewayFault({ code: 'X12_SET_NOT_EXCHANGED', path: '$.type', message: `partner ${profile.name} does not take ${setId}s from us (partners.${profile.name}.sets); a ${doc.type} is written as ${setId}` });
  }
  const body = encodeDocument(doc, setId, { allocatedQualifier: profile.qualifiers.allocated });
  const bodyErrors = body.errors.filter((e) => e.severity === 'error');
  if (bodyErrors.length) throw new CausewayFault(bodyErrors.map(asError));
  const is999 = setId === '999';
  // What the partner's translator would reject is never sent: a set failing the dictionary is a permanent fault naming the element.
  const unfit = validateOutbound(body.id, body.segments, is999 ? '005010' : profile.version, delimitersOf(profile), profile.guidelines).filter((e) => e.severity === 'error');
  if (unfit.length) throw new CausewayFault(unfit.map((e) => outboundError(e, doc.type)));
  const written = await writeInterchange([{
    senderCode: profile.ours.gs ?? profile.ours.id, receiverCode: profile.theirs.gs ?? profile.theirs.id,
    // A 999 names its implementation guide in GS08 and ST03.
    version: is999 ? '005010X231' : profile.version,
    sets: [{ id: body.id, segments: body.segments, ...(is999 ? { implementationRef: '005010X231' } : {}) }],
  }], {
    sender: profile.ours, receiver: profile.theirs, version: isaVersionOf(profile), usage: profile.usage, delimiters: delimitersOf(profile),
    lineBreaks: profile.lineBreaks, now: ctx.now,
    // One sequence per partner and kind, kept in the store: unique and increasing across restarts and workers.
    // Drawn outside the transaction that commits the message's outcome, on purpose: a crash before the
    // commit leaves a gap in the sequence, which X12 allows, whereas numbers drawn inside it would be
    // given back by the rollback and reused for another interchange, which X12 forbids.
    nextControlNumber: (kind) => ctx.store.nextControlNumber(ctx.tenant, `x12:${profile.name}`, kind, 999_999_999),
  });
  const errs = written.errors.filter((e) => e.severity === 'error');
  if (errs.length) throw new CausewayFault(errs.map(asError));
  return { text: written.text, partner: profile, written };
}
