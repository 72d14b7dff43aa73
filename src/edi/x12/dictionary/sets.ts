// The transaction sets Causeway reads and writes: the segments of each in the order the standard places
// them, with their requirement and maximum use, and the loops with their maximum repeat. ST and SE are the
// envelope's and are not listed. Notation, one string per set:
//   W06:M:1           segment W06, mandatory, used at most once
//   N9:O:>1           optional, no maximum
//   [N1:M:10 ... ]    a loop, mandatory, repeated at most 10 times; its first segment begins each repeat
// Segments are separated by spaces; a loop's contents sit between its '[' and ']'.

export type SetTable = Readonly<Record<string, string>>;

const N1_LOOP = (req: 'M' | 'O', max: number | '>1', extra = ''): string => `[N1:${req}:${max} N1:M:1 N2:O:2 N3:O:2 N4:O:1 ${extra}]`;
/** Hazardous material information, where a warehouse set carries it per line. */
const HAZARDOUS = 'LH1:O:1 LH2:O:4 LH3:O:10 LFH:O:20 LEP:O:3 LHR:O:10 LHT:O:3';

/** The 944's receipt line: W07 with its description, references, dates, quantities and exceptions (W13). */
const W07_LOOP = (req: 'M' | 'O'): string =>
  `[W07:${req}:>1 W07:M:1 G69:O:5 N9:O:200 G62:O:5 QTY:O:10 W20:O:1 MAN:O:>1 [W13:O:>1 W13:M:1 G69:O:5 N9:O:10 MAN:O:>1] [FA1:O:>1 FA1:M:1 FA2:M:>1]]`;

/** The 943's line: W04 with its description, references, dates, quantities and hazardous material. */
const W04_LOOP = (req: 'M' | 'O'): string =>
  `[W04:${req}:>1 W04:M:1 G69:O:5 N9:O:200 G62:O:5 QTY:O:10 AMT:O:10 MAN:O:>1 ${HAZARDOUS} [FA1:O:>1 FA1:M:1 FA2:M:>1]]`;

