import type { CausewayError } from '../../model/index.ts';
import type { KpiSample, MessageStatus } from './pipeline.ts';
import type { Page } from './page.ts';

// The console's facet: the audit log of what people did, corrections of quarantined messages,
// dead letters an operator closed without a replay, and the read models the console's pages need
// (message search, dead-letter patterns, endpoint figures, trends), each scoped to one tenant.

export interface NewAuditEntry {
  tenant: string;
  /** Who: the API key's name the session was opened with. */
  actor: string;
  /** What, as a verb: sign-in, replay-message, edit-message, resolve-dead-letters, ... */
  action: string;
  /** What it was done to, e.g. "message 42" or "dead letters HTTP_422 $.lines[*].sku". */
  subject: string;
  detail?: unknown;
  at: number;
}

export interface AuditEntry extends NewAuditEntry {
  id: number;
}

export interface MessageSearch extends Page {
  tenant: string;
  /** Exact text: the partner's reference, a message id, or (with entityKeys) a document's entity key. */
  text?: string;
  /** Entity keys the text may stand for (order:SO-1, inbound:PO-7): a message carrying a document of any of them matches. */
  entityKeys?: string[];
  /** A document type the message carries, e.g. sales_order. */
  type?: string;
  status?: MessageStatus;
  endpoint?: string;
  /** received_at in [from, to), epoch ms. */
  from?: number;
  to?: number;
}

/** A message as a list shows it: no body, its size instead. */
export interface MessageSummary {
  id: number;
  endpoint: string;
  codec: string;
  partnerRef: string | null;
  receivedAt: number;
  status: MessageStatus;
  generation: number;
  size: number;
  errors: CausewayError[];
}

/** An open dead letter with what the console groups it by. */
export interface OpenDeadLetter {
  id: number;
  kind: 'delivery' | 'message';
  refId: number;
  endpoint: string;
  reason: string;
  createdAt: number;
  /** A quarantined message's errors: each code and path once (at most 100), with its first message cut to 200 characters; none for a delivery. */
  errors: CausewayError[];
  /** The HTTP status a dead delivery's reason names, when it names one. */
  statusCode: number | null;
}

/** What a correction replaced: the body of the generation that was quarantined. */
export interface MessageEdit {
  id: number;
  tenant: string;
  messageId: number;
  /** The generation that was quarantined with bodyBefore; the corrected one runs as generation + 1. */
  generation: number;
  bodyBefore: Buffer;
  codecBefore: string;
  contentTypeBefore: string | null;
  editedBy: string;
  editedAt: number;
  note: string;
}

export interface MessageCorrection {
  tenant: string;
  messageId: number;
  body: Buffer;
  contentHash: string;
  /** Another codec when the operator gives the canonical document (json) instead of the raw bytes. */
  codec: string;
  contentType: string | null;
  editedBy: string;
  note: string;
  at: number;
}

export interface EndpointFigures {
  endpoint: string;
  /** Deliveries done since `since`. */
  delivered: number;
  lastSuccessAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
}

/** One bucket of a trend: [at, at + bucketMs). */
export interface TrendBucket {
  at: number;
  delivered: number;
  /** Mean of delivered_at - occurred_at in the bucket, ms. */
  meanSyncMs: number | null;
  attempts: number;
  failedAttempts: number;
  messages: number;
  quarantined: number;
  /** Sum of delivered_at - occurred_at over the bucket's deliveries, ms: buckets add up into longer ones. */
  syncMsTotal: number;
}

/** A closed hour of a tenant's trend, summed once and kept: a day is its 24 hours added up. */
export interface TrendHour extends TrendBucket {
  /** When it was summed: an hour summed soon after it closed is summed again (late rows). */
  computedAt: number;
}

/** A signed-in console user, as kept in the store: looked up by the hash of the cookie's id, never the id itself. */
export interface ConsoleSessionRow {
  idHash: string;
  csrf: string;
  keyName: string;
  scopes: string[];
  grant: string;
  keyTenant: string;
  tenant: string;
  /** What the last action said, shown once on the page it leads to. */
  flash: { notice?: string; error?: string } | null;
  createdAt: number;
  expiresAt: number;
}

export interface ConsoleStore {
  recordAudit(entry: NewAuditEntry): Promise<void>;
  listAudit(tenant: string, page?: Page): Promise<AuditEntry[]>;

  searchMessages(search: MessageSearch): Promise<MessageSummary[]>;

  /**
   * Keeps the quarantined body as it was and runs the correction as the next generation: the
   * message goes back to pending with the new body. Undefined when the tenant has no such message
   * or it is not quarantined (nothing is written then).
   */
  correctMessage(correction: MessageCorrection): Promise<{ generation: number } | undefined>;
  listMessageEdits(tenant: string, messageId: number): Promise<MessageEdit[]>;

  /** Dead letters neither replayed nor resolved, newest first, at most `limit`. */
  listOpenDeadLetters(tenant: string, limit: number): Promise<OpenDeadLetter[]>;
  /** Closes dead letters without a replay (the partner fixed it by hand, it was a test); returns how many. */
  resolveDeadLetters(tenant: string, ids: number[], by: string, at: number): Promise<number>;

  /** Dead letters created since `since` (replayed or not), optionally of one endpoint. */
  countDeadLetters(tenant: string, since: number, endpoint?: string): Promise<number>;
  /** Dead letters of a kind neither replayed nor resolved (kind message: the quarantined messages nobody dealt with). */
  countOpenDeadLetters(tenant: string, kind: 'delivery' | 'message'): Promise<number>;

  /** Figures of the named endpoints, and of any other that delivered since `since` or failed lately. */
  endpointFigures(tenant: string, endpoints: string[], since: number): Promise<EndpointFigures[]>;
  /** The pipeline's KPI sample for one tenant, read through the tenant's (tenant, time) indexes. */
  tenantKpiSample(tenant: string, since: number, now: number): Promise<KpiSample>;
  trend(tenant: string, from: number, bucketMs: number, buckets: number): Promise<TrendBucket[]>;
  /** Kept closed hours of [from, to) (hour starts, epoch ms), oldest first; missing hours are absent. */
  listTrendHours(tenant: string, from: number, to: number): Promise<TrendHour[]>;
  /** Keeps closed hours, replacing those kept before. */
  saveTrendHours(tenant: string, hours: TrendHour[]): Promise<void>;

  /** Console sessions: kept in the store, so a restart or another process serving the console keeps people signed in. */
  putConsoleSession(session: ConsoleSessionRow): Promise<void>;
  /** The session of that id hash while it has not expired. */
  getConsoleSession(idHash: string, now: number): Promise<ConsoleSessionRow | undefined>;
  updateConsoleSession(idHash: string, change: { tenant?: string; flash?: ConsoleSessionRow['flash'] }): Promise<void>;
  deleteConsoleSession(idHash: string): Promise<void>;
  /** Drops sessions expired by `now`; returns how many. */
  purgeConsoleSessions(now: number): Promise<number>;
}
