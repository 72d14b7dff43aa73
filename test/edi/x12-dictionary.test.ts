// The X12 dictionary: what it rejects and accepts in 004010 and 005010, with the exact 997 code of each
// finding, the partner guidelines that loosen or tighten it, and the check of what we write.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeX12Message, encodeX12Document } from '../../src/codecs/x12/index.ts';
import { encodeDocument, guidelinesSchema, SUPPORTED_SETS, validateOutbound, type DecodedSet, type X12Error } from '../../src/edi/x12/index.ts';
import { ackCodes } from '../../src/edi/x12/index.ts';
import { dictionarySets } from '../../src/edi/x12/dictionary/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { CausewayFault, type Shipment } from '../../src/model/index.ts';
import { ctx, decodedSets, envelope } from './x12-helpers.ts';

const VERSIONS = ['004010', '005010'] as const;

const W940 = (head: string, lines = 'LX*1~W01*2*EA**VN*SKU-1~') => `W05*N*SO-1*PO-1~N1*ST*Jane Doe~N3*1 Harbour Road~N4*Portland*OR*97201*US~N1*WH**9*PDX1~${head}W66*PP*M~${lines}W76*2~`;
const W945 = (head = '', detail = 'LX*1~W12*CC*2*2**EA**VN*SKU-1~N9*LI*1~') => `W06*F*SO-1*20260306*SHP-1~N1*WH**9*PDX1~${head}W27*M*UPSN~${detail}W03*2~`;
const N856 = (parties: string) => `BSN*00*ASN-1*20260302*0800*0001~HL*1**S~TD5**2*ODFL~${parties}HL*2*1*O~PRF*SO-1~HL*3*2*I~LIN*1*VN*SKU-1~SN1**2*EA~CTT*3~`;

function one(functionalId: string, id: string, body: string, version: (typeof VERSIONS)[number], guidelines?: object): DecodedSet {
  const sets = decodedSets(envelope(functionalId, [{ id, body }], version), guidelines ? { ...ctx, guidelines: guidelinesSchema.parse(guidelines) } : ctx);
  assert.equal(sets.length, 1);
  return sets[0]!;
}

/** Each finding as [AK code, segment id, position, element (component)], the way a 997 reports it. */
function ak(errors: readonly X12Error[]): string[] {
  return errors.map((e) => {
    const p = e.position;
    const el = ackCodes.ELEMENT_ERROR_CODE[e.code];
    const code = el !== undefined && p.element !== undefined ? `AK4-${el}` : `AK3-${ackCodes.SEGMENT_ERROR_CODE[e.code] ?? '?'}`;
    return `${code} ${p.segmentId}@${p.segmentPosition}${p.element !== undefined ? `-${p.element}` : ''}${p.component !== undefined ? `.${p.component}` : ''}${e.severity === 'warning' ? ' (warning)' : ''}`;
  });
}

