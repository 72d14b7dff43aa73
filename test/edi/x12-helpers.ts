// Shared by the X12 tests: envelopes around test bodies, a counter for control numbers, and round trips.
import assert from 'node:assert/strict';
import type { CanonicalDocument } from '../../src/model/index.ts';
import { validateDocument } from '../../src/model/index.ts';
import { decodeX12, encodeDocument, Segment, writeInterchange, type DecodedSet, type DecodeContext, type X12DecodeItem } from '../../src/edi/x12/index.ts';

export const ctx: DecodeContext = { tenant: 'acme', endpoint: 'sftp-3pl', receivedAt: '2026-03-01T10:00:00Z' };

/** An ISA of exactly 106 characters with the given version and delimiters. */
export function isa(control = '000000905', version = '00401', el = '*', comp = '>', rep = 'U', term = '~'): string {
  const f = ['ISA', '00', '          ', '00', '          ', 'ZZ', 'DEPOSITOR      ', 'ZZ', 'WAREHOUSE      ', '260301', '1000', rep, version, control, '0', 'T', comp];
  return f.join(el) + term;
}

/** Wraps set bodies (segments without ST/SE, '~'-terminated) in a valid 004010 or 005010 envelope with correct counts. */
export function envelope(functionalId: string, sets: Array<{ id: string; body: string }>, version: '004010' | '005010' = '004010'): string {
  const v5 = version === '005010';
  let out = isa('000000905', v5 ? '00501' : '00401', '*', '>', v5 ? '^' : 'U') + `GS*${functionalId}*DEPOSITOR*WAREHOUSE*20260301*1000*77*X*${version}~`;
  sets.forEach((s, i) => {
    const st = String(i + 1).padStart(4, '0');
    const n = s.body.split('~').filter((x) => x.trim() !== '').length + 2;
    out += `ST*${s.id}*${st}${v5 && (s.id === '999') ? '*005010X231' : ''}~${s.body}SE*${n}*${st}~`;
  });
  return out + `GE*${sets.length}*77~IEA*1*000000905~`;
}

export function decodedSets(text: string | Buffer, c: DecodeContext = ctx): DecodedSet[] {
  return [...decodeX12(text, c)].filter((i): i is DecodedSet => i.kind === 'set');
}

export function items(text: string | Buffer): X12DecodeItem[] {
  return [...decodeX12(text, ctx)];
}

/** Drops what depends on the envelope (ids, control numbers, envelope dates) so documents from two files compare. */
export function comparable(doc: CanonicalDocument): Record<string, unknown> {
  const { id: _id, source: _s, occurredAt: _o, receivedAt: _r, ...rest } = doc as Record<string, unknown>;
  return rest;
}

let counter = 0;
export const nextControlNumber = async (): Promise<number> => ++counter;

/** decode -> canonical -> encode -> decode must give the same documents; also checks each against its schema. */
export async function assertRoundTrip(docs: CanonicalDocument[], setId?: string, c: DecodeContext = ctx): Promise<void> {
  assert.ok(docs.length > 0, 'nothing to round-trip');
  for (const doc of docs) {
    const valid = validateDocument(doc);
    assert.ok(valid.ok, `decoded ${doc.type} fails its schema: ${JSON.stringify(!valid.ok && valid.errors)}`);
    const body = encodeDocument(doc, setId);
    assert.deepEqual(body.errors, []);
    const written = await writeInterchange(
      [{ senderCode: 'DEPOSITOR', receiverCode: 'WAREHOUSE', version: '004010', sets: [{ id: body.id, segments: body.segments }] }],
      { sender: { qualifier: 'ZZ', id: 'DEPOSITOR' }, receiver: { qualifier: 'ZZ', id: 'WAREHOUSE' }, version: '00401', nextControlNumber, lineBreaks: true },
    );
    assert.deepEqual(written.errors, []);
    const again = decodedSets(written.text, c);
    assert.equal(again.length, 1);
    assert.deepEqual(again[0]!.errors.filter((e) => e.severity === 'error'), [], written.text);
    const same = again[0]!.documents.find((d) => d.type === doc.type && JSON.stringify(comparable(d)) === JSON.stringify(comparable(doc)));
    assert.deepEqual(again[0]!.documents.map(comparable).filter((d) => (d as { entityKey: string }).entityKey === doc.entityKey), [comparable(doc)], same ? '' : written.text);
  }
}

/**
 * Items as plain data for deep comparison: segments read lazily keep their text private, so each one is
 * compared by what it means — id, every element, offset.
 */
export function plain(v: unknown): unknown {
  if (v instanceof Segment) return { id: v.id, elements: v.elements, offset: v.offset };
  if (Array.isArray(v)) return v.map(plain);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = plain(x);
  return out;
}
