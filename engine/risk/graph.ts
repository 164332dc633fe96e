/**
 * The market structure the risk model reasons with: which combinations of market outcomes can happen.
 *
 * Every rule here is a pairwise "these two values cannot both hold" (2-SAT form): two markets of a
 * mutually exclusive event cannot both be yes; on one ladder a stricter threshold yes forces a looser
 * one yes; opposite-direction thresholds whose yes ranges are disjoint cannot both be yes. Pairwise
 * rules make unit propagation complete for what is fixed, which the conditioning bound relies on.
 *
 * Safety: a missing rule only lets the model consider outcomes that cannot happen, which can only raise
 * the worst case. So a rule is added only when the facts prove it; anything unclear adds none. In
 * particular no rule ever says "at least one is yes" (events may be void, tails may be missing).
 *
 * Literals: market index i with side yes is `2i + 1`, with side no `2i`.
 */
import type { MarketFacts } from '../ports/markets.ts';

export const lit = (market: number, yes: boolean): number => market * 2 + (yes ? 1 : 0);
export const litMarket = (literal: number): number => literal >> 1;
export const litYes = (literal: number): boolean => (literal & 1) === 1;
export const negate = (literal: number): number => literal ^ 1;

/** A threshold market's yes range on its underlying: `v > s`, `v ≥ s` (up) or `v < s`, `v ≤ s` (down). */
interface HalfLine {
  up: boolean;
  strike: number;
  strict: boolean;
}

function halfLine(facts: MarketFacts): HalfLine | null {
  const ladder = facts.ladder;
  if (ladder === null) return null;
  // Kalshi: floor_strike is the lowest value that settles yes, cap_strike the highest.
  switch (ladder.strikeType) {
    case 'greater':
    case 'greater_or_equal': {
      const s = ladder.floorStrike;
      if (s === null || !Number.isFinite(s)) return null;
      return { up: true, strike: s, strict: ladder.strikeType === 'greater' };
    }
    case 'less':
    case 'less_or_equal': {
      const s = ladder.capStrike;
      if (s === null || !Number.isFinite(s)) return null;
      return { up: false, strike: s, strict: ladder.strikeType === 'less' };
    }
    default:
      // between, functional, custom, structured: no monotone rule is implied.
      return null;
  }
}

/** Whether every value in `a` is also in `b` (a yes ⇒ b yes). */
function contains(b: HalfLine, a: HalfLine): boolean {
  if (a.up !== b.up) return false;
  if (a.strike === b.strike) return a.strict || !b.strict;
  return a.up ? a.strike > b.strike : a.strike < b.strike;
}

/** Whether no value is in both (a yes and b yes cannot both happen). */
function disjoint(a: HalfLine, b: HalfLine): boolean {
  if (a.up === b.up) return false;
  const up = a.up ? a : b;
  const down = a.up ? b : a;
  return up.strike > down.strike || (up.strike === down.strike && (up.strict || down.strict));
}

export type PairRule = { kind: 'exclusive' | 'implies'; a: number; b: number };

/**
 * The markets one MM's book touches and the rules among them. Markets are only ever added; a market
 * whose structural facts change forces the owner to build a new graph (see `sameStructure`).
 */
export class MarketGraph {
  readonly tickers: string[] = [];
  readonly facts: MarketFacts[] = [];
  readonly index = new Map<string, number>();
  /** For each literal, the literals it forces. */
  readonly forces: number[][] = [];
  /** Ladder rules (x_a + x_b ≤ 1 or x_a ≤ x_b); exclusive events are kept as groups instead. */
  readonly ladderRules: PairRule[] = [];
  /** Mutually exclusive event → its markets in this graph. */
  readonly exclusiveEvents = new Map<string, number[]>();
  /** Events whose markets disagree about exclusivity: the owner rebuilds with them distrusted. */
  readonly conflictingEvents = new Set<string>();
  private readonly ladders = new Map<string, Array<{ market: number; half: HalfLine }>>();
  private readonly eventFlags = new Map<string, boolean>();

  /**
   * `distrusted`: events never treated as exclusive (their facts were seen to disagree).
   * `withRules` false: markets only, no rules — the fallback when known results contradict the rules.
   */
  constructor(
    private readonly distrusted: ReadonlySet<string> = new Set(),
    readonly withRules = true,
  ) {}

