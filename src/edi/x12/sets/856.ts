// 856 Ship Notice/Manifest <-> shipment (outbound confirmation) or purchase_order of kind 'asn'
// (an inbound ASN: what is on the truck to us). HL loops: S shipment, O order, P/T pack or tare, I item.
import type { PurchaseOrder, Shipment } from '../../../model/index.ts';
import { entityKeys } from '../../../model/index.ts';
import type { X12SegmentData } from '../generator.ts';
import type { Segment } from '../tokenizer.ts';
import {
  CARRIER_ACCOUNT_QUALIFIER,
  compact,
  isPositiveQuantity,
  openDocument,
  partyOf,
  productIdPairs,
  readFobPayment,
  readN1Loop,
  readProductIds,
  readSscc,
  refOf,
  setDecoder,
  withCarrierExtras,
  x12Date,
  x12Time,
  type Carrier,
  type N1Party,
  type Reference,
  type SetEncodeResult,
  type SetReader,
} from './common.ts';
import { defineLayout, readBody } from './layout.ts';
import { fillPackageLines, linesFromPieces, piecesFromShipment, type ItemPiece } from './shipment-lines.ts';
import { ssccWithAi, td5, writeCarrierAccount, writeCodedParty, writeFob, writeFacility, writeN1Loop, writeParty, writeReferences } from './write.ts';

const KNOWN = new Set(['BSN', 'DTM', 'HL', 'LIN', 'SN1', 'SLN', 'PRF', 'PO4', 'PID', 'MEA', 'PWK', 'PKG', 'TD1', 'TD5', 'TD3', 'TD4', 'REF', 'PER', 'MAN', 'N1', 'N2', 'N3', 'N4', 'FOB', 'CUR', 'SAC', 'ITD', 'CLD', 'LH1', 'LH2', 'LH3', 'CTT', 'AMT', 'PAL', 'TSD', 'SDQ', 'YNQ', 'V1', 'NTE', 'DTP', 'QTY', 'MAN']);
/** Qualifier positions of the product id pairs (hoisted: an array literal per line is garbage). */
const ID_POSITIONS: readonly number[] = [2, 4, 6, 8, 10];

type Asn = NonNullable<PurchaseOrder['asn']>;

interface OrderBlock {
  orderNumber: string;
  references: Reference[];
  packages: Shipment['packages'];
  pieces: ItemPiece[];
  /** The pieces as lines, once the order is read. */
  lines: Shipment['lines'];
  itemCount: number;
  /** Some SN1-08 of this order said the balance is backordered. */
  backordered: boolean;
}

/** The ship notice as read so far: what it says of the whole shipment, its orders, and where in the HL tree the reader stands. */
interface Notice {
  shipmentNumber: string;
  shippedAt: string | undefined;
  expectedDate: string | undefined;
  carrier: Shipment['carrier'];
  /** REF 12: the carrier's billing account. */
  carrierAccount: string | undefined;
  /** FOB-01: who pays the freight. */
  carrierPayment: Carrier['paymentTerms'];
  billOfLading: string | undefined;
  proNumber: string | undefined;
  trackingNumbers: string[];
  totalWeight: Shipment['totalWeight'];
  /** References of the shipment (outside any order). */
  references: Reference[];
  parties: N1Party[];
  orders: OrderBlock[];
  nodes: HlNodes;
  /** HL-03 of the level being read, and the order, package and item it sits in. */
  level: string;
  order: OrderBlock | null;
  pkg: number | null;
  piece: ItemPiece | null;
}

/**
 * HL-01 id -> the order and package it sits in, to place an item through its HL-02 parent. HL ids are
 * almost always 1, 2, 3...: those live in arrays indexed by the number (shared by all sets and stamped with
 * the set they belong to, so nothing is cleared or allocated per set); other ids go to a Map made on demand.
 * find() returns a slot (>= 0) or -1.
 */
