import { validateDocument, type CanonicalDocument } from '../model/index.ts';
import type { LedgerRow, LedgerStore, LedgerWrite, NewAlert, NewVerdict, PipelineStore, RulesWrites, Supersede } from '../store/index.ts';
import type { ItemCatalog } from './items.ts';
import {
  decide, findStuck, holdWindowOf, inboundStateOf, isCancelled, ledgerKeyFor, orderStateOf, recordSent,
  type Decision, type DocumentSide, type Effect, type Ledger, type OrderLedger, type OrderState, type RulesPolicy, type StuckOrder,
} from './rules/index.ts';
import type { RulesPolicies } from './rules/policies.ts';

/**
 * The rules step's side of the store: ledgers are read once per batch and then moved on in memory
 * by each decision, so the messages of a batch see each other's effects in arrival order. What a
 * message changed is handed to its outcome (RulesWrites), with the version each ledger was read
 * at: the store commits it with the outcome or refuses it (LedgerConflict) when another worker
 * moved a ledger on meanwhile, and the message is decided again.
 */

/** One document's verdict as the pipeline acts on it. */
export interface Decided {
  document: CanonicalDocument;
  /** The message the document came in with (a released document keeps its own). */
  messageId: number;
  decision: Decision<Ledger | undefined>;
  /** True for a held document decided again because what it waited for came. */
  released: boolean;
}

interface Held {
  tenant: string;
  ledger: Ledger | undefined;
  /** The version the store has; 0: no row yet. */
  stored: number;
}

interface Mark {
  journal: number;
  touched: number;
  verdicts: number;
  supersede: number;
  alerts: number;
}

type Store = LedgerStore & Pick<PipelineStore, 'listDeliveries' | 'deliveriesOfDocument'>;

export class RulesSession {
  private readonly ledgers = new Map<string, Held>();
  /** Ledger rows read ahead for documents about to be decided, by key (null: no row); load() takes them from here. */
  private readonly readAhead = new Map<string, LedgerRow | null>();
  /** Documents decided in this batch, by id: a document held by an earlier message of the batch is not stored yet. */
  private readonly seen = new Map<string, { document: CanonicalDocument; messageId: number }>();
  /** What this message replaced, to undo it: the key and its entry before (undefined: none). */
  private journal: Array<{ key: string; before: Held | undefined }> = [];
  private touched = new Set<string>();
  /** The keys in `touched`, in the order they were added: undoing to a mark takes off those added after it. */
  private touchedInOrder: string[] = [];
  /** The session's time as the rules read it (ISO-8601), written once for all its decisions. */
  private readonly nowIso: string;
  private verdicts: NewVerdict[] = [];
  private supersede: Supersede[] = [];
  private alerts: NewAlert[] = [];

  /** inFlight: entity keys whose routed order is already on its way (a commit found its delivery leased): it counts as sent. */
  /** sideOf: the side a document is of where its endpoints say (config `side`); undefined: the side that sends its type. */
  constructor(
    private readonly store: Store, private readonly items: ItemCatalog, private readonly now: number, private readonly inFlight?: ReadonlySet<string>,
    private readonly sideOf?: (document: CanonicalDocument) => DocumentSide | undefined,
  ) {
    this.nowIso = new Date(now).toISOString();
  }

  /** Starts a message: what it changes can be rolled back if processing it fails. */
  begin(): void {
    this.journal = [];
    this.touched = new Set();
    this.touchedInOrder = [];
    this.verdicts = [];
    this.supersede = [];
    this.alerts = [];
  }

  /** A point to undo to: a document whose routing failed leaves no trace in the ledgers. */
  mark(): Mark {
    return { journal: this.journal.length, touched: this.touchedInOrder.length, verdicts: this.verdicts.length, supersede: this.supersede.length, alerts: this.alerts.length };
  }

  undo(mark: Mark): void {
    this.unwind(mark.journal);
    while (this.touchedInOrder.length > mark.touched) this.touched.delete(this.touchedInOrder.pop()!);
    this.verdicts.length = mark.verdicts;
    this.supersede.length = mark.supersede;
    this.alerts.length = mark.alerts;
  }

