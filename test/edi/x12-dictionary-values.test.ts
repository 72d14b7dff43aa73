// The dictionary's element check against a plain reading of the standard (seeded random values): the
// check takes a fast path for values that are valid as they stand, and must judge every value exactly
// as the rules say — a number, a code, a string, a date, a time — whatever path it takes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readX12, validateSet } from '../../src/edi/x12/index.ts';
import type { TransactionSet } from '../../src/edi/x12/index.ts';
import { seededRandom } from '../support/seed.ts';
import { envelope } from './x12-helpers.ts';

const isDigits = (v: string) => /^[0-9]+$/.test(v);
const digitCount = (v: string) => v.replace(/[^0-9]/g, '').length;
/** No control character, DEL, component (>) separator: 004010 has no repetition separator. */
const clean = (v: string) => !/[\x00-\x1f\x7f>]/.test(v);

function realDate(v: string): boolean {
  if (!isDigits(v) || v.length !== 8) return false;
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(4, 6));
  const d = Number(v.slice(6, 8));
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function realTime(v: string): boolean {
  if (!isDigits(v) || v.length < 4 || v.length === 5 || v.length > 8) return false;
  const h = Number(v.slice(0, 2));
  const mi = Number(v.slice(2, 4));
  const s = v.length >= 6 ? Number(v.slice(4, 6)) : 0;
  return h <= 23 && mi <= 59 && s <= 59;
}

/** Where each value goes in a valid 940, and whether the standard accepts it there. */
const slots: Array<{ name: string; segment: string; element: number; valid: (v: string) => boolean }> = [
  // W01-01 quantity ordered: R 1/15 (digits counted, an optional minus and one point).
  { name: 'R', segment: 'W01', element: 1, valid: (v) => /^-?([0-9]+\.?[0-9]*|\.[0-9]+)$/.test(v) && digitCount(v) >= 1 && digitCount(v) <= 15 },
  // LX-01 assigned number: N0 1/6.
  { name: 'N0', segment: 'LX', element: 1, valid: (v) => /^-?[0-9]+$/.test(v) && digitCount(v) <= 6 },
  // W01-02 unit: ID 2/2, a code of upper-case letters and digits.
  { name: 'ID', segment: 'W01', element: 2, valid: (v) => /^[A-Z0-9]{2}$/.test(v) },
  // G69-01 description: AN 1/45.
  { name: 'AN', segment: 'G69', element: 1, valid: (v) => clean(v) && v.length <= 45 },
  // G62-02 date: DT 8/8.
  { name: 'DT', segment: 'G62', element: 2, valid: realDate },
  // W05-01 order status: one of N, R, F, D.
  { name: 'code', segment: 'W05', element: 1, valid: (v) => ['N', 'R', 'F', 'D'].includes(v) },
];

const timeSlot = { name: 'TM', segment: 'G62', element: 4, valid: realTime };

const BODY = 'W05*N*SO-1*PO-1~N1*ST*Jane~N1*WH**9*PDX1~G62*10*20260305*1*1200~W66*PP*U~LX*1~W01*2*EA**VN*SKU~G69*Mug~';

function setWith(segment: string, element: number, value: string): TransactionSet {
  const body = BODY.split('~').filter(Boolean).map((s) => s.split('*'));
  const seg = body.find((s) => s[0] === segment)!;
  seg[element] = value;
  const text = envelope('OW', [{ id: '940', body: body.map((s) => s.join('*')).join('~') + '~' }]);
  for (const it of readX12(text)) if (it.kind === 'set') return it.set;
  throw new Error('no set');
}

function randomValue(rnd: () => number): string {
  const alphabets = ['0123456789', '0123456789.', '0123456789.-', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 'abcXYZ 09-./#', '0123456789\u0001>\u007f', 'Aé0'];
  const a = alphabets[Math.floor(rnd() * alphabets.length)]!;
  const len = 1 + Math.floor(rnd() * (rnd() < 0.8 ? 9 : 60));
  let v = '';
  for (let i = 0; i < len; i++) v += a[Math.floor(rnd() * a.length)];
  return v;
}

test('every element value is judged as the standard says, valid or not', (t) => {
  const rnd = seededRandom(t);
  let valid = 0;
  let invalid = 0;
  for (let n = 0; n < 6000; n++) {
    const slot = n % 7 === 6 ? timeSlot : slots[n % 6]!;
    // Dates and times get mostly digits, so that real and impossible ones both come up.
    const v = slot.name === 'DT' ? String(19000101 + Math.floor(rnd() * 2000000)) : slot.name === 'TM' ? String(Math.floor(rnd() * 10 ** (4 + Math.floor(rnd() * 5)))).padStart(4, '0') : randomValue(rnd);
    const errors = validateSet(setWith(slot.segment, slot.element, v)).filter((e) => e.position.segmentId === slot.segment && e.position.element === slot.element);
    const expected = slot.valid(v);
    assert.equal(errors.length === 0, expected, `${slot.name} ${slot.segment}-${slot.element} ${JSON.stringify(v)}: ${errors.map((e) => e.code).join(', ') || 'accepted'}`);
    if (expected) valid++;
    else invalid++;
  }
  assert.ok(valid > 1000 && invalid > 1000, `both kinds were tried (${valid} valid, ${invalid} invalid)`);
});
