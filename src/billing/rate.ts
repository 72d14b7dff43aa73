import Big from 'big.js';
import type { RateCard, Tier } from './rate-card.ts';
import { USAGE_KINDS, type UsageKind } from './usage.ts';

/**
 * Rating: a period's usage, summed per kind, priced by the client's rate card. Pure and exact:
 * quantities and prices are decimals (big.js), each line's amount is rounded once, half up, to the
 * card's decimals, and the total is the sum of the lines as shown, so the lines always add up.
 *
 * Tiers are graduated: with bands up to 1000 at 0.20 and above at 0.15, 1500 units are 1000 at
 * 0.20 and 500 at 0.15, one line per band used. A kind used but missing from the card is not
 * billed and is named in `unpriced`, so a card that forgot a kind is seen, not silently free.
 */

export interface InvoiceLine {
  /** 1-based, in the order kinds are listed in USAGE_KINDS, then services by code, then bands. */
  line: number;
  kind: UsageKind | 'minimum';
  /** 1-based band of the kind's tiers; 0 for the minimum. */
  tier: number;
  quantity: string;
  unitPrice: string;
  amount: string;
}

export interface Rated {
  currency: string;
  lines: InvoiceLine[];
  total: string;
  unpriced: UsageKind[];
}

const bandsOf = (tiers: Tier[]) => tiers.map((t, i) => ({ from: i === 0 ? new Big(0) : new Big(tiers[i - 1]!.upTo!), upTo: t.upTo === undefined ? undefined : new Big(t.upTo), price: new Big(t.price) }));

export function rateUsage(totals: Partial<Record<UsageKind, string>>, card: RateCard): Rated {
  const lines: InvoiceLine[] = [];
  const unpriced: UsageKind[] = [];
  const round = (b: Big) => b.round(card.decimals, Big.roundHalfUp);
  let total = new Big(0);
  // The listed kinds in their order, then the services by code.
  const services = Object.keys(totals).filter((k): k is UsageKind => k.startsWith('service:')).sort();
  for (const kind of [...USAGE_KINDS, ...services]) {
    const used = totals[kind];
    if (used === undefined || new Big(used).lte(0)) continue;
    const rate = card.rates[kind] as { tiers: Tier[] } | undefined;
    if (!rate) {
      unpriced.push(kind);
      continue;
    }
    const quantity = new Big(used);
    for (const [i, band] of bandsOf(rate.tiers).entries()) {
      if (quantity.lte(band.from)) break;
      const inBand = (band.upTo && quantity.gt(band.upTo) ? band.upTo : quantity).minus(band.from);
      const amount = round(inBand.times(band.price));
      total = total.plus(amount);
      lines.push({ line: lines.length + 1, kind, tier: i + 1, quantity: inBand.toString(), unitPrice: band.price.toString(), amount: amount.toFixed(card.decimals) });
    }
  }
  if (card.minimum !== undefined && total.lt(card.minimum)) {
    const makeUp = round(new Big(card.minimum).minus(total));
    total = total.plus(makeUp);
    lines.push({ line: lines.length + 1, kind: 'minimum', tier: 0, quantity: '1', unitPrice: makeUp.toFixed(card.decimals), amount: makeUp.toFixed(card.decimals) });
  }
  return { currency: card.currency, lines, total: total.toFixed(card.decimals), unpriced };
}

const cell = (v: string | number) => (/[",\n\r]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

/** An invoice as CSV: a header row, one row per line. */
export function invoiceCsv(invoice: { tenant: string; period: string; currency: string; lines: InvoiceLine[] }): string {
  const rows: Array<Array<string | number>> = [['tenant', 'period', 'line', 'kind', 'tier', 'quantity', 'unit_price', 'amount', 'currency']];
  for (const l of invoice.lines) rows.push([invoice.tenant, invoice.period, l.line, l.kind, l.tier, l.quantity, l.unitPrice, l.amount, invoice.currency]);
  return rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
