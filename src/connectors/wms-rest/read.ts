import { createHash } from 'node:crypto';
import { addDecimals } from '../../model/index.ts';
import type { InboundMessage, PollResult } from '../../transports/index.ts';
import { orderReferencesOf, readBackOrderNumber } from './backorders.ts';
import { afterPage, formatSourceCursor, parseSourceCursor, scanDue, scanSince, type ChangeCursor, type SourceCursor } from './cursor.ts';
import { isWmsError, WmsError } from './errors.ts';
import { toIso } from './expressions.ts';
import { answerInput, type WmsAnswer, type WmsRequest } from './http.ts';
import type { ChangeRead, ChangeReadType, Paging, RequestSpec, SnapshotRead } from './profile.ts';
import type { EndpointRuntime, PendingFetch } from './runtime.ts';

/** Thin events fetched per poll at most; the rest wait for the next. */
const FETCHES_PER_POLL = 50;
/** A snapshot that needs more pages than this per list is refused rather than sent half-read. */
const SNAPSHOT_PAGES = 200;

/**
 * The source: each poll fetches the resources thin events named, then reads back every document
 * type in `produce` whose turn it is (reconcileEveryMs), events or not, since no WMS guarantees
 * them. Each resource version becomes one message: its canonical documents as JSON, its
 * idempotency key `<type>:<resource id>:<change stamp>`, the same key a fat event of the same
 * version gets, so an event and its poll are applied once. Stock is read whole every
 * snapshotEveryMs and sent only when it changed.
 *
 * A poll that meets the warehouse's rate limit (or any failure) after reading something keeps
 * what it read and the cursor up to there, and reads on at the next poll; it never waits.
 */
export async function pollWarehouse(rt: EndpointRuntime, stored: string | null, signal: AbortSignal, now = Date.now()): Promise<PollResult> {
  const cursor = parseSourceCursor(stored);
  const messages = new PollMessages();
  const before = formatSourceCursor(cursor);
  let failure: WmsError | undefined;
  try {
    await fetchPending(rt, messages, signal);
    for (const type of rt.settings.produce) {
      if (type === 'inventory_snapshot') await readSnapshot(rt, rt.profile.reads.inventory_snapshot!, cursor, messages, signal, now);
      else await readChanges(rt, type, rt.profile.reads[type]!, cursor, messages, signal, now);
    }
  } catch (error) {
    if (!isWmsError(error)) throw error;
    failure = error;
  }
  const after = formatSourceCursor(cursor);
  if (failure && !failure.throttled) {
    // Nothing read: the engine logs the failure and polls again. Something read: it is kept.
    if (messages.length === 0 && after === before) throw failure;
    rt.logger.warn({ err: failure, code: failure.code }, 'reading the warehouse stopped midway; what was read is kept');
  }
  return { messages: messages.list, cursor: after };
}

/**
 * The messages of one poll, each resource version once: a page that continues from the last
 * stamp read meets that stamp's resources again, and the inbox need not see them twice.
 */
class PollMessages {
  readonly list: InboundMessage[] = [];
  private readonly keys = new Set<string>();

  push(message: InboundMessage): void {
    if (this.keys.has(message.idempotencyKey!)) return;
    this.keys.add(message.idempotencyKey!);
    this.list.push(message);
  }

  get length(): number {
    return this.list.length;
  }
}

async function fetchPending(rt: EndpointRuntime, messages: PollMessages, signal: AbortSignal): Promise<void> {
  const fetches = rt.pending.take(FETCHES_PER_POLL);
  for (const [i, pending] of fetches.entries()) {
    const read = rt.profile.reads[pending.read];
    try {
      if (!read) throw new WmsError('WMS_PROFILE', `profile ${rt.profile.name} cannot read ${pending.read}`);
      const resource = await fetchResource(rt, pending, read, signal);
      const made = await messageOf(rt, pending.read, read, resource, signal);
      if (made.message) messages.push(made.message);
    } catch (error) {
      if (isWmsError(error) && error.retryable) {
        rt.pending.giveBack(fetches.slice(i));
        throw error;
      }
      // A resource the warehouse will not give (gone, refused): the reconciliation read has the last word.
      rt.logger.warn({ err: error, read: pending.read, id: pending.id, url: pending.url }, 'fetching the resource a thin event named failed; it is left to the reconciliation read');
    }
  }
}

async function fetchResource(rt: EndpointRuntime, pending: PendingFetch, read: ChangeRead, signal: AbortSignal): Promise<unknown> {
  if (pending.url !== undefined) return (await rt.send({ method: 'GET', target: pending.url }, signal)).body;
  if (!read.fetch) throw new WmsError('WMS_PROFILE', `profile ${rt.profile.name}: ${pending.read} events name an id, and the read has no fetch`);
  return (await rt.send(rt.request(read.fetch, { id: pending.id! }), signal)).body;
}

