// Billing for a 3PL's clients: usage events from applied documents, rate cards, rating and the
// invoice's exports. Pure decisions only; the store keeps events and closed periods, and the
// engine's BillingService runs the sweep and the close.
export * from './usage.ts';
export * from './rate-card.ts';
export * from './rate.ts';