class HlNodes {
  private static stamp = new Int32Array(64);
  private static orders: Array<OrderBlock | null> = new Array<OrderBlock | null>(64).fill(null);
  private static pkgs = new Int32Array(64);
  private static generation = 0;
  private readonly generation: number;
  private other: Map<string, number> | null = null;
  /** Highest array slot this set used, so release() clears no more than that. */
  private highest = -1;
  /** Slots of ids kept in the Map, after the array range. */
  private otherOrders: Array<OrderBlock | null> = [];
  private otherPkgs: Array<number | null> = [];

  constructor() {
    this.generation = ++HlNodes.generation;
    if (this.generation === 0x7fffffff) {
      HlNodes.generation = 1;
      HlNodes.stamp.fill(0);
      this.generation = 1;
    }
  }

  /** n: a whole number below LIMIT. */
  setSmall(n: number, order: OrderBlock | null, pkg: number | null): void {
    if (n >= HlNodes.stamp.length) HlNodes.grow(n);
    if (n > this.highest) this.highest = n;
    HlNodes.stamp[n] = this.generation;
    HlNodes.orders[n] = order;
    HlNodes.pkgs[n] = pkg === null ? -1 : pkg;
  }

  findSmall(n: number): number {
    return n < HlNodes.stamp.length && HlNodes.stamp[n] === this.generation ? n : -1;
  }

  /** Any id; '' is no id and is not kept. */
  set(id: string, order: OrderBlock | null, pkg: number | null): void {
    if (id === '') return;
    const n = smallId(id);
    if (n >= 0) return this.setSmall(n, order, pkg);
    this.other ??= new Map();
    let slot = this.other.get(id);
    if (slot === undefined) {
      slot = this.otherOrders.length;
      this.other.set(id, slot);
    }
    this.otherOrders[slot] = order;
    this.otherPkgs[slot] = pkg;
  }

  find(id: string): number {
    const n = smallId(id);
    if (n >= 0) return this.findSmall(n);
    const slot = this.other?.get(id);
    return slot === undefined ? -1 : LIMIT + slot;
  }

  orderAt(slot: number): OrderBlock | null {
    return slot < LIMIT ? HlNodes.orders[slot]! : this.otherOrders[slot - LIMIT]!;
  }

  pkgAt(slot: number): number | null {
    if (slot >= LIMIT) return this.otherPkgs[slot - LIMIT]!;
    const p = HlNodes.pkgs[slot]!;
    return p < 0 ? null : p;
  }

  /** Drops this set's orders from the shared arrays, so they do not outlive the set. */
  release(): void {
    if (this.highest >= 0) HlNodes.orders.fill(null, 0, this.highest + 1);
  }

  private static grow(n: number): void {
    let size = HlNodes.stamp.length;
    while (size <= n) size *= 2;
    const stamp = new Int32Array(size);
    stamp.set(HlNodes.stamp);
    const pkgs = new Int32Array(size);
    pkgs.set(HlNodes.pkgs);
    HlNodes.stamp = stamp;
    HlNodes.pkgs = pkgs;
    for (let i = HlNodes.orders.length; i < size; i++) HlNodes.orders.push(null);
  }
}

/** HL ids at or above this go to the Map: keeps the shared arrays small. */
const LIMIT = 1 << 16;

/** A canonical whole number below LIMIT (no sign, no leading zero: '01' and '1' are different ids), else -1. */
function smallId(id: string): number {
  const len = id.length;
  if (len === 0 || len > 5 || (id.charCodeAt(0) === 48 && len > 1)) return -1;
  let n = 0;
  for (let i = 0; i < len; i++) {
    const c = id.charCodeAt(i);
    if (c < 48 || c > 57) return -1;
    n = n * 10 + c - 48;
  }
  return n < LIMIT ? n : -1;
}