for (const version of VERSIONS) {
  describe(`X12 dictionary, ${version}`, () => {
    test('sets of one shape are judged alike, whatever the sets before them: element findings of a shape seen clean, order findings every time', () => {
      const clean = W940('');
      const outOfOrder = W940('G62*10*20260305~').replace('W66*PP*M~', '').replace('G62', 'W66*PP*M~G62');
      const bodies = [clean, W940('', 'LX*1~W01*2*EACH**VN*SKU-1~'), outOfOrder, outOfOrder, clean.replace('*97201*', '*9*'), clean];
      const sets = decodedSets(envelope('OW', bodies.map((body) => ({ id: '940', body })), version));
      assert.deepEqual(sets.map((s) => ak(s.errors)), [[], ['AK4-5 W01@9-2'], ['AK3-7 G62@8'], ['AK3-7 G62@8'], ['AK4-4 N4@5-3'], []]);
    });

    test('N9**3: N9-01, the reference qualifier, is mandatory (AK403 1)', () => {
      const set = one('OW', '940', W940('N9**3~'), version);
      assert.equal(set.accepted, false);
      assert.deepEqual(set.documents, []);
      assert.deepEqual(ak(set.errors), ['AK4-1 N9@7-1']);
    });

    test('W66 ...*43.00: an N2 amount holds no decimal point (AK403 6), and a COD amount needs its method W66-08 (AK403 2)', () => {
      const set = one('OW', '940', W940('').replace('W66*PP*M~', 'W66*PP*A***UPS GROUND****43.00*UPSN~'), version);
      assert.equal(set.accepted, false);
      assert.deepEqual(ak(set.errors), ['AK4-6 W66@7-9', 'AK4-2 W66@7-8']);
      // The same amount written as N2 (two decimals implied) with its COD method is fine.
      assert.deepEqual(one('OW', '940', W940('').replace('W66*PP*M~', 'W66*PP*A***UPS GROUND***C*4300*UPSN~'), version).errors, []);
    });

    test('a value that is not one of its element\'s codes is AK403 7, and so is one that is no code at all', () => {
      assert.deepEqual(ak(one('OW', '940', W940('').replace('W66*PP*M~', 'W66*XX*M~'), version).errors), ['AK4-7 W66@7-1']);
      assert.deepEqual(ak(one('OW', '940', W940('').replace('W66*PP*M~', 'W66*PP*M********43.00~'), version).errors), ['AK4-7 W66@7-10']);
    });

    test('W01*2*EACH: a unit of measure has 2 characters (AK403 5); a postal code at least 3 (AK403 4)', () => {
      const set = one('OW', '940', W940('', 'LX*1~W01*2*EACH**VN*SKU-1~').replace('97201', '9'), version);
      assert.deepEqual(ak(set.errors), ['AK4-4 N4@5-3', 'AK4-5 W01@9-2']);
      assert.equal(set.errors[1]!.message, 'W01-02, the unit or basis for measurement code, is "EACH": 4 characters, at most 2 allowed.');
    });

    test('dates and times are checked as such (AK403 8 and 9), numbers for their characters (AK403 6)', () => {
      const set = one('OW', '940', W940('G62*10*20261399~G62*11*20260301*8*2561~', 'LX*1~W01*2x*EA**VN*SKU-1~'), version);
      assert.deepEqual(ak(set.errors), ['AK4-8 G62@7-2', 'AK4-9 G62@8-4', 'AK4-6 W01@11-1']);
    });

    test('too many elements (AK403 3); paired elements (AK403 2); trailing empty elements are harmless', () => {
      const set = one('OW', '940', W940('').replace('N1*ST*Jane Doe~', 'N1*ST*Jane Doe*92~N2*A*B*C~'), version);
      assert.deepEqual(ak(set.errors), ['AK4-2 N1@3-4', 'AK4-3 N2@4-3']);
      assert.deepEqual(one('OW', '940', W940('').replace('N1*ST*Jane Doe~', 'N1*ST*Jane Doe****~'), version).errors, []);
    });

    test('segments: unrecognized (1), not in the set (6), unexpected here (2), out of sequence (7)', () => {
      const set = one('OW', '940', W940('ZZZ*1~BEG*00*SA*PO-1**20260301~').replace('LX*1~W01', 'W01*1*EA**VN*X~LX*1~W01') + 'G62*10*20260305~', version);
      assert.equal(set.accepted, false);
      assert.deepEqual(ak(set.errors), ['AK3-1 ZZZ@7', 'AK3-6 BEG@8', 'AK3-2 W01@10', 'AK3-7 G62@14']);
    });

    test('a mandatory segment missing (AK304 3) names it at the position where it was due', () => {
      const set = one('SW', '945', W945().replace('W03*2~', ''), version);
      assert.deepEqual(ak(set.errors), ['AK3-3 W03@8']);
      assert.equal(set.errors[0]!.message, 'Mandatory segment W03 is missing.');
    });

    test('use and repeat limits: a segment over its maximum use (AK304 5), a loop over its maximum repeat (AK304 4)', () => {
      const n3 = one('OW', '940', W940('').replace('N3*1 Harbour Road~', 'N3*A~N3*B~N3*C~'), version);
      assert.deepEqual(ak(n3.errors), ['AK3-5 N3@6']);
      const parties = Array.from({ length: 11 }, (_, i) => `N1*WH**9*W${i}~`).join('');
      const loops = one('SW', '945', W945().replace('N1*WH**9*PDX1~', parties), version);
      assert.deepEqual(ak(loops.errors), ['AK3-4 N1@13']);
    });

    test('a 945 may carry up to five G72 allowances or charges in its header', () => {
      const withG72 = (n: number) => W945().replace('W27*M*UPSN~', `W27*M*UPSN~${'G72*504*06***1500~'.repeat(n)}`);
      const set = one('SW', '945', withG72(5), version);
      assert.deepEqual(set.errors, []);
      assert.equal(set.accepted, true);
      assert.equal((set.documents[0] as Shipment).orderNumber, 'SO-1');
      assert.deepEqual(ak(one('SW', '945', withG72(6), version).errors), ['AK3-5 G72@10']);
    });

    test('an 856 without N1*SF is valid: the ship-from loop is optional, the facility is the sender\'s code', () => {
      const set = one('SH', '856', N856(''), version);
      assert.equal(set.accepted, true);
      assert.deepEqual(set.errors.map((e) => [e.code, e.severity]), [['X12_SEGMENT_MISSING', 'warning']]);
      assert.equal((set.documents[0] as Shipment).facility, 'DEPOSITOR');
      assert.equal((one('SH', '856', N856('N1*SF**92*PDX1~'), version).documents[0] as Shipment).facility, 'PDX1');
    });

    test('the dictionary holds every set Causeway reads or writes (the 999 from 005010 on)', () => {
      assert.deepEqual(SUPPORTED_SETS.filter((s) => !dictionarySets(version).includes(s)), version === '004010' ? ['999'] : []);
    });
  });
}