async function readChanges(rt: EndpointRuntime, type: ChangeReadType, read: ChangeRead, cursor: SourceCursor, messages: PollMessages, signal: AbortSignal, now: number): Promise<void> {
  const { settings } = rt;
  // A copy: the stored cursor changes only once a page has been read.
  let state: ChangeCursor = { ...cursor.reads[type] };
  if (!scanDue(state, now, settings.reconcileEveryMs)) return;
  state.scan ??= { since: scanSince(state, now, settings.overlapMs, settings.initialLookbackHours * 3_600_000) };
  const paging = read.list.paging ?? rt.profile.paging;
  const first = paging.kind === 'page' ? paging.first : 0;
  for (let n = 0; n < settings.pagesPerPoll && state.scan; n++) {
    const answer = await rt.send(pageRequest(rt, read.list, paging, { since: formatTime(rt, state.scan.since) }, state.scan), signal);
    const resources = await rt.expressions.list(read.list.items, answer.body, `reads.${type}.list.items`);
    const stamps: number[] = [];
    for (const resource of resources) {
      const made = await messageOf(rt, type, read, resource, signal);
      stamps.push(made.stamp);
      if (made.message) messages.push(made.message);
    }
    const next = await nextPage(rt, paging, answer, resources.length, type);
    state = afterPage(state, { stamps, more: next.more, next: next.next }, { kind: paging.kind, first }, read.ascending, now);
    // Stored after every page: a failure on the next keeps this one's progress.
    cursor.reads[type] = state;
  }
}

/** One page of a list: page and size parameters, the token, or the link the last page gave. */
function pageRequest(rt: EndpointRuntime, list: RequestSpec, paging: Paging, values: Record<string, string>, at: { page?: number; next?: string }): WmsRequest {
  if (at.next !== undefined && paging.kind === 'link') return { method: 'GET', target: at.next };
  const request = rt.request(list, values);
  const size = String(Math.min(rt.settings.pageSize, paging.max));
  const query = { ...request.query };
  if (paging.kind === 'page') {
    query[paging.page] = String(at.page ?? paging.first);
    query[paging.size] = size;
  } else {
    if (paging.size) query[paging.size] = size;
    if (paging.kind === 'token' && at.next !== undefined) query[paging.param] = at.next;
  }
  return { ...request, query };
}

async function nextPage(rt: EndpointRuntime, paging: Paging, answer: WmsAnswer, count: number, type: string): Promise<{ more: boolean; next?: string }> {
  if (paging.kind === 'page') return { more: count >= Math.min(rt.settings.pageSize, paging.max) };
  const next = await rt.expressions.evaluate(paging.next, answerInput(answer), `reads.${type}.paging.next`);
  return typeof next === 'string' && next !== '' ? { more: true, next } : { more: false };
}

function formatTime(rt: EndpointRuntime, ms: number): string {
  const iso = new Date(ms).toISOString();
  return rt.profile.timeFormat === 'naive-utc' ? iso.slice(0, 23) : iso;
}

/**
 * One resource version as an inbox message: its documents (none while there is nothing to report,
 * an order not shipped yet), keyed by the resource's id and change stamp. What the warehouse
 * reports of the order of a backorder is read back under the ERP's order number (backorders.ts).
 */
export async function messageOf(rt: EndpointRuntime, type: ChangeReadType, read: ChangeRead, resource: unknown, signal: AbortSignal)
  : Promise<{ message?: InboundMessage; stamp: number; id: string }> {
  const { expressions } = rt;
  const id = await expressions.evaluate(read.id, resource, `reads.${type}.id`);
  if (id === undefined || id === null || id === '') throw new WmsError('WMS_PROTOCOL', `a ${type} resource from the warehouse has no id where profile ${rt.profile.name} reads it`);
  const stampValue = await expressions.evaluate(read.modified, resource, `reads.${type}.modified`);
  const stamp = typeof stampValue === 'number' ? stampValue : Date.parse(toIso(stampValue) ?? '');
  if (!Number.isFinite(stamp)) throw new WmsError('WMS_PROTOCOL', `${type} ${String(id)} has no change stamp where profile ${rt.profile.name} reads it (got ${JSON.stringify(stampValue)})`);
  const expanded = await expand(rt, type, read, resource, String(id), signal);
  const refs = orderReferencesOf(rt.profile, rt.settings.backorderSuffix);
  const documents = (await expressions.list(read.documents, expanded, `reads.${type}.documents`)).map((d) => readBackOrderNumber(refs, withoutNulls(d)));
  if (documents.length === 0) return { stamp, id: String(id) };
  return {
    stamp,
    id: String(id),
    message: {
      body: Buffer.from(JSON.stringify(documents.length === 1 ? documents[0] : documents)),
      codec: 'json',
      contentType: 'application/json',
      idempotencyKey: versionKey(type, String(id), stamp),
      partnerRef: String(id),
    },
  };
}

