/** Newest-first paging, shared by every facet's lists. */
export interface Page {
  limit?: number;
  /** Return rows with ids below this (newest first paging). */
  before?: number;
}
