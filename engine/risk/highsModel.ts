/**
 * A problem (problem.ts) as a HiGHS model, and the bounds HiGHS can give on it.
 *
 * Columns: x_m ∈ {0,1} per market (1 = yes), y_p ∈ [0,1] per position of two or more literals.
 * Rows: y_p ≤ x_m per yes literal, y_p ≤ 1 − x_m per no literal, Σ x ≤ 1 per exclusive group, and the
 * ladder rules. Maximise Σ risk_p · y_p. A one-literal position needs no column: its risk goes on x_m
 * (or on 1 − x_m). y needs no integrality: with x integral, the optimum sets y_p to 0 or 1.
 *
 * LP bounds are not taken from the solver's objective. They are recomputed by weak duality from the
 * row duals (any multipliers give a valid bound), so solver tolerances cannot make them unsafe.
 */
import type { Highs, Model, ModelData } from 'highs';
import { litMarket, litYes } from './graph.ts';
import { outcomeConsistent, outcomeValue, type Problem } from './problem.ts';
import { ceilCertified, ceilSolverBound } from './safeBound.ts';

interface Rows {
  lower: number[];
  upper: number[];
  starts: number[];
  indices: number[];
  values: number[];
}

export interface BuiltModel {
  data: ModelData;
  markets: number;
  rows: Rows;
  cost: Float64Array;
  offset: number;
}

export function buildModel(highs: Highs, problem: Problem): BuiltModel {
  const n = problem.markets.length;
  const cost: number[] = new Array(n).fill(0);
  let offset = 0;
  const rows: Rows = { lower: [], upper: [], starts: [0], indices: [], values: [] };
  const inf = highs.infinity;
  const row = (lower: number, upper: number, entries: Array<[number, number]>) => {
    entries.sort((a, b) => a[0] - b[0]);
    for (const [col, v] of entries) {
      rows.indices.push(col);
      rows.values.push(v);
    }
    rows.lower.push(lower);
    rows.upper.push(upper);
    rows.starts.push(rows.indices.length);
  };
  problem.lits.forEach((lits, p) => {
    const risk = problem.risks[p]!;
    if (lits.length === 1) {
      const l = lits[0]!;
      if (litYes(l)) cost[litMarket(l)]! += risk;
      else {
        offset += risk;
        cost[litMarket(l)]! -= risk;
      }
      return;
    }
    const y = cost.length;
    cost.push(risk);
    for (const l of lits) {
      if (litYes(l))
        row(-inf, 0, [
          [y, 1],
          [litMarket(l), -1],
        ]);
      else
        row(-inf, 1, [
          [y, 1],
          [litMarket(l), 1],
        ]);
    }
  });
  for (const g of problem.groups)
    row(
      -inf,
      1,
      g.map((m) => [m, 1] as [number, number]),
    );
  for (const r of problem.rules) {
    if (r.kind === 'exclusive')
      row(-inf, 1, [
        [r.a, 1],
        [r.b, 1],
      ]);
    else
      row(-inf, 0, [
        [r.a, 1],
        [r.b, -1],
      ]);
  }
  const cols = cost.length;
  const integrality = new Int32Array(cols);
  integrality.fill(highs.constants.variableType.integer, 0, n);
  const data: ModelData = {
    numCols: cols,
    numRows: rows.lower.length,
    sense: highs.constants.objectiveSense.maximize,
    offset,
    colCost: cost,
    colLower: new Float64Array(cols),
    colUpper: new Float64Array(cols).fill(1),
    rowLower: rows.lower,
    rowUpper: rows.upper,
    matrix: {
      format: 'csr',
      numRows: rows.lower.length,
      numCols: cols,
      starts: rows.starts,
      indices: rows.indices,
      values: rows.values,
    },
    integrality,
  };
  return { data, markets: n, rows, cost: Float64Array.from(cost), offset };
}

/**
 * Weak duality: for any row multipliers λ, c'z = λ'Az + (c − A'λ)'z, so the maximum over the box and
 * the row ranges bounds the LP. A multiplier pointing at an infinite row side is dropped (set to 0).
 */
export function lagrangianBound(
  built: BuiltModel,
  rowDual: ArrayLike<number>,
  colLower: ArrayLike<number>,
  colUpper: ArrayLike<number>,
): { bound: number; magnitude: number; reduced: Float64Array } {
  const { rows } = built;
  const d = Float64Array.from(built.cost);
  let bound = built.offset;
  let magnitude = Math.abs(built.offset);
  for (let i = 0; i < rows.lower.length; i++) {
    let lambda = rowDual[i] ?? 0;
    if (!Number.isFinite(lambda)) lambda = 0;
    const side = lambda > 0 ? rows.upper[i]! : rows.lower[i]!;
    if (lambda === 0 || !Number.isFinite(side)) continue;
    bound += lambda * side;
    magnitude += Math.abs(lambda * side);
    for (let k = rows.starts[i]!; k < rows.starts[i + 1]!; k++)
      d[rows.indices[k]!]! -= lambda * rows.values[k]!;
  }
  for (let j = 0; j < d.length; j++) {
    const t = Math.max(d[j]! * colLower[j]!, d[j]! * colUpper[j]!);
    bound += t;
    magnitude += Math.abs(t);
  }
  return { bound, magnitude, reduced: d };
}