/**
 * A vendor's null means "not there" (ShipBob's bol: null); a canonical document leaves such a
 * field out rather than carry a null its schema does not take.
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== null).map(withoutNulls);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

/** The inbox key of one version of a resource: the same whether a poll or an event brought it. */
export function versionKey(type: ChangeReadType, id: string, stamp: number): string {
  return `${type}:${id}:${new Date(stamp).toISOString()}`;
}

async function expand(rt: EndpointRuntime, type: string, read: ChangeRead, resource: unknown, id: string, signal: AbortSignal): Promise<unknown> {
  const parts = Object.entries(read.expand);
  if (parts.length === 0 || resource === null || typeof resource !== 'object') return resource;
  const expanded: Record<string, unknown> = { ...(resource as Record<string, unknown>) };
  for (const [name, spec] of parts) {
    const answer = await rt.send(rt.request(spec, { id }), signal);
    expanded[name] = spec.items ? await rt.expressions.evaluate(spec.items, answer.body, `reads.${type}.expand.${name}.items`) : answer.body;
  }
  return expanded;
}

interface Position {
  facility: string;
  sku: string;
  lot?: string;
  status: string;
  uom: string;
  onHand: string;
  allocated: string;
  available?: string;
  expiryDate?: string;
}

async function readSnapshot(rt: EndpointRuntime, read: SnapshotRead, cursor: SourceCursor, messages: PollMessages, signal: AbortSignal, now: number): Promise<void> {
  const { settings, expressions } = rt;
  if (cursor.snapshot && now - cursor.snapshot.at < settings.snapshotEveryMs) return;
  const positions: Position[] = [];
  for (const [l, list] of read.lists.entries()) {
    const paging = list.paging ?? rt.profile.paging;
    for (const facilityId of list.perFacility ? Object.values(settings.facilities) : [undefined]) {
      const values: Record<string, string> = facilityId === undefined ? {} : { facilityId };
      let at: { page?: number; next?: string } = {};
      for (let page = 0; ; page++) {
        if (page >= SNAPSHOT_PAGES) throw new WmsError('WMS_PROTOCOL', `stock list ${l} has more than ${SNAPSHOT_PAGES} pages; raise pageSize`);
        const answer = await rt.send(pageRequest(rt, list, paging, values, at), signal);
        const items = await expressions.list(list.items, answer.body, `reads.inventory_snapshot.lists[${l}].items`);
        for (const item of items) {
          const made = await expressions.list(list.positions, item, `reads.inventory_snapshot.lists[${l}].positions`, { facilityId });
          positions.push(...(made as Position[]).filter((p) => p && typeof p === 'object' && p.facility));
        }
        const next = await nextPage(rt, paging, answer, items.length, 'inventory_snapshot');
        if (!next.more) break;
        at = paging.kind === 'page' ? { page: (at.page ?? paging.first) + 1 } : { next: next.next };
      }
    }
  }
  const asOf = new Date(now).toISOString();
  const hashes: Record<string, string> = { ...cursor.snapshot?.hashes };
  for (const facility of Object.keys(settings.facilities)) {
    const merged = mergePositions(positions.filter((p) => p.facility === facility));
    const hash = createHash('sha256').update(JSON.stringify(merged)).digest('hex');
    if (hashes[facility] === hash) continue;
    hashes[facility] = hash;
    const snapshot = { type: 'inventory_snapshot', facility, asOf, occurredAt: asOf, scope: 'full', positions: merged };
    messages.push({
      body: Buffer.from(JSON.stringify(snapshot)), codec: 'json', contentType: 'application/json',
      idempotencyKey: `inventory_snapshot:${facility}:${asOf}:${hash.slice(0, 16)}`, partnerRef: `stock ${facility} ${asOf}`,
    });
  }
  cursor.snapshot = { at: now, hashes };
}

/** Positions of one facility summed by SKU, lot, status and unit, in a stable order. */
export function mergePositions(positions: Position[]): Array<Omit<Position, 'facility'>> {
  const merged = new Map<string, Omit<Position, 'facility'>>();
  for (const p of positions) {
    const key = JSON.stringify([p.sku, p.lot ?? null, p.status, p.uom]);
    const known = merged.get(key);
    if (!known) {
      const { facility: _, ...rest } = p;
      merged.set(key, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== null)) as Omit<Position, 'facility'>);
      continue;
    }
    known.onHand = addDecimals(known.onHand, p.onHand);
    known.allocated = addDecimals(known.allocated ?? '0', p.allocated ?? '0');
    if (known.available !== undefined || p.available !== undefined) known.available = addDecimals(known.available ?? '0', p.available ?? '0');
    known.expiryDate ??= p.expiryDate;
  }
  return [...merged.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, p]) => p);
}
