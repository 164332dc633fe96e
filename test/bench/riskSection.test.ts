import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RiskBookFigures } from '../../bench/risk.ts';
import { riskReportSection } from '../../bench/sections/risk.ts';

const pct = { p50: 1, p99: 2, max: 3 } as RiskBookFigures['confirmColdUs'];

function book(positions: number, efficiency: Partial<RiskBookFigures['efficiency']>): RiskBookFigures {
  return {
    positions,
    markets: 10,
    components: 1,
    exactComponents: 1,
    confirmColdUs: pct,
    confirmWarmUs: { p50: 1, p99: 2, mean: 1, samples: 10 },
    refinement: { firstResultMs: 5, settledMs: 6, capMs: 100 },
    eventLoopDelayMs: pct,
    idleLoopDelayMs: pct,
    efficiency: {
      riskMicro: 2_000_000_000,
      confirmPath: 0.9,
      confirmPathRefined: null,
      marginalOnRefined: 0.5,
      refined: 0.875,
      lowerBound: 0.8,
      exact: null,
      fullRisk: 1,
      tightness: 1,
      goalMet: null,
      ...efficiency,
    },
  };
}

// The efficiency figures are fractions of Σ risk already: the baseline printed beside the refined
// figure is the exact worst case (or lower bound) as a fraction too, not divided by Σ risk again.
test('the refined-collateral baseline is the exact worst case (or lower bound) as a fraction of full risk', () => {
  const section = riskReportSection({
    quick: true,
    machine: {},
    books: [
      book(10, { exact: 0.875, refined: 0.875, tightness: 1 }),
      book(1000, { refined: 0.43, lowerBound: 0.4, tightness: 1.075 }),
    ],
    goals: { confirmP99Ms: 10, refinedOverExact: 1.05 },
    notes: [],
  });
  const refined = section.figures.filter((f) => f.name.startsWith('collateral ÷ full risk after refinement'));
  assert.equal(refined.length, 2);
  assert.deepEqual(refined[0]?.baseline, { name: 'exact worst case', value: 0.875 });
  assert.equal(refined[0]?.ratio, 1);
  assert.deepEqual(refined[1]?.baseline, { name: 'best outcome found (lower bound)', value: 0.4 });
  assert.equal(refined[1]?.ratio, 1.075);
  assert.equal(refined[1]?.met, true, '0.43 of full risk meets the ≤ 0.6 goal');
});
