// The public sample files beside the repository (../shared/samples/x12, see its README): valid ones decode
// without errors, broken ones give the right positioned errors. Skipped, with a message, when absent.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SalesOrder, Shipment } from '../../src/model/index.ts';
import { sampleFolder } from '../support/samples.ts';
import { guidelinesSchema } from '../../src/edi/x12/index.ts';
import { assertRoundTrip, ctx, decodedSets, items } from './x12-helpers.ts';

const { dir, missing } = sampleFolder('x12');

function sample(name: string): Buffer {
  return readFileSync(join(dir, name));
}

function sampleTest(name: string, fn: () => Promise<void> | void): void {
  test(name, async (t) => {
    if (missing) {
      t.skip(missing);
      return;
    }
    await fn();
  });
}

function rejecting(text: Buffer): string[] {
  const out: string[] = [];
  for (const it of items(text)) {
    if (it.kind === 'error') out.push(it.error.code);
    else if ('errors' in it) for (const e of it.errors) if (e.severity === 'error') out.push(e.code);
  }
  return out;
}

sampleTest('940-multi-line: one sales_order with 3 lines in cases', async () => {
  const text = sample('940-multi-line.edi');
  assert.deepEqual(rejecting(text), []);
  const sets = decodedSets(text);
  assert.equal(sets.length, 1);
  const o = sets[0]!.documents[0] as SalesOrder;
  assert.equal(o.orderNumber, '538686');
  assert.deepEqual(o.lines.map((l) => [l.lineNumber, l.quantity, l.uom]), [['1', '12', 'CA'], ['2', '32', 'CA'], ['3', '12', 'CA']]);
  assert.equal(o.requestedShipDate, '2000-02-04');
  assert.equal(o.depositor, '0000000000001');
  assert.equal(o.facility, '0000000000140');
  assert.equal(o.lines[0]!.description, '11.500 STRUD BLUBRY');
  await assertRoundTrip(sets[0]!.documents);
});

sampleTest('940-ups-ground: its W66-09 "43.00" is no N2 amount, so the set is rejected; read without the dictionary, one sales_order, one line in eaches with UPC and SCAC UPSN', async () => {
  const text = sample('940-ups-ground.edi');
  // An N2 amount carries its two decimals implied (4300), and a COD amount needs its W66-08 method.
  const [rejected] = decodedSets(text);
  assert.equal(rejected!.accepted, false);
  assert.deepEqual(rejected!.errors.map((e) => [e.code, e.position.segmentId, e.position.segmentPosition, e.position.element]), [
    ['X12_ELEMENT_INVALID', 'W66', 3, 9], ['X12_ELEMENT_CONDITIONAL', 'W66', 3, 8],
  ]);
  const lenient = { ...ctx, guidelines: guidelinesSchema.parse({ validate: false }) };
  assert.deepEqual(rejecting(text), rejected!.errors.map((e) => e.code));
  const o = decodedSets(text, lenient)[0]!.documents[0] as SalesOrder;
  assert.equal(o.lines.length, 1);
  assert.deepEqual([o.lines[0]!.uom, o.lines[0]!.gtin, o.carrier?.scac], ['EA', '871209028795', 'UPSN']);
  // The file names no ship-to, and an N1 with neither name nor code breaks N1's R0203: read back without the dictionary too.
  await assertRoundTrip([o], undefined, lenient);
});

sampleTest('856-crossdock: 2 orders, 5 packages with SSCCs, 5 item lines', async () => {
  const text = sample('856-crossdock.edi');
  assert.deepEqual(rejecting(text), []);
  const docs = decodedSets(text)[0]!.documents as Shipment[];
  assert.deepEqual(docs.map((d) => d.orderNumber), ['POREF00', 'POREF01']);
  assert.equal(docs.reduce((n, d) => n + d.packages.length, 0), 5);
  assert.equal(docs.reduce((n, d) => n + d.lines.length, 0), 5);
  assert.ok(docs.every((d) => d.packages.every((p) => p.sscc?.length === 18)));
  await assertRoundTrip(docs, '856');
});

sampleTest('940-multiple-interchanges-and-groups: 6 sales_orders, envelopes valid', () => {
  const text = sample('940-multiple-interchanges-and-groups.edi');
  assert.deepEqual(rejecting(text), []);
  const sets = decodedSets(text);
  assert.equal(sets.flatMap((s) => s.documents).filter((d) => d.type === 'sales_order').length, 6);
  assert.deepEqual([...new Set(sets.map((s) => s.set.interchange.controlNumber))], ['000003438', '000003439']);
});

sampleTest('bad-940-se01-count: SE01 count and the W01 quantity, each with its position', () => {
  const [set] = decodedSets(sample('bad-940-se01-count.edi'));
  assert.equal(set!.accepted, false);
  const count = set!.errors.find((e) => e.code === 'X12_SE_COUNT')!;
  assert.deepEqual([count.position.segmentId, count.position.segmentPosition, count.position.element, count.position.set], ['SE', 9, 1, '20066']);
  const qty = set!.errors.find((e) => e.code === 'X12_ELEMENT_MISSING' && e.position.segmentId === 'W01')!;
  assert.deepEqual([qty.position.segmentPosition, qty.position.element, qty.position.interchange, qty.position.group], [5, 1, '000009221', '9221']);
});

sampleTest('bad-control-numbers-mismatch: SE02, GE02 and IEA02 each reported', () => {
  const text = sample('bad-control-numbers-mismatch.edi');
  const codes = rejecting(text);
  for (const c of ['X12_SE_CONTROL', 'X12_GE_CONTROL', 'X12_IEA_CONTROL']) assert.ok(codes.includes(c), `${c} in ${codes.join(', ')}`);
});