const LAYOUT = defineLayout<Notice>({
  segments: KNOWN,
  rules: {
    HL: { read: 'loop', reader: readHl },
    LIN: { read: 'loop', reader: readLin },
    SN1: { read: 'loop', reader: readSn1 },
    MAN: { read: 'loop', reader: readMan },
    PO4: { read: 'loop', reader: readPo4 },
    MEA: { read: 'loop', reader: readMea },
    PRF: { read: 'loop', reader: readPrf },
    REF: { read: 'loop', reader: readRef },
    // FOB-01 shipment method of payment: who pays the freight.
    FOB: { read: 'loop', reader: (_r, seg, n) => { n.carrierPayment = readFobPayment(seg) ?? n.carrierPayment; } },
    N1: { read: 'loop', reader: readN1 },
    TD1: { read: 'loop', reader: readTd1 },
    // TD5-02 2 says TD5-03 is a SCAC; TD5-04 the transportation method; TD5-05 routing is the service.
    TD5: { read: 'carrier', to: 'carrier', scac: 3, scacWhen: [2, '2'], mode: 4, service: 5 },
    // DTM-01 011 shipped, 017 estimated delivery (036, expiration, is item level and not read).
    DTM: {
      read: 'date',
      qualifier: 1,
      date: 2,
      qualifiers: { '011': { to: 'shippedAt', what: 'ship date', time: 3 }, '017': { to: 'expectedDate', what: 'estimated delivery date' } },
    },
  },
});

/** Reads the HL tree into what the notice says of the shipment and one block per order. */
function readNotice(r: SetReader, bsn: Segment): Notice {
  // BSN-02 shipment identification, BSN-03/04 date and time of the notice.
  const shipmentNumber = r.req(bsn, 2, 'shipment identification');
  const bsnAt = r.timestamp(bsn, 3, r.el(bsn, 4) ? 4 : null, 'notice date', r.utcOffset);
  const n: Notice = {
    shipmentNumber,
    shippedAt: undefined,
    expectedDate: undefined,
    carrier: undefined,
    carrierAccount: undefined,
    carrierPayment: undefined,
    billOfLading: undefined,
    proNumber: undefined,
    trackingNumbers: [],
    totalWeight: undefined,
    references: [],
    parties: [],
    orders: [],
    nodes: new HlNodes(),
    level: '',
    order: null,
    pkg: null,
    piece: null,
  };
  readBody(r, LAYOUT, n);
  n.nodes.release();
  n.shippedAt ??= bsnAt;
  for (const o of n.orders) finishOrder(r, o);
  return n;
}

/** HL-01 id, HL-02 parent id, HL-03 level code: S shipment, O order, P/T pack or tare, I item. */
function readHl(r: SetReader, seg: Segment, n: Notice): void {
  const nodes = n.nodes;
  // Ids 1, 2, 3... are read as numbers (no string cut); anything else goes the string way.
  const idNum = seg.int(1);
  const id = idNum >= 0 && idNum < LIMIT ? '' : r.req(seg, 1, 'hierarchical id number');
  const parentNum = seg.int(2);
  const parent = parentNum >= 0 && parentNum < LIMIT ? nodes.findSmall(parentNum) : seg.code(2) === 0 ? -1 : nodes.find(seg.el(2));
  const level = r.req(seg, 3, 'hierarchical level code');
  n.level = level;
  if (parent < 0 && seg.code(2) !== 0) r.error('X12_HL_STRUCTURE', `HL02 points to parent ${JSON.stringify(seg.el(2))}, which no earlier HL has as its id.`, seg, 2);
  let order = parent < 0 ? null : nodes.orderAt(parent);
  let pkg = parent < 0 ? null : nodes.pkgAt(parent);
  n.piece = null;
  if (level === 'O') {
    order = openOrder(n.orders);
  } else if (level === 'P' || level === 'T') {
    // Pick-and-pack ASNs may put packs above orders; the pack then belongs to the whole shipment.
    order ??= openOrder(n.orders);
    order.packages.push({ lines: [] });
    pkg = order.packages.length - 1;
  } else if (level === 'I') {
    order ??= openOrder(n.orders);
    order.itemCount++;
    // LIN-01 gives the line number; an item without one is matched to the order by SKU.
    const piece: ItemPiece = { lineNumber: '', sku: '', quantity: '0', uom: '', serials: [], packageIndex: pkg };
    order.pieces.push(piece);
    n.piece = piece;
  } else if (level !== 'S') {
    r.error('X12_CODE_UNKNOWN', `HL03 level ${JSON.stringify(level)} is not one Causeway reads (S, O, T, P, I); its contents were skipped.`, seg, 3, 'warning');
  }
  n.order = order;
  n.pkg = pkg;
  if (id === '') nodes.setSmall(idNum, order, pkg);
  else nodes.set(id, order, pkg);
}

