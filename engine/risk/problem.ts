/**
 * One independent piece of an MM's worst case: the live positions linked through shared markets,
 * exclusive events or ladder rules, with the rules among their markets. WC(book) is the sum of the
 * pieces' worst cases plus the risk of positions that have already won, because pieces share no
 * market and no rule: any choice of outcomes per piece combines into one consistent outcome.
 *
 * Plain arrays only, so a problem crosses to a worker thread by structured clone.
 */
import { lit, litMarket, litYes, type MarketGraph } from './graph.ts';

export interface LivePosition {
  /** The position's slot in its book (a number main gives each position; see book.ts). */
  slot: number;
  riskMicro: number;
  /** Literals of the graph (see normalize.ts), all of which must hold for the position to win. */
  lits: readonly number[];
}

export interface Problem {
  /** The graph's market index of each local market (local index = place in this array). */
  markets: number[];
  /** Tickers of `markets`, so results can be mapped back by another thread's graph. */
  tickers: string[];
  /** Mutually exclusive groups of local markets (size ≥ 2): at most one yes. */
  groups: number[][];
  /** Local ladder rules not already implied by a group. */
  rules: Array<{ kind: 'exclusive' | 'implies'; a: number; b: number }>;
  slots: number[];
  risks: number[];
  /** Local literals per position. */
  lits: number[][];
}

class UnionFind {
  private readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n).map((_, i) => i);
  }
  find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) r = this.parent[r]!;
    while (this.parent[x] !== r) {
      const next = this.parent[x]!;
      this.parent[x] = r;
      x = next;
    }
    return r;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[ra] = rb;
  }
}

/**
 * Splits live positions into independent problems. Every market not fixed by a known result takes part
 * (a market no live position references can still carry a rule between two that do); rules touching a
 * fixed market are already applied by propagation, so leaving them out loses nothing. `fixed[m]` is
 * -1 for a free market (null: all free).
 */
export function splitProblems(
  graph: MarketGraph,
  positions: readonly LivePosition[],
  fixed: ArrayLike<number> | null = null,
): Problem[] {
  const n = graph.size;
  const free = (m: number) => fixed === null || fixed[m] === -1;
  const uf = new UnionFind(n);
  for (const p of positions) for (const l of p.lits) uf.union(litMarket(p.lits[0]!), litMarket(l));
  const groups: number[][] = [];
  for (const members of graph.exclusiveEvents.values()) {
    const open = members.filter(free);
    if (open.length < 2) continue;
    for (const m of open) uf.union(open[0]!, m);
    groups.push(open);
  }
  const groupOf = new Int32Array(n).fill(-1);
  groups.forEach((g, i) => {
    for (const m of g) groupOf[m] = i;
  });
  // Two yes in one exclusive group are already excluded by the group's row.
  const rules = graph.ladderRules.filter(
    (r) =>
      free(r.a) &&
      free(r.b) &&
      !(r.kind === 'exclusive' && groupOf[r.a] !== -1 && groupOf[r.a] === groupOf[r.b]),
  );
  for (const r of rules) uf.union(r.a, r.b);

  const byRoot = new Map<number, Problem>();
  for (const p of positions) {
    const root = uf.find(litMarket(p.lits[0]!));
    if (!byRoot.has(root))
      byRoot.set(root, { markets: [], tickers: [], groups: [], rules: [], slots: [], risks: [], lits: [] });
  }
  const local = new Int32Array(n).fill(-1);
  for (let m = 0; m < n; m++) {
    const problem = free(m) ? byRoot.get(uf.find(m)) : undefined;
    if (problem === undefined) continue;
    local[m] = problem.markets.length;
    problem.markets.push(m);
    problem.tickers.push(graph.tickers[m]!);
  }
  for (const p of positions) {
    const problem = byRoot.get(uf.find(litMarket(p.lits[0]!)))!;
    problem.slots.push(p.slot);
    problem.risks.push(p.riskMicro);
    problem.lits.push(p.lits.map((l) => lit(local[litMarket(l)]!, litYes(l))));
  }
  for (const g of groups) byRoot.get(uf.find(g[0]!))?.groups.push(g.map((m) => local[m]!));
  for (const r of rules)
    byRoot.get(uf.find(r.a))?.rules.push({ kind: r.kind, a: local[r.a]!, b: local[r.b]! });
  return [...byRoot.values()];
}

/** The propagation table of a problem's own rules (what each local literal forces). */
export function problemForces(problem: Problem): number[][] {
  const forces: number[][] = Array.from({ length: problem.markets.length * 2 }, () => []);
  const forbidBoth = (p: number, q: number) => {
    forces[p]!.push(q ^ 1);
    forces[q]!.push(p ^ 1);
  };
  for (const g of problem.groups)
    for (let i = 0; i < g.length; i++)
      for (let j = i + 1; j < g.length; j++) forbidBoth(lit(g[i]!, true), lit(g[j]!, true));
  for (const r of problem.rules) {
    if (r.kind === 'exclusive') forbidBoth(lit(r.a, true), lit(r.b, true));
    else forbidBoth(lit(r.a, true), lit(r.b, false));
  }
  return forces;
}

/** Value of an outcome (local market values 0/1): the risk of every position it makes win. */
export function outcomeValue(problem: Problem, values: ArrayLike<number>): number {
  let total = 0;
  problem.lits.forEach((lits, p) => {
    if (lits.every((l) => values[litMarket(l)] === (l & 1))) total += problem.risks[p]!;
  });
  return total;
}

/** Whether an outcome breaks none of the problem's rules. */
export function outcomeConsistent(problem: Problem, values: ArrayLike<number>): boolean {
  for (const g of problem.groups) if (g.filter((m) => values[m] === 1).length > 1) return false;
  for (const r of problem.rules) {
    const a = values[r.a] === 1;
    const b = values[r.b] === 1;
    if (r.kind === 'exclusive' ? a && b : a && !b) return false;
  }
  return true;
}
