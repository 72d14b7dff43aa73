// The engine calls a codec's envelope hooks without knowing its format. A made-up codec (JSON with
// an envelope beside each document) goes through every hook: configure and checkConfig at start,
// duplicates after decode, its own acknowledgments routed to a partner endpoint, a partner's
// acknowledgment settling a tracked group, the answer owed for a document refused as invalid,
// tracking after encode, and the overdue check.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { Codec, CodecSetup } from '../../src/codecs/index.ts';
import { createRegistry, parseConfig } from '../../src/config/index.ts';
import { builtIns } from '../../src/endpoints.ts';
import { contentHash, Hub } from '../../src/engine/index.ts';
import { CausewayFault } from '../../src/model/index.ts';
import type { EdiReceipt, ScreenedReceipt } from '../../src/store/index.ts';
import { salesOrder } from '../support/documents.ts';
import { waitFor } from '../support/receiver.ts';

/** What this codec says of a document, beside it: the interchange it came in, or the acknowledgment we owe. */
type Envelope = { kind: 'interchange'; ref: string } | { kind: 'owed-ack'; ref: string };
interface Settings { tenant: string; ackTo?: string; partners: string[] }

const setups: CodecSetup[] = [];
const ackOf = (ref: string, status: string, group = ref) => ({ type: 'acknowledgment', status, acknowledges: { reference: ref, groupControlNumber: group }, sets: [] });

const envelopeCodec: Codec<Envelope, Settings> = {
  name: 'test-envelope',
  contentType: 'application/vnd.test-envelope+json',
  // Bytes: [{ "ref": "IC-1", "documents": [...] }]; each interchange owes an acknowledgment unless it is one.
  decode(body) {
    const documents: Array<Record<string, unknown>> = [];
    const envelopes: Envelope[] = [];
    for (const ic of JSON.parse(body.toString()) as Array<{ ref: string; documents: Array<Record<string, unknown>> }>) {
      for (const d of ic.documents) {
        documents.push({ ...d, extensions: { shownRef: ic.ref } });
        envelopes.push({ kind: 'interchange', ref: ic.ref });
      }
      if (ic.documents.every((d) => d.type !== 'acknowledgment')) {
        documents.push(ackOf(ic.ref, 'accepted'));
        envelopes.push({ kind: 'owed-ack', ref: ic.ref });
      }
    }
    return { documents, envelopes, errors: [] };
  },
  encode: (payload) => Buffer.from(JSON.stringify(payload)),
  checkConfig: (config) => ({
    errors: Object.entries(config.endpoints).flatMap(([name, ep]) => (ep.codec === 'test-envelope' && ep.options.ackTo === name
      ? [{ code: 'CONFIG_INVALID', path: `$.endpoints.${name}.codecOptions.ackTo`, message: 'an endpoint cannot acknowledge to itself' }] : [])),
    sinks: Object.entries(config.endpoints).flatMap(([name, ep]) => (typeof ep.options.ackTo === 'string'
      ? [{ endpoint: ep.options.ackTo, path: `$.endpoints.${name}.codecOptions.ackTo`, carries: 'our acknowledgments' }] : [])),
  }),
  configure(setup) {
    setups.push(setup);
    return { tenant: setup.tenant, partners: Object.keys(setup.partners), ...(typeof setup.options.ackTo === 'string' ? { ackTo: setup.options.ackTo } : {}) };
  },
  hooks: {
    async afterDecode(documents, ctx) {
      const receipts: ScreenedReceipt[] = [];
      const skip: number[] = [];
      for (const ref of new Set(documents.flatMap((d) => (d.envelope?.kind === 'interchange' ? [d.envelope.ref] : [])))) {
        const receipt: EdiReceipt = { tenant: ctx.endpoint.tenant, kind: 'interchange', key: ref, partner: 'p', messageId: ctx.messageId, at: ctx.now, windowMs: 3_600_000 };
        const { duplicate } = await ctx.store.checkEdiReceipt(receipt);
        receipts.push({ ...receipt, duplicate });
        if (duplicate) skip.push(...documents.filter((d) => d.envelope?.kind === 'interchange' && d.envelope.ref === ref).map((d) => d.index));
      }
      return { skip, errors: skip.length ? [{ code: 'TEST_DUPLICATE', message: 'seen before' }] : [], writes: { receipts } };
    },
    async routeDocument({ document, envelope }, ctx) {
      if (envelope?.kind === 'owed-ack') {
        const to = ctx.endpoint.settings?.ackTo;
        return { deliverInstead: to ? [{ endpoint: to, flow: 'test-acknowledgment', payload: Buffer.from(JSON.stringify(document)) }] : [] };
      }
      if (document.type !== 'acknowledgment' || envelope?.kind !== 'interchange') return undefined;
      const ack = document as unknown as { status: 'accepted' | 'rejected'; acknowledges: { groupControlNumber: string } };
      return {
        writes: {
          reconciliations: [{
            tenant: document.tenant, partner: 'p', groupControlNumber: ack.acknowledges.groupControlNumber, ack: { status: ack.status, messageId: ctx.messageId, at: ctx.now },
            alertFor: (group) => (ack.status === 'accepted' ? undefined : {
              tenant: group.tenant, kind: 'test_rejected', subject: group.groupControlNumber, message: `group ${group.groupControlNumber} of ${group.endpoint} rejected`, dedupeKey: `rejected:${group.groupControlNumber}`, createdAt: ctx.now,
            }),
          }],
        },
      };
    },
    async afterRefusal({ index, document, envelope, errors }, ctx) {
      const to = ctx.endpoint.settings?.ackTo;
      if (!to || envelope?.kind !== 'interchange') return undefined;
      const note = { type: 'refusal', refused: envelope.ref, index, valid: document !== undefined, codes: errors.map((e) => e.code), paths: errors.map((e) => e.path) };
      return { send: [{ endpoint: to, flow: 'test-refusal', payload: Buffer.from(JSON.stringify(note)), entityKey: `refusal:${envelope.ref}` }] };
    },
    async afterEncode({ bytes, deliveryKey }, ctx) {
      const group = String(await ctx.store.nextControlNumber(ctx.endpoint.tenant, 'test', 'group', 999));
      const late = (JSON.parse(bytes.toString()) as { orderNumber?: string }).orderNumber === 'SO-LATE';
      return {
        writes: {
          groups: [{
            tenant: ctx.endpoint.tenant, partner: 'p', interchangeControlNumber: group, groupControlNumber: group, functionalId: 'OW', sets: [], deliveryKey,
            messageId: ctx.messageId, endpoint: ctx.endpoint.name, sentAt: ctx.now, deadlineAt: late ? ctx.now : null,
          }],
        },
      };
    },
    async checkOverdue({ store, now }) {
      return (await store.markOverdueEdiGroups(now)).map((g) => ({ tenant: g.tenant, kind: 'test_overdue', subject: g.groupControlNumber, message: `group ${g.groupControlNumber} overdue`, dedupeKey: `overdue:${g.groupControlNumber}`, createdAt: now }));
    },
  },
};
/** The built-ins and this codec: it is known to the configs read here and nowhere else. */
const registry = createRegistry({ codecs: [envelopeCodec] }, builtIns);