function openOrder(orders: OrderBlock[]): OrderBlock {
  const order: OrderBlock = { orderNumber: '', references: [], packages: [], pieces: [], lines: [], itemCount: 0, backordered: false };
  orders.push(order);
  return order;
}

/** TD1-06 G gross weight, TD1-07 the weight, TD1-08 its unit: the shipment's when at the S level. */
function readTd1(r: SetReader, seg: Segment, n: Notice): void {
  const w = r.decimal(seg, 7, 'weight', false);
  if (w !== undefined && n.level === 'S') n.totalWeight = { value: w, unit: r.el(seg, 8) || 'LB' };
}

function readRef(r: SetReader, seg: Segment, n: Notice): void {
  const ref = refOf(r, seg);
  placeRef(ref.qualifier, ref.value, n);
}

/** References read inside an N1 loop, placed once the loop is read (no closure per set on the hot path). */
const n1Refs: Reference[] = [];

function readN1(r: SetReader, seg: Segment, n: Notice): void {
  // Setting an array's length is a runtime call: the list is emptied only when something was put in it.
  if (n1Refs.length !== 0) n1Refs.length = 0;
  n.parties.push(readN1Loop(r, seg, n1Refs));
  if (n1Refs.length === 0) return;
  for (let i = 0; i < n1Refs.length; i++) placeRef(n1Refs[i]!.qualifier, n1Refs[i]!.value, n);
  n1Refs.length = 0;
}

/** PRF-01 purchase order number: the order this part of the shipment fills. */
function readPrf(r: SetReader, seg: Segment, n: Notice): void {
  if (n.order) n.order.orderNumber = r.req(seg, 1, 'purchase order number');
}

/** MAN-01 GM: the pack's SSCC; CP: its carrier-assigned id (tracking). */
function readMan(r: SetReader, seg: Segment, n: Notice): void {
  if (n.pkg === null || !n.order) return;
  const p = n.order.packages[n.pkg]!;
  if (r.el(seg, 1) === 'GM') {
    const sscc = readSscc(r.el(seg, 2));
    if (sscc) p.sscc = sscc;
    else r.error('X12_ELEMENT_INVALID', `MAN02 is ${JSON.stringify(r.el(seg, 2))}; an SSCC (MAN01 GM) has 18 digits, or 20 with the 00 application identifier.`, seg, 2);
  } else if (r.el(seg, 1) === 'CP' && r.el(seg, 2)) p.trackingNumber = r.el(seg, 2);
}

/** PO4-06 gross weight per pack, PO4-07 its unit. */
function readPo4(r: SetReader, seg: Segment, n: Notice): void {
  const w = r.decimal(seg, 6, 'gross weight per pack', false);
  if (w !== undefined && n.pkg !== null && n.order && n.level !== 'I') n.order.packages[n.pkg]!.weight = { value: w, unit: r.el(seg, 7) || 'LB' };
}

