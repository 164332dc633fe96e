/**
 * The brute-force oracle: the worst case of a small book (≤ 16 markets) by trying every yes/no
 * assignment. Written from the outcome semantics directly, sharing no code with engine/risk:
 *   - a known result fixes its market;
 *   - in an event whose markets all say mutually exclusive, at most one market is yes;
 *   - on one ladder (threshold markets of one underlying), the yes markets' conditions hold together
 *     at some value v, and a market whose condition holds wherever a yes market's does is yes too.
 * That is the outcome space the engine models (it never assumes "at least one yes": events may be
 * void). `truth` is the stricter space where one value v decides every ladder market, yes and no:
 * real outcomes live there, so the model's worst case must be at least the truth's.
 */
import type { MarketFacts } from '../../engine/ports/markets.ts';
import type { PositionRisk } from '../../engine/ports/risk.ts';

type Predicate = (v: number) => boolean;

function predicate(f: MarketFacts): Predicate | null {
  const l = f.ladder;
  if (l === null) return null;
  const floor = l.floorStrike;
  const cap = l.capStrike;
  switch (l.strikeType) {
    case 'greater':
      return floor === null ? null : (v) => v > floor;
    case 'greater_or_equal':
      return floor === null ? null : (v) => v >= floor;
    case 'less':
      return cap === null ? null : (v) => v < cap;
    case 'less_or_equal':
      return cap === null ? null : (v) => v <= cap;
    default:
      return null;
  }
}

export interface OracleResult {
  /** Worst case over the model's outcome space. */
  worst: number;
  /** Worst case over outcomes one value per ladder decides (≤ worst). */
  truth: number;
  /** Worst case with each (ticker, side) forced; absent when no outcome has that value. */
  conditional: Map<string, number>;
}

/** The model's and the truth's outcome tests over `tickers` (x[i] is ticker i's value, 1 = yes). */
function outcomeSpace(facts: readonly MarketFacts[], tickers: readonly string[]) {
  const byTicker = new Map(facts.map((f) => [f.ticker, f]));
  const info = tickers.map(
    (t) =>
      byTicker.get(t) ?? { ticker: t, eventTicker: t, mutuallyExclusive: false, ladder: null, result: null },
  );
  const eventFlags = new Map<string, boolean>();
  for (const f of info)
    eventFlags.set(f.eventTicker, (eventFlags.get(f.eventTicker) ?? true) && f.mutuallyExclusive);
  const ladders = new Map<string, Array<{ i: number; pred: Predicate }>>();
  const strikes: number[] = [];
  info.forEach((f, i) => {
    const pred = predicate(f);
    if (pred === null || f.ladder === null) return;
    const rungs = ladders.get(f.ladder.key) ?? [];
    rungs.push({ i, pred });
    ladders.set(f.ladder.key, rungs);
    for (const s of [f.ladder.floorStrike, f.ladder.capStrike]) if (s !== null) strikes.push(s);
  });
  // Half-lines with endpoints among the strikes: these points tell every case apart.
  const points = [-1e9, 1e9];
  for (const s of strikes) points.push(s, s - 1e-6, s + 1e-6);

  const model = (x: readonly number[]): boolean => {
    for (let i = 0; i < info.length; i++) {
      const r = info[i]!.result;
      if (r !== null && x[i] !== (r === 'yes' ? 1 : 0)) return false;
    }
    const yesPerEvent = new Map<string, number>();
    info.forEach((f, i) => {
      if (x[i] === 1 && eventFlags.get(f.eventTicker))
        yesPerEvent.set(f.eventTicker, (yesPerEvent.get(f.eventTicker) ?? 0) + 1);
    });
    for (const n of yesPerEvent.values()) if (n > 1) return false;
    for (const rungs of ladders.values()) {
      const yes = rungs.filter((r) => x[r.i] === 1);
      if (yes.length > 0 && !points.some((v) => yes.every((r) => r.pred(v)))) return false;
      for (const a of yes)
        for (const b of rungs) if (x[b.i] === 0 && points.every((v) => !a.pred(v) || b.pred(v))) return false;
    }
    return true;
  };
  const truth = (x: readonly number[]): boolean => {
    for (const rungs of ladders.values())
      if (!points.some((v) => rungs.every((r) => r.pred(v) === (x[r.i] === 1)))) return false;
    return true;
  };
  return { model, truth };
}

/** Every outcome of `tickers` the model allows, as maps ticker → yes. */
export function modelOutcomes(
  facts: readonly MarketFacts[],
  tickers: readonly string[],
): Array<Map<string, boolean>> {
  const { model } = outcomeSpace(facts, tickers);
  const out: Array<Map<string, boolean>> = [];
  const x = new Array<number>(tickers.length).fill(0);
  for (let mask = 0; mask < 1 << tickers.length; mask++) {
    for (let i = 0; i < tickers.length; i++) x[i] = (mask >> i) & 1;
    if (model(x)) out.push(new Map(tickers.map((t, i) => [t, x[i] === 1])));
  }
  return out;
}

/**
 * Enumerates the markets the positions reference, plus those of `universe` ('all': every market in
 * `facts`; a list: those tickers). More markets bring more rules, which can only lower the worst case.
 */
export function oracle(
  facts: readonly MarketFacts[],
  positions: readonly PositionRisk[],
  universe: 'referenced' | 'all' | readonly string[] = 'referenced',
): OracleResult {
  const referenced = positions.flatMap((p) => p.legs.map((l) => l.ticker));
  const extra = universe === 'all' ? facts.map((f) => f.ticker) : universe === 'referenced' ? [] : universe;
  const tickers = [...new Set([...referenced, ...extra])];
  if (tickers.length > 16) throw new Error(`oracle limited to 16 markets, got ${tickers.length}`);
  const { model, truth } = outcomeSpace(facts, tickers);
  const col = new Map(tickers.map((t, i) => [t, i]));
  const legs = positions.map((p) =>
    p.legs.map((l) => ({ i: col.get(l.ticker)!, v: l.side === 'yes' ? 1 : 0 })),
  );
  const result: OracleResult = { worst: 0, truth: 0, conditional: new Map() };
  const x = new Array<number>(tickers.length).fill(0);
  for (let mask = 0; mask < 1 << tickers.length; mask++) {
    for (let i = 0; i < tickers.length; i++) x[i] = (mask >> i) & 1;
    if (!model(x)) continue;
    let value = 0;
    positions.forEach((p, k) => {
      if (legs[k]!.every((l) => x[l.i] === l.v)) value += p.riskMicro;
    });
    result.worst = Math.max(result.worst, value);
    if (truth(x)) result.truth = Math.max(result.truth, value);
    tickers.forEach((t, i) => {
      const key = `${t}:${x[i] === 1 ? 'yes' : 'no'}`;
      result.conditional.set(key, Math.max(result.conditional.get(key) ?? 0, value));
    });
  }
  return result;
}
