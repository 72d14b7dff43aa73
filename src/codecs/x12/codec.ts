// The X12 codec: a stored file -> canonical documents set by set (plus the acknowledgment we owe for
// each functional group), and a canonical document -> one interchange for a partner, using its profile.
import { createHash } from 'node:crypto';
import {
  ackSetOf, acknowledgeGroup, acknowledgeInterchange, decodeItem, delimitersOf, describePosition, DEFAULT_SET_FOR, encodeDocument, exchanges, findProfile,
  hasRejectingError, isaVersionOf, readX12, readX12StreamBatches, ta1Of, validateOutbound, writeInterchange, x12Error,
  type DecodeContext as SetContext, type GroupHeader, type InterchangeHeader, type PartnerProfile, type SetOutcome, type X12Error, type X12Item,
} from '../../edi/x12/index.ts';
import { CausewayFault, type Acknowledgment, type CanonicalDocument, type CausewayError } from '../../model/index.ts';
import type { EdiStore } from '../../store/index.ts';
import type { DecodeContext, DecodeResult, EncodeContext } from '../contract.ts';
import { documentToWrite } from '../edi-common/index.ts';
import { settingsOf, type X12Settings } from './settings.ts';
import { translateCodeTables } from '../../edi/partner-profile.ts';

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
  /** A 997/999 for a group, or a TA1 for the interchange. */
  set: '997' | '999' | 'TA1';
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
  return translateCodeTables(doc, p.codeTables, inbound);
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

/** What one interchange has produced so far: held until its IEA says whether any of it may be applied. */
interface OpenInterchange {
  header: InterchangeHeader;
  profile: PartnerProfile | undefined;
  /** Its documents are read into canonical ones (false: another sender's, or a test file to a production partner). */
  readable: boolean;
  /** Its groups are answered in the partner's name (false: not from our partner). */
  answer: boolean;
  /** Errors of the ISA and of what sits between groups; with the IEA's they decide the interchange. */
  errors: X12Error[];
  /** GS06 of the group before the open one (gap detection). */
  priorGroup?: string;
  /** The documents of its accepted groups and the 997s owed, in file order. */
  held: Held[];
  /** Too large to hold whole: some of what it held went out before its trailers were read. */
  spilled?: boolean;
}

type Held = { document: Record<string, unknown>; envelope: X12Meta; owedAck?: boolean };

interface OpenGroup {
  header: GroupHeader;
  errors: X12Error[];
  sets: SetOutcome[];
  held: Held[];
}

/**
 * Decodes a whole stored message. What is acknowledged is what is applied: a set with an error is
 * rejected alone, and a group or interchange whose envelope is broken (a count or control number that
 * does not match, a missing trailer, a malformed ISA) is rejected whole, none of its documents
 * applied; the errors say so. An interchange from a sender that is not the endpoint's partner, or a
 * test interchange (ISA15 T) sent to a production profile, is not read into documents (but its groups
 * are still acknowledged). The 997/999 owed for each group and the TA1 owed for an interchange (when
 * ISA14 asks for one, and whenever it is rejected) come out as acknowledgment documents for the hooks.
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
      if (reading.settled ? reading.held > 0 : reading.held >= maxHeldSets) yield reading.flush(!reading.settled);
    }
  }
  if (reading.held > 0 || reading.hasReports) yield reading.flush();
}

/** Sets of one open interchange held before its IEA is read; beyond it they go out before the trailers. */
export const DEFAULT_MAX_HELD_SETS = 5000;

/**
 * The decoder's state across a message's items: the open interchange and group with what they hold
 * until their trailers decide whether it may be applied, and what is decided so far.
 */
class X12MessageReading {
  private readonly options: X12DecodeOptions;
  private readonly receivedAt: string;
  private readonly profiles: Map<string, PartnerProfile>;
  private readonly partner: string | undefined;
  private documents: Array<Record<string, unknown>> = [];
  private envelopes: X12Meta[] = [];
  private errors: CausewayError[] = [];
  private warnings: CausewayError[] = [];
  private setCtx: SetContext;
  private ic: OpenInterchange | null = null;
  private group: OpenGroup | null = null;
  /** Sets read into what is held or decided now (documents or not). */
  held = 0;
  readonly ready: boolean;

