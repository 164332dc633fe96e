/**
 * Turning solver numbers into integer micro-USDC upper bounds without ever rounding the wrong way.
 *
 * Worst cases are sums of integer risks, so an exact worst case is an integer. A solver's bound is a
 * float computed with tolerances; it is first raised by a margin covering its error, then rounded up.
 */

/**
 * LP bounds are recomputed by weak duality from the solver's duals (`lagrangianBound`), so their only
 * error is float summation: well under 1e-9 of the absolute terms summed.
 */
export function ceilCertified(bound: number, absoluteTermsSum: number): number {
  return Math.ceil(bound + 1e-9 * absoluteTermsSum + 1e-6);
}

/**
 * A MIP dual bound cannot be recomputed outside the solver; HiGHS prunes with relative tolerances
 * around 1e-6 at most, so the margin is 1e-6 of the bound plus one micro.
 */
export function ceilSolverBound(bound: number): number {
  return Math.ceil(bound + 1e-6 * Math.abs(bound) + 1);
}

/**
 * Whether a solver-proved optimum `ub` and an exactly evaluated incumbent `lb` agree up to the solver
 * bound's margin: the worst case is then known to within that margin (reported as exact).
 */
export function closeEnough(ub: number, lb: number): boolean {
  return ub - lb <= 1e-6 * Math.abs(lb) + 2;
}

/** Sum of risks with a safe-integer check: every amount the engine holds stays below 2^53. */
export function sumMicro(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  if (!Number.isSafeInteger(total)) throw new RangeError(`risk total ${total} is not a safe integer`);
  return total;
}
