// The segments of the sets Causeway reads and writes: their elements in order, each with its requirement
// (M mandatory, O optional, X conditional on a syntax note) and its element reference number, then the
// syntax notes after '|'. Notation, one string per segment:
//   M98          element 98, mandatory            OC040      composite C040, optional
//   O=ID:1/1      an element given inline by type and length (no reference number kept here)
//   +            more elements follow that are not checked (the segment is known only up to here)
//   P0304        paired: if either 03 or 04 is present, both are
//   R0203        at least one of 02, 03
//   C0605        if 06 is present, 05 is too         L010203    if 01 is present, one of 02, 03 is too
//   E0204        not both of 02, 04
// A segment listed with '' is known by its place in a set only: its elements are not checked.

export type SegmentTable = Readonly<Record<string, string>>;

/** `pairs` product id pairs (qualifier 235, id 234) from element `first` on, each pair paired; and whatever comes before and after. */
function withProductPairs(before: string, first: number, pairs: number, after = ''): string {
  const els: string[] = [];
  const notes: string[] = [];
  for (let i = 0; i < pairs; i++) {
    els.push('X235', 'X234');
    notes.push(`P${pad(first + 2 * i)}${pad(first + 2 * i + 1)}`);
  }
  return `${before} ${els.join(' ')}${after ? ' ' + after : ''} | ${notes.join(' ')}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Composite elements: components in the same notation. */
export const COMPOSITES_004010: SegmentTable = {
  C040: 'M128 M127 X128 X127 X128 X127 | P0304 P0506',
  C001: 'M355 +',
  C030: 'M722 O1528',
};

export const COMPOSITES_005010: SegmentTable = {
  ...COMPOSITES_004010,
  C030: 'M722 O1528 O1686',
};

export const SEGMENTS_004010: SegmentTable = {
  // Parties, references, dates, notes: shared by every set.
  N1: 'M98 X93 X66 X67 O706 O98 | R0203 P0304',
  N2: 'M93 O93',
  N3: 'M166 O166',
  N4: 'O19 O156 O116 O26 X309 O310 | C0605',
  PER: 'M366 O93 X365 X364 X365 X364 X365 X364 O443 | P0304 P0506 P0708',
  G61: 'M366 M93 X365 X364 O443 | P0304',
  REF: 'M128 X127 X352 OC040 | R0203',
  N9: 'M128 X127 X369 O373 X337 O623 OC040 | R0203 C0605',
  G62: 'X432 X373 X176 X337 O623 | R0103 P0102 P0304',
  DTM: 'M374 X373 X337 O623 X1250 X1251 | R020305 C0403 P0506',
  NTE: 'O363 M352',
  MAN: 'M88 M87 O87 X88 X87 O87 | P0405',
  QTY: 'M673 X380 OC001 X61 | R0204 E0204',
  AMT: 'M522 M782 O478',
  CUR: 'M98 M100 +',
  LX: 'M554',
  G69: 'M=AN:1/45',
  CTT: 'M354 O347 +',
  // Warehouse sets (940, 943, 944, 945, 947).
  W05: 'M473 M285 O324 O127 +',
  W66: 'M146 M91 O=ID:1/1 O=ID:2/2 O387 O=ID:2/2 O=AN:1/30 X=ID:1/1 X=N2:1/9 O140 | P0809',
  W01: withProductPairs('M330 M355 X438', 4, 2, '+'),
  W76: 'M330 +',
  W06: 'M514 O285 O373 O145 O531 O324 X474 X472 O152 O=ID:2/2 O640 O306 | P0708',
  W27: 'M91 O140 O387 O146 +',
  W12: 'M368 O330 X382 X383 X355 O438 X235 X234 O461 +',
  W03: 'M382 O81 X355 O183 X355 O80 +',
  W04: 'M382 M355 X438 X235 X234 +',
  W17: 'M514 M373 M=AN:1/30 O285 O145 +',
  W07: 'M380 M355 X438 X235 X234 O461 +',
  W14: 'M380 +',
  W15: 'M373 X=AN:1/22 X=AN:1/22 +',
  W19: 'M=ID:2/2 M380 M355 X438 X235 X234 +',
  // Ship notice, inventory advice, purchase order.
  BSN: 'M353 M396 M373 M337 O1005 O640 O641 +',
  HL: 'M628 O734 M735 O736',
  LIN: withProductPairs('O350 M235 M234', 4, 14),
  SN1: 'O350 M382 M355 O646 X330 X355 O728 O668 | P0506',
  PRF: 'M324 O328 O327 O373 O350 O367 O92 +',
  PO4: 'O356 O357 X355 O103 O187 X384 X355 X385 X355 O82 X189 X65 X355 +',
  TD1: 'O103 X80 O=ID:1/1 X=AN:1/30 O=AN:1/50 O187 X81 X355 O183 X355 +',
  TD5: 'O133 X66 X67 X91 X387 +',
  BIA: 'M353 M755 M127 M373 O337 O306',
  BEG: 'M353 M92 M324 O328 M373 +',
  PO1: withProductPairs('O350 X330 O355 X212 O639', 6, 10),
  // Functional acknowledgment (997); the 999 adds IK3, IK4, IK5 in 005010.
  AK1: 'M479 M28',
  AK2: 'M143 M329',
  AK3: 'M721 M719 O447 O720',
  AK4: 'MC030 O725 M723 O724',
  AK5: 'M717 O718 O718 O718 O718 O718',
  AK9: 'M715 M97 M123 M2 O716 O716 O716 O716 O716',
};

export const SEGMENTS_005010: SegmentTable = {
  ...SEGMENTS_004010,
  N4: 'O19 X156 O116 X26 X309 O310 X1715 | E0207 C0605 C0704',
  AK1: 'M479 M28 O480',
  AK2: 'M143 M329 O1705',
  IK3: 'M721 M719 O447 O=ID:1/3',
  IK4: 'MC030 O725 M=ID:1/3 O724',
  IK5: 'M717 O=ID:1/3 O=ID:1/3 O=ID:1/3 O=ID:1/3 O=ID:1/3',
  CTX: '',
};
