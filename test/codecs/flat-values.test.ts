import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileDateFormat, formatDecimal, parseDate, parseDateTime, parseDecimal } from '../../src/codecs/flat/values.ts';

test('decimals: a point or a comma, thousands, implied decimals, and what is refused', () => {
  const point = { decimalSeparator: '.' as const };
  const comma = { decimalSeparator: ',' as const };
  const cases: Array<[string, object, string | undefined]> = [
    ['12', point, '12'], ['12.50', point, '12.5'], ['12.000', point, '12'], ['0', point, '0'], ['007', point, '7'], ['-3.5', point, '-3.5'], ['+4', point, '4'],
    ['12,50', comma, '12.5'], ['1,0', comma, '1'], ['12.5', comma, undefined], ['1.234,5', { ...comma, thousandsSeparator: '.' }, '1234.5'],
    ['001250', { ...point, impliedDecimals: 2 }, '12.5'], ['5', { ...point, impliedDecimals: 3 }, '0.005'], ['-150', { ...point, impliedDecimals: 2 }, '-1.5'],
    ['', point, undefined], ['1.', point, undefined], ['.5', point, undefined], ['1e5', point, undefined], ['12,5', point, undefined], ['1 000', point, undefined],
  ];
  for (const [text, style, want] of cases) assert.equal(parseDecimal(text, style as never), want, `${text} ${JSON.stringify(style)}`);
  assert.equal(formatDecimal('12.5', { decimalSeparator: ',' }), '12,5');
  assert.equal(formatDecimal('12.5', { decimalSeparator: '.', impliedDecimals: 3 }), '12500');
  assert.equal(formatDecimal('-0.05', { decimalSeparator: '.', impliedDecimals: 2 }), '-5');
});

test('dates: formats, calendar checks, and local times in a zone with its summer time', () => {
  const de = compileDateFormat('DD.MM.YYYY');
  assert.equal(parseDate('29.02.2028', de), '2028-02-29');
  assert.equal(parseDate('29.02.2027', de), undefined);
  assert.equal(parseDate('31.04.2027', de), undefined);
  assert.equal(parseDate('1.2.2027', compileDateFormat('D.M.YYYY')), '2027-02-01');
  assert.equal(parseDate('270201', compileDateFormat('YYMMDD')), '2027-02-01');
  const stamp = compileDateFormat('YYYYMMDDHHmm');
  assert.equal(parseDateTime('202603290130', stamp, 'Europe/Berlin'), '2026-03-29T01:30:00+01:00');
  assert.equal(parseDateTime('202603290330', stamp, 'Europe/Berlin'), '2026-03-29T03:30:00+02:00');
  assert.equal(parseDateTime('202601011200', stamp, '-05:00'), '2026-01-01T12:00:00-05:00');
  assert.throws(() => compileDateFormat('MM/DD'), /needs a year/);
});
