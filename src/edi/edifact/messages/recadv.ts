// RECADV (receiving advice) <-> receipt: per LIN what was received and accepted (QTY 194), received but not
// accepted (QTY 195, the damaged quantity) and expected (QTY 12, despatched), with lot, best-before date and serials.
import { entityKeyFor } from '../../../model/index.ts';
import type { Receipt } from '../../../model/index.ts';
import type { EdifactSegmentData } from '../generator.ts';
import type { EdifactMessage } from '../reader.ts';
import type { Segment } from '../tokenizer.ts';
import {
  addItemId, addPiaIds, beginMessage, documentHead, dtmDate, dtmDateTime, emptyIds, occurredAt, otherSegment, readNad, skuOf, writeDecimal, writeItem, writeNad, writeSerials,
  type DecodeContext, type ItemIds, type MessageDecodeResult, type MessageEncodeResult, type MessageOptions,
} from './common.ts';

const KNOWN = new Set(['BGM', 'DTM', 'RFF', 'NAD', 'LOC', 'CTA', 'COM', 'TDT', 'TOD', 'CPS', 'PAC', 'MEA', 'PCI', 'GIN', 'LIN', 'PIA', 'IMD', 'QTY', 'QVR', 'FTX', 'CNT', 'DLM', 'MOA', 'ALI', 'EQD', 'HAN', 'GIR', 'PRI', 'CUX', 'SEL']);

type Line = Receipt['lines'][number];

export function decodeRecadv(m: EdifactMessage, ctx: DecodeContext): MessageDecodeResult<Receipt> {
  const { r, offset, bgm } = beginMessage(m, ctx);
  if (!bgm) return { documents: [], errors: r.errors };
  const receiptNumber = r.req(bgm, 2, 1, 'document number (the receiving advice number)');
  const references: Array<{ qualifier: string; value: string }> = [];
  let documentDate: string | undefined;
  let receivedDate: string | undefined;
  let poNumber: string | undefined;
  let asnNumber: string | undefined;
  let facility: string | undefined;
  let depositor: string | undefined;
  const lines: Line[] = [];
  let line: (Line & { received?: string }) | null = null;
  let ids: ItemIds = emptyIds();
  let lineSeg: Segment | null = null;
  const closeLine = (): void => {
    if (line === null) return;
    const sku = skuOf(ids);
    if (!sku) r.error('EDIFACT_ELEMENT_MISSING', `Line ${line.lineNumber ?? ''} names no product: LIN C212 or a PIA must give an item number.`, lineSeg ?? undefined, 3, 1);
    line.sku = sku ?? '';
    if (line.lot === undefined && ids.lot !== undefined) line.lot = ids.lot;
    // Without QTY 194 (received and accepted), QTY 48 (received) less the rejected quantity is what went to stock.
    if (line.quantity === '' && line.received !== undefined) line.quantity = line.received;
    delete line.received;
    if (line.quantity === '') r.error('EDIFACT_SEGMENT_MISSING', `Line ${line.lineNumber ?? ''} has no QTY 194 (received and accepted) or 48 (received).`, lineSeg ?? undefined);
    else if (sku) lines.push(line);
    line = null;
  };
  for (let seg = r.next(); seg; seg = r.next()) {
    switch (seg.tag) {
      case 'DTM': {
        const q = seg.comp(1, 1);
        if (line !== null) {
          if (q === '361' || (q === '36' && line.expiryDate === undefined)) {
            const d = r.dtm(seg, offset, true);
            if (d) line.expiryDate = d;
          }
        } else if (q === '137') documentDate = r.dtm(seg, offset, false);
        else if (q === '50') receivedDate = r.dtm(seg, offset, false);
        break;
      }
      case 'RFF': {
        const q = seg.comp(1, 1);
        const v = seg.comp(1, 2);
        if (!v) break;
        if (line !== null) {
          if (q === 'BT' && line.lot === undefined) line.lot = v;
        } else if (q === 'ON' && poNumber === undefined) poNumber = v;
        else if (q === 'AAK' && asnNumber === undefined) asnNumber = v;
        else references.push({ qualifier: q, value: v });
        break;
      }
      case 'NAD': {
        const p = readNad(r, seg);
        if (p.qualifier === 'DP' || p.qualifier === 'WH') facility = p.code ?? p.address.name;
        else if (p.qualifier === 'BY') depositor = p.code ?? p.address.name;
        break;
      }
      case 'LIN':
        closeLine();
        ids = emptyIds();
        addItemId(ids, seg, 3);
        lineSeg = seg;
        line = { lineNumber: seg.el(1) || String(lines.length + 1), sku: '', quantity: '', uom: 'EA', damagedQuantity: '0', serials: [] };
        break;
      case 'PIA':
        if (line !== null) addPiaIds(ids, seg);
        break;
      case 'QTY': {
        if (line === null) break;
        const q = seg.comp(1, 1);
        const unit = seg.comp(1, 3);
        const v = r.decimal(seg, 1, 2, 'quantity', false);
        if (v === undefined) break;
        if (q === '194') {
          line.quantity = v;
          if (unit) line.uom = unit;
        } else if (q === '48') {
          line.received = v;
          if (unit && line.quantity === '') line.uom = unit;
        } else if (q === '195') line.damagedQuantity = v;
        else if (q === '12' || (q === '21' && line.expectedQuantity === undefined)) line.expectedQuantity = v;
        break;
      }
      case 'GIN': {
        if (line === null) break;
        const q = seg.el(1);
        for (let n = 2; n <= 6; n++) {
          for (let j = 1; j <= 2; j++) {
            const v = seg.comp(n, j);
            if (!v) continue;
            if (q === 'BN') line.serials.push(v);
            else if (q === 'BX' && line.lot === undefined) line.lot = v;
          }
        }
        break;
      }
      default:
        otherSegment(r, seg, KNOWN);
    }
  }
  closeLine();
  if (!receiptNumber) return { documents: [], errors: r.errors };
  if (lines.length === 0) r.missing('LIN', 'the items received');
  if (facility === undefined) r.missing('NAD+DP', 'the receiving facility (the delivery party)');
  if (r.eancom && !documentDate) r.missing('DTM+137', 'the document date, which EANCOM requires');
  const receipt: Receipt = {
    type: 'receipt',
    ...documentHead(m, ctx, occurredAt(m, ctx, receivedDate ?? documentDate), ''),
    references,
    receiptNumber,
    facility: facility ?? '',
    complete: true,
    lines,
  };
  if (poNumber !== undefined) receipt.poNumber = poNumber;
  if (asnNumber !== undefined) receipt.asnNumber = asnNumber;
  if (depositor !== undefined) receipt.depositor = depositor;
  receipt.entityKey = entityKeyFor(receipt as unknown as Record<string, unknown>)!;
  return { documents: [receipt], errors: r.errors };
}

