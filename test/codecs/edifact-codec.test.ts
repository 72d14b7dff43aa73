import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { edifactCodec } from '../../src/codecs/edifact/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { countSegments } from '../edi/edifact-helpers.ts';

const RETAILER = '5412345000013';
const US = '4000000000003';
const partnerProfiles = {
  retailer: { ours: { id: US, qualifier: '14' }, theirs: { id: RETAILER, qualifier: '14' }, acknowledgments: { endpoint: 'out', contrl: { requireRequest: false } } },
};
const ORDERS = "BGM+220+PO-1+9'DTM+137:20260301:102'NAD+BY+4012345000016::9'NAD+SU+4012345000009::9'NAD+DP+++Dock+Road 1+Town++1+DE'LIN+1++4012345678901:SRV'QTY+21:2:PCE'UNS+S'CNT+2:1'";

function file(opts: { sender?: string; test?: boolean; unb?: boolean } = {}): Buffer {
  const message = `UNH+1+ORDERS:D:96A:UN'${ORDERS}UNT+${countSegments(ORDERS) + 2}+1'`;
  if (opts.unb === false) return Buffer.from(message, 'latin1');
  return Buffer.from(`UNB+UNOC:3+${opts.sender ?? RETAILER}:14+${US}:14+260301:0930+42${opts.test ? '++++++1' : ''}'${message}UNZ+1+42'`, 'latin1');
}
const decode = (body: Buffer) => edifactCodec.decode(body, { tenant: 'acme', endpoint: 'in', options: { partner: 'retailer', partnerProfiles } }) as ReturnType<typeof edifactCodec.decode> & object;

describe('edifact codec', () => {
  it('reads a partner\'s interchange into documents, and drafts the CONTRL owed', async () => {
    const r = await decode(file());
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.documents.map((d) => d.type), ['sales_order', 'acknowledgment']);
    assert.deepEqual(r.envelopes!.map((e) => e?.kind), ['message', 'owed-contrl']);
    assert.equal((r.documents[0] as any).extensions.edifactEnvelope.interchange, '42');
  });

  it('a test interchange to a production partner is answered, not applied', async () => {
    const r = await decode(file({ test: true }));
    assert.deepEqual(r.documents.map((d) => d.type), ['acknowledgment']);
    assert.equal(r.errors[0]!.code, 'EDIFACT_TEST_INTERCHANGE');
  });

  it('an interchange from another sender is neither applied nor answered in the partner\'s name', async () => {
    const r = await decode(file({ sender: '9999999999999' }));
    assert.deepEqual(r.documents, []);
    assert.equal(r.errors[0]!.code, 'EDIFACT_PARTNER_MISMATCH');
    assert.match(r.errors[0]!.message, /from 14\/9999999999999, but this endpoint's partner retailer sends as 14\/5412345000013/);
  });

  it('messages without an interchange are not applied', async () => {
    const r = await decode(file({ unb: false }));
    assert.deepEqual(r.documents, []);
    assert.ok(r.errors.some((e) => e.code === 'EDIFACT_NO_INTERCHANGE'), JSON.stringify(r.errors));
  });

  it('writing needs a partner, and a document the partner does not take is refused', async () => {
    const ctx = { tenant: 'acme', endpoint: 'out', store: { nextControlNumber: async () => 1 } };
    await assert.rejects(async () => edifactCodec.encode({ type: 'shipment' }, { ...ctx, options: {} }), /writing EDIFACT needs a partner/);
    const profiles = { retailer: { ...partnerProfiles.retailer, messages: { ORDERS: 'inbound' } } };
    await assert.rejects(async () => edifactCodec.encode({ type: 'inventory_snapshot', facility: 'WH1', asOf: '2026-03-01T00:00:00Z', positions: [] }, { ...ctx, options: { partner: 'retailer', partnerProfiles: profiles } }), /does not take INVRPT/);
  });
});

describe('edifact partners in the config', () => {
  const config = (partner: string, ack: string) => `
partners:
  wh: { ours: { id: US }, theirs: { id: WH } }
edifactPartners:
  retailer: { ours: { id: "${US}" }, theirs: { id: "${RETAILER}" }${ack} }
endpoints:
  edi-in: { type: folder, inbox: ./in, codec: edifact, codecOptions: { partner: ${partner} } }
  edi-out: { type: folder, outbox: ./out, codec: edifact, codecOptions: { partner: retailer } }
  json-out: { type: folder, outbox: ./json }
`;
  it('loads a valid setup', () => {
    const loaded = parseConfig(config('retailer', ', acknowledgments: { endpoint: edi-out }'), '/tmp');
    assert.equal(loaded.config.edifactPartners.retailer!.directory, 'D96A');
  });
  const refused: Array<[string, string, RegExp]> = [
    ['wh', ', acknowledgments: { endpoint: edi-out }', /\$\.endpoints\.edi-in\.codecOptions\.partner: no EDIFACT partner profile named "wh"/],
    ['retailer', ', acknowledgments: { endpoint: json-out }', /\$\.edifactPartners\.retailer\.acknowledgments\.endpoint: endpoint "json-out" must have codec edifact/],
    ['retailer', '', /\$\.edifactPartners\.retailer\.acknowledgments\.endpoint: endpoint "edi-in" reads EDIFACT from retailer and acknowledgments\.contrl\.send is true/],
    ['retailer', ', directory: D99A, acknowledgments: { endpoint: edi-out }', /\$\.edifactPartners\.retailer\.directory/],
  ];
  for (const [partner, ack, problem] of refused) {
    it(`refuses ${problem.source.slice(0, 60)}`, () => {
      assert.throws(() => parseConfig(config(partner, ack), '/tmp'), (e: Error) => problem.test(e.message) || assert.fail(e.message));
    });
  }
  it('refuses a name used by an X12 and an EDIFACT profile', () => {
    assert.throws(() => parseConfig(`
partners: { retailer: { ours: { id: A }, theirs: { id: B } } }
edifactPartners: { retailer: { ours: { id: A }, theirs: { id: B } } }
`, '/tmp'), /\$\.edifactPartners\.retailer: partner retailer is also an X12 profile/);
  });
});
