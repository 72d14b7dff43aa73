import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Codec } from '../../src/codecs/index.ts';
import { createRegistry, parseConfig as parseConfigWith } from '../../src/config/index.ts';
import { builtIns, parseConfig } from '../../src/endpoints.ts';
import { contentHash, Hub } from '../../src/engine/index.ts';
import { openStore, type MessageOutcome, type Store } from '../../src/store/index.ts';
import { verifyWebhook } from '../../src/transports/index.ts';
import { salesOrder, shipment } from '../support/documents.ts';
import { openTestPostgresStore, postgresUnavailable } from '../support/postgres.ts';
import { startReceiver, waitFor } from '../support/receiver.ts';
import pino from 'pino';

describe('pipeline: folder in, mapped, webhook and folder out', () => {
  let dir: string;
  let hub: Hub;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const secret = 'whsec_' + Buffer.from('a-test-signing-secret-of-32-bytes!').toString('base64');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'causeway-pipeline-'));
    // The partner's folders exist before the hub starts, as in a real drop: a file is never written before its folder.
    for (const folder of ['erp-out', 'wms-out']) mkdirSync(join(dir, folder), { recursive: true });
    receiver = await startReceiver();
    const loaded = parseConfig(`
store: sqlite:${join(dir, 'hub.db')}
defaultTenant: acme
endpoints:
  erp-out: { type: folder, inbox: ${join(dir, 'erp-out')}, minAgeMs: 0 }
  wms-in: { type: folder, inbox: ${join(dir, 'wms-out')}, outbox: ${join(dir, 'wms-in')}, minAgeMs: 0 }
  erp-hook: { type: webhook, allowPrivateNetworks: true, url: ${receiver.url}/shipments, secret: "${secret}" }
flows:
  - { name: orders-to-wms, from: [erp-out], types: [sales_order], to: wms-in, mapping: order-to-wms }
  - { name: shipments-to-erp, from: [wms-in], types: [shipment], to: erp-hook }
codeTables:
  carriers: { UPSN: UPS-GROUND }
mappings:
  order-to-wms:
    fields:
      order_no: orderNumber
      ship_via: { from: carrier.scac, table: carriers }
      ship_to.zip: shipTo.postalCode
      ship_to.country: shipTo.country
      wanted: { from: occurredAt, format: date-compact }
      lines: { each: lines, fields: { sku: sku, qty: { from: quantity, format: number } } }
`, dir);
    hub = await Hub.start(loaded, { logger: pino({ level: 'silent' }), idleMs: 20 });
  });
  after(async () => {
    await hub.stop();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('maps a sales order dropped by the ERP into the warehouse folder and archives the file', async () => {
    writeFileSync(join(dir, 'erp-out', 'so-1001.json'), JSON.stringify(salesOrder('SO-1001', 2)));
    const out = await waitFor(() => existsSync(join(dir, 'wms-in')) && readdirSync(join(dir, 'wms-in')).find((f) => f.endsWith('.json')), 10_000, 'mapped order') as string;
    assert.deepEqual(JSON.parse(readFileSync(join(dir, 'wms-in', out), 'utf8')), {
      order_no: 'SO-1001', ship_via: 'UPS-GROUND', ship_to: { zip: '3011', country: 'NL' }, wanted: '20261122',
      lines: [{ sku: 'SKU-1', qty: 1 }, { sku: 'SKU-2', qty: 2 }],
    });
    await waitFor(() => readdirSync(join(dir, 'erp-out', 'archive')).includes('so-1001.json'), 5000, 'archived file');
    assert.ok(!existsSync(join(dir, 'erp-out', 'so-1001.json')));
  });

  it('delivers the warehouse shipment confirmation to the ERP webhook, signed', async () => {
    writeFileSync(join(dir, 'wms-out', 'ship-1001.json'), JSON.stringify(shipment('SO-1001')));
    const r = await waitFor(() => receiver.received.find((x) => x.path === '/shipments'), 10_000, 'webhook');
    const body = JSON.parse(r.body.toString());
    assert.equal(body.type, 'shipment');
    assert.equal(body.tenant, 'acme');
    assert.equal(body.entityKey, 'order:SO-1001');
    assert.equal(body.lines[0].lots[0].lot, 'L24-07');
    assert.ok(verifyWebhook(secret, { id: r.headers['webhook-id'] as string, timestamp: r.headers['webhook-timestamp'] as string, signature: r.headers['webhook-signature'] as string }, r.body));
    assert.equal(r.headers['idempotency-key'], r.headers['webhook-id']);
    const [msg] = await hub.store.listMessages({ tenant: 'acme', endpoint: 'wms-in' });
    const lineage = await waitFor(async () => {
      const l = await hub.store.lineage('acme', msg.id);
      return l?.deliveries[0]?.status === 'delivered' ? l : undefined;
    });
    assert.equal(lineage.deliveries[0].partnerRef, 'R-1');
    assert.equal(lineage.deliveries[0].attemptLog[0].statusCode, 200);
  });

  it('quarantines a malformed file with a positioned error, keeping the raw bytes', async () => {
    writeFileSync(join(dir, 'erp-out', 'broken.json'), '{"type": "sales_order", "orderNumber": "SO-9",\n "lines": [}');
    const m = await waitFor(async () => (await hub.store.listMessages({ tenant: 'acme', status: 'quarantined' }))[0]);
    assert.equal(m.errors[0].code, 'JSON_SYNTAX');
    assert.match(m.errors[0].message, /line 2/);
    assert.equal(Buffer.from(m.body).toString(), '{"type": "sales_order", "orderNumber": "SO-9",\n "lines": [}');
  });
});

