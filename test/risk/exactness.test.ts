/**
 * The model's pieces against the brute-force oracle on small random structures: the market rules,
 * normalization and the split into components reproduce the oracle's worst case exactly (enumeration),
 * and every HiGHS bound is safe (never below it) and, for branch and bound, tight.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import fc from 'fast-check';
import type { Highs } from 'highs';
import { DEFAULT_COMPONENT_OPTIONS, escalate, quickBounds } from '../../engine/risk/componentBounds.ts';
import { enumerate } from '../../engine/risk/enumerate.ts';
import { buildGraph, lit } from '../../engine/risk/graph.ts';
import { buildModel, LpModel, solveMip } from '../../engine/risk/highsModel.ts';
import { loadHighs } from '../../engine/risk/loadHighs.ts';
import { KnownResults, normalizeLegs } from '../../engine/risk/normalize.ts';
import { type LivePosition, type Problem, splitProblems } from '../../engine/risk/problem.ts';
import { type SmallBook, smallBookArb } from './arbitraries.ts';
import { oracle } from './oracle.ts';

let highs: Highs;
before(async () => {
  highs = await loadHighs();
});

function problemsOf(book: SmallBook): { problems: Problem[]; sure: number } {
  // As in production: the engine only ever sees the facts of the markets its positions reference.
  const referenced = new Set(book.positions.flatMap((p) => p.legs.map((l) => l.ticker)));
  const graph = buildGraph(book.facts.filter((f) => referenced.has(f.ticker)));
  const known = new KnownResults(graph);
  const live: LivePosition[] = [];
  let sure = 0;
  for (const p of book.positions) {
    const n = normalizeLegs(
      known,
      p.legs.map((l) => lit(graph.index.get(l.ticker)!, l.side === 'yes')),
    );
    if (n.kind === 'live') live.push({ slot: live.length, riskMicro: p.riskMicro, lits: n.lits });
    else if (n.kind === 'sure') sure += p.riskMicro;
  }
  return { problems: splitProblems(graph, live, known.assignment.value), sure };
}

test('enumeration over the split problems equals the oracle, conditionals included', () => {
  fc.assert(
    fc.property(smallBookArb('mm'), (book) => {
      const truth = oracle(book.facts, book.positions);
      const { problems, sure } = problemsOf(book);
      const solved = problems.map((p) => ({ p, e: enumerate(p, 30, 1 << 20)! }));
      const total = sure + solved.reduce((a, s) => a + s.e.value, 0);
      assert.equal(total, truth.worst);
      assert.ok(truth.worst >= truth.truth, 'the model space contains every real outcome');
      assert.ok(truth.worst >= oracle(book.facts, book.positions, 'all').worst, 'more markets, more rules');
      // Conditioning on one market touches only its own component.
      for (const { p, e } of solved) {
        p.tickers.forEach((t, k) => {
          for (const yes of [false, true]) {
            const expected = truth.conditional.get(`${t}:${yes ? 'yes' : 'no'}`);
            const got = total - e.value + e.cond[lit(k, yes)]!;
            // A value no outcome has (only rules through other components rule it out) bounds nothing.
            if (expected !== undefined) assert.equal(got, expected, `${t} ${yes ? 'yes' : 'no'}`);
          }
        });
      }
    }),
    { numRuns: 300, seed: 7 },
  );
});

test('LP, reduced-cost and branch-and-bound bounds are never below the exact value', () => {
  fc.assert(
    fc.property(smallBookArb('mm'), (book) => {
      for (const problem of problemsOf(book).problems) {
        const exact = enumerate(problem, 30, 1 << 20)!;
        const built = buildModel(highs, problem);
        const lp = new LpModel(highs, built);
        try {
          const relaxed = lp.boundAndReducedCostConds()!;
          assert.ok(relaxed.ub >= exact.value, `lp ${relaxed.ub} < exact ${exact.value}`);
          problem.markets.forEach((_, m) => {
            for (const yes of [false, true]) {
              const l = lit(m, yes);
              assert.ok(relaxed.cond[l]! >= exact.cond[l]!, 'reduced-cost conditional bound below exact');
              assert.ok(lp.boundWith(m, yes)! >= exact.cond[l]!, 're-solved conditional bound below exact');
            }
          });
        } finally {
          lp.dispose();
        }
        const mip = solveMip(highs, problem, built, 5, null);
        assert.ok(mip.optimal);
        assert.ok(mip.ub !== null && mip.ub >= exact.value, 'dual bound below exact');
        assert.ok(mip.ub <= exact.value * (1 + 1e-6) + 2, 'dual bound not tight at optimality');
        assert.equal(mip.lb, exact.value, 'incumbent is not the worst outcome');
      }
    }),
    { numRuns: 120, seed: 11 },
  );
});

test('the escalation path (no enumeration) reaches the exact value within the solver margin', () => {
  const options = { ...DEFAULT_COMPONENT_OPTIONS, enumerateMaxMarkets: 0, mipSeconds: [2] };
  fc.assert(
    fc.property(smallBookArb('mm'), (book) => {
      for (const problem of problemsOf(book).problems) {
        const exact = enumerate(problem, 30, 1 << 20)!;
        const state = quickBounds(highs, problem, options);
        assert.ok(state.ub >= exact.value && state.lb <= exact.value);
        escalate(highs, state, options);
        assert.ok(state.exact && state.method === 'mip', `not exact: ${state.method}`);
        assert.ok(state.ub >= exact.value && state.ub <= exact.value * (1 + 1e-6) + 2);
        assert.equal(state.lb, exact.value);
        for (let l = 0; l < state.cond.length; l++) assert.ok(state.cond[l]! >= exact.cond[l]!);
      }
    }),
    { numRuns: 60, seed: 13 },
  );
});