describe('X12 dictionary: separators inside a simple element', () => {
  test('005010: a repetition separator (AK403 12) or a component separator (AK403 13) in a simple element', () => {
    const set = one('OW', '940', W940('N9*PO*A>B~').replace('Jane Doe', 'Jane^Doe'), '005010');
    assert.equal(set.accepted, false);
    assert.deepEqual(ak(set.errors), ['AK4-12 N1@3-2', 'AK4-13 N9@7-2']);
  });

  test('004010: no repetition separator exists (^ is data); a component separator is an invalid character (AK403 6)', () => {
    const set = one('OW', '940', W940('N9*PO*A>B~').replace('Jane Doe', 'Jane^Doe'), '004010');
    assert.deepEqual(ak(set.errors), ['AK4-6 N9@7-2']);
  });

  test('a composite element is split on the component separator and its components checked', () => {
    assert.deepEqual(one('IB', '846', 'BIA*00*DD*R1*20260301*2300~N1*WH**9*PDX1~LIN*1*VN*SKU~QTY*17*40*EA>1~CTT*1~', '005010').errors, []);
    assert.deepEqual(ak(one('IB', '846', 'BIA*00*DD*R1*20260301*2300~N1*WH**9*PDX1~LIN*1*VN*SKU~QTY*17*40*EACH~CTT*1~', '005010').errors), ['AK4-5 QTY@5-3.1']);
  });
});

describe('X12 dictionary: partner guidelines', () => {
  const messy = W940('ZZZ*1~').replace('N3*1 Harbour Road~', 'N3*A~N3*B~N3*C~') + 'G62*10*20260305~';

  test('by default an unknown segment, a segment out of place and one repeated too often each reject the set', () => {
    assert.deepEqual(ak(one('OW', '940', messy, '004010').errors), ['AK3-5 N3@6', 'AK3-1 ZZZ@9', 'AK3-7 G62@14']);
  });

  test('allowUnknownSegments, enforceSegmentOrder: false and acceptExtraRepeats let the same set through, the repeat noted', () => {
    const set = one('OW', '940', messy, '004010', { allowUnknownSegments: true, enforceSegmentOrder: false, acceptExtraRepeats: true });
    assert.equal(set.accepted, true);
    assert.deepEqual(ak(set.errors), ['AK3-5 N3@6 (warning)']);
    assert.equal(set.documents.length, 1);
  });

  test('required: elements and segments a partner needs beyond the standard', () => {
    const required = { required: { '940': ['W05-03', 'G62', 'W66-10'] } };
    const set = one('OW', '940', W940('').replace('W05*N*SO-1*PO-1~', 'W05*N*SO-1~'), '004010', required);
    assert.deepEqual(ak(set.errors), ['AK4-1 W05@2-3', 'AK3-3 G62@7', 'AK4-1 W66@7-10']);
    assert.deepEqual(one('OW', '940', W940('G62*10*20260305~').replace('W66*PP*M~', 'W66*PP*M********UPSN~'), '004010', required).errors, []);
  });

  test('extraCodes: a code agreed with the partner beyond the standard list', () => {
    const body = W940('').replace('W66*PP*M~', 'W66*ZZ*M~');
    assert.deepEqual(ak(one('OW', '940', body, '004010').errors), ['AK4-7 W66@7-1']);
    assert.deepEqual(one('OW', '940', body, '004010', { extraCodes: { 'W66-01': ['ZZ'] } }).errors, []);
  });

  test('validate: false leaves the set to its reader alone', () => {
    const set = one('OW', '940', W940('N9**3~'), '004010', { validate: false });
    assert.equal(set.accepted, true);
  });

  test('the profile takes guidelines and rejects a malformed one with its path', () => {
    const profiles = (g: string) => parseConfig(`
partners:
  wh:
    ours: { id: WAREHOUSE }
    theirs: { id: DEPOSITOR }
    guidelines: ${g}
`, '/tmp').config.partners;
    assert.equal(profiles('{}').wh!.guidelines.enforceSegmentOrder, true);
    assert.deepEqual(profiles("{ required: { '940': [W05-03] } }").wh!.guidelines.required, { '940': ['W05-03'] });
    assert.throws(() => profiles("{ required: { '940': [w05] } }"), (e: CausewayFault) => e.errors.some((x) => x.path === '$.partners.wh.guidelines.required.940[0]'));
  });
});

