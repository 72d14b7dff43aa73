// A stored message past 8 MB is read in windows; it must read exactly as the same text in one piece.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readX12, type X12Item } from '../../src/edi/x12/index.ts';
import { envelope } from './x12-helpers.ts';

const summary = (it: X12Item) => (it.kind === 'set'
  ? `set ${it.set.id} ${it.set.controlNumber} @${it.set.offset} ${it.set.segments.length} errors=${it.set.errors.length}`
  : it.kind === 'error' ? `error ${it.error.code} @${it.error.position.offset}` : it.kind);

test('a large stored message is read in windows, item for item as the whole text', () => {
  const one = envelope('OW', Array.from({ length: 40 }, (_, i) => ({
    id: '940',
    body: `W05*N*SO-${i}*PO-${i}~N1*ST*Northwind DC*9*0012345678901~W66*PP*M***UPSN~LX*1~W01*${i + 1}*EA**VN*SKU-${i % 7}~N9*LI*1~W76*${i + 1}~`,
  })));
  // Interchanges repeated past the windowing threshold, with one broken set in the middle.
  const parts: string[] = [];
  let size = 0;
  for (let n = 0; size < 9 * 1024 * 1024; n++) {
    const text = n === 50 ? one.replace('SE*9*0007', 'SE*12*0007') : one;
    parts.push(text);
    size += text.length;
  }
  const whole = parts.join('\n');
  const fromString = [...readX12(whole)].map(summary);
  const fromBuffer = [...readX12(Buffer.from(whole, 'latin1'))].map(summary);
  assert.ok(Buffer.byteLength(whole, 'latin1') > 8 * 1024 * 1024);
  assert.equal(fromBuffer.length, fromString.length);
  assert.deepEqual(fromBuffer, fromString);
  assert.ok(fromBuffer.filter((s) => s.startsWith('set 940')).length > 10_000);
  assert.ok(fromBuffer.some((s) => / errors=[1-9]/.test(s)), 'the broken set is found at the same place');
});
