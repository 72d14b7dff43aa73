/**
 * What the rules step costs the pipeline: the SQLite field-map benchmark (inbox -> decode ->
 * rules -> route -> field map -> outbox, sales orders of 10 lines, synchronous=FULL) run with
 * `rules: { enabled: false }` and with the rules on, in the same run. Each round runs both, in
 * turn and in alternating order, each in a fresh process of its own so that one's heap and JIT do
 * not help or burden the other and its peak RSS is its own; the machine's load falls on both
 * alike. Medians count. The rules may cost at most 20% of the throughput.
 *   npm run bench -- --only rules [--rounds N] [--orders N]
 *   node --import tsx bench/rules-cost.ts [--rounds N] [--orders N]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timedInboxToOutbox } from './pipeline.ts';

export interface RulesRound { rules: boolean; perSec: number; cpuMsPerOrder: number; peakRssMb: number }

export interface RulesCostFigures {
  rounds: RulesRound[];
  withRulesPerSec: number;
  withoutRulesPerSec: number;
  /** With / without, medians: 0.8 or more meets the budget. */
  ratio: number;
  withRulesCpuMsPerOrder: number;
  withoutRulesCpuMsPerOrder: number;
  withRulesPeakRssMb: number;
  withoutRulesPeakRssMb: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One side of one round, in this process: a short warm-up on its own database, then the timed run. */
async function round(rules: boolean, orders: number): Promise<RulesRound> {
  const dir = mkdtempSync(join(tmpdir(), 'causeway-rules-bench-'));
  try {
    await timedInboxToOutbox(dir, 'fields', Math.min(2_000, orders), rules);
    const { perSec, cpuSeconds } = await timedInboxToOutbox(dir, 'fields', orders, rules);
    return { rules, perSec, cpuMsPerOrder: (cpuSeconds * 1000) / orders, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runRulesCostBench(options: { rounds?: number; orders?: number } = {}): Promise<RulesCostFigures> {
  const rounds = options.rounds ?? 5;
  const orders = options.orders ?? 20_000;
  const self = fileURLToPath(import.meta.url);
  const all: RulesRound[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which side goes first, so a drift in the machine's load does not favour one.
    for (const rules of r % 2 === 0 ? [false, true] : [true, false]) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', self, '--round', rules ? 'on' : 'off', '--orders', String(orders)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      const one = JSON.parse(out.trim().split('\n').pop()!) as RulesRound;
      all.push(one);
      console.log(`  round ${r + 1}, rules ${rules ? 'on ' : 'off'}: ${Math.round(one.perSec).toLocaleString('en-US')} orders/s, `
        + `${one.cpuMsPerOrder.toFixed(3)} ms CPU per order, peak RSS ${Math.round(one.peakRssMb)} MB`);
    }
  }
  const side = (rules: boolean) => all.filter((x) => x.rules === rules);
  const figures: RulesCostFigures = {
    rounds: all,
    withRulesPerSec: median(side(true).map((x) => x.perSec)),
    withoutRulesPerSec: median(side(false).map((x) => x.perSec)),
    ratio: 0,
    withRulesCpuMsPerOrder: median(side(true).map((x) => x.cpuMsPerOrder)),
    withoutRulesCpuMsPerOrder: median(side(false).map((x) => x.cpuMsPerOrder)),
    withRulesPeakRssMb: Math.max(...side(true).map((x) => x.peakRssMb)),
    withoutRulesPeakRssMb: Math.max(...side(false).map((x) => x.peakRssMb)),
  };
  // The ratio of medians, and the median of the ratios pair by pair (each pair ran back to back, under the same load).
  figures.ratio = figures.withRulesPerSec / figures.withoutRulesPerSec;
  const pairRatios = Array.from({ length: rounds }, (_, r) => all[2 * r + (r % 2 === 0 ? 1 : 0)].perSec / all[2 * r + (r % 2 === 0 ? 0 : 1)].perSec);
  const cpuRatio = figures.withoutRulesCpuMsPerOrder / figures.withRulesCpuMsPerOrder;
  const pct = (x: number) => `${((1 - x) * 100).toFixed(1)}%`;
  console.log(`without the rules: ${Math.round(figures.withoutRulesPerSec).toLocaleString('en-US')} orders/s (median of ${rounds}), `
    + `${figures.withoutRulesCpuMsPerOrder.toFixed(3)} ms CPU per order, peak RSS ${Math.round(figures.withoutRulesPeakRssMb)} MB`);
  console.log(`with the rules:    ${Math.round(figures.withRulesPerSec).toLocaleString('en-US')} orders/s (median of ${rounds}), `
    + `${figures.withRulesCpuMsPerOrder.toFixed(3)} ms CPU per order, peak RSS ${Math.round(figures.withRulesPeakRssMb)} MB`);
  console.log(`with / without: ${figures.ratio.toFixed(2)} (the rules cost ${pct(figures.ratio)} of the throughput; median of the pairs' ratios ${median(pairRatios).toFixed(2)}; `
    + `by CPU per order ${cpuRatio.toFixed(2)}, a cost of ${pct(cpuRatio)}); at most 20% allowed`);
  return figures;
}

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const orders = Number(arg('--orders') ?? 20_000);
  if (arg('--round')) console.log(JSON.stringify(await round(arg('--round') === 'on', orders)));
  else await runRulesCostBench({ rounds: Number(arg('--rounds') ?? 5), orders });
}