describe('X12 dictionary: what we write', () => {
  const partners = (over = '') => parseConfig(`
partners:
  wh:
    ours: { qualifier: ZZ, id: WAREHOUSE }
    theirs: { qualifier: ZZ, id: DEPOSITOR }
${over}`, '/tmp').config.partners;
  let n = 0;
  const store = { nextControlNumber: async () => ++n };
  const shipment = (uom: string): Shipment => {
    const [set] = decodedSets(envelope('SW', [{ id: '945', body: W945() }]));
    const doc = set!.documents[0] as Shipment;
    return { ...doc, lines: doc.lines.map((l) => ({ ...l, uom })) };
  };

  test('a document the partner would reject is a permanent fault naming segment and element; nothing is written', async () => {
    await assert.rejects(encodeX12Document(shipment('EACH'), { tenant: 'acme', endpoint: 'wh-out', options: { partner: 'wh', partnerProfiles: partners() }, store }), (e: CausewayFault) => {
      assert.equal(e.errors[0]!.code, 'X12_ELEMENT_TOO_LONG');
      assert.match(e.errors[0]!.message, /^The shipment cannot be written as the partner's X12: W12-05, the unit or basis for measurement code, is "EACH"/);
      assert.deepEqual([e.errors[0]!.position?.segmentId, e.errors[0]!.position?.element], ['W12', 5]);
      return true;
    });
    const ok = await encodeX12Document(shipment('EA'), { tenant: 'acme', endpoint: 'wh-out', options: { partner: 'wh', partnerProfiles: partners() }, store });
    assert.match(ok.text, /W12\*CC\*2\*2\*\*EA\*/);
  });

  test('a partner\'s own code table cannot turn a unit into what its translator rejects', async () => {
    const p = partners('    codeTables: { units: { EA: EACH } }\n');
    await assert.rejects(encodeX12Document(shipment('EA'), { tenant: 'acme', endpoint: 'wh-out', options: { partner: 'wh', partnerProfiles: p }, store }), /W12-05/);
  });

  test('each set written from a decoded document passes the dictionary of both versions', () => {
    const [set] = decodedSets(envelope('SW', [{ id: '945', body: W945().replace('W27*M*UPSN~', 'W27*M*UPSN~G72*504*06***1500~') }]));
    const body = encodeDocument(set!.documents[0]!, '945');
    for (const v of VERSIONS) assert.deepEqual(validateOutbound('945', body.segments, v, { element: '*', component: '>', repetition: '^', segment: '~' }), []);
  });

  test('an inbound set with a dictionary error: its 997 names the segment and element, and only the good set becomes a document', () => {
    const p = partners("    usage: T\n    sets: { '940': inbound }\n    acknowledgments: { send: true }\n");
    const text = envelope('OW', [{ id: '940', body: W940('') }, { id: '940', body: W940('N9**3~') }]);
    const { documents } = decodeX12Message(Buffer.from(text), { tenant: 'acme', endpoint: 'wh-in', options: { partner: 'wh', partnerProfiles: p } });
    assert.deepEqual(documents.map((d) => d.type), ['sales_order', 'acknowledgment']);
    const ack = documents[1] as { sets: Array<{ status: string; errors: Array<Record<string, unknown>> }> };
    assert.deepEqual(ack.sets.map((s) => s.status), ['accepted', 'rejected']);
    assert.deepEqual(ack.sets[1]!.errors.map((e) => [e.code, e.segmentId, e.segmentPosition, e.elementPosition ?? null]), [['AK3-8', 'N9', 7, null], ['AK4-1', 'N9', 7, 1], ['AK5-5', undefined, undefined, null]]);
  });
});
