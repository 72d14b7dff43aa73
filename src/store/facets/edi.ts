import type { NewAlert } from './alerts.ts';
import type { Page } from './page.ts';

// The EDI facet: interchanges and sets received (duplicate screening), outbound groups tracked until
// their acknowledgment, and control numbers.

/**
 * The EDI bookkeeping a codec's hooks ask for while a message is processed, written in the
 * transaction of the message's outcome: a crash before it commits leaves none of it behind, so a
 * set is never on record as received while its documents are not.
 */
export interface EdiWrites {
  /** Interchanges and sets received, each with the verdict screening read; re-checked as they are recorded. */
  receipts?: ScreenedReceipt[];
  /** Outbound groups to track until their acknowledgment comes. */
  groups?: EdiGroupSent[];
  /** Partners' acknowledgments, applied to the groups they acknowledge. */
  reconciliations?: EdiReconciliation[];
  alerts?: NewAlert[];
  /** Control numbers received from partners, each kept as the highest of its kind seen (gap detection reads them back). */
  controlNumbersSeen?: ControlNumberSeen[];
}

/** A partner's control number (ISA13, GS06, ST02) as received: the store keeps the highest per scope and kind. */
export interface ControlNumberSeen {
  tenant: string;
  /** Whose sequence: 'x12-in:<partner>:<sender qualifier>:<sender id>'. */
  scope: string;
  kind: string;
  value: number;
}

/** X12 tracking of one outbound functional group until its 997/999 comes. */
export type EdiGroupStatus = 'sent' | 'accepted' | 'accepted_with_errors' | 'partially_accepted' | 'rejected' | 'overdue';

export interface EdiGroupSent {
  tenant: string;
  /** Partner profile name: control numbers are unique per partner. */
  partner: string;
  interchangeControlNumber: string;
  groupControlNumber: string;
  functionalId: string;
  sets: Array<{ id: string; controlNumber: string }>;
  /** The delivery's idempotency key: a replay that reissues control numbers replaces the rows it wrote before. */
  deliveryKey: string;
  messageId: number | null;
  endpoint: string;
  sentAt: number;
  /** No acknowledgment by then: overdue. Null when the partner sends none. */
  deadlineAt: number | null;
}

export interface EdiGroup extends EdiGroupSent {
  id: number;
  status: EdiGroupStatus;
  ackedAt: number | null;
  ackMessageId: number | null;
  /** The acknowledgment's set statuses and errors, as the partner sent them. */
  ackDetail: unknown;
}

export interface EdiGroupFilter extends Page {
  tenant: string;
  status?: EdiGroupStatus;
  partner?: string;
}

/** An interchange (ISA13 per sender) or a set (its content) received, to recognise it when it comes again. */
export interface EdiReceipt {
  tenant: string;
  kind: 'interchange' | 'set';
  key: string;
  partner: string;
  messageId: number;
  at: number;
  /** Seen before within this long: a duplicate. Older sightings start afresh. */
  windowMs: number;
}

/** Whether a receipt repeats one seen in another message within its window. */
export interface EdiReceiptVerdict {
  duplicate: boolean;
  firstMessageId: number;
  count: number;
}

/**
 * A receipt with the verdict duplicate screening reached on reading the store. Recording it in the
 * outcome's transaction reaches the verdict again under the key's lock; when the two differ (another
 * message recorded the key in between) the outcome is refused with EdiReceiptConflict.
 */
export interface ScreenedReceipt extends EdiReceipt {
  duplicate: boolean;
}

export interface EdiReceiptRow {
  id: number;
  tenant: string;
  kind: 'interchange' | 'set';
  key: string;
  partner: string;
  firstMessageId: number;
  firstSeenAt: number;
  lastSeenAt: number;
  lastMessageId: number;
  /** Times seen in the window, the first included. */
  count: number;
}

/** A partner's acknowledgment of one of our groups. */
export interface EdiReconciliation {
  tenant: string;
  partner: string;
  groupControlNumber: string;
  ack: { status: Exclude<EdiGroupStatus, 'sent' | 'overdue'>; messageId: number | null; at: number; detail?: unknown };
  /**
   * The alert the acknowledgment raises about the group as stored, if any. Called by the store inside
   * the transaction once the group is found, so it must be pure: no I/O, no throwing.
   */
  alertFor?(group: EdiGroup): NewAlert | undefined;
}

/** The document one of our outbound groups carried (each delivery is written as an interchange of its own). */
export interface SentGroupDocument {
  documentId: string;
  documentType: string;
  entityKey: string;
  /** The order it belongs to, when it is one's (a 940's sales order, its cancel). */
  orderNumber: string | null;
}

export interface EdiStore {
  /** Records an interchange or set as received; a duplicate when the same key came in another message within the window (judgeReceipt). */
  recordEdiReceipt(receipt: EdiReceipt): Promise<EdiReceiptVerdict>;
  /** The verdict recordEdiReceipt would reach now, without recording anything (duplicate screening reads with it). */
  checkEdiReceipt(receipt: EdiReceipt): Promise<EdiReceiptVerdict>;
  /** Interchanges and sets received more than once, newest first. */
  listEdiDuplicates(tenant: string, page?: Page): Promise<EdiReceiptRow[]>;
  /** Tracks outbound groups (status sent); rows of the same delivery key written before are replaced. */
  recordEdiGroups(groups: EdiGroupSent[]): Promise<void>;
  /** Applies a partner's 997/999 to the group it acknowledges; undefined when no such group was sent. */
  reconcileEdiGroup(tenant: string, partner: string, groupControlNumber: string, ack: EdiReconciliation['ack']): Promise<EdiGroup | undefined>;
  /**
   * The document whose delivery carried one of our groups (GS06 compared as a number, as a 997
   * echoes it), through the delivery the group was tracked under; undefined when no such group
   * was sent or its delivery is gone.
   */
  sentGroupDocument(tenant: string, partner: string, groupControlNumber: string): Promise<SentGroupDocument | undefined>;
  /** Groups still waiting past their deadline become overdue; returns them (each once). */
  markOverdueEdiGroups(now: number): Promise<EdiGroup[]>;
  listEdiGroups(filter: EdiGroupFilter): Promise<EdiGroup[]>;
  /** Next value of a counter (X12 control numbers), unique across restarts and concurrent workers. */
  nextControlNumber(tenant: string, scope: string, kind: string, max: number): Promise<number>;
  /** The highest control number of a kind received under a scope (see ControlNumberSeen), null before the first. */
  lastControlNumberSeen(tenant: string, scope: string, kind: string): Promise<number | null>;
}
