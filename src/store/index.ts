export type * from './types.ts';
export { openStore } from './open.ts';
export { SqliteStore } from './sqlite/sqlite-store.ts';
export { EdiReceiptConflict } from './edi-receipts.ts';
export { LedgerConflict } from './facets/ledger.ts';
export { filePieces, MessageLeaseLost, RAW_CHUNK_BYTES } from './raw.ts';
export { judgeAttempt, type AttemptVerdict, type DeliveryState } from './decisions.ts';