describe('codec hooks: the engine runs a codec\'s envelope handling without knowing the codec', () => {
  let dir: string;
  let hub: Hub;
  let key = 0;

  /** A message as the partner's endpoint stores it. */
  async function fromPartner(interchanges: Array<{ ref: string; documents: unknown[] }>): Promise<number> {
    const body = Buffer.from(JSON.stringify(interchanges));
    const [a] = await hub.inbox.acceptBatch([{ tenant: 'acme', endpoint: 'partner-in', codec: 'test-envelope', body, contentHash: contentHash(body), idempotencyKey: `p-${++key}`, receivedAt: Date.now() }]);
    return a!.messageId;
  }
  const settled = (id: number) => waitFor(async () => {
    const m = await hub.store.getMessage('acme', id);
    return m && m.status !== 'pending' ? m : undefined;
  }, 10_000, `message ${id} processed`);
  const filesIn = (folder: string) => (existsSync(join(dir, folder)) ? readdirSync(join(dir, folder)).filter((f) => f.endsWith('.json')).sort() : []);
  const read = async (folder: string) => Promise.all((await readdir(join(dir, folder))).filter((f) => f.endsWith('.json')).sort().map(async (f) => JSON.parse(await readFile(join(dir, folder, f), 'utf8')) as Record<string, any>));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-hooks-'));
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
partners:
  p: { ours: { id: US }, theirs: { id: THEM }, acknowledgments: { send: false } }
  globex-p: { tenant: globex, ours: { id: US }, theirs: { id: GLOBEX }, acknowledgments: { send: false } }
endpoints:
  partner-in: { type: http, codec: test-envelope, codecOptions: { ackTo: acks-out } }
  partner-out: { type: folder, outbox: ${join(dir, 'partner')}, codec: test-envelope }
  acks-out: { type: folder, outbox: ${join(dir, 'acks')}, codec: test-envelope }
  erp-out: { type: folder, outbox: ${join(dir, 'erp')} }
flows:
  - { name: orders-to-partner, from: [api], types: [sales_order], to: partner-out }
  - { name: partner-to-erp, from: [partner-in], types: [inventory_snapshot, acknowledgment], to: erp-out }
`, dir, registry);
    hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 20, overdueCheckMs: 50, sources: false });
  });
  after(async () => {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('configures each endpoint of the codec once at start, with its tenant\'s partner profiles, and checks the config', async () => {
    assert.deepEqual(setups.map((s) => [s.endpoint, s.tenant, Object.keys(s.partners)]), [['partner-in', 'acme', ['p']], ['partner-out', 'acme', ['p']], ['acks-out', 'acme', ['p']]]);
    assert.deepEqual(setups[0]!.options, { ackTo: 'acks-out' }, 'the endpoint\'s codecOptions as written, nothing added');
    const loop = `
endpoints:
  loop: { type: http, codec: test-envelope, codecOptions: { ackTo: loop } }
  push: { type: http, codec: test-envelope, codecOptions: { ackTo: nowhere-to-write } }
  nowhere-to-write: { type: http, codec: test-envelope }
`;
    // The codec's check is part of the one config check: loading refuses what it finds, and so would the hub's start.
    assert.throws(() => parseConfig(loop, dir, registry), (e: CausewayFault) => {
      assert.deepEqual(e.errors.map((x) => [x.path, x.message]).sort(), [
        ['$.endpoints.loop.codecOptions.ackTo', 'an endpoint cannot acknowledge to itself'],
        ['$.endpoints.loop.codecOptions.ackTo', 'endpoint "loop" cannot take our acknowledgments: endpoints of type http are never targets'],
        ['$.endpoints.push.codecOptions.ackTo', 'endpoint "nowhere-to-write" cannot take our acknowledgments: endpoints of type http are never targets'],
      ]);
      return true;
    });
  });

  let tracked: string;

  it('tracks what it encodes for its endpoints with the outcome', async () => {
    const res = await hub.inbox.acceptBatch([{ tenant: 'acme', endpoint: 'api', codec: 'json', body: Buffer.from(JSON.stringify(salesOrder('SO-1'))), contentHash: 'so-1', idempotencyKey: 'so-1', receivedAt: Date.now() }]);
    await settled(res[0]!.messageId);
    const [group] = await hub.store.listEdiGroups({ tenant: 'acme' });
    assert.equal(group!.endpoint, 'partner-out');
    assert.equal(group!.deliveryKey, (await hub.store.listDeliveries({ tenant: 'acme', endpoint: 'partner-out' }))[0]!.idempotencyKey);
    assert.equal(group!.status, 'sent');
    tracked = group!.groupControlNumber;
    await waitFor(() => filesIn('partner').length === 1, 10_000, 'the order at the partner');
  });

  it('sends the acknowledgment it owes to its own endpoint only, and applies the documents once', async () => {
    const stock = { type: 'inventory_snapshot', facility: 'AMS1', asOf: '2026-11-22T23:00:00Z', positions: [{ sku: 'SKU-1', uom: 'EA', onHand: '40' }] };
    const first = await fromPartner([{ ref: 'IC-1', documents: [stock] }]);
    assert.equal((await settled(first)).status, 'processed');
    const again = await fromPartner([{ ref: 'IC-1', documents: [{ ...stock, asOf: '2026-11-22T23:01:00Z' }] }]);
    const repeat = await settled(again);
    assert.deepEqual(repeat.errors.map((e) => e.code), ['TEST_DUPLICATE']);
    assert.equal(repeat.status, 'processed', 'the acknowledgment owed for the repeat still goes');
    const acks = await waitFor(async () => (filesIn('acks').length === 2 ? read('acks') : undefined), 10_000, 'both acknowledgments at the partner');
    assert.deepEqual(acks.map((a) => [a.type, a.acknowledges.reference]), [['acknowledgment', 'IC-1'], ['acknowledgment', 'IC-1']]);
    const lineage = await hub.store.lineage('acme', first);
    assert.deepEqual(lineage!.deliveries.map((d) => [d.flow, d.endpoint, d.contentType]).sort(), [
      ['partner-to-erp', 'erp-out', 'application/json'], ['test-acknowledgment', 'acks-out', 'application/vnd.test-envelope+json'],
    ]);
    const erp = await waitFor(async () => (filesIn('erp').length === 1 ? read('erp') : undefined), 10_000, 'the snapshot at the ERP');
    assert.deepEqual(erp.map((d) => d.type), ['inventory_snapshot'], 'applied once; our acknowledgments never through flows');
    assert.deepEqual((await hub.store.listEdiDuplicates('acme')).map((d) => [d.key, d.firstMessageId, d.lastMessageId]), [['IC-1', first, again]]);
  });

  it('settles the group a partner acknowledges and raises the alert it asks for, in the outcome\'s transaction', async () => {
    const id = await fromPartner([{ ref: 'IC-2', documents: [ackOf('order', 'rejected', tracked)] }]);
    assert.equal((await settled(id)).status, 'processed');
    const [group] = await hub.store.listEdiGroups({ tenant: 'acme' });
    assert.deepEqual([group!.status, group!.ackMessageId], ['rejected', id]);
    const [alert] = await hub.store.listAlerts('acme', { kind: 'test_rejected' });
    assert.equal(alert!.message, `group ${tracked} of partner-out rejected`);
    await waitFor(() => filesIn('erp').length === 2, 10_000, 'the partner\'s acknowledgment through its flow');
    // An acknowledgment of a group nobody sent settles nothing and raises nothing.
    const stray = await fromPartner([{ ref: 'IC-3', documents: [ackOf('order', 'rejected', '999')] }]);
    await settled(stray);
    assert.equal((await hub.store.listAlerts('acme', { kind: 'test_rejected' })).length, 1);
  });

  it('answers a document refused as invalid through the codec, with its place and errors, even when nothing of its message is applied', async () => {
    const before = filesIn('acks').length;
    const stock = { type: 'inventory_snapshot', facility: 'AMS1', asOf: '2026-11-22T23:00:00Z', positions: [{ sku: 'SKU-1', uom: 'EA', onHand: '40' }] };
    // The second document has no facility: it is invalid, its neighbour is applied.
    const id = await fromPartner([{ ref: 'IC-4', documents: [stock, { ...stock, facility: undefined }] }]);
    const m = await settled(id);
    assert.equal(m.status, 'processed');
    assert.ok(m.errors.some((e) => e.path === '$[1].facility'), JSON.stringify(m.errors));
    const lineage = await hub.store.lineage('acme', id);
    const refusal = lineage!.deliveries.find((d) => d.flow === 'test-refusal');
    assert.deepEqual([refusal?.endpoint, refusal?.documentType, refusal?.entityKey], ['acks-out', 'acknowledgment', 'refusal:IC-4']);
    assert.match(refusal!.documentId, new RegExp(`^${id}-\\d+-1$`), 'shown with the place the invalid document had in its message');
    // A message of nothing but an invalid document (no acknowledgment owed for it): the answer still goes, so it is not dropped with a quarantine.
    const alone = await fromPartner([{ ref: 'IC-5', documents: [ackOf('x', 'sideways')] }]);
    const lone = await settled(alone);
    assert.equal(lone.status, 'processed', `processed with its errors (dead-lettered), its answer delivered: ${JSON.stringify(lone.errors)}`);
    assert.ok(lone.errors.length > 0);
    const notes = await waitFor(async () => {
      const all = (await read('acks')).filter((a) => a.type === 'refusal');
      return all.length === 2 && filesIn('acks').length >= before + 3 ? all : undefined;
    }, 10_000, 'both refusals answered at the partner');
    assert.deepEqual(notes.map((n) => [n.refused, n.index, n.valid, n.codes.length > 0]).sort(), [['IC-4', 1, false, true], ['IC-5', 0, false, true]]);
    assert.ok(notes.find((n) => n.refused === 'IC-4')!.paths.includes('$[1].facility'));
  });

  it('runs the codec\'s overdue check under the hub\'s job lease and raises its alerts once', async () => {
    const res = await hub.inbox.acceptBatch([{ tenant: 'acme', endpoint: 'api', codec: 'json', body: Buffer.from(JSON.stringify(salesOrder('SO-LATE'))), contentHash: 'so-late', idempotencyKey: 'so-late', receivedAt: Date.now() }]);
    await settled(res[0]!.messageId);
    const overdue = await waitFor(async () => (await hub.store.listEdiGroups({ tenant: 'acme', status: 'overdue' }))[0], 10_000, 'the late group overdue');
    const alert = await waitFor(async () => (await hub.store.listAlerts('acme', { kind: 'test_overdue' }))[0], 10_000, 'its alert');
    assert.equal(alert.message, `group ${overdue.groupControlNumber} overdue`);
    const metrics = await waitFor(async () => {
      const text = await hub.metrics.registry.metrics();
      return /causeway_alerts_total\{tenant="acme",kind="test_overdue"\}/.test(text) ? text : undefined;
    }, 5000, 'the alert counted');
    assert.match(metrics, /causeway_alerts_total\{tenant="acme",kind="test_overdue"\} 1/);
    assert.match(metrics, /causeway_alerts_total\{tenant="acme",kind="test_rejected"\} 1/);
  });
});

describe('the engine knows no codec by name', () => {
  it('has no branch on a codec\'s name and imports no codec\'s own module', () => {
    const root = join(import.meta.dirname, '../../src/engine');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 10);
    for (const file of files) {
      const text = readFileSync(join(root, file), 'utf8');
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        const where = `src/engine/${file}:${i + 1}: ${line.trim()}`;
        assert.doesNotMatch(line, /codec\s*[!=]==?\s*['"`]/, where);
        assert.doesNotMatch(line, /['"`](x12|edifact|csv)\b/i, where);
        assert.doesNotMatch(line, /codecs\/(?!index\.ts)/, where);
      });
    }
  });
});