export const SETS_004010: SetTable = {
  '940': [
    'W05:M:1', N1_LOOP('O', 10, 'PER:O:5'), 'N9:O:10 G61:O:3 G62:O:10 NTE:O:>1 W09:O:1 W66:O:1 W6:O:1 W27:O:1 [LM:O:10 LM:M:1 LQ:M:100]',
    '[LX:M:>1 LX:M:1 MAN:O:>1',
    `[W01:M:>1 W01:M:1 G69:O:5 N9:O:200 NTE:O:>1 W20:O:3 QTY:O:10 AMT:O:1 G62:O:10 G66:O:1 MAN:O:>1 ${HAZARDOUS} [FA1:O:>1 FA1:M:1 FA2:M:>1]]`,
    ']',
    'W76:O:1',
  ].join(' '),
  '945': [
    'W06:M:1', N1_LOOP('M', 10, 'PER:O:5'), 'N9:O:10 G61:O:3 G62:O:5 NTE:O:20 W27:O:1 W6:O:1 W28:O:1 W10:O:10 G72:O:5',
    '[LX:M:>1 LX:M:1 MAN:O:>1 PAL:O:1',
    `[W12:M:>1 W12:M:1 G69:O:5 N9:O:200 W10:O:3 QTY:O:10 AMT:O:10 G62:O:10 MAN:O:>1 ${HAZARDOUS} [FA1:O:>1 FA1:M:1 FA2:M:>1]]`,
    ']',
    'W03:M:1',
  ].join(' '),
  '943': [
    'W06:M:1', N1_LOOP('M', 10, 'PER:O:5'), 'N9:O:10 G61:O:3 G62:O:5 NTE:O:20 W27:O:1 W28:O:1 W10:O:1',
    // Like the 944's lines: on their own, or (as some partners send them) each under an LX.
    `[LX:O:>1 LX:M:1 MAN:O:>1 N9:O:>1 ${W04_LOOP('M')}]`,
    W04_LOOP('O'),
    'W03:M:1',
  ].join(' '),
  '944': [
    'W17:M:1', N1_LOOP('M', 10, 'PER:O:5'), 'N9:O:10 G61:O:3 G62:O:5 NTE:O:20 W27:O:1 W10:O:1',
    // 004010 lists the W07 loop on its own; later releases put it under an LX loop, which partners also send.
    `[LX:O:>1 LX:M:1 MAN:O:>1 PAL:O:1 N9:O:>1 ${W07_LOOP('M')}]`,
    W07_LOOP('O'),
    'W14:M:1',
  ].join(' '),
  '947': [
    'W15:M:1', N1_LOOP('M', 100, 'PER:O:5'), 'N9:O:10 G61:O:3 G62:O:5 NTE:O:20 [LM:O:10 LM:M:1 LQ:M:100]',
    '[LX:M:>1 LX:M:1',
    '[W19:M:>1 W19:M:1 G69:O:5 N9:O:10 W20:O:1 W22:O:1 G62:O:10 QTY:O:10 G66:O:1]',
    ']',
  ].join(' '),
  '856': [
    'BSN:M:1 DTM:O:10',
    '[HL:M:200000 HL:M:1 LIN:O:1 SN1:O:1 SLN:O:1000 PRF:O:1 PO4:O:1 PID:O:200 MEA:O:40 PWK:O:25 PKG:O:25 TD1:O:20 TD5:O:10 TD3:O:12 TD4:O:5 TSD:O:1 REF:O:200 PER:O:3',
    '[LH1:O:100 LH1:M:1 LH2:O:4 LH3:O:10 LFH:O:20 LEP:O:3 LH4:O:1 LHT:O:3 LHR:O:10 PER:O:5 LHE:O:1]',
    '[CLD:O:200 CLD:M:1 REF:O:200 DTP:O:1]',
    'MAN:O:>1 DTM:O:10 FOB:O:1 PAL:O:1',
    '[N1:O:200 N1:M:1 N2:O:2 N3:O:2 N4:O:1 REF:O:12 PER:O:3 FOB:O:1]',
    'SDQ:O:50 ETD:O:1 CUR:O:1 [SAC:O:>1 SAC:M:1 CUR:O:1] GF:O:1 YNQ:O:10 [LM:O:10 LM:M:1 LQ:M:100] [V1:O:>1 V1:M:1 R4:O:>1 DTM:O:>1] NTE:O:>1 QTY:O:>1 AMT:O:>1 ITD:O:>1',
    ']',
    'CTT:O:1',
  ].join(' '),
  '846': [
    'BIA:M:1 CUR:O:1 DTM:O:10 REF:O:12 PER:O:3 MEA:O:20',
    '[N1:O:5 N1:M:1 N2:O:2 N3:O:2 N4:O:1 REF:O:12 PER:O:3]',
    '[LM:O:10 LM:M:1 LQ:M:100]',
    '[LIN:M:10000 LIN:M:1 SLN:O:100 PID:O:200 SAC:O:25 AMT:O:10 MEA:O:40 PWK:O:25 PKG:O:25 TD1:O:2 TD5:O:10 TD3:O:12 TD4:O:5 DTM:O:10 CTP:O:25 PO4:O:1 REF:O:12 PER:O:3 MAN:O:10 G39:O:1',
    '[QTY:O:>1 QTY:M:1 UIT:O:1 SCH:O:25 DTM:O:10 REF:O:12]',
    '[LDT:O:>1 LDT:M:1 QTY:O:>1 MEA:O:10 DTM:O:10]',
    '[N1:O:>1 N1:M:1 N2:O:2 N3:O:2 N4:O:1 REF:O:12 PER:O:3]',
    ']',
    'CTT:O:1 N9:O:>1',
  ].join(' '),
  '850': [
    'BEG:M:1 CUR:O:1 REF:O:>1 PER:O:3 TAX:O:>1 FOB:O:>1 CTP:O:>1 PAM:O:10 CSH:O:5 TC2:O:>1 [SAC:O:25 SAC:M:1 CUR:O:1] ITD:O:>1 DIS:O:20 INC:O:1 DTM:O:10 LDT:O:12',
    'SI:O:>1 PID:O:200 MEA:O:40 PWK:O:25 PKG:O:200 TD1:O:2 TD5:O:12 TD3:O:12 TD4:O:5 NTE:O:>1 MAN:O:10 PCT:O:>1 CTB:O:5 TXI:O:>1 AMT:O:>1',
    '[N9:O:1000 N9:M:1 DTM:O:>1 MSG:O:1000]',
    '[N1:O:200 N1:M:1 N2:O:2 N3:O:2 N4:O:>1 NX2:O:>1 REF:O:12 PER:O:>1 SI:O:>1 FOB:O:1 TD1:O:2 TD5:O:12 TD3:O:12 TD4:O:5 PKG:O:200]',
    '[PO1:M:100000 PO1:M:1 LIN:O:>1 SI:O:>1 CUR:O:1 CTP:O:>1 PO3:O:25 PO4:O:>1 PID:O:>1 MEA:O:40 PWK:O:25 PKG:O:200 PO4:O:>1 REF:O:>1 PER:O:3 SAC:O:>1 IT8:O:1 ITD:O:>1 DIS:O:20 INC:O:1 TAX:O:>1 FOB:O:>1 SDQ:O:500 DTM:O:10 FST:O:>1 TD1:O:1 TD5:O:12 TD3:O:12 TD4:O:5 PCT:O:>1 MAN:O:10 MSG:O:>1 SPI:O:>1 TXI:O:>1 CTB:O:>1 QTY:O:>1 SCH:O:200 NTE:O:>1 SLN:O:>1 N9:O:>1 N1:O:>1 N2:O:2 N3:O:2 N4:O:1 ADV:O:>1 AMT:O:>1]',
    '[CTT:O:1 CTT:M:1 AMT:O:1]',
  ].join(' '),
  '997': 'AK1:M:1 [AK2:O:>1 AK2:M:1 [AK3:O:>1 AK3:M:1 AK4:O:99] AK5:M:1] AK9:M:1',
};

export const SETS_005010: SetTable = {
  ...SETS_004010,
  '999': 'AK1:M:1 [AK2:O:>1 AK2:M:1 [IK3:O:>1 IK3:M:1 CTX:O:10 [IK4:O:>1 IK4:M:1 CTX:O:10]] IK5:M:1] AK9:M:1',
};
