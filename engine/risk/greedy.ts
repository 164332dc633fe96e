/**
 * A fast search for bad outcomes: a lower bound on the worst case. It never decides collateral (only
 * upper bounds do); it measures how tight the upper bound is, and starts HiGHS from a good outcome.
 *
 * Randomised greedy: take positions in an order biased to large risks, make each win if it is still
 * compatible with those already chosen (unit propagation), value the result exactly, keep the best.
 */
import { Assignment } from './graph.ts';
import { outcomeValue, type Problem, problemForces } from './problem.ts';

export interface Outcome {
  value: number;
  outcome: Uint8Array;
}

/** Deterministic for a given seed; stops after `rounds` restarts or `budgetMs`, whichever first. */
export function greedyOutcome(
  problem: Problem,
  opts: { rounds: number; budgetMs: number; seed: number },
): Outcome {
  const n = problem.markets.length;
  const forces = problemForces(problem);
  const a = new Assignment(n);
  const count = problem.lits.length;
  const order = Array.from({ length: count }, (_, i) => i);
  const key = new Float64Array(count);
  let state = opts.seed >>> 0 || 1;
  const random = () => {
    // xorshift32
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const best: Outcome = { value: 0, outcome: new Uint8Array(n) };
  const values = new Uint8Array(n);
  const deadline = performance.now() + opts.budgetMs;
  for (let round = 0; round < opts.rounds && performance.now() < deadline; round++) {
    // Round 0 is plain largest-risk-first; later rounds perturb it.
    for (let p = 0; p < count; p++) key[p] = problem.risks[p]! * (round === 0 ? 1 : 0.3 + random());
    order.sort((x, y) => key[y]! - key[x]!);
    a.reset();
    for (const p of order) {
      const mark = a.mark();
      if (!a.assume(forces, problem.lits[p]!)) a.rollback(mark);
    }
    // Markets left open go to no: a no never breaks an "at most one" or a "yes implies yes" rule
    // that propagation has not already settled.
    for (let m = 0; m < n; m++) values[m] = a.value[m] === 1 ? 1 : 0;
    const value = outcomeValue(problem, values);
    if (value > best.value) {
      best.value = value;
      best.outcome.set(values);
    }
  }
  return best;
}