/** MEA-01 PD physical dimensions of a pack: MEA-02 LN length, WD width, HT height, MEA-03 the value, MEA-04 its unit. */
function readMea(r: SetReader, seg: Segment, n: Notice): void {
  if (n.pkg === null || !n.order || (n.level !== 'P' && n.level !== 'T') || r.el(seg, 1) !== 'PD') return;
  const side = DIMENSION_OF[r.el(seg, 2)];
  if (side === undefined) return;
  const value = r.decimal(seg, 3, 'measurement value', false);
  if (value === undefined || !isPositiveQuantity(value)) return;
  const p = n.order.packages[n.pkg]!;
  const unit = r.el(seg, 4).split(r.set.interchange.delimiters.component)[0] || 'IN';
  const d: Partial<Dimensions> = p.dimensions ?? pendingDimensions.get(p) ?? {};
  d[side] = value;
  d.unit ??= unit;
  if (d.length !== undefined && d.width !== undefined && d.height !== undefined) {
    p.dimensions = d as Dimensions;
    pendingDimensions.delete(p);
  } else pendingDimensions.set(p, d);
}

type Dimensions = NonNullable<Shipment['packages'][number]['dimensions']>;
const DIMENSION_OF: Readonly<Record<string, 'length' | 'width' | 'height'>> = { LN: 'length', WD: 'width', HT: 'height' };
/** A pack's dimensions until all three are read. */
const pendingDimensions = new WeakMap<object, Partial<Dimensions>>();

/** LIN-01 line number, LIN-02.. product id pairs (LT the lot). */
function readLin(r: SetReader, seg: Segment, n: Notice): void {
  const piece = n.piece;
  if (!piece) {
    r.error('X12_HL_STRUCTURE', 'LIN appears outside an item (HL03 I) level.', seg);
    return;
  }
  const ids = readProductIds(seg, ID_POSITIONS);
  if (!ids.sku) r.error('X12_ELEMENT_MISSING', 'LIN names no product: LIN-02/03 must give an item id.', seg, 3);
  piece.sku = ids.sku ?? '';
  if (ids.lot) piece.lot = ids.lot;
  if (r.el(seg, 1)) piece.lineNumber = r.el(seg, 1);
}

/** SN1-02 units shipped, SN1-03 unit, SN1-05 quantity ordered, SN1-08 line item status. */
function readSn1(r: SetReader, seg: Segment, n: Notice): void {
  const piece = n.piece;
  if (!piece) return;
  piece.quantity = r.decimal(seg, 2, 'number of units shipped') ?? '0';
  piece.uom = r.req(seg, 3, 'unit of measure');
  const ordered = r.decimal(seg, 5, 'quantity ordered', false);
  if (ordered !== undefined) piece.orderedQuantity = ordered;
  // SN1-08 (element 668): BP partial shipment, balance backordered; IB item backordered. It is about this order only.
  if (n.order && (r.el(seg, 8) === 'BP' || r.el(seg, 8) === 'IB')) n.order.backordered = true;
}

/** An order once read: items without a LIN are reported and dropped; its lines made; packages get their contents. */
function finishOrder(r: SetReader, o: OrderBlock): void {
  let unnamed = 0;
  for (let i = 0; i < o.pieces.length; i++) {
    const p = o.pieces[i]!;
    if (p.sku) continue;
    unnamed++;
    r.error('X12_SEGMENT_MISSING', `Item ${p.lineNumber || i + 1} of order ${o.orderNumber || '(none)'} has no LIN naming the product.`);
  }
  if (unnamed > 0) o.pieces = o.pieces.filter(hasSku);
  o.lines = linesFromPieces(o.pieces);
  fillPackageLines(o.pieces, o.packages);
}

function hasSku(p: ItemPiece): boolean {
  return p.sku !== '';
}

