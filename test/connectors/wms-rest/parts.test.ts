import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  afterPage, checkSignature, decimalSum, DEFAULT_BACKORDER_SUFFIX, linkOf, mergePositions, parseWarehouseOrderReference, readBackOrderNumber, RequestBudget, retryAfterMs,
  scanDue, scanSince, signHmac, toDecimal, toIso, versionKey, warehouseOrderReference, WmsError,
} from '../../../src/connectors/wms-rest/index.ts';
import { signWebhook } from '../../../src/transports/index.ts';

const T = 1_800_000_000_000;

describe('wms-rest cursor: reading changes with an overlap, page by page', () => {
  it('starts the first scan a lookback ago, and every later one the overlap before the latest change seen', () => {
    assert.equal(scanSince({}, T, 300_000, 86_400_000), T - 86_400_000);
    assert.equal(scanSince({ high: T - 10_000 }, T, 300_000, 86_400_000), T - 10_000 - 300_000);
  });

  it('goes on with a scan under way at every poll, and starts a new one when its turn comes', () => {
    assert.equal(scanDue({ at: T - 1000, scan: { since: 0 } }, T, 60_000), true);
    assert.equal(scanDue({ at: T - 1000 }, T, 60_000), false);
    assert.equal(scanDue({ at: T - 60_000 }, T, 60_000), true);
    assert.equal(scanDue({}, T, 60_000), true);
  });

  it('continues an ascending list from the last stamp read, page one; a page all of one stamp moves on by page number', () => {
    const page = { kind: 'page' as const, first: 1 };
    const scan = { scan: { since: 100, page: 1 } };
    assert.deepEqual(afterPage(scan, { stamps: [100, 150, 200], more: true }, page, true, T), { scan: { since: 200, page: 1, seen: 200 } });
    assert.deepEqual(afterPage(scan, { stamps: [100, 100, 100], more: true }, page, true, T), { scan: { since: 100, page: 2, seen: 100 } });
    assert.deepEqual(afterPage(scan, { stamps: [300, 150, 200], more: true }, page, false, T), { scan: { since: 100, page: 2, seen: 300 } }, 'another order: by page number');
  });

  it('follows a token or link while there is one, and at the end keeps the latest change seen', () => {
    const cursor = { high: 50, scan: { since: 40, seen: 90 } };
    assert.deepEqual(afterPage(cursor, { stamps: [60, 70], more: true, next: '/x?page=2' }, { kind: 'link', first: 0 }, false, T),
      { high: 50, scan: { since: 40, next: '/x?page=2', seen: 90 } });
    assert.deepEqual(afterPage(cursor, { stamps: [60], more: false }, { kind: 'link', first: 0 }, false, T), { high: 90, at: T });
    assert.deepEqual(afterPage({ high: 50, scan: { since: 40 } }, { stamps: [], more: false }, { kind: 'page', first: 1 }, true, T), { high: 50, at: T }, 'nothing new: the mark stays');
  });

  it('keys a resource version by type, id and stamp, whatever brought it', () => {
    assert.equal(versionKey('shipment', '12', Date.parse('2026-05-01T10:00:00.123Z')), 'shipment:12:2026-05-01T10:00:00.123Z');
  });
});

describe('wms-rest request budget', () => {
  it('lets a burst through, then says when the next request may go; refills at the partner\'s rate', () => {
    let now = T;
    const budget = new RequestBudget(60, 2, () => now);
    assert.deepEqual([budget.take(), budget.take()], [{ ok: true }, { ok: true }]);
    assert.deepEqual(budget.take(), { ok: false, retryAfterMs: 1000 });
    now += 500;
    assert.deepEqual(budget.take(), { ok: false, retryAfterMs: 500 });
    now += 500;
    assert.deepEqual(budget.take(), { ok: true });
  });

  it('holds every request until the time a 429 gave, and starts empty after it', () => {
    let now = T;
    const budget = new RequestBudget(600, 10, () => now);
    budget.pauseUntil(now + 7000);
    assert.deepEqual(budget.take(), { ok: false, retryAfterMs: 7000 });
    now += 7000;
    assert.deepEqual(budget.take(), { ok: false, retryAfterMs: 100 });
    now += 100;
    assert.deepEqual(budget.take(), { ok: true });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    assert.equal(retryAfterMs('25', T), 25_000);
    assert.equal(retryAfterMs('1.5', T), 1500);
    assert.equal(retryAfterMs(new Date(T + 30_000).toUTCString(), T), 30_000);
    assert.equal(retryAfterMs('soon', T), undefined);
    assert.equal(retryAfterMs(null, T), undefined);
  });
});

