// What the set writers share: parties (N1 loops), references (N9 or REF) and carrier segments (W27, TD5).
// Each pushes onto the segments the writer is building, rather than returning arrays to spread.
import type { Address, Party } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import { CARRIER_ACCOUNT_QUALIFIER, PAYMENT_CODE, type Carrier, type Reference } from './common.ts';

/** Writes an N1 loop. The code goes in N1-04 with qualifier N1-03 (default '92', assigned by buyer or agent). */
export function writeN1Loop(out: X12SegmentData[], entity: string, p: { name?: string; code?: string; address?: Address; codeQualifier?: string }): void {
  const a = p.address;
  const name = p.name ?? a?.name ?? '';
  // An N1 needs a name or a code (syntax note R0203): a party with neither has nothing to say.
  if (!name && !p.code) return;
  out.push(['N1', entity, name, p.code ? (p.codeQualifier ?? '92') : '', p.code ?? '']);
  if (!a) return;
  if (a.company) out.push(['N2', a.company]);
  for (let i = 0; i < a.lines.length; i += 2) out.push(['N3', a.lines[i]!, a.lines[i + 1] ?? '']);
  if (a.city || a.region || a.postalCode || a.country) out.push(['N4', a.city ?? '', a.region ?? '', a.postalCode ?? '', a.country ?? '']);
  if (a.phone || a.email) {
    const per: string[] = ['PER', 'IC', ''];
    if (a.phone) per.push('TE', a.phone);
    if (a.email) per.push('EM', a.email);
    out.push(per as unknown as X12SegmentData);
  }
}

/** A party (customer, supplier) as an N1 loop: its name, its code, its address. */
export function writeParty(out: X12SegmentData[], entity: string, party: Party): void {
  writeN1Loop(out, entity, { name: party.name, code: party.code, address: party.address });
}

/** An N1 that only names a code (N1-03 92): a facility, a depositor. Written as is, even when the code is empty. */
export function writeCodedParty(out: X12SegmentData[], entity: string, code: string): void {
  out.push(['N1', entity, '', '92', code]);
}

/** The warehouse (N1 WH, or SF for an 856) and the depositor (N1 DE) when there is one: how the warehouse sets open. */
export function writeFacility(out: X12SegmentData[], entity: 'WH' | 'SF', doc: { facility: string; depositor?: string }): void {
  writeCodedParty(out, entity, doc.facility);
  if (doc.depositor) writeCodedParty(out, 'DE', doc.depositor);
}

/** References as N9 (warehouse sets) or REF segments, but for those written elsewhere in the set. */
export function writeReferences(out: X12SegmentData[], segmentId: 'N9' | 'REF', refs: readonly Reference[], writtenElsewhere?: (ref: Reference) => boolean): void {
  for (const ref of refs) if (!writtenElsewhere?.(ref)) out.push([segmentId, ref.qualifier, ref.value]);
}

/** TD5: TD5-02 2 says TD5-03 is a SCAC; TD5-04 the transportation method; TD5-05 routing is the service. */
export function td5(carrier: Carrier): X12SegmentData {
  return ['TD5', '', carrier.scac ? '2' : '', carrier.scac ?? '', carrier.transportMode ?? '', carrier.service ?? ''];
}

/**
 * W27: W27-01 transportation method (mandatory: M, motor, unless known otherwise); W27-02 SCAC, W27-03
 * routing (the service), W27-04 shipment method of payment.
 */
export function w27(carrier: Carrier | undefined): X12SegmentData {
  const payment = carrier?.paymentTerms ? PAYMENT_CODE[carrier.paymentTerms] : '';
  return ['W27', carrier?.transportMode ?? 'M', carrier?.scac ?? '', carrier?.service ?? '', payment];
}

/** FOB-01 shipment method of payment, when the payment terms are known: how the 850 and 856 say who pays the freight. */
export function writeFob(out: X12SegmentData[], carrier: Carrier | undefined): void {
  if (carrier?.paymentTerms) out.push(['FOB', PAYMENT_CODE[carrier.paymentTerms]]);
}

/** The carrier's billing account, when there is one, as an N9 or REF 12 (no carrier segment has an element for it). */
export function writeCarrierAccount(out: X12SegmentData[], segmentId: 'N9' | 'REF', carrier: Carrier | undefined): void {
  if (carrier?.account) out.push([segmentId, CARRIER_ACCOUNT_QUALIFIER, carrier.account]);
}

/** MAN02 under MAN01 GM: the SSCC-18 with its GS1 application identifier 00 in front, as the label's barcode reads. */
export function ssccWithAi(sscc: string): string {
  return `00${sscc}`;
}