  /** Forgets what the failed message changed. */
  rollback(): void {
    this.unwind(0);
    this.touched = new Set();
    this.touchedInOrder = [];
  }

  /** Puts ledgers back as they were before the journal's entries from `to` on, newest first. */
  private unwind(to: number): void {
    while (this.journal.length > to) {
      const { key, before } = this.journal.pop()!;
      if (before === undefined) this.ledgers.delete(key);
      else this.ledgers.set(key, before);
    }
  }

  /** Sets a ledger, remembering what it replaced so the message can be undone. */
  private put(key: string, held: Held): void {
    this.journal.push({ key, before: this.ledgers.get(key) });
    this.ledgers.set(key, held);
  }

  private touch(key: string): void {
    if (this.touched.has(key)) return;
    this.touched.add(key);
    this.touchedInOrder.push(key);
  }

  /** Ends a message: its writes, with the alerts its decisions raised. */
  end(policy: RulesPolicy): { writes: RulesWrites; alerts: NewAlert[] } {
    const ledgers: LedgerWrite[] = [];
    for (const key of this.touched) {
      const held = this.ledgers.get(key)!;
      if (!held.ledger) continue;
      ledgers.push(ledgerWriteOf(held.tenant, held.ledger, held.stored, policy, 0));
      // The next message of the batch builds on the version this one writes.
      this.ledgers.set(key, { tenant: held.tenant, ledger: held.ledger, stored: held.ledger.version });
    }
    this.journal = [];
    const writes: RulesWrites = {};
    if (ledgers.length) writes.ledgers = ledgers;
    if (this.verdicts.length) writes.verdicts = this.verdicts;
    if (this.supersede.length) writes.supersede = this.supersede;
    return { writes, alerts: this.alerts };
  }

  /**
   * Decides a document, then the held documents its decision releases (in their arrival order,
   * and what those release in turn). The first entry is the document's own verdict. Most documents
   * find their ledger in memory and release nothing: those are decided without an await.
   */
  decide(document: CanonicalDocument, messageId: number, policy: RulesPolicy, replayed = false): Decided[] | Promise<Decided[]> {
    this.seen.set(document.id, { document, messageId });
    const first = this.decideOne(document, messageId, policy, false, replayed);
    if (first instanceof Promise) return first.then((d) => this.releasedBy(d, policy));
    return first.decision.effects.some((e) => e.kind === 'release_held') ? this.releasedBy(first, policy) : [first];
  }

  /** A decision, followed by the decisions of the held documents it releases. */
  private async releasedBy(first: Decided, policy: RulesPolicy): Promise<Decided[]> {
    const out: Decided[] = [];
    let decided: Decided | undefined = first;
    const queue: Array<{ document: CanonicalDocument; messageId: number }> = [];
    while (decided) {
      out.push(decided);
      for (const e of decided.decision.effects) {
        if (e.kind === 'release_held') queue.push(...(await this.held(decided.document.tenant, e.documentIds)));
      }
      const next = queue.shift();
      decided = next && await this.decideOne(next.document, next.messageId, policy, true, false);
    }
    return out;
  }

  private decideOne(document: CanonicalDocument, messageId: number, policy: RulesPolicy, released: boolean, replayed: boolean): Decided | Promise<Decided> {
    const side = this.sideOf?.(document);
    // A trading partner's document keeps no ledger: nothing to read.
    const target = side === 'partner' ? undefined : ledgerKeyFor(document);
    const key = target && `${document.tenant}\u0000${target.entityKey}`;
    const held = key ? this.loaded(key, document.tenant) : undefined;
    // Only the lot rules read the item master, and only shipments and receipts carry lots.
    const lots = target !== undefined && (document.type === 'shipment' || document.type === 'receipt');
    if ((key && !held) || lots) {
      return (async () => {
        const ledger = key ? held ?? await this.load(document.tenant, target!.entityKey) : undefined;
        if (lots) await this.items.loadUnseen(document.tenant, skusOf(document));
        return this.decideWith(document, messageId, policy, released, replayed, side, target?.entityKey, key, ledger);
      })();
    }
    return this.decideWith(document, messageId, policy, released, replayed, side, target?.entityKey, key, held);
  }