describe('wms-rest webhook signatures', () => {
  const body = Buffer.from('{"id":1}');
  const at = Math.floor(T / 1000);
  const secret = 'whsec_' + Buffer.from('a-signing-secret-of-32-bytes-ok!').toString('base64');

  it('checks Standard Webhooks: id, timestamp within tolerance, signature over id.timestamp.body', () => {
    const headers = (h: Record<string, string>) => new Headers(h);
    const sig = signWebhook(secret, 'msg_1', at, body);
    const spec = { scheme: 'standard-webhooks' } as const;
    assert.equal(checkSignature(spec, secret, headers({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(at), 'webhook-signature': sig }), body, at, 300), undefined);
    assert.equal(checkSignature(spec, secret, headers({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(at), 'webhook-signature': `v1,bm9wZQ== ${sig}` }), body, at, 300), undefined, 'one of several (a rotation)');
    assert.equal(checkSignature(spec, secret, headers({ 'webhook-id': 'msg_2', 'webhook-timestamp': String(at), 'webhook-signature': sig }), body, at, 300)?.code, 'SIGNATURE_INVALID');
    assert.equal(checkSignature(spec, secret, headers({ 'webhook-id': 'msg_1', 'webhook-timestamp': String(at - 301), 'webhook-signature': sig }), body, at, 300)?.code, 'SIGNATURE_EXPIRED');
    assert.equal(checkSignature(spec, secret, headers({ 'webhook-timestamp': String(at), 'webhook-signature': sig }), body, at, 300)?.path, 'header.webhook-id');
  });

  it('checks an HMAC of the raw body in a named header, base64 or hex, after a prefix', () => {
    const plain = 'plain-text-secret-of-the-3pl';
    for (const encoding of ['base64', 'hex'] as const) {
      const spec = { scheme: 'hmac-sha256', header: 'X-Hub-Signature', encoding, prefix: 'sha256=' } as const;
      const good = new Headers({ 'x-hub-signature': signHmac(plain, body, encoding, 'sha256=') });
      assert.equal(checkSignature(spec, plain, good, body, at, 300), undefined, encoding);
      assert.equal(checkSignature(spec, plain, good, Buffer.from('{"id":2}'), at, 300)?.code, 'SIGNATURE_INVALID', 'another body');
      assert.equal(checkSignature(spec, plain, new Headers({ 'x-hub-signature': signHmac(plain, body, encoding) }), body, at, 300)?.message, 'expected "sha256=" before the digest');
      assert.equal(checkSignature(spec, plain, new Headers({ 'x-hub-signature': 'sha256=short' }), body, at, 300)?.code, 'SIGNATURE_INVALID', 'a digest of another length');
      assert.equal(checkSignature(spec, plain, new Headers(), body, at, 300)?.path, 'header.x-hub-signature');
    }
    assert.equal(checkSignature({ scheme: 'none' }, undefined, new Headers(), body, at, 300), undefined);
  });
});