/** Where a REF goes: lot and serials of the item being read, bill of lading, PRO and tracking of the shipment, else the order's or shipment's references. */
function placeRef(qualifier: string, value: string, n: Notice): void {
  const piece = n.piece;
  if (piece && qualifier === 'LT') piece.lot = value;
  else if (piece && qualifier === 'SE') piece.serials.push(value);
  else if (qualifier === 'BM') n.billOfLading = value;
  else if (qualifier === 'CN') n.proNumber = value;
  else if (qualifier === '2I') n.trackingNumbers.push(value);
  else if (qualifier === CARRIER_ACCOUNT_QUALIFIER) n.carrierAccount = value;
  else (n.order ? n.order.references : n.references).push({ qualifier, value });
}

/** The first party with entity code a, else b, else c: the codes in order of precedence, whatever order the N1s came in. */
function findParty(parties: readonly N1Party[], a: string, b?: string, c?: string): N1Party | undefined {
  return withEntity(parties, a) ?? (b === undefined ? undefined : withEntity(parties, b)) ?? (c === undefined ? undefined : withEntity(parties, c));
}

function withEntity(parties: readonly N1Party[], code: string): N1Party | undefined {
  for (const p of parties) if (p.entity === code) return p;
  return undefined;
}

export const decode856 = setDecoder<Shipment | PurchaseOrder>('BSN', 'beginning segment for ship notice', (r, bsn, set, ctx) => {
  const n = readNotice(r, bsn);
  const documents: Array<Shipment | PurchaseOrder> = [];
  if (n.orders.length === 0) r.missing('HL*O', 'an order level');
  for (let i = 0; i < n.orders.length; i++) {
    const o = n.orders[i]!;
    const orderNumber = o.orderNumber || n.shipmentNumber;
    if (!o.orderNumber) r.error('X12_SEGMENT_MISSING', `Order ${i + 1} of the ship notice has no PRF purchase order number; the shipment id is used.`, undefined, undefined, 'warning');
    const references = n.references.length === 0 ? o.references : n.references.concat(o.references);
    if (ctx.asn856As === 'purchase_order') documents.push(fillInboundAsn(r, openDocument<PurchaseOrder>('purchase_order', set, ctx, i, entityKeys.inbound(orderNumber), references), n, o, orderNumber));
    else documents.push(fillShipment(r, openDocument<Shipment>('shipment', set, ctx, i, entityKeys.order(orderNumber), references), n, o, orderNumber));
  }
  return documents;
});

// Each document is opened with the envelope fields, then given its own one by one, optional ones when present.

/** One order of the notice as an inbound ASN: what is on the truck to us. */
function fillInboundAsn(r: SetReader, po: PurchaseOrder, n: Notice, o: OrderBlock, orderNumber: string): PurchaseOrder {
  // An inbound ASN ships to us: the facility is the ship-to (else the warehouse named).
  const facilityParty = findParty(n.parties, 'ST', 'WH');
  const lines = o.lines.filter((l) => l.quantity !== '0');
  const containers: Asn['containers'] = new Array(o.packages.length);
  for (let k = 0; k < o.packages.length; k++) {
    const p = o.packages[k]!;
    // A container is a pack as the ship notice gives it: its SSCC, carrier id and weight (its dimensions have no place in an ASN).
    containers[k] = compact({ sscc: p.sscc, trackingNumber: p.trackingNumber, weight: p.weight, lines: p.lines });
  }
  const asn: Asn = { asnNumber: n.shipmentNumber, trackingNumbers: n.trackingNumbers, containers };
  if (n.shippedAt !== undefined) asn.shippedAt = n.shippedAt;
  const carrier = withCarrierExtras(n.carrier, n.carrierAccount, n.carrierPayment);
  if (carrier !== undefined) asn.carrier = carrier;
  if (n.billOfLading !== undefined) asn.billOfLading = n.billOfLading;
  if (n.proNumber !== undefined) asn.proNumber = n.proNumber;
  po.poNumber = orderNumber;
  po.kind = 'asn';
  po.facility = facilityParty?.code ?? facilityParty?.address.name ?? '';
  po.asn = asn;
  po.lines = lines.map((l) => ({ lineNumber: l.lineNumber, sku: l.sku, quantity: l.quantity, uom: l.uom, lots: l.lots, serials: l.serials }));
  const supplier = findParty(n.parties, 'SF', 'SU', 'VN');
  if (supplier) po.supplier = partyOf(supplier);
  if (n.expectedDate !== undefined) po.expectedDate = n.expectedDate;
  if (!facilityParty) r.missing('N1*ST', 'the receiving facility');
  return po;
}