  private decideWith(
    document: CanonicalDocument, messageId: number, policy: RulesPolicy, released: boolean, replayed: boolean,
    side: DocumentSide | undefined, entityKey: string | undefined, key: string | undefined, held: Held | undefined,
  ): Decided {
    let decision = decide(held?.ledger, document, policy, this.nowIso, { item: (sku) => this.items.facts(document.tenant, sku), ...(side ? { source: side } : {}) });
    if (replayed && decision.verdict === 'stale' && decision.rule === 'DUPLICATE' && decision.ledger === held?.ledger) {
      // An operator asked for it again: it goes out again (same idempotency key), and the ledger stays as the first time left it.
      decision = { ...decision, verdict: 'apply', rule: 'REPLAYED', reason: `Replayed: ${decision.reason.replace(/;[^;]*$/, '')}; delivered again, the ledger unchanged.`, effects: [] };
    }
    if (key && decision.ledger !== held!.ledger) {
      this.put(key, { tenant: document.tenant, ledger: decision.ledger, stored: held!.stored });
      this.touch(key);
    }
    const verdict: NewVerdict = {
      tenant: document.tenant, entityKey: entityKey ?? null, documentId: document.id, documentType: document.type, messageId,
      verdict: decision.verdict, rule: decision.rule, reason: decision.reason, createdAt: this.now,
    };
    if (decision.path !== undefined) verdict.path = decision.path;
    if (decision.flags.length || decision.conflicts.length) verdict.detail = { flags: decision.flags, conflicts: decision.conflicts };
    this.verdicts.push(verdict);
    for (const e of decision.effects) this.effect(document, e);
    return { document, messageId, decision, released };
  }

  private effect(document: CanonicalDocument, e: Effect): void {
    if (e.kind === 'supersede_deliveries') {
      const s: Supersede = { tenant: document.tenant, entityKey: e.entityKey, documentType: e.documentType, required: e.required, reason: e.reason };
      if (e.documentIds) s.documentIds = e.documentIds;
      if (e.occurredBefore !== undefined) s.occurredBefore = Date.parse(e.occurredBefore);
      if (e.keep !== undefined) s.keep = e.keep;
      this.supersede.push(s);
    } else if (e.kind === 'alert') {
      this.alerts.push({
        tenant: document.tenant, kind: `rules_${e.rule.toLowerCase()}`, subject: e.entityKey, message: e.message,
        dedupeKey: `rules:${e.rule}:${e.entityKey}:${document.id}`, createdAt: this.now, detail: { severity: e.severity, rule: e.rule, documentId: document.id },
      });
    }
  }

  /** Held documents by id, in the order given (their arrival order): from this batch, else from the store. */
  private async held(tenant: string, ids: string[]): Promise<Array<{ document: CanonicalDocument; messageId: number; released: true }>> {
    const missing = ids.filter((id) => !this.seen.has(id));
    const stored = new Map((await this.store.getDocuments(tenant, missing)).map((d) => [d.id, d]));
    const out: Array<{ document: CanonicalDocument; messageId: number; released: true }> = [];
    for (const id of ids) {
      const mine = this.seen.get(id);
      if (mine) { out.push({ ...mine, released: true }); continue; }
      const row = stored.get(id);
      if (!row) continue;
      const valid = validateDocument(row.body);
      if (valid.ok) out.push({ document: valid.document, messageId: row.messageId, released: true });
    }
    return out;
  }

