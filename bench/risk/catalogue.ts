/**
 * Generated Kalshi-shaped catalogues and MM books for the risk tests and benchmark.
 *
 * Shapes follow Kalshi's: sports games (an exclusive winner event, a game-total ladder, a spread
 * ladder, player-prop ladders), weather brackets (one exclusive event: a `less` tail, `between`
 * brackets, a `greater` tail), economic thresholds (a `greater` ladder with a `less` companion on the
 * same underlying) and elections (one exclusive event, many candidates). Parlays take 3–5 legs, half of
 * them built around one game (same-game parlays), games chosen with a popularity skew.
 */

import type { MarketFacts, StrikeType } from '../../engine/ports/markets.ts';
import type { PositionRisk } from '../../engine/ports/risk.ts';
import { type Prng, prng } from '../../engine/prng.ts';
import type { Leg } from '../../machines/domain.ts';

export type Rng = Prng;

/** The suite's books are replayable from their seed. */
export const rng = prng;

const int = (r: Rng, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

export interface CatalogueEvent {
  ticker: string;
  exclusive: boolean;
  markets: string[];
}

export interface Catalogue {
  facts: Map<string, MarketFacts>;
  events: CatalogueEvent[];
  /** Event indices per game, for same-game parlays. */
  games: number[][];
}

interface Builder {
  facts: Map<string, MarketFacts>;
  events: CatalogueEvent[];
}

function addEvent(
  b: Builder,
  ticker: string,
  exclusive: boolean,
  markets: Array<{ suffix: string; strikeType?: StrikeType; floor?: number; cap?: number }>,
  ladderKey: string | null,
): number {
  const tickers: string[] = [];
  for (const m of markets) {
    const t = `${ticker}-${m.suffix}`;
    tickers.push(t);
    b.facts.set(t, {
      ticker: t,
      eventTicker: ticker,
      mutuallyExclusive: exclusive,
      ladder:
        ladderKey !== null && m.strikeType !== undefined
          ? {
              key: ladderKey,
              strikeType: m.strikeType,
              floorStrike: m.floor ?? null,
              capStrike: m.cap ?? null,
            }
          : null,
      result: null,
    });
  }
  b.events.push({ ticker, exclusive, markets: tickers });
  return b.events.length - 1;
}

function addGame(b: Builder, r: Rng, g: number, small: boolean): number[] {
  const id = `KXGAME-${g}`;
  const events: number[] = [];
  const teams = r() < 0.25 && !small ? ['HOME', 'AWAY', 'TIE'] : ['HOME', 'AWAY'];
  events.push(
    addEvent(
      b,
      `${id}WIN`,
      true,
      teams.map((suffix) => ({ suffix })),
      null,
    ),
  );
  const total = 200 + int(r, 0, 40);
  const rungs = small ? [0, 10, 20] : [0, 10, 20, 30];
  events.push(
    addEvent(
      b,
      `${id}TOT`,
      false,
      rungs.map((d) => ({ suffix: `T${total + d}`, strikeType: 'greater' as const, floor: total + d + 0.5 })),
      `${id}TOT`,
    ),
  );
  if (!small) {
    events.push(
      addEvent(
        b,
        `${id}SPR`,
        false,
        [3, 6, 9].map((d) => ({ suffix: `S${d}`, strikeType: 'greater' as const, floor: d + 0.5 })),
        `${id}SPR`,
      ),
    );
  }
  const players = small ? 1 : 2;
  for (let p = 0; p < players; p++) {
    const base = 5 * int(r, 2, 4);
    const props = small ? [0, 5, 10] : [0, 5, 10, 15];
    events.push(
      addEvent(
        b,
        `${id}P${p}`,
        false,
        props.map((d) => ({
          suffix: `${base + d}`,
          strikeType: 'greater_or_equal' as const,
          floor: base + d,
        })),
        `${id}P${p}`,
      ),
    );
  }
  return events;
}

function addWeather(b: Builder, w: number): void {
  const id = `KXHIGH-${w}`;
  const lo = 60 + (w % 20);
  const markets: Array<{ suffix: string; strikeType?: StrikeType; floor?: number; cap?: number }> = [
    { suffix: `T${lo}`, strikeType: 'less', cap: lo },
  ];
  for (let k = 0; k < 4; k++)
    markets.push({ suffix: `B${lo + 2 * k}`, strikeType: 'between', floor: lo + 2 * k, cap: lo + 2 * k + 1 });
  markets.push({ suffix: `T${lo + 7}`, strikeType: 'greater', floor: lo + 7 });
  addEvent(b, id, true, markets, id);
}

function addEconomic(b: Builder, e: number): void {
  const id = `KXCPI-${e}`;
  const up = [2.5, 2.7, 2.9, 3.1, 3.3].map((s) => ({
    suffix: `A${s}`,
    strikeType: 'greater' as const,
    floor: s,
  }));
  const down = [2.6, 2.8, 3.0].map((s) => ({ suffix: `U${s}`, strikeType: 'less' as const, cap: s }));
  addEvent(b, `${id}A`, false, up, id);
  addEvent(b, `${id}U`, false, down, id);
}

function addElection(b: Builder, r: Rng, e: number): void {
  const n = int(r, 4, 10);
  addEvent(
    b,
    `KXPRES-${e}`,
    true,
    Array.from({ length: n }, (_, k) => ({ suffix: `C${k}` })),
    null,
  );
}

/** About `markets` markets; `small` games (8 markets each) for the exact-oracle books. */
export function generateCatalogue(seed: number, opts: { markets: number; small?: boolean }): Catalogue {
  const r = rng(seed);
  const b: Builder = { facts: new Map(), events: [] };
  const games: number[][] = [];
  let g = 0;
  let other = 0;
  while (b.facts.size < opts.markets) {
    const roll = opts.small ? 0 : r();
    if (roll < 0.7) games.push(addGame(b, r, g++, opts.small === true));
    else if (roll < 0.8) addWeather(b, other++);
    else if (roll < 0.9) addEconomic(b, other++);
    else addElection(b, r, other++);
  }
  return { facts: b.facts, events: b.events, games };
}

/** One parlay's legs: distinct events, half of the time 2–3 legs from one popular game. */
export function generateLegs(r: Rng, cat: Catalogue, legs: number): Leg[] {
  const used = new Set<number>();
  const out: Leg[] = [];
  const take = (e: number) => {
    used.add(e);
    const event = cat.events[e]!;
    const ticker = pick(r, event.markets);
    out.push({ ticker, eventTicker: event.ticker, side: r() < 0.75 ? 'yes' : 'no' });
  };
  if (cat.games.length > 0 && r() < 0.5) {
    // Popularity skew: low-numbered games draw most of the action.
    const game = cat.games[Math.floor(cat.games.length * r() ** 2)]!;
    const k = Math.min(game.length, legs - 1, int(r, 2, 3));
    const order = [...game].sort(() => r() - 0.5);
    for (const e of order.slice(0, k)) take(e);
  }
  let guard = 0;
  while (out.length < legs && guard++ < 1000) {
    const e = Math.floor(cat.events.length * r() ** 1.5);
    if (!used.has(e)) take(e);
  }
  return out;
}

/** A book of `positions` parlays of 3–5 legs; risk = stake × (odds − 1), stakes 11–100 USDC. */
export function generateBook(
  seed: number,
  cat: Catalogue,
  opts: { positions: number; mmId?: string; minLegs?: number; maxLegs?: number },
): PositionRisk[] {
  const r = rng(seed);
  const mmId = opts.mmId ?? 'mm-1';
  const book: PositionRisk[] = [];
  for (let i = 0; i < opts.positions; i++) {
    const legs = generateLegs(r, cat, int(r, opts.minLegs ?? 3, opts.maxLegs ?? 5));
    const stakeMicro = int(r, 11, 100) * 1_000_000;
    let odds = 0.9;
    for (let k = 0; k < legs.length; k++) odds /= 0.2 + 0.6 * r();
    odds = Math.min(1000, Math.max(1.01, odds));
    book.push({
      positionId: `${mmId}-p${i}`,
      mmId,
      legs,
      riskMicro: Math.floor(stakeMicro * (odds - 1)),
      stakeMicro,
    });
  }
  return book;
}
