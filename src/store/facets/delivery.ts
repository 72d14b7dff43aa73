// A delivery to be written: what a message's outcome, an attempt's settling or the rules' own
// writes (ledger.ts) add to an endpoint's queue. Its own module, so both facets can name it.

export interface NewDelivery {
  tenant: string;
  documentId: string;
  documentType: string;
  messageId: number;
  flow: string;
  endpoint: string;
  entityKey: string;
  payload: Buffer;
  contentType: string;
  idempotencyKey: string;
  occurredAt: number;
  receivedAt: number;
  maxAttempts: number;
}
