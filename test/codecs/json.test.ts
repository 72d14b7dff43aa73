import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findValueTooDeep, jsonCodec } from '../../src/codecs/index.ts';
import { entityKeyFor, validateDocument } from '../../src/model/index.ts';
import { salesOrder, shipment } from '../support/documents.ts';
import { seededRandom } from '../support/seed.ts';

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

  it('refuses bytes that are not UTF-8, naming the first, rather than reading them as replacement characters', () => {
    const latin1 = Buffer.from('{"type":"sales_order",\n"orderNumber":"SO-1","shipTo":{"name":"Müller"}}', 'latin1');
    const r = jsonCodec.decode(latin1, ctx) as { documents: unknown[]; errors: Array<{ code: string; message: string; position: Record<string, number> }> };
    assert.equal(r.documents.length, 0);
    assert.equal(r.errors[0]!.code, 'JSON_ENCODING');
    assert.deepEqual(r.errors[0]!.position, { line: 2, offset: latin1.indexOf(0xfc) });
    assert.match(r.errors[0]!.message, /^byte \d+ \(line 2\) is not valid UTF-8/);
    const utf8 = jsonCodec.decode(Buffer.from('\ufeff{"type":"sales_order","shipTo":{"name":"Müller"}}', 'utf8'), ctx) as { documents: Array<Record<string, any>>; errors: unknown[] };
    assert.deepEqual(utf8.errors, []);
    assert.equal(utf8.documents[0]!.shipTo.name, 'Müller');
  });

  it('says an empty message is empty', () => {
    const r = jsonCodec.decode(Buffer.from('  \n'), ctx) as { errors: Array<{ code: string }> };
    assert.equal(r.errors[0].code, 'JSON_EMPTY');
  });

  it('survives 10,000 mutated inputs: documents or positioned errors, never a throw', (t) => {
    const rand = seededRandom(t);
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

  describe('nesting depth', () => {
    type Decoded = { documents: unknown[]; errors: Array<{ code: string; message: string; path?: string; position?: { line: number; column: number; offset: number } }> };
    const decode = (text: string, maxDepth?: number) => jsonCodec.decode(Buffer.from(text), { ...ctx, maxDepth }) as Decoded;
    const nest = (levels: number, leaf = '1') => '{"a":'.repeat(levels - 1) + `{"a":${leaf}}` + '}'.repeat(levels - 1);

    it('refuses nesting deeper than the limit with where it starts, and never throws however deep', () => {
      // The 65th opening bracket is where it goes too deep.
      const cases: Array<[string, number, string]> = [
        ['['.repeat(1_000_000), 64, `$${'[0]'.repeat(64)}`],
        ['{"a":'.repeat(200_000), 64 * 5, `$${'.a'.repeat(64)}`],
        [`[${nest(100_000)}]`, 1 + 63 * 5, `$[0]${'.a'.repeat(63)}`],
      ];
      for (const [text, offset, path] of cases) {
        const r = decode(text);
        assert.equal(r.documents.length, 0);
        assert.equal(r.errors.length, 1);
        assert.equal(r.errors[0].code, 'JSON_TOO_DEEP');
        assert.equal(r.errors[0].path, path);
        assert.deepEqual(r.errors[0].position, { line: 1, column: offset + 1, offset });
        assert.match(r.errors[0].message, new RegExp(`deeper than 64 levels \\(maxJsonDepth\\) at line 1, column ${offset + 1}$`));
      }
      const text = `{"type":"item","sku":"A","extensions":{"partner x":[0,1,${nest(70)}]}}`;
      const r = decode(text);
      assert.equal(r.errors[0].path, `$.extensions["partner x"][2]${'.a'.repeat(61)}`);
      assert.equal(r.errors[0].position!.offset, text.indexOf('[0,1,') + 5 + 61 * 5);
    });

    it('accepts exactly the limit, and takes the limit from the context', () => {
      assert.equal(decode(nest(64)).errors.length, 0);
      assert.equal(decode(nest(65)).errors[0]?.code, 'JSON_TOO_DEEP');
      assert.equal(decode(nest(65), 100).errors.length, 0);
      assert.equal(decode(nest(20), 16).errors[0]?.path, `$${'.a'.repeat(16)}`);
    });

    it('does not count brackets inside strings, escaped quotes included', () => {
      const text = JSON.stringify({ type: 'item', sku: 'A', description: `[{"\\"${'['.repeat(5000)}`, notes: '\\', barcodes: [{ value: '{' }] });
      const r = decode(text);
      assert.deepEqual(r.errors, []);
      assert.equal(r.documents.length, 1);
    });

    it('names the line of a too-deep document in JSON lines', () => {
      const r = decode(`{"type":"item","sku":"A"}\n{"type":"item","sku":"B","extensions":${nest(80)}}\n`);
      assert.equal(r.errors[0].code, 'JSON_TOO_DEEP');
      assert.equal(r.errors[0].position!.line, 2);
      assert.equal(r.errors[0].path, `$.extensions${'.a'.repeat(63)}`);
    });

    it('finds a decoded value nested too deep without recursing', () => {
      let deep: unknown = 1;
      for (let i = 0; i < 100_000; i++) deep = { a: deep };
      assert.equal(findValueTooDeep({ type: 'item', extensions: { x: deep } }, 64, '$[3]'), `$[3].extensions.x${'.a'.repeat(62)}`);
      assert.equal(findValueTooDeep({ lines: [{ lots: [{ lot: 'L1' }] }] }, 64), undefined);
      assert.equal(findValueTooDeep([[[]]], 2), '$[0][0]');
    });
  });

  describe('a key given twice', () => {
    type Decoded = { documents: unknown[]; errors: Array<{ code: string; path?: string; message: string; position?: Record<string, number> }> };
    const decode = (text: string) => jsonCodec.decode(Buffer.from(text), ctx) as Decoded;

    it('refuses the message and names the key, its path and where it is', () => {
      const text = '{"type":"sales_order","orderNumber":"SO-1","lines":[{"lineNumber":1,"sku":"A","quantity":"1","quantity":"100","uom":"EA"}]}';
      const r = decode(text);
      assert.equal(r.documents.length, 0);
      assert.equal(r.errors.length, 1);
      assert.equal(r.errors[0].code, 'JSON_DUPLICATE_KEY');
      assert.equal(r.errors[0].path, '$.lines[0].quantity');
      assert.equal(r.errors[0].position?.offset, text.lastIndexOf('"quantity"'));
      assert.match(r.errors[0].message, /"quantity" is given twice/);
    });

    it('knows a key written with escapes is the same key, and finds it in the JSON lines and arrays', () => {
      assert.equal(decode('{"sku":"A","\u0073ku":"B"}').errors[0]?.code, 'JSON_DUPLICATE_KEY');
      const lines = decode(`${JSON.stringify(salesOrder('A'))}
{"type":"shipment","type":"sales_order"}
`);
      assert.equal(lines.errors[0]?.code, 'JSON_DUPLICATE_KEY');
      assert.equal(lines.errors[0]?.path, '$.type');
      assert.equal(lines.errors[0]?.position?.line, 2);
      assert.equal(decode('[{"a":1},{"b":{"c":1,"c":2}}]').errors[0]?.path, '$[1].b.c');
    });

    it('lets the same key appear in different objects, and a key equal to a value', () => {
      const r = decode(JSON.stringify([salesOrder('A', 5), salesOrder('B', 5)]));
      assert.deepEqual(r.errors, []);
      assert.equal(r.documents.length, 2);
      assert.deepEqual(decode('{"sku":"sku","a":{"sku":1},"b":[{"sku":2},{"sku":3}]}').errors, []);
    });

    it('finds a repeat among many keys, and none where there is none', () => {
      const many = Array.from({ length: 200 }, (_, i) => `"k${i}":${i}`);
      assert.deepEqual(decode(`{${many.join(',')}}`).errors, []);
      const r = decode(`{${many.join(',')},"k150":0}`);
      assert.equal(r.errors[0]?.code, 'JSON_DUPLICATE_KEY');
      assert.equal(r.errors[0]?.path, '$.k150');
    });

    it('never flags what JSON.stringify writes, and always flags a key copied into its object (seeded)', (t) => {
      const rand = seededRandom(t);
      const word = () => ['sku', 'qty', 'a', 'é', 'x"y', 'line\n', ''][Math.floor(rand() * 7)]! + String(Math.floor(rand() * 4));
      const value = (depth: number): unknown => {
        const pick = rand();
        if (depth > 3 || pick < 0.4) return pick < 0.2 ? Math.floor(rand() * 100) : word();
        if (pick < 0.7) return Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
        const o: Record<string, unknown> = {};
        for (let i = 0; i < Math.floor(rand() * 6); i++) o[word()] = value(depth + 1);
        return o;
      };
      for (let i = 0; i < 500; i++) {
        const doc: Record<string, unknown> = { type: 'sales_order', extensions: value(0) };
        assert.deepEqual(decode(JSON.stringify(doc)).errors, [], JSON.stringify(doc));
        const text = JSON.stringify(doc);
        const repeated = `${text.slice(0, -1)},"type":"again"}`;
        assert.equal(decode(repeated).errors[0]?.code, 'JSON_DUPLICATE_KEY', repeated);
      }
    });
  });

  describe('half of a UTF-16 pair', () => {
    type Decoded = { documents: Array<Record<string, any>>; errors: Array<{ code: string; path?: string; message: string; position?: Record<string, number> }> };
    const decode = (text: string) => jsonCodec.decode(Buffer.from(text), ctx) as Decoded;

    it('refuses a string holding half a pair, naming its path and column, and reads whole pairs and escaped backslashes', () => {
      const text = '{"type":"sales_order","shipTo":{"name":"M\\u00fcller \\ud800"}}';
      const r = decode(text);
      assert.equal(r.documents.length, 0);
      assert.deepEqual(r.errors.map((e) => [e.code, e.path, e.position?.offset]), [['JSON_LONE_SURROGATE', '$.shipTo.name', text.indexOf('\\ud800')]]);
      assert.match(r.errors[0]!.message, /holds \\ud800 .*half of a UTF-16 pair without its other half/);
      assert.equal(decode('[{"type":"item"},{"type":"item","sku":"\\udc00"}]').errors[0]?.path, '$[1].sku');
      for (const fine of ['"\\ud83d\\ude00"', '"\\\\ud800"', '"\\u00e9"', '"😀"']) {
        const ok = decode(`{"type":"item","description":${fine}}`);
        assert.deepEqual(ok.errors, [], fine);
        assert.equal(ok.documents[0]!.description, JSON.parse(fine), fine);
      }
    });

    /** No half of a pair without its other half (String.prototype.isWellFormed, which this TypeScript lib does not declare). */
    const wellFormed = (text: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);

    it('never flags a string JSON.stringify wrote whole, and always flags one with a lone half (seeded)', (t) => {
      const rand = seededRandom(t);
      const unit = () => {
        const r = rand();
        // ASCII, accents, a whole pair (an emoji), a high half alone, a low half alone, a backslash.
        return r < 0.5 ? String.fromCharCode(32 + Math.floor(rand() * 95)) : r < 0.7 ? 'é' : r < 0.85 ? '😀' : r < 0.9 ? '\ud800' : r < 0.95 ? '\udfff' : '\\';
      };
      for (let i = 0; i < 2000; i++) {
        const text = Array.from({ length: 1 + Math.floor(rand() * 12) }, unit).join('');
        const r = decode(JSON.stringify({ type: 'item', description: text }));
        assert.equal(r.errors.length > 0, !wellFormed(text), JSON.stringify(text));
        if (r.errors.length) assert.equal(r.errors[0]!.code, 'JSON_LONE_SURROGATE');
      }
    });
  });

  describe('a number JSON.parse cannot read exactly', () => {
    type Decoded = { documents: Array<Record<string, any>>; errors: Array<{ code: string; path?: string; message: string; position?: Record<string, number> }> };
    const decode = (text: string) => jsonCodec.decode(Buffer.from(text), ctx) as Decoded;
    const quantity = (q: string) => decode(`{"type":"sales_order","lines":[{"lineNumber":1,"quantity":${q}}]}`);

    it('refuses the message, names the path and what it would have become, and says to send a string', () => {
      for (const [q, becomes] of [['12345678901234567890', '12345678901234567000'], ['1.00000000000000000001', '1'], ['9007199254740993', '9007199254740992'], ['1e400', 'Infinity'], ['1e-400', '0']]) {
        const r = quantity(q!);
        assert.equal(r.documents.length, 0, q);
        assert.equal(r.errors[0]?.code, 'JSON_NUMBER_INEXACT', q);
        assert.equal(r.errors[0]?.path, '$.lines[0].quantity', q);
        assert.ok(r.errors[0]?.message.includes(`would make it ${becomes}; send it as a string, "${q}"`), r.errors[0]?.message);
      }
    });

    it('reads every number a double keeps, however it is written', () => {
      for (const q of ['0', '-0', '2.50', '0.1', '1e2', '1.5E+3', '-0.0e5', '9007199254740992', '123456789012345.6', '0.000000000000000000001', '100000000000000000000000', '-17.25']) {
        const r = quantity(q);
        assert.deepEqual(r.errors, [], q);
        assert.equal(r.documents[0]!.lines[0].quantity, Number(q), q);
      }
    });

    it('never flags a number JSON.stringify wrote (seeded)', (t) => {
      const rand = seededRandom(t);
      for (let i = 0; i < 2000; i++) {
        const scale = 10 ** Math.floor(rand() * 40 - 20);
        const n = (rand() - 0.5) * scale;
        const text = JSON.stringify({ type: 'sales_order', n, m: Math.round(n), k: [n / 3] });
        assert.deepEqual(decode(text).errors, [], text);
      }
    });
  });
});
