import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jsonCodec } from '../../src/codecs/index.ts';
import { entityKeyFor, validateDocument } from '../../src/model/index.ts';
import { salesOrder, shipment } from '../support/documents.ts';

const ctx = { tenant: 'acme', endpoint: 'api' };

describe('json codec', () => {
  it('reads one document, an array, or JSON lines', () => {
    const one = jsonCodec.decode(Buffer.from(JSON.stringify(salesOrder('A'))), ctx) as { documents: unknown[] };
    assert.equal(one.documents.length, 1);
    const arr = jsonCodec.decode(Buffer.from(JSON.stringify([salesOrder('A'), shipment('A')])), ctx) as { documents: unknown[] };
    assert.equal(arr.documents.length, 2);
    const lines = jsonCodec.decode(Buffer.from(`${JSON.stringify(salesOrder('A'))}\n${JSON.stringify(salesOrder('B'))}\n`), ctx) as { documents: unknown[] };
    assert.equal(lines.documents.length, 2);
  });

  it('names line and column of a syntax error', () => {
    const r = jsonCodec.decode(Buffer.from('{\n  "type": "sales_order",\n  "orderNumber": SO-1\n}'), ctx) as { errors: Array<{ message: string; position: Record<string, number> }> };
    assert.equal(r.errors[0].position.line, 3);
    assert.equal(r.errors[0].position.column, 18);
    assert.match(r.errors[0].message, /line 3, column 18/);
  });

  it('says an empty message is empty', () => {
    const r = jsonCodec.decode(Buffer.from('  \n'), ctx) as { errors: Array<{ code: string }> };
    assert.equal(r.errors[0].code, 'JSON_EMPTY');
  });

  it('survives 10,000 mutated inputs: documents or positioned errors, never a throw', () => {
    let seed = 20261122;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const base = Buffer.from(JSON.stringify([salesOrder('SO-F', 3), shipment('SO-F')]));
    const alphabet = Buffer.from('{}[]":,0123456789.-eE tnufalsr\\\n\u00ff');
    let withDocs = 0;
    let withErrors = 0;
    for (let i = 0; i < 10_000; i++) {
      const b = Buffer.from(base);
      const edits = 1 + Math.floor(rand() * 4);
      let m: Buffer = b;
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rand() * m.length);
        const op = rand();
        if (op < 0.4) m[at] = alphabet[Math.floor(rand() * alphabet.length)];
        else if (op < 0.6) m = Buffer.concat([m.subarray(0, at), m.subarray(at + 1)]);
        else if (op < 0.8) m = Buffer.concat([m.subarray(0, at), m.subarray(at, at + 8), m.subarray(at)]);
        else m = m.subarray(0, at);
      }
      const r = jsonCodec.decode(m, ctx) as { documents: Array<Record<string, unknown>>; errors: Array<{ code: string; message: string }> };
      assert.ok(Array.isArray(r.documents) && Array.isArray(r.errors));
      for (const err of r.errors) assert.ok(err.code && err.message);
      for (const d of r.documents) {
        const v = validateDocument({ ...d, tenant: 'acme', id: 'x', source: { endpoint: 'api' }, receivedAt: '2026-11-22T00:00:00Z', occurredAt: d.occurredAt ?? '2026-11-22T00:00:00Z', entityKey: entityKeyFor(d) ?? 'k' });
        if (v.ok) withDocs++;
        else {
          withErrors++;
          for (const e of v.errors) assert.match(e.path ?? '', /^\$/);
        }
      }
      if (r.errors.length) withErrors++;
    }
    assert.ok(withDocs > 100 && withErrors > 1000, `a mix of survivors (${withDocs}) and errors (${withErrors})`);
  });
});