  /**
   * Reads in one statement per tenant the ledgers these documents will be decided against, unless
   * this session has them already. Only a cache: a document whose ledger was not read ahead reads it
   * when it is decided; the version check at commit guards both alike.
   */
  async prefetch(documents: readonly CanonicalDocument[]): Promise<void> {
    const byTenant = new Map<string, Set<string>>();
    for (const d of documents) {
      const target = ledgerKeyFor(d);
      if (!target) continue;
      const key = `${d.tenant}\u0000${target.entityKey}`;
      if (this.ledgers.has(key) || this.readAhead.has(key)) continue;
      let keys = byTenant.get(d.tenant);
      if (!keys) byTenant.set(d.tenant, (keys = new Set()));
      keys.add(target.entityKey);
    }
    for (const [tenant, keys] of byTenant) {
      const wanted = [...keys];
      for (const k of wanted) this.readAhead.set(`${tenant}\u0000${k}`, null);
      for (const row of await this.store.getLedgers(tenant, wanted)) this.readAhead.set(`${tenant}\u0000${row.entityKey}`, row);
    }
  }

  /** The ledger this session has, or the absence of one the read-ahead found; undefined when the store must be asked. */
  private loaded(key: string, tenant: string): Held | undefined {
    const held = this.ledgers.get(key);
    if (held || this.readAhead.get(key) !== null) return held;
    this.readAhead.delete(key);
    const absent: Held = { tenant, ledger: undefined, stored: 0 };
    this.put(key, absent);
    return absent;
  }

  private async load(tenant: string, entityKey: string): Promise<Held> {
    const key = `${tenant}\u0000${entityKey}`;
    let held = this.ledgers.get(key);
    if (held) return held;
    const ahead = this.readAhead.get(key);
    const [row] = ahead !== undefined ? (ahead ? [ahead] : []) : await this.store.getLedgers(tenant, [entityKey]);
    this.readAhead.delete(key);
    let ledger = row?.body as Ledger | undefined;
    if (ledger?.kind === 'order') ledger = await syncSent(this.store, tenant, ledger);
    if (ledger?.kind === 'order' && ledger.send.state === 'pending' && ledger.send.documentId && this.inFlight?.has(entityKey)) {
      ledger = recordSent(ledger, { documentId: ledger.send.documentId, at: this.nowIso });
    }
    held = { tenant, ledger, stored: row?.version ?? 0 };
    this.put(key, held);
    if (ledger !== row?.body) this.touch(key);
    return held;
  }
}

/**
 * An order routed to the warehouse is "pending" in its ledger until its delivery is delivered: the
 * delivery worker does not write ledgers, so whoever reads the ledger next records the send.
 */
export async function syncSent(store: Pick<PipelineStore, 'deliveriesOfDocument'>, tenant: string, ledger: OrderLedger): Promise<OrderLedger> {
  if (ledger.send.state !== 'pending' || !ledger.send.documentId) return ledger;
  const d = (await store.deliveriesOfDocument(tenant, ledger.send.documentId)).find((x) => x.status === 'delivered');
  if (!d || d.deliveredAt === null) return ledger;
  return recordSent(ledger, { documentId: d.documentId, at: new Date(d.deliveredAt).toISOString(), deliveryId: String(d.id), endpoint: d.endpoint });
}

/** The state a ledger is listed under. */
export function ledgerStatusOf(ledger: Ledger, state = ledger.kind === 'order' ? orderStateOf(ledger) : undefined): string {
  // A cancel of an order never received settles it: it is listed cancelled, not waiting to be seen.
  if (ledger.kind === 'order') return ledger.known || isCancelled(ledger) ? state! : 'not_seen';
  if (ledger.kind === 'inbound') return ledger.known ? inboundStateOf(ledger) : 'not_seen';
  return 'current';
}

export function ledgerWriteOf(tenant: string, ledger: Ledger, stored: number, policy: RulesPolicy, dueAfter: number): LedgerWrite {
  // An order's state is read three times below: worked out once.
  const state = ledger.kind === 'order' ? orderStateOf(ledger) : undefined;
  return {
    tenant, entityKey: ledger.entityKey, kind: ledger.kind,
    reference: ledger.kind === 'order' ? ledger.orderNumber : ledger.kind === 'inbound' ? ledger.reference : ledger.entityKey,
    version: ledger.version, expectedVersion: stored, status: ledgerStatusOf(ledger, state),
    facility: ledger.kind === 'state' ? null : ledger.header?.facility ?? null,
    dueAt: dueAtOf(ledger, policy, dueAfter, state), stuckAt: stuckAtOf(ledger, policy, state), body: ledger,
  };
}

