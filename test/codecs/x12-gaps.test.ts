// Gaps in a partner's control numbers (ISA13, GS06, ST02), found from the decoded sets of a message and
// the highest numbers the store saw before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { decodeX12Message, type X12Meta } from '../../src/codecs/x12/index.ts';
import { screenControlGaps } from '../../src/codecs/x12/gaps.ts';
import type { DecodedDocument, HookContext } from '../../src/codecs/contract.ts';
import type { X12Settings } from '../../src/codecs/x12/settings.ts';
import { parseConfig } from '../../src/endpoints.ts';

const profiles = parseConfig(`
partners:
  wh:
    ours: { qualifier: ZZ, id: CAUSEWAY }
    theirs: { qualifier: ZZ, id: ACME3PL }
    usage: T
    acknowledgments: { send: false }
`, '/tmp').config.partners;

const body = (order: string) => `W06*F*${order}*20261122*S-${order}~N1*WH**9*AMS1~W27*M*UPSN~LX*1~W12*CC*1*1**EA**VN*SKU-1~N9*LI*1~W03*1~`;

/** An interchange with groups of 945s under the given control numbers. */
function interchange(isa13: number, groups: Array<{ gs06: number; st02: number[] }>): string {
  const ic = String(isa13).padStart(9, '0');
  let out = ['ISA', '00', ' '.repeat(10), '00', ' '.repeat(10), 'ZZ', 'ACME3PL'.padEnd(15), 'ZZ', 'CAUSEWAY'.padEnd(15), '261122', '1200', 'U', '00401', ic, '0', 'T', '>'].join('*') + '~';
  for (const g of groups) {
    out += `GS*SW*ACME3PL*CAUSEWAY*20261122*1200*${g.gs06}*X*004010~`;
    for (const st of g.st02) {
      const c = String(st).padStart(4, '0');
      out += `ST*945*${c}~${body(`SO-${g.gs06}-${st}`)}SE*9*${c}~`;
    }
    out += `GE*${g.st02.length}*${g.gs06}~`;
  }
  return out + `IEA*${groups.length}*${ic}~`;
}

function screen(text: string, seen: Record<string, number> = {}) {
  const decoded = decodeX12Message(Buffer.from(text), { tenant: 'acme', endpoint: 'wh-in', options: { partner: 'wh', partnerProfiles: profiles } });
  assert.deepEqual(decoded.errors, []);
  const documents: Array<DecodedDocument<X12Meta>> = decoded.documents.map((d, index) => ({ index, document: d as never, envelope: decoded.envelopes![index] }));
  const ctx = {
    messageId: 1, now: 1000, logger: pino({ level: 'silent' }), endpointNamed: () => undefined,
    endpoint: { name: 'wh-in', tenant: 'acme', options: { partner: 'wh', partnerProfiles: profiles } },
    store: {
      checkEdiReceipt: async () => ({ duplicate: false, firstMessageId: 1, count: 1 }),
      nextControlNumber: async () => 1,
      lastControlNumberSeen: async (_t: string, _scope: string, kind: string) => seen[kind] ?? null,
    },
  } as unknown as HookContext<X12Settings>;
  return screenControlGaps(documents, ctx);
}

test('a first interchange from a partner has nothing to compare with: no gap, its numbers recorded', async () => {
  const r = await screen(interchange(7, [{ gs06: 70, st02: [1, 2] }]));
  assert.deepEqual(r.alerts, []);
  assert.deepEqual(r.seen.map((s) => [s.scope, s.kind, s.value]), [['x12-in:wh:ZZ:ACME3PL', 'ISA', 7], ['x12-in:wh:ZZ:ACME3PL', 'GS', 70], ['x12-in:wh:ZZ:ACME3PL', 'ST', 2]]);
});

test('the next numbers in sequence raise nothing; a jump in each of ISA13, GS06 and ST02 raises one alert each', async () => {
  assert.deepEqual((await screen(interchange(8, [{ gs06: 71, st02: [1, 2, 3] }]), { ISA: 7, GS: 70, ST: 2 })).alerts, []);
  const r = await screen(interchange(10, [{ gs06: 75, st02: [1, 2, 5] }]), { ISA: 7, GS: 70, ST: 2 });
  assert.deepEqual(r.alerts.map((a) => a.subject), ['partner wh ISA 8 to 9', 'partner wh GS 71 to 74', 'partner wh ST 3 to 4']);
  assert.deepEqual(r.errors.map((e) => e.code), ['X12_CONTROL_GAP', 'X12_CONTROL_GAP', 'X12_CONTROL_GAP']);
  assert.match(r.alerts[2]!.message, /set control number \(ST02\) 5 in group #75 of interchange #000000010 after 2: 3 to 4 never arrived/);
});

test('a sender that numbers sets across groups continues its sequence; one that restarts each group at 1 does not gap', async () => {
  const across = await screen(interchange(8, [{ gs06: 71, st02: [3, 4] }, { gs06: 72, st02: [6] }]), { ISA: 7, GS: 70, ST: 2 });
  assert.deepEqual(across.alerts.map((a) => a.subject), ['partner wh ST 5']);
  const restart = await screen(interchange(8, [{ gs06: 71, st02: [1, 2] }, { gs06: 72, st02: [1] }]), { ISA: 7, GS: 70, ST: 40 });
  assert.deepEqual(restart.alerts, []);
});

test('a number at or below the last one seen (a resend, a late arrival) is no gap', async () => {
  assert.deepEqual((await screen(interchange(5, [{ gs06: 60, st02: [1] }]), { ISA: 7, GS: 70 })).alerts, []);
});