const OPTIONS = { output_flag: false, presolve: 'on' } as const;
const LP_SECONDS = 60;

/** One problem's persistent LP model: the relaxation, and the relaxation with one market fixed. */
export class LpModel {
  private readonly model: Model;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;

  constructor(
    private readonly highs: Highs,
    private readonly built: BuiltModel,
  ) {
    this.model = highs.createModel({ ...built.data, integrality: undefined });
    try {
      // A relaxation that takes this long gives no bound (full risk) rather than stall the worker.
      this.model.options.set({ ...OPTIONS, time_limit: LP_SECONDS });
    } catch (err) {
      this.model.dispose();
      throw err;
    }
    this.lower = Float64Array.from(built.data.colLower as ArrayLike<number>);
    this.upper = Float64Array.from(built.data.colUpper as ArrayLike<number>);
  }

  /** Safe integer upper bound of the relaxation, or null when HiGHS did not solve it. */
  bound(): number | null {
    const best = this.certified();
    return best === null ? null : ceilCertified(best.bound, best.magnitude);
  }

  /**
   * The relaxation's bound and, from the same multipliers, a bound with each market fixed (indexed by
   * local literal): fixing x_m = v replaces max(d_m·0, d_m·1) by d_m·v in the weak-duality sum. Free
   * after one solve, and valid, though looser than re-solving.
   */
  boundAndReducedCostConds(): { ub: number; cond: Float64Array } | null {
    const best = this.certified();
    if (best === null) return null;
    const cond = new Float64Array(2 * this.built.markets);
    for (let m = 0; m < this.built.markets; m++) {
      const d = best.reduced[m]!;
      cond[2 * m + 1] = ceilCertified(best.bound + Math.min(0, d), best.magnitude);
      cond[2 * m] = ceilCertified(best.bound - Math.max(0, d), best.magnitude);
    }
    return { ub: ceilCertified(best.bound, best.magnitude), cond };
  }

  private certified(): { bound: number; magnitude: number; reduced: Float64Array } | null {
    this.model.zeroAllClocks();
    const { modelStatus } = this.model.run();
    if (modelStatus !== this.highs.constants.modelStatus.optimal) return null;
    const duals = this.model.getSolution().rowDual;
    const plus = lagrangianBound(this.built, duals, this.lower, this.upper);
    const minus = lagrangianBound(
      this.built,
      Float64Array.from(duals, (v) => -v),
      this.lower,
      this.upper,
    );
    const best = plus.bound <= minus.bound ? plus : minus;
    return Number.isFinite(best.bound) ? best : null;
  }

  /** Bound with local market `market` fixed to `yes`; the model is restored after. */
  boundWith(market: number, yes: boolean): number | null {
    const v = yes ? 1 : 0;
    this.model.changeColBounds(market, v, v);
    this.lower[market] = v;
    this.upper[market] = v;
    try {
      return this.bound();
    } finally {
      this.model.changeColBounds(market, 0, 1);
      this.lower[market] = 0;
      this.upper[market] = 1;
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}

export interface MipResult {
  /** Safe integer upper bound (the dual bound plus its margin), or null when none was proved. */
  ub: number | null;
  /** Exact value of the best outcome found (0 when none), and that outcome. */
  lb: number;
  incumbent: Uint8Array | null;
  optimal: boolean;
}

/**
 * Branch and bound for `seconds`, optionally started from a known outcome. The dual bound is read only
 * from statuses that leave it valid; the incumbent is checked and valued by our own code.
 */
export function solveMip(
  highs: Highs,
  problem: Problem,
  built: BuiltModel,
  seconds: number,
  start: Uint8Array | null,
): MipResult {
  const model = highs.createModel(built.data);
  try {
    model.options.set({ ...OPTIONS, time_limit: seconds, mip_rel_gap: 0, mip_abs_gap: 0.5 });
    if (start !== null) {
      // A start is only a hint; HiGHS checks it. y is set to what x makes win.
      const values = new Float64Array(built.data.numCols);
      values.set(start);
      let col = built.markets;
      for (const lits of problem.lits) {
        if (lits.length < 2) continue;
        values[col++] = lits.every((l) => start[litMarket(l)] === (l & 1)) ? 1 : 0;
      }
      model.setSolution({ colValue: values });
    }
    const { modelStatus } = model.run();
    const s = highs.constants.modelStatus;
    const optimal = modelStatus === s.optimal;
    const bounded = optimal || modelStatus === s.timeLimit || modelStatus === s.interrupted;
    const dual = bounded ? Number(model.info.get('mip_dual_bound')) : Number.NaN;
    let incumbent: Uint8Array | null = null;
    let lb = 0;
    if (Number(model.info.get('primal_solution_status')) === 2) {
      const x = model.getSolution().colValue;
      const values = new Uint8Array(built.markets);
      let integral = true;
      for (let m = 0; m < built.markets; m++) {
        const v = x[m]!;
        if (Math.abs(v - Math.round(v)) > 1e-6) integral = false;
        values[m] = Math.round(v);
      }
      if (integral && outcomeConsistent(problem, values)) {
        incumbent = values;
        lb = outcomeValue(problem, values);
      }
    }
    return { ub: Number.isFinite(dual) ? ceilSolverBound(dual) : null, lb, incumbent, optimal };
  } finally {
    model.dispose();
  }
}