/** The last time text read and its milliseconds: a batch's orders are routed at the session's one time, read once. */
let lastIso = { text: '', ms: NaN };

function isoMs(text: string): number {
  if (text !== lastIso.text) lastIso = { text, ms: Date.parse(text) };
  return lastIso.ms;
}

/**
 * When a live order becomes stuck if nothing moves it on first: its acknowledgment falling due,
 * or the end of its requested ship date (the earlier). Kept on the ledger's row so the stuck
 * orders are found through an index; the rules' own findStuck then says whether and why.
 */
export function stuckAtOf(ledger: Ledger, policy: RulesPolicy, known?: OrderState): number | null {
  if (ledger.kind !== 'order' || !ledger.known) return null;
  const state = known ?? orderStateOf(ledger);
  if (state === 'cancelled' || state === 'closed' || state === 'shipped') return null;
  // The SLA of the flow that sent it, as the ledger recorded it; the general one otherwise.
  const sla = ledger.sla ?? policy.stuck;
  const times: number[] = [];
  if (ledger.send.state === 'sent' && ledger.send.sentAt && ledger.acknowledgments.length === 0) {
    times.push(isoMs(ledger.send.sentAt) + sla.acknowledgeWithinMinutes * 60_000 + 1);
  }
  const shipBy = ledger.header?.requestedShipDate;
  if (sla.shipByRequestedDate && shipBy) times.push(Date.parse(`${shipBy}T00:00:00${sla.utcOffset}`) + 86_400_000);
  const at = times.filter((t) => Number.isFinite(t));
  return at.length ? Math.min(...at) : null;
}

/**
 * When the sweep must look at a ledger again: a held document's window ending, an acknowledgment
 * falling due, a requested ship date ending. Only times after `after` count (the sweep passes its
 * own now, so what it has just handled does not bring the ledger back at once).
 */
export function dueAtOf(ledger: Ledger, policy: RulesPolicy, after: number, known?: OrderState): number | null {
  if (ledger.kind === 'state') return null;
  const times: number[] = [];
  for (const p of ledger.parked) if (p.waitingFor !== 'release') times.push(Date.parse(p.heldAt) + holdWindowOf(p, policy) * 60_000);
  if (ledger.kind === 'order' && ledger.known) {
    const sla = ledger.sla ?? policy.stuck;
    const state = known ?? orderStateOf(ledger);
    if (state !== 'cancelled' && state !== 'closed' && state !== 'shipped') {
      if (ledger.send.state === 'pending') times.push(isoMs(ledger.send.routedAt ?? '') + 60_000);
      if (ledger.send.state === 'sent' && ledger.send.sentAt && ledger.acknowledgments.length === 0) {
        times.push(isoMs(ledger.send.sentAt) + sla.acknowledgeWithinMinutes * 60_000 + 1);
      }
      const shipBy = ledger.header?.requestedShipDate;
      if (sla.shipByRequestedDate && shipBy) times.push(Date.parse(`${shipBy}T00:00:00${sla.utcOffset}`) + 86_400_000);
    }
  }
  const due = times.filter((t) => Number.isFinite(t) && t > after);
  return due.length ? Math.min(...due) : null;
}

/** Stuck orders among ledger rows (cancelled, closed and shipped orders never are). */
export function stuckOf(rows: LedgerRow[], policy: RulesPolicy, now: number): StuckOrder[] {
  const orders = rows.map((r) => r.body as Ledger).filter((l): l is OrderLedger => l.kind === 'order');
  return findStuck(orders, policy.stuck, new Date(now).toISOString());
}

function skusOf(doc: CanonicalDocument): string[] {
  const lines = (doc as { lines?: Array<{ sku?: string }> }).lines ?? [];
  const skus: string[] = [];
  for (const l of lines) if (typeof l.sku === 'string') skus.push(l.sku);
  return skus;
}
