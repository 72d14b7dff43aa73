// APERAK end to end through folders: a retailer's ORDERS the rules refuse (a cancel of a line its
// order does not have) is answered with an APERAK in the retailer's inbox, naming the refused message by its
// UNH reference and carrying the rule's error; an order the rules apply is not answered with one, and
// a partner whose profile does not ask for APERAKs gets none.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { decodeInterchanges } from '../../src/edi/edifact/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import type { Acknowledgment } from '../../src/model/index.ts';
import { countSegments } from '../edi/edifact-helpers.ts';
import { waitFor } from '../support/receiver.ts';

const RETAILER = '5412345000013';
const QUIET = '5412345000020';
const US = '4000000000003';

let reference = 7100;
/** One ORDERS in its own interchange; `purpose` is BGM 1225 (9 original, 1 cancel, 5 replace). */
function orders(from: string, order: string, opts: { purpose?: string; date: string; quantity?: number; unh?: string; line?: number }): string {
  const ref = String(++reference);
  const body = `BGM+220+${order}+${opts.purpose ?? '9'}'DTM+137:${opts.date}:102'NAD+BY+4012345000016::9'NAD+SU+4012345000009::9'NAD+DP+++Dock+Hafenstr. 1+Hamburg++20095+DE'LIN+${opts.line ?? 1}++4012345678901:SRV'PIA+1+MUG:SA'QTY+21:${opts.quantity ?? 12}:PCE'UNS+S'CNT+2:1'`;
  const unh = opts.unh ?? '1';
  return `UNA:+.? 'UNB+UNOC:3+${from}:14+${US}:14+260301:0930+${ref}'UNH+${unh}+ORDERS:D:96A:UN:EAN008'${body}UNT+${countSegments(body) + 2}+${unh}'UNZ+1+${ref}'`;
}