  constructor(private readonly ctx: DecodeContext<X12Settings>) {
    this.options = (ctx.options ?? {}) as X12DecodeOptions;
    const { profiles, partner } = settingsOf(ctx);
    this.profiles = profiles;
    this.partner = partner;
    this.receivedAt = this.options.receivedAt ?? new Date().toISOString();
    this.setCtx = { tenant: ctx.tenant, endpoint: ctx.endpoint, receivedAt: this.receivedAt };
    this.ready = !(partner && !profiles.has(partner));
    if (!this.ready) this.errors.push({ code: 'X12_PARTNER_UNKNOWN', message: `the endpoint names partner "${partner}", which has no profile under partners` });
  }

  /** No interchange is open: what is read so far is decided. */
  get settled(): boolean {
    return this.ic === null;
  }

  /** Errors or warnings not handed out yet. */
  get hasReports(): boolean {
    return this.errors.length > 0 || this.warnings.length > 0;
  }

  /**
   * What is decided so far, handed out and forgotten. `spill` also hands out what the open interchange
   * holds (an interchange too large to hold whole): its trailers can then no longer hold it back.
   */
  flush(spill = false): DecodeResult<X12Meta> {
    if (spill && this.ic) {
      const held = [...this.ic.held, ...(this.group?.held ?? [])];
      this.ic.held = [];
      if (this.group) this.group.held = [];
      for (const h of held) this.emit(h);
      this.ic.spilled = true;
    }
    const part = { documents: this.documents, envelopes: this.envelopes, errors: this.errors, ...(this.warnings.length ? { warnings: this.warnings } : {}) };
    this.documents = [];
    this.envelopes = [];
    this.errors = [];
    this.warnings = [];
    this.held = 0;
    return part;
  }

  private emit(h: Held): void {
    this.documents.push(h.document);
    this.envelopes.push(h.envelope);
  }

  /** Errors and warnings go into the result, the first error with `note`. */
  private report(list: readonly X12Error[], note = ''): void {
    let first = true;
    for (const e of list) {
      if (e.severity !== 'error') {
        this.warnings.push(asError(e));
        continue;
      }
      this.errors.push(asError(first && note ? { ...e, message: `${e.message} ${note}` } : e));
      first = false;
    }
  }

