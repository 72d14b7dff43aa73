// Large X12 files made at run time (never committed): interchanges of one group of 940 or 856
// sets, numbered 1, 2, 3... so a test can check that every set came through.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

function interchangeHeader(n: number, gs01: string): string {
  const isa13 = String(n).padStart(9, '0');
  return `ISA*00*          *00*          *ZZ*DEPOSITOR      *ZZ*WAREHOUSE      *260301*1000*U*00401*${isa13}*0*P*>~\nGS*${gs01}*DEPOSITOR*WAREHOUSE*20260301*1000*${n}*X*004010~\n`;
}

/**
 * A 940 for order SO<n>; `broken` gives its first line a quantity that is not a number, `warned`
 * leaves out its ship-to (read, with a warning).
 */
export function set940(n: number, broken = false, warned = false): string {
  const st = String(n % 100000).padStart(5, '0');
  const shipTo = warned ? '' : `N1*ST*Customer ${n}*92*C${n % 5000}~\nN3*${n % 900} Harbour Road~\nN4*Portland*OR*97201*US~\n`;
  let body = `W05*N*SO${n}*PO${n}~\n${shipTo}N1*WH*Portland DC*9*PDX1~\nG62*10*20260305~\nW66*PP*U***GROUND*****UPSN~\n`;
  const lines = 3 + (n % 5);
  for (let l = 1; l <= lines; l++) body += `LX*${l}~\nW01*${broken && l === 1 ? 'TWO' : l * 2}*EA**VN*SKU-${(n * 7 + l) % 20000}*UP*0123456${String(l).padStart(5, '0')}~\nG69*Item ${l} description~\n`;
  body += `W76*${lines}~\n`;
  const count = body.split('~').length - 1 + 2;
  return `ST*940*${st}~\n${body}SE*${count}*${st}~\n`;
}

export function set856(n: number): string {
  const st = String(n % 100000).padStart(5, '0');
  let body = `BSN*00*ASN${n}*20260302*0800*0001~\nHL*1**S~\nTD1*CTN*4****G*24*LB~\nTD5**2*ODFL**GROUND~\nREF*BM*BOL${n}~\nDTM*011*20260302~\nN1*SF*Portland DC*92*PDX1~\nHL*2*1*O~\nPRF*PO${n}~\n`;
  let hl = 2;
  for (let p = 0; p < 4; p++) {
    const pack = ++hl;
    body += `HL*${pack}*2*P~\nMAN*GM*00${String(n * 4 + p).padStart(18, '0')}~\n`;
    for (let i = 0; i < 2; i++) body += `HL*${++hl}*${pack}*I~\nLIN*${p * 2 + i + 1}*VN*SKU-${(n + p + i) % 20000}~\nSN1**${6 + i}*EA~\n`;
  }
  body += `CTT*${hl}~\n`;
  const count = body.split('~').length - 1 + 2;
  return `ST*856*${st}~\n${body}SE*${count}*${st}~\n`;
}

export interface GeneratedX12 {
  sets: number;
  bytes: number;
}

/**
 * Writes a file of about `mb` megabytes: interchanges of one group with `setsPerGroup` sets each.
 * `broken`: the numbers of 940 sets to spoil (a quantity that is not a number); `warned`: those
 * to send without a ship-to.
 */
export async function generateX12(path: string, kind: '940' | '856', mb: number, options: { setsPerGroup?: number; broken?: ReadonlySet<number>; warned?: ReadonlySet<number> } = {}): Promise<GeneratedX12> {
  const perGroup = options.setsPerGroup ?? 500;
  const out = createWriteStream(path);
  const target = mb * 1024 * 1024;
  let written = 0;
  let n = 1;
  let ic = 1;
  while (written < target) {
    let chunk = interchangeHeader(ic, kind === '940' ? 'OW' : 'SH');
    for (let s = 0; s < perGroup; s++) {
      chunk += kind === '940' ? set940(n, options.broken?.has(n), options.warned?.has(n)) : set856(n);
      n++;
    }
    chunk += `GE*${perGroup}*${ic}~\nIEA*1*${String(ic).padStart(9, '0')}~\n`;
    ic++;
    written += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return { sets: n - 1, bytes: written };
}