/** A store whose completeMessages fails as `fault` decides, to stand in for any outcome the store cannot take. */
function withCommitFault(store: Store, fault: (outcomes: MessageOutcome[]) => Error | undefined): Store {
  return new Proxy(store, {
    get(target, prop) {
      if (prop === 'completeMessages') {
        return async (outcomes: MessageOutcome[], now: number) => {
          const error = fault(outcomes);
          if (error) throw error;
          return target.completeMessages(outcomes, now);
        };
      }
      const value = Reflect.get(target, prop, target) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const nested = (levels: number): unknown => JSON.parse('{"a":'.repeat(levels) + '1' + '}'.repeat(levels));

// Codecs that misbehave the ways a future codec might: they are named per message, not per endpoint.
const misbehaving: Codec[] = [
  { name: 'test-throws-null', contentType: 'application/json', decode() { throw null; }, encode: () => Buffer.alloc(0) },
  {
    name: 'test-deep-extensions', contentType: 'application/json',
    decode: () => ({ documents: [{ type: 'item', sku: 'SKU-DEEP', baseUom: 'EA', extensions: { x: nested(5000) } }], errors: [] }),
    encode: () => Buffer.alloc(0),
  },
];
const withMisbehaving = createRegistry({ codecs: misbehaving }, builtIns);

const pgSkip = await postgresUnavailable();
for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`pipeline on ${dialect}: no message blocks the ones beside it`, { skip: dialect === 'postgres' ? pgSkip : undefined }, () => {
    let dir: string;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'causeway-poison-'));
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    });

    let run = 0;
    const openTestStore = async (): Promise<Store> => (dialect === 'postgres' ? openTestPostgresStore() : openStore(`sqlite:${join(dir, `hub-${++run}.db`)}`));

    /** Messages are stored before the hub starts, so the processor claims them in one batch. */
    async function runHub(store: Store, bodies: Array<string | { body: string; codec: string }>, wrap: (s: Store, ids: number[]) => Store = (s) => s) {
      const tag = `${dialect}-${++run}`;
      const at = Date.now();
      const accepted = await store.acceptMessages(bodies.map((b, i) => {
        const { body, codec } = typeof b === 'string' ? { body: b, codec: 'json' } : b;
        const bytes = Buffer.from(body);
        return { tenant: 'acme', endpoint: 'api', codec, contentType: 'application/json', body: bytes, contentHash: contentHash(bytes), idempotencyKey: `${tag}-${i}`, receivedAt: at + i };
      }));
      const loaded = parseConfigWith(`
store: sqlite:${join(dir, 'unused.db')}
defaultTenant: acme
endpoints:
  wms: { type: webhook, allowPrivateNetworks: true, url: "${receiver.url}/${tag}" }
flows:
  - { name: orders-to-wms, from: [api], types: [sales_order], to: wms }
worker: { leaseMs: 500 }
`, dir, withMisbehaving);
      const hub = await Hub.start(loaded, { store: wrap(store, accepted.map((a) => a.messageId)), logger: pino({ level: 'silent' }), idleMs: 20, sources: false });
      const ordersDelivered = (...orders: string[]) => waitFor(() => orders.every((o) => receiver.received.some((r) => r.path === `/${tag}` && JSON.parse(r.body.toString()).orderNumber === o)), 10_000, `orders ${orders.join(', ')} delivered`);
      const settled = (i: number, status: 'processed' | 'quarantined') => waitFor(async () => {
        const m = await store.getMessage('acme', accepted[i].messageId);
        return m?.status === status ? m : undefined;
      }, 10_000, `message ${i} ${status}`);
      return { hub, ids: accepted.map((a) => a.messageId), ordersDelivered, settled };
    }

    it('quarantines an order and an item with a 5,000-level extension, and the orders around it go on', async () => {
      const store = await openTestStore();
      const poison = JSON.stringify([salesOrder('SO-P2'), { type: 'item', sku: 'SKU-P', baseUom: 'EA', extensions: { x: 0 } }]).replace('"x":0', `"x":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
      const { hub, ordersDelivered, settled } = await runHub(store, [JSON.stringify(salesOrder('SO-P1')), poison, JSON.stringify(salesOrder('SO-P3'))]);
      try {
        await ordersDelivered('SO-P1', 'SO-P3');
        const m = await settled(1, 'quarantined');
        assert.equal(m.errors[0].code, 'JSON_TOO_DEEP');
        assert.match(m.errors[0].path ?? '', /^\$\[1\]\.extensions\.x(\.a){61}$/);
        assert.equal(Buffer.from(m.body).toString(), poison);
      } finally {
        await hub.stop();
        await store.close();
      }
    });

    it('refuses a decoded document nested deeper than the limit, whatever codec made it', async () => {
      const store = await openTestStore();
      const { hub, ordersDelivered, settled } = await runHub(store, [{ body: '{}', codec: 'test-deep-extensions' }, JSON.stringify(salesOrder('SO-D1'))]);
      try {
        await ordersDelivered('SO-D1');
        const m = await settled(0, 'quarantined');
        assert.equal(m.errors[0].code, 'DOC_TOO_DEEP');
        assert.match(m.errors[0].path ?? '', /^\$\.extensions\.x(\.a){62}$/);
      } finally {
        await hub.stop();
        await store.close();
      }
    });

    it('quarantines a message whose decoding throws anything at all, and processes the others', async () => {
      const store = await openTestStore();
      const { hub, ordersDelivered, settled } = await runHub(store, [JSON.stringify(salesOrder('SO-N1')), { body: '{}', codec: 'test-throws-null' }, JSON.stringify(salesOrder('SO-N3'))]);
      try {
        await ordersDelivered('SO-N1', 'SO-N3');
        const m = await settled(1, 'quarantined');
        assert.equal(m.errors[0].code, 'PROCESSING_FAILED');
      } finally {
        await hub.stop();
        await store.close();
      }
    });

    it('isolates a message whose outcome the store refuses: it alone is quarantined, once, and can be replayed', async () => {
      const store = await openTestStore();
      let refuse = true;
      let refused = 0;
      const bodies = ['SO-C1', 'SO-C2', 'SO-C3', 'SO-C4', 'SO-C5'].map((o) => JSON.stringify(salesOrder(o)));
      const { hub, ids, ordersDelivered, settled } = await runHub(store, bodies, (s, ids) => withCommitFault(s, (outcomes) => {
        const hit = refuse && outcomes.some((o) => o.messageId === ids[2] && o.status === 'processed');
        if (hit) refused++;
        return hit ? new Error('value too long for the documents table') : undefined;
      }));
      const culprit = ids[2];
      try {
        await ordersDelivered('SO-C1', 'SO-C2', 'SO-C4', 'SO-C5');
        const m = await settled(2, 'quarantined');
        assert.equal(m.errors[0].code, 'OUTCOME_NOT_STORED');
        assert.match(m.errors[0].message, /value too long for the documents table/);
        assert.ok(!receiver.received.some((r) => JSON.parse(r.body.toString()).orderNumber === 'SO-C3'));
        // Quarantined for good: the batch of five took one split per level down to the culprit, and its retry.
        assert.ok(refused <= 5, `the failing outcome was tried ${refused} times`);
        const [dead] = (await store.listDeadLetters('acme')).filter((d) => d.kind === 'message' && d.refId === culprit);
        assert.match(dead.reason, /refused this message.s processed outcome: value too long/);
        refuse = false;
        assert.equal(await store.requeueMessages('acme', [culprit], Date.now()), 1);
        hub.processorWakeup.notify();
        await ordersDelivered('SO-C3');
        await settled(2, 'processed');
      } finally {
        await hub.stop();
        await store.close();
      }
    });

    it('does not quarantine a message for a store fault that passes on the next try', async () => {
      const store = await openTestStore();
      let soloFailures = 0;
      const bodies = ['SO-T1', 'SO-T2', 'SO-T3'].map((o) => JSON.stringify(salesOrder(o)));
      const { hub, ordersDelivered, settled } = await runHub(store, bodies, (s, ids) => withCommitFault(s, (outcomes) => {
        if (!outcomes.some((o) => o.messageId === ids[1])) return undefined;
        if (outcomes.length > 1) return new Error('could not serialize access');
        return soloFailures++ === 0 ? new Error('could not serialize access') : undefined;
      }));
      try {
        await ordersDelivered('SO-T1', 'SO-T2', 'SO-T3');
        const m = await settled(1, 'processed');
        assert.deepEqual(m.errors, []);
      } finally {
        await hub.stop();
        await store.close();
      }
    });

    it('keeps every message pending when the store takes no outcome at all', async () => {
      const store = await openTestStore();
      let gaveUpOnOne = false;
      const bodies = ['SO-S1', 'SO-S2', 'SO-S3'].map((o) => JSON.stringify(salesOrder(o)));
      const { hub, ids } = await runHub(store, bodies, (s) => withCommitFault(s, (outcomes) => {
        if (outcomes.length === 1 && outcomes[0].status === 'quarantined') gaveUpOnOne = true;
        return new Error('connection terminated unexpectedly');
      }));
      try {
        await waitFor(() => gaveUpOnOne, 10_000, 'a quarantine tried alone');
      } finally {
        await hub.stop();
      }
      try {
        for (const id of ids) {
          const m = await store.getMessage('acme', id);
          assert.equal(m?.status, 'pending');
          assert.deepEqual(m?.errors, []);
        }
      } finally {
        await store.close();
      }
    });
  });
}