describe('EDIFACT end to end: an ORDERS the rules refuse is answered with an APERAK', () => {
  let dir: string;
  let hub: Hub;
  let drop = 0;
  const folder = (...p: string[]) => join(dir, ...p);
  const deliver = (partner: string, text: string) => writeFileSync(folder(partner, 'out', `orders-${++drop}.edi`), text, 'latin1');
  /** What we wrote to a partner's inbox, read back with our own reader. */
  const written = (partner: string) => (existsSync(folder(partner, 'in')) ? readdirSync(folder(partner, 'in')).filter((f) => f.endsWith('.edi')).sort() : []).map((f) => {
    const bytes = readFileSync(folder(partner, 'in', f));
    const ic = decodeInterchanges(bytes, { tenant: 'acme', endpoint: 't', receivedAt: new Date().toISOString() }).interchanges[0]!;
    return { unb: ic.verdict.interchange, type: ic.messages[0]?.message.header.type, doc: ic.documents[0] as Acknowledgment, text: bytes.toString('latin1') };
  });
  const atWarehouse = () => (existsSync(folder('wms')) ? readdirSync(folder('wms')).filter((f) => f.endsWith('.json')) : []).map((f) => JSON.parse(readFileSync(folder('wms', f), 'utf8')) as { type: string; orderNumber: string });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-edifact-aperak-'));
    for (const p of ['retailer', 'quiet']) mkdirSync(folder(p, 'out'), { recursive: true });
    const profile = (theirs: string, endpoint: string, aperak: boolean) => `
    ours: { id: "${US}", qualifier: "14" }
    theirs: { id: "${theirs}", qualifier: "14" }
    eancom: true
    messages: { ORDERS: inbound }
    acknowledgments: { endpoint: ${endpoint}, contrl: { send: false }, aperak: { send: ${aperak} } }`;
    hub = await Hub.start(parseConfig(`
store: sqlite:${folder('hub.db')}
defaultTenant: acme
retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 }
edifactPartners:
  retailer:${profile(RETAILER, 'retailer-in', true)}
  quiet:${profile(QUIET, 'quiet-in', false)}
endpoints:
  retailer-orders: { type: folder, inbox: ${folder('retailer', 'out')}, minAgeMs: 0, codec: edifact, codecOptions: { partner: retailer } }
  retailer-in: { type: folder, outbox: ${folder('retailer', 'in')}, fileExtension: .edi, codec: edifact, codecOptions: { partner: retailer } }
  quiet-orders: { type: folder, inbox: ${folder('quiet', 'out')}, minAgeMs: 0, codec: edifact, codecOptions: { partner: quiet } }
  quiet-in: { type: folder, outbox: ${folder('quiet', 'in')}, fileExtension: .edi, codec: edifact, codecOptions: { partner: quiet } }
  wms: { type: folder, outbox: ${folder('wms')} }
flows:
  - { name: orders-to-wms, from: [retailer-orders, quiet-orders], types: [sales_order, order_cancel], to: wms }
`, dir), { logger: pino({ level: 'silent' }), idleMs: 20 });
  });
  after(async () => {
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a cancel the rules refuse (a line the order does not have) is answered with an APERAK naming the message and the rule', async () => {
    deliver('retailer', orders(RETAILER, 'PO-9001', { date: '20260301' }));
    await waitFor(() => atWarehouse().some((d) => d.type === 'sales_order' && d.orderNumber === 'PO-9001'), 10_000, 'the order at the warehouse');
    assert.deepEqual(written('retailer'), [], 'an applied order is not answered with an APERAK');
    deliver('retailer', orders(RETAILER, 'PO-9001', { purpose: '1', date: '20260302', line: 2, unh: 'M-42' }));
    const [aperak] = await waitFor(() => { const w = written('retailer'); return w.length === 1 ? w : undefined; }, 10_000, 'the APERAK at the retailer');
    assert.equal(aperak!.type, 'APERAK');
    assert.deepEqual([aperak!.unb.sender.id, aperak!.unb.recipient.id, aperak!.unb.recipient.qualifier], [US, RETAILER, '14'], 'from us to the retailer, as its profile says');
    assert.match(aperak!.text, /UNH\+\d+\+APERAK:D:96A:UN:EAN002'/, 'an EANCOM APERAK');
    assert.match(aperak!.text, /BGM\+313\+\d+-M-42\+9\+RE'/, 'BGM 313, rejected');
    assert.match(aperak!.text, /RFF\+ACW:M-42'/, 'RFF ACW: the refused message\'s UNH reference');
    assert.match(aperak!.text, /RFF\+ON:PO-9001'/, 'the order it concerns');
    assert.match(aperak!.text, /ERC\+ZZZ'FTX\+AAO\+\+\+\[DOCUMENT_CHAIN\][^']*line 2/, 'the rule and its reason');
    assert.deepEqual([aperak!.doc.kind, aperak!.doc.status, aperak!.doc.acknowledges.reference], ['application', 'rejected', 'M-42']);
    // The refused message is dead-lettered with the rule, and lineage shows the APERAK that answered it.
    const [message] = (await hub.store.listMessages({ tenant: 'acme', endpoint: 'retailer-orders' })).filter((m) => m.partnerRef === `orders-${drop}.edi`);
    assert.ok(message!.errors.some((e) => e.code === 'DOCUMENT_CHAIN'), JSON.stringify(message!.errors));
    const lineage = await hub.store.lineage('acme', message!.id);
    assert.deepEqual(lineage!.deliveries.map((d) => [d.flow, d.endpoint, d.documentType]), [['edifact-aperak', 'retailer-in', 'acknowledgment']]);
    assert.equal(atWarehouse().filter((d) => d.type === 'order_cancel').length, 0, 'the refused cancel never reached the warehouse');
  });

  it('a partner whose profile does not ask for APERAKs gets none for a refusal', async () => {
    deliver('quiet', orders(QUIET, 'PO-9002', { date: '20260301' }));
    await waitFor(() => atWarehouse().some((d) => d.type === 'sales_order' && d.orderNumber === 'PO-9002'), 10_000, 'the order at the warehouse');
    deliver('quiet', orders(QUIET, 'PO-9002', { purpose: '1', date: '20260302', line: 2 }));
    const refused = await waitFor(async () => (await hub.store.listMessages({ tenant: 'acme', endpoint: 'quiet-orders' })).find((m) => m.errors.some((e) => e.code === 'DOCUMENT_CHAIN')), 10_000, 'the refusal');
    assert.deepEqual((await hub.store.lineage('acme', refused.id))!.deliveries, []);
    assert.deepEqual(written('quiet'), []);
  });
});