export function encodeRecadv(doc: Receipt, o: MessageOptions): MessageEncodeResult {
  const segs: EdifactSegmentData[] = [];
  // BGM 632: goods receipt.
  segs.push(['BGM', ['632'], [doc.receiptNumber], '9']);
  segs.push(dtmDateTime('137', doc.occurredAt));
  segs.push(dtmDateTime('50', doc.occurredAt));
  if (doc.poNumber) segs.push(['RFF', ['ON', doc.poNumber]]);
  if (doc.asnNumber) segs.push(['RFF', ['AAK', doc.asnNumber]]);
  for (const ref of doc.references) segs.push(['RFF', [ref.qualifier, ref.value]]);
  if (doc.depositor) segs.push(...writeNad('BY', { code: doc.depositor }, o.directory));
  segs.push(...writeNad('DP', { code: doc.facility }, o.directory));
  let n = 0;
  for (const l of doc.lines) {
    n++;
    segs.push(...writeItem(l.lineNumber ?? String(n), l.sku, { lot: l.lot, eancom: o.eancom }));
    segs.push(['QTY', ['194', writeDecimal(l.quantity, o.decimal), l.uom]]);
    if (l.damagedQuantity !== '0') segs.push(['QTY', ['195', writeDecimal(l.damagedQuantity, o.decimal), l.uom]]);
    if (l.expectedQuantity !== undefined) segs.push(['QTY', ['12', writeDecimal(l.expectedQuantity, o.decimal), l.uom]]);
    if (l.expiryDate) segs.push(dtmDate('361', l.expiryDate));
    writeSerials(segs, l.serials);
  }
  segs.push(['CNT', ['2', String(doc.lines.length)]]);
  return { type: 'RECADV', segments: segs, errors: [] };
}
