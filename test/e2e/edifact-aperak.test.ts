// APERAK end to end through folders: a retailer's ORDERS the rules refuse (a cancel of a line its
// order does not have) is answered with an APERAK in the retailer's inbox, naming the refused message by its
// UNH reference and carrying the rule's error; an order the rules apply is not answered with one, and
// a partner whose profile does not ask for APERAKs gets none. Refusals after the message was
// processed are answered the same way: an order the target system refuses for good (a real HTTP
// receiver answering 422), and a cancel held for an order that never came, once its hold runs out.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { decodeInterchanges } from '../../src/edi/edifact/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import type { OrderLedger } from '../../src/engine/rules/index.ts';
import { ledgerWriteOf } from '../../src/engine/rules-step.ts';
import type { Acknowledgment } from '../../src/model/index.ts';
import { countSegments } from '../edi/edifact-helpers.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';

const RETAILER = '5412345000013';
const QUIET = '5412345000020';
const STRICT = '5412345000037';
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
  let erp: Awaited<ReturnType<typeof startReceiver>>;
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
    // The target system of the strict partner's orders refuses every one of them, for good.
    erp = await startReceiver(() => 422);
    for (const p of ['retailer', 'quiet', 'strict']) mkdirSync(folder(p, 'out'), { recursive: true });
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
rules: { outOfOrder: { holdWindowMinutes: 60 } }
edifactPartners:
  retailer:${profile(RETAILER, 'retailer-in', true)}
  quiet:${profile(QUIET, 'quiet-in', false)}
  strict:${profile(STRICT, 'strict-in', true)}
endpoints:
  retailer-orders: { type: folder, inbox: ${folder('retailer', 'out')}, minAgeMs: 0, codec: edifact, codecOptions: { partner: retailer } }
  retailer-in: { type: folder, outbox: ${folder('retailer', 'in')}, fileExtension: .edi, codec: edifact, codecOptions: { partner: retailer } }
  quiet-orders: { type: folder, inbox: ${folder('quiet', 'out')}, minAgeMs: 0, codec: edifact, codecOptions: { partner: quiet } }
  quiet-in: { type: folder, outbox: ${folder('quiet', 'in')}, fileExtension: .edi, codec: edifact, codecOptions: { partner: quiet } }
  strict-orders: { type: folder, inbox: ${folder('strict', 'out')}, minAgeMs: 0, codec: edifact, codecOptions: { partner: strict } }
  strict-in: { type: folder, outbox: ${folder('strict', 'in')}, fileExtension: .edi, codec: edifact, codecOptions: { partner: strict } }
  wms: { type: folder, outbox: ${folder('wms')} }
  erp: { type: webhook, url: ${erp.url}/orders, allowPrivateNetworks: true }
flows:
  - { name: orders-to-wms, from: [retailer-orders, quiet-orders], types: [sales_order, order_cancel], to: wms }
  - { name: orders-to-erp, from: [strict-orders], types: [sales_order], to: erp }
`, dir), { logger: pino({ level: 'silent' }), idleMs: 20, rulesSweepMs: 50 });
  });
  after(async () => {
    await hub?.stop();
    await erp?.close();
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

  it('an order the target system refuses for good is answered with an APERAK naming the message and the target\'s answer', async () => {
    deliver('strict', orders(STRICT, 'PO-9003', { date: '20260301', unh: 'T-3' }));
    const [aperak] = await waitFor(() => { const w = written('strict'); return w.length === 1 ? w : undefined; }, 10_000, 'the APERAK at the partner');
    assert.equal(erp.received.length, 1, 'refused once, never retried');
    assert.equal(aperak!.type, 'APERAK');
    assert.deepEqual([aperak!.unb.sender.id, aperak!.unb.recipient.id], [US, STRICT]);
    assert.match(aperak!.text, /RFF\+ACW:T-3'/, 'the refused message by its UNH reference');
    assert.match(aperak!.text, /RFF\+ON:PO-9003'/, 'the order it concerns');
    assert.match(aperak!.text, /FTX\+AAO\+\+\+\[TARGET_REFUSED\] not accepted by erp[^']*422/, 'who refused it and how');
    assert.deepEqual([aperak!.doc.status, aperak!.doc.acknowledges.reference], ['rejected', 'T-3']);
    // The refused delivery is a dead letter; lineage shows the APERAK beside it.
    const [message] = await hub.store.listMessages({ tenant: 'acme', endpoint: 'strict-orders' });
    const settled = async () => (await hub.store.lineage('acme', message!.id))!.deliveries.map((d) => [d.flow, d.endpoint, d.status]).sort();
    await waitFor(async () => (await settled()).every(([, , status]) => status !== 'pending'), 10_000, 'the deliveries settled');
    assert.deepEqual(await settled(), [['edifact-aperak', 'strict-in', 'delivered'], ['orders-to-erp', 'erp', 'dead']]);
  });

  it('a cancel held for an order that never comes is answered with an APERAK once its hold runs out', async () => {
    deliver('retailer', orders(RETAILER, 'PO-9404', { purpose: '1', date: '20260302', unh: 'H-7' }));
    const message = await waitFor(async () => (await hub.store.listMessages({ tenant: 'acme', endpoint: 'retailer-orders' })).find((m) => m.partnerRef === `orders-${drop}.edi` && m.status === 'processed'), 10_000, 'the cancel processed');
    const verdicts = async () => (await hub.store.listVerdicts('acme', { messageId: message.id })).map((v) => `${v.verdict} ${v.rule}`);
    const owed = async () => (await hub.store.lineage('acme', message.id))!.deliveries.map((d) => [d.flow, d.endpoint]);
    assert.deepEqual(await verdicts(), ['hold ORDER_NOT_SEEN']);
    assert.deepEqual(await owed(), [], 'nothing is owed while it is held');
    // The cancel has waited past its hour: its hold is dated back, and the hub's own sweep finds it due.
    const [row] = await hub.store.getLedgers('acme', ['order:PO-9404']);
    const ledger = row!.body as OrderLedger;
    const heldAt = new Date(Date.now() - 61 * 60_000).toISOString();
    const before = { ...ledger, version: ledger.version + 1, parked: ledger.parked.map((p) => ({ ...p, heldAt })) };
    await hub.store.writeRules({ ledgers: [ledgerWriteOf('acme', before, row!.version, hub.rules.general, Date.parse(heldAt))] }, Date.now());
    const [aperak] = await waitFor(() => { const w = written('retailer').filter((x) => x.text.includes("RFF+ACW:H-7'")); return w.length === 1 ? w : undefined; }, 10_000, 'the APERAK at the retailer');
    assert.deepEqual(await verdicts(), ['hold ORDER_NOT_SEEN', 'refuse HOLD_EXPIRED']);
    assert.deepEqual([aperak!.type, aperak!.unb.recipient.id, aperak!.doc.status], ['APERAK', RETAILER, 'rejected']);
    assert.match(aperak!.text, /FTX\+AAO\+\+\+\[HOLD_EXPIRED\][^']*PO-9404[^']*1 h/, 'the rule and its reason');
    assert.ok((await hub.store.listDeadLetters('acme')).some((d) => d.kind === 'message' && d.refId === message.id && d.reason.startsWith('HOLD_EXPIRED')));
    assert.deepEqual(await owed(), [['edifact-aperak', 'retailer-in']], 'answered once');
  });
});
