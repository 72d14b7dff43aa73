// EDIFACT end to end through the hub: a retailer's ORDERS interchange dropped in a folder becomes a
// sales order at the ERP and is answered with a CONTRL; a broken interchange is answered with the
// CONTRL codes that say what is wrong, and nothing of it is applied; a resend is not applied twice.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { decodeInterchanges } from '../../src/edi/edifact/index.ts';
import { parseConfig } from '../../src/endpoints.ts';
import { Hub } from '../../src/engine/index.ts';
import { countSegments } from '../edi/edifact-helpers.ts';
import { shipment } from '../support/documents.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';

const RETAILER = '5412345000013';
const US = '4000000000003';

function fromRetailer(reference: string, orders: Array<{ number: string; body?: string; countOff?: number }>, opts: { ackRequested?: boolean; unzCount?: number; time?: string } = {}): string {
  let out = `UNA:+.? 'UNB+UNOC:3+${RETAILER}:14+${US}:14+260301:${opts.time ?? '0930'}+${reference}${opts.ackRequested ? '++++1' : ''}'`;
  orders.forEach((o, i) => {
    const body = o.body ?? `BGM+220+${o.number}+9'DTM+137:20260301:102'NAD+BY+4012345000016::9'NAD+SU+4012345000009::9'NAD+DP+++Dock?+4+Hafenstr. 1+Hamburg++20095+DE'LIN+1++4012345678901:SRV'PIA+1+MUG:SA'QTY+21:12:PCE'UNS+S'CNT+2:1'`;
    out += `UNH+${i + 1}+ORDERS:D:96A:UN:EAN008'${body}UNT+${countSegments(body) + 2 + (o.countOff ?? 0)}+${i + 1}'`;
  });
  return out + `UNZ+${opts.unzCount ?? orders.length}+${reference}'`;
}