/** One order of the notice as a shipment confirmation. */
function fillShipment(r: SetReader, shipment: Shipment, n: Notice, o: OrderBlock, orderNumber: string): Shipment {
  // The warehouse that shipped: N1 WH, else the ship-from, as in a 945.
  const facilityParty = findParty(n.parties, 'WH', 'SF');
  const shipTo = findParty(n.parties, 'ST');
  if (shipTo) shipment.shipTo = shipTo.address;
  shipment.shipmentNumber = n.shipmentNumber;
  shipment.orderNumber = orderNumber;
  shipment.facility = facilityParty?.code ?? facilityParty?.address.name ?? '';
  if (!shipment.facility) {
    // The ship-from N1 loop is optional in an 856: the warehouse that sent it is then the one that shipped (GS02,
    // else ISA06), which the partner's facility code table maps to ours.
    const group = r.set.group;
    shipment.facility = group.senderCode || r.set.interchange.senderId;
    r.error('X12_SEGMENT_MISSING', `The 856 names no ship-from (N1*SF or N1*WH); the sender's code ${JSON.stringify(shipment.facility)} is taken as the facility.`, undefined, undefined, 'warning');
  }
  shipment.shippedAt = n.shippedAt ?? shipment.receivedAt;
  shipment.complete = !o.backordered;
  shipment.trackingNumbers = n.trackingNumbers;
  shipment.packages = o.packages;
  shipment.lines = o.lines;
  const depositor = findParty(n.parties, 'DE')?.code;
  if (depositor !== undefined) shipment.depositor = depositor;
  const carrier = withCarrierExtras(n.carrier, n.carrierAccount, n.carrierPayment);
  if (carrier !== undefined) shipment.carrier = carrier;
  if (n.billOfLading !== undefined) shipment.billOfLading = n.billOfLading;
  if (n.proNumber !== undefined) shipment.proNumber = n.proNumber;
  if (n.totalWeight !== undefined) shipment.totalWeight = n.totalWeight;
  return shipment;
}

