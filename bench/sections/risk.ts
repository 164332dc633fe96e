/** The risk section: confirm-path collateral decisions, background refinement, capital efficiency. */

import type { Figure, Section } from '../report.ts';
import { type RiskBenchReport, runRiskBench } from '../risk.ts';

export async function riskSection(opts: { quick: boolean }): Promise<Section> {
  return riskReportSection(await runRiskBench(opts));
}

/** The report's section for a finished risk run. */
export function riskReportSection(report: RiskBenchReport): Section {
  const figures: Figure[] = [];
  for (const b of report.books) {
    const refineMs = b.refinement.firstResultMs ?? b.refinement.capMs;
    figures.push({
      name: `confirm-path decision, ${b.positions.toLocaleString('en')}-position book`,
      unit: 'ms',
      value: b.confirmColdUs.p50 / 1000,
      p50: b.confirmColdUs.p50 / 1000,
      p99: b.confirmColdUs.p99 / 1000,
      max: b.confirmColdUs.max / 1000,
      baseline: { name: 'solving the book in the background (first result)', value: refineMs },
      ratio: refineMs / (b.confirmColdUs.p99 / 1000),
      ratioNote: 'solve ÷ confirm p99',
      ...(b.positions === 1000 ? { goal: 'p99 ≤ 10 ms', met: b.confirmColdUs.p99 / 1000 <= 10 } : {}),
    });
  }
  for (const b of report.books) {
    // The efficiency figures are already fractions of Σ risk (full risk = 1).
    const e = b.efficiency;
    const refined = e.refined;
    figures.push({
      name: `collateral ÷ full risk on the confirm path (no refinement yet), ${b.positions.toLocaleString('en')} positions`,
      unit: '',
      value: e.confirmPath,
      baseline: { name: 'full risk', value: 1 },
      ratio: e.confirmPath,
    });
    figures.push({
      name: `collateral ÷ full risk after refinement, ${b.positions.toLocaleString('en')} positions`,
      unit: '',
      value: refined,
      baseline:
        e.exact !== null
          ? { name: 'exact worst case', value: e.exact }
          : { name: 'best outcome found (lower bound)', value: e.lowerBound },
      ratio: e.tightness,
      ratioNote: e.exact !== null ? 'refined ÷ exact (goal ≤ 1.05)' : 'refined ÷ lower bound',
      ...(b.positions === 1000 ? { goal: '≤ 0.6 of full risk', met: refined <= 0.6 } : {}),
    });
    figures.push({
      name: `event-loop delay while refining, ${b.positions.toLocaleString('en')} positions`,
      unit: 'ms',
      value: b.eventLoopDelayMs.p50,
      p50: b.eventLoopDelayMs.p50,
      p99: b.eventLoopDelayMs.p99,
      max: b.eventLoopDelayMs.max,
      baseline: { name: 'idle loop, same run', value: b.idleLoopDelayMs.p99 },
      ratio: b.eventLoopDelayMs.p99 / b.idleLoopDelayMs.p99,
      ratioNote: 'p99 while refining ÷ idle p99',
    });
  }
  const first = report.books[0]?.positions ?? 1;
  return {
    title: 'Risk (issue 7): incremental worst-case collateral',
    figures,
    growth: [
      {
        label: 'confirm-path decision p99',
        unit: 'ms',
        points: report.books.map((b) => ({
          scale: b.positions / first,
          work: `${b.positions} positions`,
          value: b.confirmColdUs.p99 / 1000,
        })),
      },
      {
        label: 'background refinement, first result',
        unit: 'ms',
        points: report.books.map((b) => ({
          scale: b.positions / first,
          work: `${b.positions} positions`,
          value: b.refinement.firstResultMs ?? b.refinement.capMs,
        })),
      },
    ],
    distributions: [],
    notes: [
      ...report.notes,
      'Full risk (every position locks its whole risk) is 1.00 on the same books; Totalis reports 30–40% less than full risk on random 3–5 leg parlays.',
    ],
  };
}