  take(raw: X12Item): void {
    const { ctx, errors } = this;
    switch (raw.kind) {
      case 'error':
        errors.push(asError(raw.error));
        break;
      case 'interchange-start': {
        const header = raw.interchange;
        const profile = findProfile(this.profiles, this.partner, { qualifier: header.senderQualifier, id: header.senderId });
        const ic: OpenInterchange = { header, profile, readable: true, answer: true, errors: [...raw.errors], held: [] };
        this.ic = ic;
        this.group = null;
        if (profile && profile.theirs.id !== header.senderId) {
          // Not from our partner: neither applied nor answered in the partner's name.
          ic.readable = false;
          ic.answer = false;
          errors.push(asError(x12Error('X12_PARTNER_MISMATCH', `The interchange is from ${header.senderQualifier}/${header.senderId}, but this endpoint's partner ${profile.name} sends as ${profile.theirs.qualifier}/${profile.theirs.id}; it was not read.`, { interchange: header.controlNumber, segmentId: 'ISA', element: 6, offset: header.offset })));
        } else if (profile && profile.usage === 'P' && header.usage === 'T') {
          ic.readable = false;
          errors.push(asError(x12Error('X12_TEST_INTERCHANGE', `Interchange #${header.controlNumber} is a test interchange (ISA15 T) but partner ${profile.name} is in production (usage P); it was acknowledged, not applied.`, { interchange: header.controlNumber, segmentId: 'ISA', element: 15, offset: header.offset })));
        }
        this.setCtx = { tenant: ctx.tenant, endpoint: ctx.endpoint, receivedAt: this.receivedAt, utcOffset: profile?.utcOffset, asn856As: profile?.asn856As, allocatedQualifier: profile?.qualifiers.allocated, guidelines: profile?.guidelines };
        break;
      }
      case 'group-start':
        if (this.group !== null && this.ic !== null) this.ic.priorGroup = this.group.header.controlNumber;
        this.group = { header: raw.group, errors: [...raw.errors], sets: [], held: [] };
        break;
      case 'set': {
        const { ic, group } = this;
        if (ic === null || group === null) break;
        const set = raw.set;
        const profile = ic.profile;
        this.held++;
        // A set the partner is not set up to send is not read at all: AK5 1, not supported.
        let item = profile && !exchanges(profile, set.id, 'inbound') ? { kind: 'set' as const, set, documents: [], errors: set.errors, accepted: false } : decodeItem(raw, this.setCtx);
        if (item.kind !== 'set') break;
        if (profile && !exchanges(profile, set.id, 'inbound')) {
          const e = x12Error('X12_SET_NOT_EXCHANGED', `Partner ${profile.name} does not send ${set.id}s to us (partners.${profile.name}.sets); the set was rejected.`, { interchange: set.interchange.controlNumber, group: set.group.controlNumber, set: set.controlNumber, setId: set.id, segmentPosition: 1, segmentId: 'ST', element: 1, offset: set.offset });
          item = { ...item, errors: [...item.errors, e], documents: [], accepted: false };
        }
        const priorSet = group.sets[group.sets.length - 1]?.set.controlNumber;
        const priorGroup = ic.priorGroup;
        // The acknowledgment quotes bad values from a set with errors only: a clean set is remembered without its segments.
        group.sets.push({ set: item.errors.length ? set : { ...set, segments: [] }, errors: item.errors });
        this.report(item.errors);
        if (!ic.readable) break;
        const envelope: X12Envelope = {
          ...(profile?.name ? { partner: profile.name } : {}),
          senderQualifier: set.interchange.senderQualifier, senderId: set.interchange.senderId, receiverId: set.interchange.receiverId,
          interchange: set.interchange.controlNumber, group: set.group.controlNumber, functionalId: set.group.functionalId,
          set: set.controlNumber, setId: set.id, usage: set.interchange.usage, contentHash: setHash(set),
          ...(priorSet !== undefined ? { priorSet } : {}), ...(priorGroup !== undefined && group.header.controlNumber !== priorGroup ? { priorGroup } : {}),
        };
        for (const doc of item.documents) {
          const d = (profile ? translateCodes(doc, profile, true) : doc) as CanonicalDocument;
          group.held.push({ document: { ...d, extensions: { ...(d.extensions ?? {}), x12Envelope: { ...envelope } } }, envelope: { kind: 'set', envelope } });
        }
        break;
      }
      case 'group-end': {
        const { ic, group } = this;
        if (ic === null) break;
        const open: OpenGroup = group ?? { header: raw.group, errors: [], sets: [], held: [] };
        const groupErrors = [...open.errors, ...raw.errors];
        const rejected = hasRejectingError(groupErrors);
        const note = !rejected ? '' : ic.spilled
          ? `Group #${raw.group.controlNumber} is rejected, but it was too large to hold until its trailer: what was read before the limit was applied (docs/operations.md, "Large files").`
          : open.held.length ? `Group #${raw.group.controlNumber} is rejected: none of its ${describeSets(open.sets)} was applied.` : '';
        this.report(groupErrors, note);
        if (!rejected) ic.held.push(...open.held);
        const profile = ic.profile;
        // Acknowledgments are never acknowledged (a 997 for a 997 would echo forever).
        if (ic.answer && profile?.acknowledgments.send && raw.group.functionalId !== 'FA') {
          const ackSet = ackSetOf(profile);
          const draft = acknowledgeGroup(raw.interchange, raw.group, open.sets, groupErrors, ackSet, raw.declared);
          ic.held.push({ document: { ...draft, extensions: { x12Ack: { ...ackMarker(profile, ackSet, raw.interchange) } } }, envelope: { kind: 'owed-ack', ack: ackMarker(profile, ackSet, raw.interchange) }, owedAck: true });
          this.held++;
        }
        if (group !== null) ic.priorGroup = group.header.controlNumber;
        this.group = null;
        break;
      }
      case 'interchange-end': {
        const { ic } = this;
        if (ic === null) break;
        const icErrors = [...ic.errors, ...raw.errors];
        const rejected = hasRejectingError(icErrors);
        const applied = ic.held.filter((h) => !h.owedAck);
        const note = !rejected ? '' : ic.spilled
          ? `Interchange #${ic.header.controlNumber} is rejected, but it was too large to hold until its IEA: what was read before the limit was applied (docs/operations.md, "Large files").`
          : applied.length ? `Interchange #${ic.header.controlNumber} is rejected: none of its ${applied.length} document(s) was applied.` : '';
        this.report(icErrors, note);
        const profile = ic.profile;
        // A rejected interchange is answered by a TA1 alone: none of its groups was processed, so none is acknowledged.
        if (!rejected) for (const h of ic.held) this.emit(h);
        if (ic.answer && profile?.acknowledgments.send && (rejected || ic.header.ackRequested)) {
          const marker = ackMarker(profile, 'TA1', ic.header);
          this.emit({ document: { ...acknowledgeInterchange(ic.header, icErrors), extensions: { x12Ack: { ...marker } } }, envelope: { kind: 'owed-ack', ack: marker } });
          this.held++;
        }
        this.ic = null;
        this.group = null;
        break;
      }
      case 'ta1':
        break;
    }
  }
}

