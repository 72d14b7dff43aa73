// INVRPT (inventory report) <-> inventory_snapshot. Each position is a LIN (the SKU, its lot in PIA NB) with
// one quantity group per inventory status: QTY 145 actual stock (available), 66 committed (allocated),
// 124 damaged goods, 89 quality control held (hold), 96 quality control failed (quarantine), 198 in transit.
// The group starts with QTY in D96A (EANCOM 1997) and with INV in D01B (EANCOM 2002).
import { entityKeys } from '../../../model/index.ts';
import type { InventorySnapshot } from '../../../model/index.ts';
import type { EdifactSegmentData } from '../generator.ts';
import type { EdifactMessage } from '../reader.ts';
import type { Segment } from '../tokenizer.ts';
import {
  addItemId, addPiaIds, beginMessage, documentHead, dtmDate, dtmDateTime, emptyIds, occurredAt, otherSegment, readNad, skuOf, writeDecimal, writeItem, writeNad,
  type DecodeContext, type ItemIds, type MessageDecodeResult, type MessageEncodeResult, type MessageOptions,
} from './common.ts';

const KNOWN = new Set(['BGM', 'DTM', 'RFF', 'NAD', 'LOC', 'CTA', 'COM', 'CUX', 'CPS', 'LIN', 'PIA', 'IMD', 'MEA', 'QTY', 'INV', 'ALI', 'GIN', 'GIR', 'STS', 'PAC', 'PCI', 'PRI', 'MOA', 'FTX', 'CNT', 'EQD']);

/** QTY 6063 per inventory status. */
export const STATUS_QUALIFIER: Readonly<Record<string, string>> = { available: '145', damaged: '124', hold: '89', quarantine: '96', in_transit: '198' };
const QUALIFIER_STATUS: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(STATUS_QUALIFIER).map(([s, q]) => [q, s]));
const ALLOCATED = '66';

type Position = InventorySnapshot['positions'][number];

export function decodeInvrpt(m: EdifactMessage, ctx: DecodeContext): MessageDecodeResult<InventorySnapshot> {
  const { r, offset, bgm } = beginMessage(m, ctx);
  if (!bgm) return { documents: [], errors: r.errors };
  const reportNumber = r.req(bgm, 2, 1, 'document number (the report number)');
  // BGM 1225: 9 original (the whole stock), 4 change (only what is listed).
  const fn = bgm.el(3);
  const references: Array<{ qualifier: string; value: string }> = [];
  let asOf: string | undefined;
  let documentDate: string | undefined;
  let facility: string | undefined;
  let depositor: string | undefined;
  const positions: Position[] = [];
  let item: { ids: ItemIds; seg: Segment; lot?: string; expiry?: string; uom?: string; found: Position[] } | null = null;
  const closeItem = (): void => {
    if (item === null) return;
    const sku = skuOf(item.ids);
    if (!sku) r.error('EDIFACT_ELEMENT_MISSING', 'The inventory line names no product: LIN C212 or a PIA must give an item number.', item.seg, 3, 1);
    const lot = item.lot ?? item.ids.lot;
    for (const p of item.found) {
      p.sku = sku ?? '';
      if (lot !== undefined) p.lot = lot;
      if (item.expiry !== undefined) p.expiryDate = item.expiry;
      if (sku) positions.push(p);
    }
    if (item.found.length === 0) r.error('EDIFACT_SEGMENT_MISSING', 'The inventory line has no QTY with a stock quantity (145 actual stock, 124, 89, 96, 198).', item.seg);
    item = null;
  };
  const positionFor = (status: string, uom: string): Position => {
    let p = item!.found.find((x) => x.status === status);
    if (!p) {
      p = { sku: '', status, uom, onHand: '0', allocated: '0' };
      item!.found.push(p);
    }
    return p;
  };
  for (let seg = r.next(); seg; seg = r.next()) {
    switch (seg.tag) {
      case 'DTM': {
        const q = seg.comp(1, 1);
        if (item !== null) {
          if (q === '361' || (q === '36' && item.expiry === undefined)) item.expiry = r.dtm(seg, offset, true);
        } else if (q === '366') asOf = r.dtm(seg, offset, false);
        else if (q === '137') documentDate = r.dtm(seg, offset, false);
        break;
      }
      case 'RFF':
        if (item === null && seg.comp(1, 2)) references.push({ qualifier: seg.comp(1, 1), value: seg.comp(1, 2) });
        break;
      case 'NAD': {
        const p = readNad(r, seg);
        if (p.qualifier === 'WH' || p.qualifier === 'GY') facility = p.code ?? p.address.name;
        else if (p.qualifier === 'SU') depositor = p.code ?? p.address.name;
        break;
      }
      case 'LIN':
        closeItem();
        item = { ids: emptyIds(), seg, found: [] };
        addItemId(item.ids, seg, 3);
        break;
      case 'PIA':
        if (item !== null) addPiaIds(item.ids, seg);
        break;
      case 'GIN':
        if (item !== null && seg.el(1) === 'BX' && seg.comp(2, 1)) item.lot = seg.comp(2, 1);
        break;
      case 'QTY': {
        if (item === null) break;
        const q = seg.comp(1, 1);
        const unit = seg.comp(1, 3) || 'EA';
        const v = r.decimal(seg, 1, 2, 'quantity', false);
        if (v === undefined) break;
        if (q === ALLOCATED) positionFor('available', unit).allocated = v;
        else if (QUALIFIER_STATUS[q]) {
          if (v.startsWith('-')) r.error('EDIFACT_ELEMENT_INVALID', `QTY ${q} holds ${v}; a stock quantity cannot be negative.`, seg, 1, 2);
          else positionFor(QUALIFIER_STATUS[q]!, unit).onHand = v;
        } else r.error('EDIFACT_CODE_UNKNOWN', `QTY 6063 ${JSON.stringify(q)} is no stock quantity Causeway reads (145, 66, 124, 89, 96, 198); it was left out.`, seg, 1, 1, 'warning');
        break;
      }
      default:
        otherSegment(r, seg, KNOWN);
    }
  }
  closeItem();
  if (!facility) r.missing('NAD+WH', 'the facility the stock is in');
  // DTM 366 is when the counts are true; a report without it is taken as true on its document date (137).
  asOf ??= documentDate;
  if (!asOf) r.missing('DTM+366', 'the date the counts are true for (or DTM 137, the document date)');
  if (!reportNumber || !facility) return { documents: [], errors: r.errors };
  const at = asOf ?? ctx.receivedAt;
  const doc: InventorySnapshot = {
    type: 'inventory_snapshot',
    ...documentHead(m, ctx, documentDate ?? at, entityKeys.stock(facility)),
    references,
    facility,
    reportNumber,
    asOf: at,
    scope: fn === '4' ? 'partial' : 'full',
    positions,
  };
  if (depositor !== undefined) doc.depositor = depositor;
  return { documents: [doc], errors: r.errors };
}