describe('wms-rest values', () => {
  it('reads the next link of an RFC 8288 Link header', () => {
    const header = '<https://api.example.com/items?page=1>; rel="prev", <https://api.example.com/items?page=3>; rel="next last"';
    assert.equal(linkOf(header, 'next'), 'https://api.example.com/items?page=3');
    assert.equal(linkOf(header, 'first'), undefined);
    assert.equal(linkOf(undefined, 'next'), undefined);
  });

  it('makes exact decimals and zoned times of a vendor\'s numbers and times', () => {
    assert.equal(toDecimal(4.2), '4.2');
    assert.equal(toDecimal(12), '12');
    assert.equal(decimalSum([0.1, 0.2, '1.05']), '1.35');
    assert.equal(decimalSum(undefined), '0');
    assert.equal(toDecimal('12.50'), '12.5');
    assert.equal(toDecimal('twelve'), undefined);
    assert.equal(toIso('2026-05-01T10:00:00.123'), '2026-05-01T10:00:00.123Z', 'a time without an offset is UTC');
    assert.equal(toIso('2026-05-01T12:00:00+02:00'), '2026-05-01T10:00:00.000Z');
    assert.equal(toIso('2026-05-01'), '2026-05-01T00:00:00.000Z');
    assert.equal(toIso(''), undefined);
  });

  it('sums positions of one facility by SKU, lot, status and unit, exactly and in a stable order', () => {
    const merged = mergePositions([
      { facility: 'A', sku: 'S2', status: 'available', uom: 'EA', onHand: '1', allocated: '0', available: '1' },
      { facility: 'A', sku: 'S1', lot: 'L', status: 'available', uom: 'EA', onHand: '0.1', allocated: '0.1', available: '0' },
      { facility: 'A', sku: 'S1', lot: 'L', status: 'available', uom: 'EA', onHand: '0.2', allocated: '0', available: '0.2', expiryDate: '2031-01-01' },
    ]);
    assert.deepEqual(merged, [
      { sku: 'S1', lot: 'L', status: 'available', uom: 'EA', onHand: '0.3', allocated: '0.1', available: '0.2', expiryDate: '2031-01-01' },
      { sku: 'S2', status: 'available', uom: 'EA', onHand: '1', allocated: '0', available: '1' },
    ]);
  });
});

describe('wms-rest backorders: the reference the ERP\'s backorder goes under, derived from the document and read back', () => {
  const refs = { suffix: DEFAULT_BACKORDER_SUFFIX, field: 'referenceNum', maxLength: 20 };
  const backorder = (orderNumber: string, reference: string) => ({ orderNumber, extensions: { backorder: { reference } } });

  it('puts an order under its number and a backorder under the number and its reference, and reads the latter back', () => {
    assert.equal(warehouseOrderReference(refs, { orderNumber: 'SO-1' }), 'SO-1');
    assert.equal(warehouseOrderReference(refs, backorder('SO-1', 'CS-7')), 'SO-1-BO-CS-7');
    assert.deepEqual(parseWarehouseOrderReference(refs, 'SO-1-BO-CS-7'), { orderNumber: 'SO-1', backorder: 'CS-7' });
    // An order number with the suffix's text in it still reads back: the last occurrence splits.
    assert.deepEqual(parseWarehouseOrderReference(refs, 'A-BO-B-BO-7'), { orderNumber: 'A-BO-B', backorder: '7' });
    assert.equal(parseWarehouseOrderReference(refs, 'SO-1'), undefined);
    assert.equal(parseWarehouseOrderReference(refs, '-BO-7'), undefined);
    assert.equal(parseWarehouseOrderReference(refs, 'SO-1-BO-'), undefined);
    const tailed = { suffix: '(BO {backorder})', field: 'reference_id' };
    assert.equal(warehouseOrderReference(tailed, backorder('SO-1', '7')), 'SO-1(BO 7)');
    assert.deepEqual(parseWarehouseOrderReference(tailed, 'SO-1(BO 7)'), { orderNumber: 'SO-1', backorder: '7' });
  });

  it('refuses, naming the field, a reference longer than the warehouse takes, and one that would not read back as its backorder', () => {
    assert.throws(() => warehouseOrderReference(refs, backorder('SO-123456', 'CS-123456')),
      (e: WmsError) => e.code === 'WMS_REJECTED' && /as SO-123456-BO-CS-123456, 22 characters, and its referenceNum takes at most 20/.test(e.message));
    assert.throws(() => warehouseOrderReference(refs, backorder('SO-1', 'X-BO-2')), /does not read back as that backorder/);
  });

  it('reads a document reported under a derived reference back as the ERP\'s order, and leaves any other as it is', () => {
    assert.deepEqual(readBackOrderNumber(refs, { type: 'shipment', orderNumber: 'SO-1-BO-CS-7', extensions: { carrier: 'x' } }),
      { type: 'shipment', orderNumber: 'SO-1', extensions: { carrier: 'x', backorder: { reference: 'CS-7' } } });
    const plain = { type: 'shipment', orderNumber: 'SO-1' };
    assert.equal(readBackOrderNumber(refs, plain), plain);
    const receipt = { type: 'receipt', poNumber: 'PO-1-BO-2' };
    assert.equal(readBackOrderNumber(refs, receipt), receipt);
  });
});
