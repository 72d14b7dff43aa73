// What applying a document to Tryton answers, for every writer of the connector.

export interface WriteResult {
  /** Tryton's number of the record the document was applied to. */
  partnerRef: string;
  /** What the connector did beyond applying the document, for the log (a backorder cancelled). */
  said?: string;
}
