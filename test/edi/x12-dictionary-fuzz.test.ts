// The dictionary check under mutated input (seeded): it never throws, each finding names a segment
// position inside the set and a code the 997 can carry, the same input always gives the same findings,
// and a set it passes is one whose reader it lets run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ackCodes, readX12, Segment, validateOutbound, validateSet, type TransactionSet, type X12Error } from '../../src/edi/x12/index.ts';
import { guidelinesSchema } from '../../src/edi/x12/index.ts';
import type { X12SegmentData } from '../../src/edi/x12/index.ts';
import { seededRandom } from '../support/seed.ts';
import { envelope } from './x12-helpers.ts';

const bodies: Array<[string, string, string]> = [
  ['OW', '940', 'W05*N*SO-1*PO-1~N1*ST*Jane~N3*1 Road~N4*Town*OR*97201*US~N1*WH**9*PDX1~N9*PO*A1~G62*10*20260305~W66*PP*U***GROUND*****UPSN~LX*1~W01*2*EA**VN*SKU*UP*012345678905~G69*Mug~N9*LT*L1~W76*2~'],
  ['SW', '945', 'W06*F*SO-1*20260306*S1~N1*WH**9*PDX1~G62*11*20260306*8*1430~W27*U*UPSN~G72*504*06***1500~LX*1~MAN*GM*00012345600000000017~W12*CC*2*2**EA**VN*SKU*L1~N9*LI*1~N9*SE*X~W03*2*10*LB~'],
  ['SH', '856', 'BSN*00*A1*20260302*0800*0001~HL*1**S~TD1*CTN*1****G*24*LB~TD5**2*ODFL~REF*BM*B1~DTM*011*20260302~N1*SF**92*F1~HL*2*1*O~PRF*PO-1~HL*3*2*P~MAN*GM*00012345600000000024~HL*4*3*I~LIN*1*VN*SKU~SN1**24*CS~CTT*4~'],
  ['IB', '846', 'BIA*00*DD*R1*20260301*2300~N1*WH**9*PDX1~LIN*1*VN*SKU~QTY*17*40*EA~QTY*33*36*EA~DTM*036*20261231~CTT*1~'],
  ['FA', '997', 'AK1*OW*1~AK2*940*0001~AK3*W01*6**8~AK4*1**1~AK5*R*5~AK9*R*1*1*0~'],
  ['RE', '944', 'W17*F*20260304*R1*PO1~N1*WH**9*D1~W07*5*EA**VN*SKU~N9*LI*1~W13*1*EA*01**DM~W14*5~'],
  ['AR', '943', 'W06*J*PO-1*20260301*ASN-1~N1*WH**9*D1~N9*BM*B1~G62*17*20260310~W27*M*ODFL~W04*5*EA**VN*SKU~N9*LI*1~W03*5~'],
  ['AW', '947', 'W15*20260301*ADJ-1~N1*WH**9*D1~LX*1~W19*AA*2*EA**VN*SKU~G69*found~W20*1~'],
  ['PO', '850', 'BEG*00*SA*PO-1**20260301~REF*OQ*SO-1~DTM*010*20260305~N1*ST*Jane*92*C1~N3*1 Road~N4*Town*OR*97201*US~PO1*1*2*EA*3.5**VN*SKU~PID*F****Mug~CTT*1~'],
];

/** Segments of the body cut into elements; mutations act on these so that they reach the dictionary (not just the tokenizer). */
function mutateBody(body: string, rnd: () => number): string {
  const segs = body.split('~').filter(Boolean).map((s) => s.split('*'));
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let i = 0; i < edits && segs.length > 0; i++) {
    const s = Math.floor(rnd() * segs.length);
    const seg = segs[s]!;
    const e = 1 + Math.floor(rnd() * Math.max(1, seg.length - 1));
    switch (Math.floor(rnd() * 9)) {
      case 0: seg[e] = ''; break; // empty an element
      case 1: seg[e] = 'X'.repeat(1 + Math.floor(rnd() * 120)); break; // too long (or short)
      case 2: seg[e] = pick(['abc', '-', '1.2.3', '20261399', '2561', '43.00', 'ea', 'A>B', 'A^B', '\u0001', '999999999999999999']); break;
      case 3: seg.push(pick(['', 'EXTRA', '1'])); break; // one element too many
      case 4: segs.splice(s, 1); break; // drop a segment
      case 5: segs.splice(s, 0, [...seg]); break; // repeat it
      case 6: segs.splice(Math.floor(rnd() * segs.length), 0, segs.splice(s, 1)[0]!); break; // move it
      case 7: segs.splice(s, 0, [pick(['ZZZ', 'BEG', 'W12', 'G72', 'HL', 'N1', 'LX', 'AK4']), 'X']); break; // a foreign segment
      default: seg[0] = pick(['N9', 'REF', 'G62', 'NTE', 'QTY', 'N1']); // turn it into another segment
    }
  }
  return segs.map((x) => x.join('*')).join('~') + '~';
}

