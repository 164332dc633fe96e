/**
 * Bounds on one problem (an independent component of a book), tightened in steps:
 *   0. quick: exact enumeration when small; otherwise the LP relaxation (certified by weak duality)
 *      with reduced-cost conditional bounds, and a greedy outcome as the lower bound;
 *   1… escalate: branch and bound for a growing time limit (its dual bound), then conditional bounds
 *      from re-solved LPs with one market fixed, most-used markets first, within a budget.
 * Every upper bound is safe on its own; a state keeps the minimum of all it has seen. On any solver
 * failure the bound is the component's full risk.
 */
import type { Highs } from 'highs';
import { enumerate } from './enumerate.ts';
import { lit, litMarket } from './graph.ts';
import { greedyOutcome } from './greedy.ts';
import { buildModel, LpModel, solveMip } from './highsModel.ts';
import type { Problem } from './problem.ts';
import { closeEnough, sumMicro } from './safeBound.ts';

export interface ComponentState {
  problem: Problem;
  /** Safe integer upper bound on the component's worst case. */
  ub: number;
  /** Exact value of the worst outcome found so far. */
  lb: number;
  exact: boolean;
  method: 'enumeration' | 'lp' | 'mip' | 'mip-limit' | 'full-risk';
  /** Safe upper bound with local literal l forced (≤ ub). */
  cond: Float64Array;
  incumbent: Uint8Array | null;
  /** Escalation steps done (0 after the quick step). */
  level: number;
  /** Which local markets already have re-solved LP conditional bounds. */
  condSolved: Uint8Array;
  /** Set when a found outcome beat an upper bound (a solver bound was wrong): reset to full risk. */
  contradiction: boolean;
}

export interface ComponentOptions {
  /** Problems up to this many markets are enumerated exactly. */
  enumerateMaxMarkets: number;
  enumerateMaxLeaves: number;
  /** Branch-and-bound time per escalation step, seconds; the length is the number of steps. */
  mipSeconds: readonly number[];
  /** Time for re-solved conditional LPs per step. */
  condBudgetMs: number;
  greedyBudgetMs: number;
}

export const DEFAULT_COMPONENT_OPTIONS: ComponentOptions = {
  enumerateMaxMarkets: 20,
  enumerateMaxLeaves: 1 << 16,
  mipSeconds: [0.5, 2, 8, 30],
  condBudgetMs: 500,
  greedyBudgetMs: 50,
};

function fullRisk(problem: Problem): ComponentState {
  const total = sumMicro(problem.risks);
  const n = problem.markets.length;
  return {
    problem,
    ub: total,
    lb: 0,
    exact: false,
    method: 'full-risk',
    cond: new Float64Array(2 * n).fill(total),
    incumbent: null,
    level: 0,
    condSolved: new Uint8Array(n),
    contradiction: false,
  };
}

/** The first bounds for a problem: cheap, always available (full risk if HiGHS fails). */
export function quickBounds(highs: Highs, problem: Problem, opts: ComponentOptions): ComponentState {
  const state = fullRisk(problem);
  const exact = enumerate(problem, opts.enumerateMaxMarkets, opts.enumerateMaxLeaves);
  if (exact !== null) {
    return {
      ...state,
      ub: exact.value,
      lb: exact.value,
      exact: true,
      method: 'enumeration',
      cond: exact.cond,
      incumbent: exact.outcome,
      level: opts.mipSeconds.length,
      condSolved: new Uint8Array(problem.markets.length).fill(1),
    };
  }
  const greedy = greedyOutcome(problem, { rounds: 64, budgetMs: opts.greedyBudgetMs, seed: 1 });
  state.lb = greedy.value;
  state.incumbent = greedy.outcome;
  try {
    const lp = new LpModel(highs, buildModel(highs, problem));
    try {
      const relaxed = lp.boundAndReducedCostConds();
      if (relaxed !== null && relaxed.ub < state.ub) {
        state.ub = relaxed.ub;
        state.method = 'lp';
        for (let l = 0; l < state.cond.length; l++) state.cond[l] = Math.min(relaxed.cond[l]!, state.ub);
      }
    } finally {
      lp.dispose();
    }
  } catch {
    // A solver error leaves the full-risk bound in place: the safe answer.
  }
  settle(state);
  return state;
}

/** One escalation step; returns false when there is nothing left to do for this problem. */
export function escalate(highs: Highs, state: ComponentState, opts: ComponentOptions): boolean {
  if (state.exact || state.level >= opts.mipSeconds.length) return false;
  const seconds = opts.mipSeconds[state.level]!;
  state.level++;
  const problem = state.problem;
  try {
    const built = buildModel(highs, problem);
    const mip = solveMip(highs, problem, built, seconds, state.incumbent);
    if (mip.lb > state.lb && mip.incumbent !== null) {
      state.lb = mip.lb;
      state.incumbent = mip.incumbent;
    }
    if (mip.ub !== null && mip.ub < state.ub) {
      state.ub = mip.ub;
      state.method = mip.optimal ? 'mip' : 'mip-limit';
    }
    if (mip.optimal && mip.ub !== null && closeEnough(mip.ub, state.lb)) {
      state.exact = true;
      state.method = 'mip';
    }
    conditionalLps(highs, state, built, opts.condBudgetMs);
  } catch {
    // Keep the bounds already proved; a failed step proves nothing new.
  }
  settle(state);
  return !state.exact && state.level < opts.mipSeconds.length;
}

/** Re-solved LPs with one market fixed, markets used by most positions first, within the budget. */
function conditionalLps(
  highs: Highs,
  state: ComponentState,
  built: ReturnType<typeof buildModel>,
  budgetMs: number,
) {
  const problem = state.problem;
  const uses = new Int32Array(problem.markets.length);
  for (const lits of problem.lits) for (const l of lits) uses[litMarket(l)]!++;
  const order = Array.from({ length: uses.length }, (_, m) => m)
    .filter((m) => state.condSolved[m] === 0)
    .sort((a, b) => uses[b]! - uses[a]!);
  if (order.length === 0) return;
  const deadline = performance.now() + budgetMs;
  const lp = new LpModel(highs, built);
  try {
    for (const m of order) {
      if (performance.now() > deadline) break;
      for (const yes of [true, false]) {
        const bound = lp.boundWith(m, yes);
        const l = lit(m, yes);
        if (bound !== null && bound < state.cond[l]!) state.cond[l] = bound;
      }
      state.condSolved[m] = 1;
    }
  } finally {
    lp.dispose();
  }
}

/**
 * Conditioning never raises a worst case, so no conditional bound needs to exceed the bound itself.
 * An outcome worth more than the upper bound proves a bound wrong: everything falls back to full risk.
 */
function settle(state: ComponentState): void {
  if (state.lb > state.ub) {
    const safe = fullRisk(state.problem);
    // No further escalation: a solver that produced a wrong bound is not asked again for this problem.
    Object.assign(state, {
      ...safe,
      lb: state.lb,
      incumbent: state.incumbent,
      contradiction: true,
      level: Infinity,
    });
    return;
  }
  for (let l = 0; l < state.cond.length; l++) if (!(state.cond[l]! <= state.ub)) state.cond[l] = state.ub;
}