  /** Returns the market's index, adding it (and its rules with markets already here) if new. */
  add(facts: MarketFacts): number {
    const known = this.index.get(facts.ticker);
    if (known !== undefined) return known;
    const m = this.tickers.length;
    this.tickers.push(facts.ticker);
    this.facts.push(facts);
    this.index.set(facts.ticker, m);
    this.forces.push([], []);

    const flag = this.eventFlags.get(facts.eventTicker);
    if (flag === undefined) this.eventFlags.set(facts.eventTicker, facts.mutuallyExclusive);
    else if (flag !== facts.mutuallyExclusive) this.conflictingEvents.add(facts.eventTicker);
    if (!this.withRules) return m;
    if (facts.mutuallyExclusive && !this.distrusted.has(facts.eventTicker)) {
      const group = this.exclusiveEvents.get(facts.eventTicker) ?? [];
      for (const other of group) this.forbidBoth(lit(m, true), lit(other, true));
      group.push(m);
      this.exclusiveEvents.set(facts.eventTicker, group);
    }
    const half = halfLine(facts);
    if (half !== null && facts.ladder !== null) {
      const rungs = this.ladders.get(facts.ladder.key) ?? [];
      for (const rung of rungs) {
        if (disjoint(half, rung.half)) {
          this.forbidBoth(lit(m, true), lit(rung.market, true));
          this.ladderRules.push({ kind: 'exclusive', a: m, b: rung.market });
        }
        if (contains(rung.half, half)) this.imply(m, rung.market);
        if (contains(half, rung.half)) this.imply(rung.market, m);
      }
      rungs.push({ market: m, half });
      this.ladders.set(facts.ladder.key, rungs);
    }
    return m;
  }

  /**
   * Whether facts seen later would give the same rules. Results may change (they are applied by
   * fixing, not by rules); anything else changing means this graph's rules may be wrong.
   */
  sameStructure(m: number, facts: MarketFacts): boolean {
    const old = this.facts[m]!;
    return (
      old.eventTicker === facts.eventTicker &&
      old.mutuallyExclusive === facts.mutuallyExclusive &&
      JSON.stringify(old.ladder) === JSON.stringify(facts.ladder)
    );
  }

  /** True when some event's markets disagree about exclusivity and it was trusted: rebuild needed. */
  get needsRebuild(): boolean {
    for (const event of this.conflictingEvents) if (!this.distrusted.has(event)) return true;
    return false;
  }

  get size(): number {
    return this.tickers.length;
  }

  private forbidBoth(p: number, q: number): void {
    // p and q cannot both hold: p forces ¬q, q forces ¬p.
    this.forces[p]!.push(negate(q));
    this.forces[q]!.push(negate(p));
  }

  private imply(a: number, b: number): void {
    // a yes ⇒ b yes, and so b no ⇒ a no.
    this.forces[lit(a, true)]!.push(lit(b, true));
    this.forces[lit(b, false)]!.push(lit(a, false));
    this.ladderRules.push({ kind: 'implies', a, b });
  }
}

/**
 * Assignment of market values under unit propagation. `value[m]` is -1 unknown, 0 no, 1 yes. Reusable:
 * `reset` clears only what the last use set.
 */
export class Assignment {
  value: Int8Array;
  readonly set: number[] = [];
  private readonly queue: number[] = [];

  constructor(size: number) {
    this.value = new Int8Array(size).fill(-1);
  }

  ensure(size: number): void {
    if (this.value.length >= size) return;
    const grown = new Int8Array(Math.max(size, this.value.length * 2)).fill(-1);
    grown.set(this.value);
    this.value = grown;
  }

  reset(): void {
    this.rollback(0);
  }

  holds(literal: number): boolean {
    return this.value[litMarket(literal)] === (literal & 1);
  }

  contradicts(literal: number): boolean {
    const v = this.value[litMarket(literal)]!;
    return v !== -1 && v !== (literal & 1);
  }

  /** A point to roll back to: everything set after it is undone by `rollback`. */
  mark(): number {
    return this.set.length;
  }

  rollback(mark: number): void {
    while (this.set.length > mark) this.value[this.set.pop()!] = -1;
  }

  /** Sets the literals and everything they force. Returns false on a contradiction (state then partial). */
  assume(forces: readonly (readonly number[])[], literals: Iterable<number>): boolean {
    const queue = this.queue;
    queue.length = 0;
    for (const l of literals) if (!this.put(l, queue)) return false;
    while (queue.length > 0) {
      const l = queue.pop()!;
      for (const forced of forces[l]!) if (!this.put(forced, queue)) return false;
    }
    return true;
  }

  private put(literal: number, queue: number[]): boolean {
    const m = litMarket(literal);
    const v = this.value[m]!;
    const want = literal & 1;
    if (v === want) return true;
    if (v !== -1) return false;
    this.value[m] = want;
    this.set.push(m);
    queue.push(literal);
    return true;
  }
}

/** Builds a graph over these facts, distrusting exclusivity of any event whose facts disagree. */
export function buildGraph(
  facts: Iterable<MarketFacts>,
  distrusted: ReadonlySet<string> = new Set(),
  withRules = true,
): MarketGraph {
  const all = [...facts];
  let graph = new MarketGraph(distrusted, withRules);
  for (const f of all) graph.add(f);
  if (graph.needsRebuild) {
    graph = new MarketGraph(new Set([...distrusted, ...graph.conflictingEvents]), withRules);
    for (const f of all) graph.add(f);
  }
  return graph;
}