/** The set with its segments as strings: the check then reads every character itself. */
function asStrings(set: TransactionSet): TransactionSet {
  const component = set.interchange.delimiters.component;
  return { ...set, segments: set.segments.map((s) => Segment.of(s.id, [...s.elements], s.offset, component)) };
}

function assertFindings(errors: X12Error[], segmentCount: number, where: string): void {
  for (const e of errors) {
    const p = e.position;
    assert.ok(p.segmentPosition !== undefined && p.segmentPosition >= 2 && p.segmentPosition <= segmentCount, `${where}: ${e.code} at position ${p.segmentPosition} of ${segmentCount}`);
    assert.ok(p.segmentId && /^[A-Z0-9]{2,3}$/.test(p.segmentId) || e.code === 'X12_SEGMENT_UNRECOGNIZED', `${where}: ${e.code} names segment ${p.segmentId}`);
    const code = p.element !== undefined ? ackCodes.ELEMENT_ERROR_CODE[e.code] : ackCodes.SEGMENT_ERROR_CODE[e.code];
    assert.ok(code !== undefined, `${where}: ${e.code} has no 997 code`);
    assert.ok(e.message.length > 10 && !e.message.includes('undefined'), `${where}: ${e.message}`);
  }
}

test('mutated sets of every kind: the check never throws, points inside the set, speaks in 997 codes, and repeats itself', (t) => {
  const rnd = seededRandom(t);
  const loose = guidelinesSchema.parse({ allowUnknownSegments: true, enforceSegmentOrder: false, acceptExtraRepeats: true });
  let rejected = 0;
  for (let round = 0; round < 600; round++) {
    const [fid, id, body] = bodies[round % bodies.length]!;
    const version = rnd() < 0.5 ? '004010' : '005010';
    const text = envelope(fid, [{ id, body: mutateBody(body, rnd) }], version);
    for (const item of readX12(text)) {
      if (item.kind !== 'set') continue;
      const where = `round ${round}, ${id} ${version}: ${item.set.segments.map((s) => s.id).join(' ')}`;
      const errors = validateSet(item.set);
      assertFindings(errors, item.set.segments.length, where);
      assert.deepEqual(validateSet(item.set), errors, `${where}: the same set, other findings`);
      // Read segments are judged from the classes the tokenizer recorded; the same segments given as
      // strings are judged character by character: both must find the same.
      assert.deepEqual(validateSet(asStrings(item.set)), errors, `${where}: the tokenizer's classes and the full check disagree`);
      // What the standard's rules accept, looser guidelines accept too.
      const strictRejects = errors.some((e) => e.severity === 'error');
      const looser = validateSet(item.set, loose);
      assertFindings(looser, item.set.segments.length, `${where} (loose)`);
      if (!strictRejects) assert.deepEqual(looser.filter((e) => e.severity === 'error'), [], `${where}: looser guidelines rejected what the standard accepts`);
      if (strictRejects) rejected++;
    }
  }
  // The mutations are meant to break things: most rounds must be caught.
  assert.ok(rejected > 300, `only ${rejected} of 600 mutated sets were rejected`);
});

test('segments about to be written: random values in every element never throw, and each finding names its element', (t) => {
  const rnd = seededRandom(t);
  const alphabet = ['', 'A', 'EA', 'EACH', '12', '1.5', '-3', 'x', '20260301', '1430', 'A>B', 'A^B', 'ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ'];
  for (let round = 0; round < 300; round++) {
    const [, id, body] = bodies[round % bodies.length]!;
    const segs: X12SegmentData[] = body.split('~').filter(Boolean).map((s) => {
      const [sid, ...els] = s.split('*');
      return [sid!, ...els.map((v) => (rnd() < 0.3 ? alphabet[Math.floor(rnd() * alphabet.length)]! : v))];
    });
    for (const version of ['004010', '005010']) {
      const errors = validateOutbound(id, segs, version, { element: '*', component: '>', repetition: '^', segment: '~' });
      assertFindings(errors, segs.length + 1, `round ${round}, ${id} ${version}`);
    }
  }
});
