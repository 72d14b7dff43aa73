import type { PositionResult, PositionStatus } from './reconcile.ts';

/**
 * Inventory accuracy: the share of compared positions on which the ERP and the warehouse agree
 * within the unit's tolerance, once documents in flight are counted. A difference in flight is
 * not an inaccuracy, so `in_flight` agrees; `timing` is not compared at all (one side's count is
 * too old to say), so it is neither in the numerator nor in the denominator.
 */
export interface AccuracyFigure {
  compared: number;
  agreeing: number;
  /** agreeing / compared, 0..1, four places; null when nothing could be compared. */
  rate: number | null;
}

export interface Accuracy {
  overall: AccuracyFigure;
  byFacility: Record<string, AccuracyFigure>;
}

const AGREES: Record<PositionStatus, boolean | undefined> = { match: true, in_flight: true, variance: false, timing: undefined };

export function accuracyOf(results: Iterable<Pick<PositionResult, 'facility' | 'status'>>): Accuracy {
  const overall = { compared: 0, agreeing: 0 };
  const facilities = new Map<string, { compared: number; agreeing: number }>();
  for (const r of results) {
    let f = facilities.get(r.facility);
    if (!f) facilities.set(r.facility, (f = { compared: 0, agreeing: 0 }));
    const agrees = AGREES[r.status];
    if (agrees === undefined) continue;
    f.compared++;
    overall.compared++;
    if (agrees) {
      f.agreeing++;
      overall.agreeing++;
    }
  }
  const byFacility: Record<string, AccuracyFigure> = {};
  for (const [name, f] of [...facilities].sort(([a], [b]) => (a < b ? -1 : 1))) byFacility[name] = figure(f);
  return { overall: figure(overall), byFacility };
}

function figure(f: { compared: number; agreeing: number }): AccuracyFigure {
  return { ...f, rate: f.compared === 0 ? null : Math.round((f.agreeing / f.compared) * 10_000) / 10_000 };
}
