/**
 * Exact worst case of a small problem by walking every consistent outcome, in integer arithmetic.
 * Also gives the exact worst case under each single market value (the conditional bounds the confirm
 * path reads), since every outcome is seen anyway.
 */
import { Assignment, lit } from './graph.ts';
import { type Problem, problemForces } from './problem.ts';

export interface Enumerated {
  /** The exact worst case and an outcome reaching it (local market values). */
  value: number;
  outcome: Uint8Array;
  /** Exact worst case with local literal l forced, indexed by literal. */
  cond: Float64Array;
  leaves: number;
}

/** Null when the problem has more than `maxMarkets` markets or more than `maxLeaves` outcomes. */
export function enumerate(problem: Problem, maxMarkets: number, maxLeaves: number): Enumerated | null {
  const n = problem.markets.length;
  if (n > Math.min(maxMarkets, 30)) return null;
  const forces = problemForces(problem);
  // Positions as bit masks: wins iff all its yes bits are set and none of its no bits.
  const count = problem.lits.length;
  const yesMask = new Int32Array(count);
  const noMask = new Int32Array(count);
  problem.lits.forEach((lits, p) => {
    for (const l of lits) {
      if (l & 1) yesMask[p]! |= 1 << (l >> 1);
      else noMask[p]! |= 1 << (l >> 1);
    }
  });
  const risks = Float64Array.from(problem.risks);
  const cond = new Float64Array(2 * n);
  const best = { value: -1, outcome: new Uint8Array(n) };
  const a = new Assignment(n);
  let leaves = 0;

  const visit = (from: number): boolean => {
    let m = from;
    while (m < n && a.value[m] !== -1) m++;
    if (m === n) {
      if (++leaves > maxLeaves) return false;
      let mask = 0;
      for (let k = 0; k < n; k++) if (a.value[k] === 1) mask |= 1 << k;
      let value = 0;
      for (let p = 0; p < count; p++)
        if ((mask & yesMask[p]!) === yesMask[p] && (mask & noMask[p]!) === 0) value += risks[p]!;
      for (let k = 0; k < n; k++) {
        const l = lit(k, a.value[k] === 1);
        if (value > cond[l]!) cond[l] = value;
      }
      if (value > best.value) {
        best.value = value;
        for (let k = 0; k < n; k++) best.outcome[k] = a.value[k]!;
      }
      return true;
    }
    for (const yes of [true, false]) {
      const mark = a.mark();
      if (a.assume(forces, [lit(m, yes)]) && !visit(m + 1)) return false;
      a.rollback(mark);
    }
    return true;
  };
  if (!visit(0)) return null;
  return { value: Math.max(0, best.value), outcome: best.outcome, cond, leaves };
}
