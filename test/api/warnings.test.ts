import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { envelope } from '../edi/x12-helpers.ts';
import { startTestApi, type TestApi } from './harness.ts';
import { waitFor } from '../support/receiver.ts';
import { signIn } from '../console/client.ts';

// A 940 the warehouse can act on, and the same without its ship-to: read, with a warning.
const T940 = 'W05*N*SO-1~N1*ST*Jane~N3*1 Road~N4*Town**97201*US~N1*WH**9*0001~W66*PP*M~LX*1~W01*2*EA**VN*SKU-1~';
const NO_SHIP_TO = T940.replace('N1*ST*Jane~N3*1 Road~N4*Town**97201*US~', '').replace('SO-1', 'SO-2');
// A set that cannot be read: its line has no quantity.
const BROKEN = T940.replace('SO-1', 'SO-3').replace('W01*2*EA', 'W01**EA');

/** An interchange of 940s under its own control number: the same number twice is a duplicate interchange. */
const interchange = (control: number, sets: Array<{ id: string; body: string }>) => envelope('OW', sets).replaceAll('000000905', String(control).padStart(9, '0'));

describe('warnings: what a codec read with an assumption is kept with the message', () => {
  let api: TestApi;
  before(async () => {
    api = await startTestApi(`
endpoints:
  erp-x12-in: { type: http, codec: x12 }
  wms: { type: folder, outbox: ./wms }
flows:
  - { name: orders, from: [erp-x12-in], types: [sales_order], to: wms }
`);
  });
  after(() => api.close());

  async function post(text: string, key: string): Promise<{ id: number; message: any }> {
    const res = await api.call('/v1/endpoints/erp-x12-in/messages', { method: 'POST', body: text, headers: { 'content-type': 'application/edi-x12', 'idempotency-key': key } });
    assert.equal(res.status, 202, await res.clone().text());
    const { messageId } = await res.json();
    const message = await waitFor(async () => {
      const m = await (await api.call(`/v1/messages/${messageId}`)).json();
      return m.status === 'pending' ? undefined : m;
    }, 10_000, `message ${messageId} processed`);
    return { id: messageId, message };
  }

  it('shows the warning apart from the errors, and neither quarantines nor dead-letters the message for it', async () => {
    const { id, message } = await post(interchange(905, [{ id: '940', body: NO_SHIP_TO }]), 'warned-1');
    assert.equal(message.status, 'processed');
    assert.deepEqual(message.errors, []);
    assert.deepEqual(message.warnings.map((w: { code: string }) => w.code), ['X12_SEGMENT_MISSING']);
    assert.match(message.warnings[0].message, /no N1\*ST/);
    assert.equal(message.warnings[0].severity, undefined, 'the list says what it is');
    assert.deepEqual((await api.hub.store.listDeadLetters('acme')).filter((d) => d.refId === id), []);
    const lineage = await (await api.call(`/v1/messages/${id}/lineage`)).json();
    assert.equal(lineage.documents.length, 1);
    assert.deepEqual(lineage.message.warnings, message.warnings);
    // The console's page of the message shows them under their own heading; its list has no error to show.
    const user = await signIn(api);
    const page = await user.get(`/messages/${id}`);
    assert.match(page.text, /<h2 id="warnings-h">Warnings<\/h2>[\s\S]*X12_SEGMENT_MISSING[\s\S]*no N1\*ST/);
    assert.doesNotMatch(page.text, /id="errors-h"/);
    assert.doesNotMatch((await user.get('/messages')).text, /X12_SEGMENT_MISSING/);
  });

  it('keeps errors and warnings of one message each in its own list; the dead letter names the errors only', async () => {
    const { id, message } = await post(interchange(906, [{ id: '940', body: NO_SHIP_TO.replace('SO-2', 'SO-4') }, { id: '940', body: BROKEN }]), 'warned-2');
    assert.equal(message.status, 'processed', 'the good set goes on');
    assert.ok(message.errors.length > 0);
    assert.deepEqual(message.errors.map((e: { code: string }) => e.code), ['X12_ELEMENT_MISSING']);
    assert.deepEqual(message.warnings.map((w: { code: string }) => w.code), ['X12_SEGMENT_MISSING']);
    const dead = (await api.hub.store.listDeadLetters('acme')).filter((d) => d.refId === id);
    assert.equal(dead.length, 1);
    assert.doesNotMatch(dead[0]!.reason, /N1\*ST/);
  });

  it('drops a message\'s warnings with its errors when it is replayed, and finds them again', async () => {
    const { id } = await post(interchange(907, [{ id: '940', body: NO_SHIP_TO.replace('SO-2', 'SO-5') }]), 'warned-3');
    assert.equal((await api.call(`/v1/messages/${id}/replay`, { method: 'POST' })).status, 202);
    const again = await waitFor(async () => {
      const m = await (await api.call(`/v1/messages/${id}`)).json();
      return m.generation === 2 && m.status !== 'pending' ? m : undefined;
    }, 10_000, 'replayed');
    assert.deepEqual(again.warnings.map((w: { code: string }) => w.code), ['X12_SEGMENT_MISSING']);
  });
});
