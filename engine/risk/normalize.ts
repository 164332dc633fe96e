/**
 * A parlay in the model's terms: the literals that must all hold for it to win, once known results and
 * the market rules have been applied. Simplifying here is what lets results shrink the problem.
 */
import { Assignment, lit, type MarketGraph } from './graph.ts';

export type Normalized =
  /** Wins exactly when every literal holds (at least one literal, none implied by the others). */
  | { kind: 'live'; lits: number[] }
  /** Every leg has already won: pays in every outcome still possible. */
  | { kind: 'sure' }
  /** Cannot win in any outcome still possible. */
  | { kind: 'dead' };

/**
 * Known results of a graph's markets and everything they force, kept as an assignment to condition on.
 * `consistent` is false when the results contradict the rules; the owner then drops the rules.
 */
export class KnownResults {
  readonly assignment: Assignment;
  consistent = true;

  constructor(readonly graph: MarketGraph) {
    this.assignment = new Assignment(graph.size);
    this.recompute();
  }

  /** Re-applies every result in the graph's facts (after a result arrived or markets were added). */
  recompute(): void {
    const a = this.assignment;
    a.ensure(this.graph.size);
    a.reset();
    const seeds: number[] = [];
    this.graph.facts.forEach((f, m) => {
      if (f.result !== null) seeds.push(lit(m, f.result === 'yes'));
    });
    this.consistent = a.assume(this.graph.forces, seeds);
    if (!this.consistent) a.reset();
  }
}

/** Normalizes one position's legs (as literals of `known.graph`). Leaves `known` as it found it. */
export function normalizeLegs(known: KnownResults, legs: readonly number[]): Normalized {
  const a = known.assignment;
  a.ensure(known.graph.size);
  const forces = known.graph.forces;
  const open: number[] = [];
  for (const l of legs) {
    if (a.contradicts(l)) return { kind: 'dead' };
    if (!a.holds(l) && !open.includes(l)) open.push(l);
  }
  if (open.length === 0) return { kind: 'sure' };

  const base = a.mark();
  const possible = a.assume(forces, open);
  a.rollback(base);
  if (!possible) return { kind: 'dead' };

  // Drop legs the others force: they change no outcome's payout and only add rows to the model.
  const kept = [...open].sort((x, y) => x - y);
  for (let i = kept.length - 1; i >= 0 && kept.length > 1; i--) {
    const l = kept[i]!;
    const others = kept.filter((_, j) => j !== i);
    const mark = a.mark();
    a.assume(forces, others);
    const implied = a.holds(l);
    a.rollback(mark);
    if (implied) kept.splice(i, 1);
  }
  return { kind: 'live', lits: kept };
}
