// Fingerprints are stored on every ledger (a document's stamp, the fields the warehouse was sent):
// a resend is recognised only while the same content gives the same text, so the fast paths of
// stableJson must write exactly what sorted-key JSON writes, and stored fingerprints must not move.
// Run with CAUSEWAY_TEST_SEED=<n> to replay a failing run.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { contentFingerprint, documentContent, jsonFingerprint, stableJson, valueFingerprint } from '../../../src/engine/rules/fingerprint.ts';
import { validateDocument } from '../../../src/model/index.ts';
import { salesOrder } from '../../support/documents.ts';
import { seededRandom, TEST_SEED } from '../../support/seed.ts';

/** Sorted-key JSON the plain way: a copy with its keys inserted in sorted order, then JSON.stringify. */
function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : sortedCopy(v)));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) out[k] = sortedCopy((value as Record<string, unknown>)[k]);
  return out;
}
// The keys below are none integer-like ("2"): JSON.stringify writes those first whatever order they were inserted in.
const reference = (value: unknown): string => JSON.stringify(sortedCopy(value)) ?? 'null';

// Strings with quotes, backslashes, control characters, lone and paired surrogates; keys that share a first key but differ after it.
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('"', '\\', '\u0000', '\u001f', '\ud800', '\udfff', '\ud83d\ude00', 'Zürich ☃', 'x'.repeat(80) + '"'));
const key = fc.constantFrom('a', 'b', 'lineNumber', 'sku', 'quantity', 'uom', 'lots', 'é', 'Z', '_');
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, text, fc.double({ noNaN: false }), fc.integer(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, fc.oneof(tie('value'), fc.constant(undefined)), { maxKeys: 6 }),
})).value;

test('stableJson writes what JSON.stringify writes of the value with its keys sorted', (t) => {
  const seed = Math.floor(seededRandom(t)() * 2 ** 32);
  try {
    fc.assert(fc.property(fc.array(json, { minLength: 1, maxLength: 5 }), (values) => {
      // Several values in a row: a key order remembered from one object must not be used for another.
      for (const v of values) assert.equal(stableJson(v), reference(v));
    }), { seed, numRuns: 500, includeErrorInReport: true });
  } catch (error) {
    t.diagnostic(`fast-check seed ${seed}, from CAUSEWAY_TEST_SEED=${TEST_SEED}`);
    throw error;
  }
});

test('objects with the same first key and other keys after it are each sorted by their own keys', () => {
  assert.equal(stableJson({ sku: 1, lot: 2, a: 3 }), '{"a":3,"lot":2,"sku":1}');
  assert.equal(stableJson({ sku: 1, lot: 2, b: 3 }), '{"b":3,"lot":2,"sku":1}');
  assert.equal(stableJson({ sku: 1, lot: 2 }), '{"lot":2,"sku":1}');
  assert.equal(stableJson({ sku: 1, lot: 2, a: 3 }), '{"a":3,"lot":2,"sku":1}');
});

test('a document\'s fingerprint is the one ledgers already store for it', () => {
  const checked = validateDocument({
    tenant: 'acme', id: 'd-1', source: { endpoint: 'api' }, entityKey: '-', receivedAt: '2026-11-22T08:00:00Z',
    ...salesOrder('SO-1', 3, { notes: ['fragile "glass"', 'Zürich ☃', 'tab\there'], extensions: { b: 1, a: { z: null, y: [1, '\ud83d\ude00'] } } }),
  });
  assert.ok(checked.ok);
  // Computed before the fast paths: a change here would make every stored order look changed.
  assert.equal(contentFingerprint(checked.document), 'e-jdSkFAIlffSHeUxYipwS');
});

/** The fingerprint as it was first defined: SHA-256 of `{"field":json,...,}` built as a string. */
function referenceContent(doc: Record<string, unknown>): string {
  let out = '{';
  for (const k of Object.keys(doc).sort()) {
    if (['id', 'receivedAt', 'source', 'schemaVersion', 'occurredAt'].includes(k) || doc[k] === undefined) continue;
    let v = doc[k];
    if (k === 'extensions' && v !== null && typeof v === 'object') {
      const kept = Object.entries(v).filter(([e]) => e !== 'x12Envelope' && e !== 'x12Ack');
      if (kept.length === 0) continue;
      v = Object.fromEntries(kept);
    }
    out += JSON.stringify(k) + ':' + reference(v) + ',';
  }
  return createHash('sha256').update(out + '}').digest('base64url').slice(0, 22);
}

test('the fingerprint and the field fingerprints written from bytes equal those of the JSON text', (t) => {
  const seed = Math.floor(seededRandom(t)() * 2 ** 32);
  const fieldName = fc.constantFrom('lines', 'shipTo', 'notes', 'extensions', 'id', 'occurredAt', 'type', 'é', 'sku');
  const doc = fc.dictionary(fieldName, fc.oneof(json, fc.constant(undefined), fc.constant({ x12Envelope: { isa13: '1' } }), fc.constant('x'.repeat(44)), fc.constant('Zürich ☃'.repeat(6))), { maxKeys: 8 });
  try {
    fc.assert(fc.property(doc, (d) => {
      const fields = ['lines', 'shipTo', 'notes', 'extensions', 'occurredAt', 'absent'];
      const content = documentContent(d, fields);
      assert.equal(content.fingerprint, referenceContent(d));
      assert.equal(contentFingerprint(d), content.fingerprint);
      for (const f of fields) {
        const travel = f === 'occurredAt';
        const present = d[f] !== undefined && !travel && !(f === 'extensions' && d[f] !== null && typeof d[f] === 'object' && Object.keys(d[f] as object).every((k) => k === 'x12Envelope'));
        if (!present) { assert.equal(content.fields.has(f), false, f); continue; }
        const v = f === 'extensions' && d[f] !== null && typeof d[f] === 'object' ? Object.fromEntries(Object.entries(d[f] as object).filter(([k]) => k !== 'x12Envelope')) : d[f];
        assert.equal(content.fields.get(f), jsonFingerprint(reference(v)), f);
        if (f !== 'extensions') assert.equal(valueFingerprint(d[f]), jsonFingerprint(reference(d[f])), f);
      }
    }), { seed, numRuns: 500, includeErrorInReport: true });
  } catch (error) {
    t.diagnostic(`fast-check seed ${seed}, from CAUSEWAY_TEST_SEED=${TEST_SEED}`);
    throw error;
  }
});

test('a document larger than the reused buffer is fingerprinted whole, and the next one from the start', () => {
  const big = { type: 'x', notes: Array.from({ length: 20_000 }, (_, i) => `note ${i} Zürich`) };
  assert.equal(documentContent(big).fingerprint, referenceContent(big));
  const small = { type: 'y', notes: ['a'] };
  assert.equal(documentContent(small).fingerprint, referenceContent(small));
  assert.equal(stableJson(big), reference(big));
});
