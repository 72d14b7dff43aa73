// Shared by the EDIFACT tests: interchanges around test messages, a counter for references, round trips.
import assert from 'node:assert/strict';
import type { CanonicalDocument } from '../../src/model/index.ts';
import { validateDocument } from '../../src/model/index.ts';
import {
  decodeEdifact, decodeInterchanges, encodeDocument, profileOf, Segment, writeForPartner,
  type DecodeContext, type DecodedMessage, type EdifactDecodeItem, type PartnerProfile, type PartnerProfileInput,
} from '../../src/edi/edifact/index.ts';

export const ctx: DecodeContext = { tenant: 'acme', endpoint: 'sftp-3pl', receivedAt: '2026-03-01T10:00:00Z' };

/** A fixed clock: UNB dates never meet the real one. */
export const clock = (): Date => new Date('2026-03-01T09:30:00Z');

/**
 * Wraps message bodies (segments without UNH/UNT, each ending in "'") in an interchange with correct
 * counts. `una` adds the default UNA; `syntax` is the UNB S001.
 */
export function interchange(messages: Array<{ type: string; body: string; release?: string; association?: string }>, opts: { una?: boolean; syntax?: string; reference?: string } = {}): string {
  const ref = opts.reference ?? '1001';
  let out = `${opts.una ? "UNA:+.? '" : ''}UNB+${opts.syntax ?? 'UNOC:3'}+SENDER:14+RECEIVER:14+260301:0930+${ref}'`;
  messages.forEach((m, i) => {
    const n = countSegments(m.body) + 2;
    out += `UNH+${i + 1}+${m.type}:D:${m.release ?? '96A'}:UN${m.association ? ':' + m.association : ''}'${m.body}UNT+${n}+${i + 1}'`;
  });
  return out + `UNZ+${messages.length}+${ref}'`;
}

/** Segments in a body: terminators not released by a ? (a ?? releases the ? itself). */
export function countSegments(body: string): number {
  let n = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === '?') i++;
    else if (body[i] === "'") n++;
  }
  return n;
}

export function decodedMessages(input: string | Buffer, c: DecodeContext = ctx): DecodedMessage[] {
  return [...decodeEdifact(typeof input === 'string' ? Buffer.from(input, 'latin1') : input, c)].filter((i): i is DecodedMessage => i.kind === 'message');
}

export function items(input: string | Buffer, c: DecodeContext = ctx): EdifactDecodeItem[] {
  return [...decodeEdifact(typeof input === 'string' ? Buffer.from(input, 'latin1') : input, c)];
}

/** Every rejecting error's code in what the input gives, interchange and stray ones included. */
export function rejecting(input: string | Buffer): string[] {
  const out: string[] = [];
  for (const it of items(input)) {
    if (it.kind === 'error') out.push(it.error.code);
    else if (it.kind === 'interchange-start' || it.kind === 'group-start') continue; // their errors come again at their end
    else if ('errors' in it) for (const e of it.errors) if (e.severity === 'error') out.push(e.code);
  }
  return out;
}

/** Drops what depends on the envelope (ids, references, times of receipt) so documents from two files compare. */
export function comparable(doc: CanonicalDocument): Record<string, unknown> {
  const { id: _id, source: _s, receivedAt: _r, ...rest } = doc as Record<string, unknown>;
  return rest;
}

let counter = 0;
export const nextReference = async (): Promise<number> => ++counter;

export function partner(over: Partial<PartnerProfileInput> = {}): PartnerProfile {
  return profileOf({ ours: { id: '5412345000013', qualifier: '14' }, theirs: { id: '5412345000020', qualifier: '14' }, ...over }, 'wms');
}

/** canonical -> encode -> interchange -> decode must give the same document, valid against its schema. */
export async function assertRoundTrip(doc: CanonicalDocument, profile: PartnerProfile = partner(), c: DecodeContext = ctx): Promise<CanonicalDocument> {
  const valid = validateDocument(doc);
  assert.ok(valid.ok, `the ${doc.type} fails its schema: ${JSON.stringify(!valid.ok && valid.errors)}`);
  const written = await writeForPartner([valid.document], profile, { nextReference, now: clock });
  assert.deepEqual(written.errors.filter((e) => e.severity === 'error'), []);
  const { interchanges } = decodeInterchanges(written.bytes, c);
  assert.equal(interchanges.length, 1);
  const [ic] = interchanges;
  const errors = ic!.messages.flatMap((m) => m.errors).concat(ic!.verdict.errors).filter((e) => e.severity === 'error');
  assert.deepEqual(errors, [], written.bytes.toString('latin1'));
  assert.equal(ic!.documents.length, 1, written.bytes.toString('latin1'));
  const again = ic!.documents[0]!;
  const check = validateDocument(again);
  assert.ok(check.ok, `the decoded ${again.type} fails its schema: ${JSON.stringify(!check.ok && check.errors)}`);
  assert.deepEqual(comparable(again), comparable(valid.document), written.bytes.toString('latin1').slice(0, 2000));
  return again;
}

/** Segments as plain data for deep comparison (a Segment keeps its text private). */
export function plain(v: unknown): unknown {
  if (v instanceof Segment) return { tag: v.tag, elements: v.elements, offset: v.offset };
  if (v instanceof Buffer) return v.toString('latin1');
  if (Array.isArray(v)) return v.map(plain);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (k !== 'verdict') out[k] = plain(x);
  return out;
}

export { encodeDocument };