/** Writes a shipment (or an inbound ASN) as an 856 with S, O, P and I levels (BSN-05 0001). */
export function encode856(doc: Shipment | PurchaseOrder): SetEncodeResult {
  const segs: X12SegmentData[] = [];
  const isPo = doc.type === 'purchase_order';
  const shipmentNumber = isPo ? (doc.asn?.asnNumber ?? doc.poNumber) : doc.shipmentNumber;
  const shippedAt = isPo ? doc.asn?.shippedAt : doc.shippedAt;
  const carrier = isPo ? doc.asn?.carrier : doc.carrier;
  const tracking = isPo ? (doc.asn?.trackingNumbers ?? []) : doc.trackingNumbers;
  const bol = isPo ? doc.asn?.billOfLading : doc.billOfLading;
  const packages: Shipment['packages'] = isPo ? (doc.asn?.containers ?? []).map((c) => compact({ sscc: c.sscc, trackingNumber: c.trackingNumber, weight: c.weight, lines: c.lines })) : doc.packages;
  const lines: Shipment['lines'] = isPo ? doc.lines.map((l) => ({ lineNumber: l.lineNumber, sku: l.sku, quantity: l.quantity, uom: l.uom, lots: l.lots.map((x) => ({ lot: x.lot, quantity: x.quantity })), serials: l.serials })) : doc.lines;
  const at = shippedAt ?? doc.occurredAt;
  segs.push(['BSN', '00', shipmentNumber, x12Date(at), x12Time(at) || '0000', '0001']);
  let hl = 0;
  segs.push(['HL', String(++hl), '', 'S']);
  if (!isPo && doc.totalWeight) segs.push(['TD1', 'CTN', String(packages.length || ''), '', '', '', 'G', doc.totalWeight.value, doc.totalWeight.unit]);
  if (carrier) segs.push(td5(carrier));
  if (bol) segs.push(['REF', 'BM', bol]);
  const pro = isPo ? doc.asn?.proNumber : doc.proNumber;
  if (pro) segs.push(['REF', 'CN', pro]);
  for (const t of tracking) segs.push(['REF', '2I', t]);
  writeCarrierAccount(segs, 'REF', carrier);
  if (shippedAt) segs.push(['DTM', '011', x12Date(shippedAt), x12Time(shippedAt)]);
  if (isPo && doc.expectedDate) segs.push(['DTM', '017', x12Date(doc.expectedDate)]);
  writeFob(segs, carrier);
  if (isPo) {
    if (doc.supplier) writeParty(segs, 'SF', doc.supplier);
    writeCodedParty(segs, 'ST', doc.facility);
  } else {
    writeFacility(segs, 'SF', doc);
    if (doc.shipTo) writeN1Loop(segs, 'ST', { address: doc.shipTo });
  }
  const orderHl = ++hl;
  segs.push(['HL', String(orderHl), '1', 'O']);
  segs.push(['PRF', isPo ? doc.poNumber : doc.orderNumber]);
  writeReferences(segs, 'REF', doc.references);
  const pieces = piecesFromShipment({ lines, packages });
  // A partial shipment marks its short lines (or, when none is short, every line) BP in SN1-08.
  const partial = !isPo && !doc.complete;
  const short = new Set(lines.filter((l) => l.orderedQuantity !== undefined && l.orderedQuantity !== l.quantity).map((l) => l.lineNumber));
  const marked = new Set<string>();
  const writeItem = (p: ItemPiece, parent: number): void => {
    segs.push(['HL', String(++hl), String(parent), 'I']);
    segs.push(['LIN', p.lineNumber, ...productIdPairs(p.sku, undefined, p.lot)] as unknown as X12SegmentData);
    let status = '';
    if (partial && !marked.has(p.lineNumber) && (short.size === 0 || short.has(p.lineNumber))) {
      status = 'BP';
      marked.add(p.lineNumber);
    }
    segs.push(['SN1', '', p.quantity, p.uom, '', p.orderedQuantity ?? '', p.orderedQuantity !== undefined ? p.uom : '', '', status]);
    for (const s of p.serials) segs.push(['REF', 'SE', s]);
  };
  packages.forEach((pkg, i) => {
    const packHl = ++hl;
    segs.push(['HL', String(packHl), String(orderHl), 'P']);
    if (pkg.weight) segs.push(['PO4', '', '', '', '', '', pkg.weight.value, pkg.weight.unit]);
    if (pkg.dimensions) {
      const d = pkg.dimensions;
      segs.push(['MEA', 'PD', 'LN', d.length, d.unit], ['MEA', 'PD', 'WD', d.width, d.unit], ['MEA', 'PD', 'HT', d.height, d.unit]);
    }
    if (pkg.sscc) segs.push(['MAN', 'GM', ssccWithAi(pkg.sscc)]);
    if (pkg.trackingNumber) segs.push(['MAN', 'CP', pkg.trackingNumber]);
    for (const p of pieces) if (p.packageIndex === i) writeItem(p, packHl);
  });
  for (const p of pieces) if (p.packageIndex === null) writeItem(p, orderHl);
  // CTT-01 number of HL segments.
  segs.push(['CTT', String(hl)]);
  return { id: '856', segments: segs, errors: [] };
}