describe('EDIFACT end to end: ORDERS in, sales orders to the ERP, CONTRLs back', () => {
  let dir: string;
  let hub: Hub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let drop = 0;
  const retailerOut = () => join(dir, 'retailer', 'out');
  const retailerIn = () => join(dir, 'retailer', 'in');
  const deliver = (text: string) => writeFileSync(join(retailerOut(), `orders-${++drop}.edi`), text, 'latin1');
  const orders = () => receiver.received.map((r) => JSON.parse(r.body.toString())).filter((d) => d.type === 'sales_order');
  /** Our CONTRLs in the retailer's inbox, read back with our own reader. */
  const contrls = () => (existsSync(retailerIn()) ? readdirSync(retailerIn()).filter((f) => f.endsWith('.edi')).sort() : []).map((f) => {
    const { interchanges } = decodeInterchanges(readFileSync(join(retailerIn(), f)), { tenant: 'acme', endpoint: 't', receivedAt: new Date().toISOString() });
    const ic = interchanges[0]!;
    return { unb: ic.verdict.interchange, ack: ic.documents[0] as Record<string, any>, text: readFileSync(join(retailerIn(), f), 'latin1') };
  });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-edifact-e2e-'));
    mkdirSync(retailerOut(), { recursive: true });
    mkdirSync(join(dir, 'erp-drop'), { recursive: true });
    receiver = await startReceiver();
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
retry: { maxAttempts: 3, initialDelayMs: 20, maxDelayMs: 50 }
edifactPartners:
  retailer:
    ours: { id: "${US}", qualifier: "14" }
    theirs: { id: "${RETAILER}", qualifier: "14" }
    eancom: true
    messages: { ORDERS: inbound, DESADV: outbound }
    acknowledgments: { endpoint: retailer-in, contrl: { requireRequest: false, expect: true, deadline: 1h } }
endpoints:
  # The retailer faces the ERP from the customer's side: its orders go into the ERP and the ERP's
  # shipments go back to it, which is not the ERP and warehouse exchange the order ledger follows.
  retailer-orders: { type: folder, side: partner, inbox: ${retailerOut()}, minAgeMs: 0, codec: edifact, codecOptions: { partner: retailer } }
  retailer-in: { type: folder, side: partner, outbox: ${retailerIn()}, fileExtension: .edi, codec: edifact, codecOptions: { partner: retailer } }
  erp-drop: { type: folder, inbox: ${join(dir, 'erp-drop')}, minAgeMs: 0 }
  erp-hook: { type: webhook, allowPrivateNetworks: true, url: ${receiver.url}/erp, secret: "whsec_${Buffer.from('a-test-signing-secret-of-32-bytes!').toString('base64')}" }
flows:
  - { name: orders-to-erp, from: [retailer-orders], types: [sales_order], to: erp-hook }
  - { name: shipments-to-retailer, from: [erp-drop], types: [shipment], to: retailer-in }
`, dir);
    hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 20 });
  });
  after(async () => {
    await hub?.stop();
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an ORDERS interchange becomes a sales order at the ERP, and a CONTRL goes back', async () => {
    deliver(fromRetailer('7001', [{ number: 'PO-7001' }], { ackRequested: true }));
    const order = await waitFor(() => orders().find((o) => o.orderNumber === 'PO-7001'), 10_000, 'the sales order at the ERP');
    assert.equal(order.entityKey, 'order:PO-7001');
    assert.equal(order.lines[0].quantity, '12');
    assert.equal(order.extensions.edifactEnvelope.interchange, '7001');
    // The rules are on; the retailer's order passes them without a ledger (no warehouse to acknowledge it, nothing to get stuck).
    const [message] = await hub.store.listMessages({ tenant: 'acme', endpoint: 'retailer-orders' });
    const verdicts = (await hub.store.lineage('acme', message!.id))!.verdicts.filter((v) => v.documentType === 'sales_order');
    assert.deepEqual(verdicts.map((v) => `${v.verdict} ${v.rule}`), ['apply PARTNER_EXCHANGE']);
    assert.deepEqual(await hub.store.getLedgers('acme', ['order:PO-7001']), []);
    const [contrl] = await waitFor(() => { const c = contrls(); return c.length === 1 ? c : undefined; }, 10_000, 'our CONTRL');
    assert.deepEqual([contrl!.unb.sender.id, contrl!.unb.recipient.id], [US, RETAILER], 'from us to the retailer');
    assert.match(contrl!.text, new RegExp(`UCI\\+7001\\+${RETAILER}:14\\+${US}:14\\+7'`), 'UCI 0083 7: the interchange is acknowledged');
    assert.equal(contrl!.ack.status, 'accepted');
  });

  it('a broken interchange gets a CONTRL with the codes that say what is wrong, and nothing of it is applied', async () => {
    const before = orders().length;
    // The UNT says one segment too many in the second message, and the UNZ counts three messages for two.
    deliver(fromRetailer('7002', [{ number: 'PO-7002' }, { number: 'PO-7003', countOff: 1 }], { unzCount: 3 }));
    const contrl = await waitFor(() => contrls().find((c) => c.ack.acknowledges.reference === '7002'), 10_000, 'the CONTRL for 7002');
    assert.equal(contrl.ack.status, 'rejected');
    assert.match(contrl.text, /UCI\+7002\+5412345000013:14\+4000000000003:14\+4\+\d+\+UNZ/, 'UCI 0083 4: the interchange is rejected, with its syntax error code and the UNZ at fault');
    assert.ok(contrl.ack.errors.some((e: { code: string }) => /^UCI-/.test(e.code)), JSON.stringify(contrl.ack.errors));
    assert.match(contrl.text, /UCM\+2\+ORDERS[^+']*\+4\+\d+\+UNT/, 'UCM for the message whose UNT count is wrong');
    const [message] = (await hub.store.listMessages({ tenant: 'acme', endpoint: 'retailer-orders' })).filter((m) => m.partnerRef === `orders-${drop}.edi`);
    assert.ok(message!.errors.some((e) => /UNZ|count/i.test(e.message)), JSON.stringify(message!.errors));
    assert.equal(orders().length, before, 'nothing of the broken interchange reached the ERP');
    assert.equal(orders().filter((o) => o.orderNumber === 'PO-7002').length, 0);
  });

  it('the same interchange sent again is answered but not applied twice', async () => {
    // Prepared again (a new UNB time), so the file differs, but it is the same interchange.
    deliver(fromRetailer('7001', [{ number: 'PO-7001' }], { ackRequested: true, time: '1015' }));
    await waitFor(() => contrls().filter((c) => c.ack.acknowledges.reference === '7001').length === 2, 10_000, 'the resend answered');
    const messages = await hub.store.listMessages({ tenant: 'acme', endpoint: 'retailer-orders' });
    const copy = messages.find((m) => m.errors.some((e) => e.code === 'EDIFACT_DUPLICATE_INTERCHANGE'));
    assert.ok(copy, 'the duplicate is visible on its message');
    assert.equal(orders().filter((o) => o.orderNumber === 'PO-7001').length, 1, 'not delivered twice');
  });

  it('a shipment goes to the retailer as a DESADV, tracked until the retailer\'s CONTRL accepts it', async () => {
    // EANCOM wants the supplier and the delivery party on a DESADV.
    writeFileSync(join(dir, 'erp-drop', 'shipment.json'), JSON.stringify(shipment('PO-7001', { depositor: '4012345000009', shipTo: { name: 'Dock 4', lines: ['Hafenstr. 1'], city: 'Hamburg', postalCode: '20095', country: 'DE' } })));
    const desadv = await waitFor(() => contrls().find((c) => c.text.includes('UNH+') && c.text.includes('DESADV')), 10_000, 'the DESADV at the retailer');
    assert.deepEqual([desadv.unb.sender.id, desadv.unb.recipient.id, desadv.unb.ackRequested], [US, RETAILER, true], 'UNB ids from the profile, and a CONTRL asked for');
    assert.equal((desadv.ack as Record<string, any>).type, 'shipment');
    const sent = await waitFor(async () => (await hub.store.listEdiGroups({ tenant: 'acme', status: 'sent' })).find((g) => g.interchangeControlNumber === desadv.unb.controlReference), 5000, 'the interchange tracked');
    assert.equal(sent.partner, 'retailer');
    assert.ok(sent.deadlineAt! > Date.now() + 50 * 60_000, 'due within the hour the profile gives');
    const ref = desadv.unb.controlReference;
    const ucm = `UCI+${ref}+${US}:14+${RETAILER}:14+7'UCM+1+DESADV:D:96A:UN:EAN005+7'`;
    deliver(`UNB+UNOC:3+${RETAILER}:14+${US}:14+260301:1100+8001'UNH+1+CONTRL:D:3:UN'${ucm}UNT+4+1'UNZ+1+8001'`);
    const settled = await waitFor(async () => (await hub.store.listEdiGroups({ tenant: 'acme', status: 'accepted' })).find((g) => g.interchangeControlNumber === ref), 10_000, 'the interchange accepted');
    assert.equal(settled.partner, 'retailer');
    assert.equal(contrls().filter((c) => c.ack?.acknowledges?.reference === '8001').length, 0, 'a CONTRL is never answered');
  });
});