function ackMarker(profile: PartnerProfile, set: X12AckMarker['set'], interchange: InterchangeHeader): X12AckMarker {
  return { partner: profile.name!, set, interchange: interchange.controlNumber, senderQualifier: interchange.senderQualifier, senderId: interchange.senderId };
}

/** "2 sets (940 #0001, 940 #0002)" */
function describeSets(sets: readonly SetOutcome[]): string {
  const shown = sets.slice(0, 5).map(({ set }) => `${set.id} #${set.controlNumber}`).join(', ');
  return `${sets.length} set${sets.length === 1 ? '' : 's'} (${shown}${sets.length > 5 ? ', ...' : ''})`;
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
  const doc = translateCodes(documentToWrite(payload, ctx, 'X12'), profile, false);
  if (doc.type === 'acknowledgment' && doc.kind === 'interchange') return writeTa1(doc, profile, ctx);
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
    nextControlNumber: controlNumbers(profile, ctx),
  });
  const errs = written.errors.filter((e) => e.severity === 'error');
  if (errs.length) throw new CausewayFault(errs.map(asError));
  return { text: written.text, partner: profile, written };
}

/** One sequence per partner and kind, kept in the store: unique and increasing across restarts and workers. */
function controlNumbers(profile: PartnerProfile, ctx: { tenant: string; store: Pick<EdiStore, 'nextControlNumber'> }): (kind: 'ISA' | 'GS' | 'ST') => Promise<number> {
  // Drawn outside the transaction that commits the message's outcome, on purpose: a crash before the
  // commit leaves a gap in the sequence, which X12 allows, whereas numbers drawn inside it would be
  // given back by the rollback and reused for another interchange, which X12 forbids.
  return (kind) => ctx.store.nextControlNumber(ctx.tenant, `x12:${profile.name}`, kind, 999_999_999);
}

/** A TA1 goes alone in an interchange of its own: ISA, TA1, IEA with no group. */
async function writeTa1(doc: Acknowledgment, profile: PartnerProfile, ctx: { tenant: string; store: Pick<EdiStore, 'nextControlNumber'>; now?: () => Date }): Promise<WrittenForPartner> {
  const written = await writeInterchange([], {
    sender: profile.ours, receiver: profile.theirs, version: isaVersionOf(profile), usage: profile.usage, delimiters: delimitersOf(profile),
    lineBreaks: profile.lineBreaks, now: ctx.now, ta1s: [ta1Of(doc)], nextControlNumber: controlNumbers(profile, ctx),
  });
  const errs = written.errors.filter((e) => e.severity === 'error');
  if (errs.length) throw new CausewayFault(errs.map(asError));
  return { text: written.text, partner: profile, written };
}