export function encodeInvrpt(doc: InventorySnapshot, o: MessageOptions): MessageEncodeResult {
  const segs: EdifactSegmentData[] = [];
  const errors: MessageEncodeResult['errors'] = [];
  // BGM 35: inventory report.
  segs.push(['BGM', ['35'], [doc.reportNumber ?? doc.id], doc.scope === 'partial' ? '4' : '9']);
  segs.push(dtmDateTime('137', doc.occurredAt));
  segs.push(dtmDateTime('366', doc.asOf));
  for (const ref of doc.references) segs.push(['RFF', [ref.qualifier, ref.value]]);
  segs.push(...writeNad('WH', { code: doc.facility }, o.directory));
  if (doc.depositor) segs.push(...writeNad('SU', { code: doc.depositor }, o.directory));
  // One LIN per SKU and lot; its positions by status follow as quantity groups.
  const items = new Map<string, Array<{ p: InventorySnapshot['positions'][number]; index: number }>>();
  doc.positions.forEach((p, index) => {
    const k = `${p.sku}\u0000${p.lot ?? ''}\u0000${p.expiryDate ?? ''}`;
    items.set(k, [...(items.get(k) ?? []), { p, index }]);
  });
  let n = 0;
  for (const list of items.values()) {
    const first = list[0]!.p;
    segs.push(...writeItem(String(++n), first.sku, { lot: first.lot, eancom: o.eancom }));
    for (const { p, index } of list) {
      const q = STATUS_QUALIFIER[p.status];
      if (!q) {
        errors.push({ code: 'EDIFACT_DOCUMENT_UNSUPPORTED', message: `Position ${index + 1} has status ${JSON.stringify(p.status)}; an INVRPT carries ${Object.keys(STATUS_QUALIFIER).join(', ')} (QTY ${Object.values(STATUS_QUALIFIER).join(', ')}).`, position: { messageType: 'INVRPT', segmentTag: 'QTY' }, severity: 'error' });
        continue;
      }
      if (o.directory === 'D01B') segs.push(['INV', '', '', '', '2']);
      segs.push(['QTY', [q, writeDecimal(p.onHand, o.decimal), p.uom]]);
      if (p.allocated !== '0') {
        if (p.status !== 'available') errors.push({ code: 'EDIFACT_DOCUMENT_UNSUPPORTED', message: `Position ${index + 1} has ${p.allocated} allocated in status ${p.status}; an INVRPT carries allocated stock (QTY 66) for available stock only.`, position: { messageType: 'INVRPT', segmentTag: 'QTY' }, severity: 'error' });
        if (o.directory === 'D01B') segs.push(['INV', '', '', '', '2']);
        segs.push(['QTY', [ALLOCATED, writeDecimal(p.allocated, o.decimal), p.uom]]);
      }
      if (p.expiryDate && p === first) segs.push(dtmDate('361', p.expiryDate));
    }
  }
  segs.push(['CNT', ['2', String(n)]]);
  return { type: 'INVRPT', segments: segs, errors };
}
