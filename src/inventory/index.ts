// Inventory truth: positions of both sides, reconciliation with in-flight documents, the accuracy
// KPI, available-to-promise and the go-live audit. Pure functions over documents; the engine
// reads and writes the rows.
export * from './positions.ts';
export * from './reconcile.ts';
export * from './accuracy.ts';
export * from './atp.ts';
export * from './audit.ts';
export * from './audit-report.ts';
