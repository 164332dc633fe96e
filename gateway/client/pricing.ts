/**
 * A parlay's price from its legs' market prices: the legs are treated as independent, so the fair
 * probability is the product of each side's probability and the fair payout odds its inverse. A
 * market maker quotes below fair by a margin. Odds are returned in the protocol's fixed point (1e-4),
 * rounded down: rounding never gives away edge.
 */
import type { Leg } from './types.ts';

export interface LegPrice {
  /** Probability (0–1) that the market resolves yes. */
  yes: number;
}

export interface PriceOptions {
  /** The MM's edge on the fair odds, in basis points (500 = quote 5% under fair). */
  marginBps: number;
  minOddsFp?: number;
  maxOddsFp?: number;
}

const ODDS_SCALE = 10_000;

/** The probability a market resolves yes from its prices (mid of bid/ask, else ask, else last), or null. */
export function yesProbability(m: {
  yes_bid?: number;
  yes_ask?: number;
  no_bid?: number;
  no_ask?: number;
  last_price?: number;
}): number | null {
  const mid = m.yes_bid !== undefined && m.yes_ask !== undefined ? (m.yes_bid + m.yes_ask) / 2 : undefined;
  const fromNo = m.no_ask !== undefined && m.no_bid !== undefined ? 1 - (m.no_bid + m.no_ask) / 2 : undefined;
  const p = mid ?? m.yes_ask ?? fromNo ?? m.last_price;
  return p !== undefined && p > 0 && p < 1 ? p : null;
}

/** Payout odds (× 10,000) for the parlay, or null when a leg has no usable price or it is not worth quoting. */
export function priceParlay(
  legs: readonly Leg[],
  prices: ReadonlyMap<string, LegPrice>,
  options: PriceOptions,
): number | null {
  let probability = 1;
  for (const leg of legs) {
    const price = prices.get(leg.ticker);
    if (!price) return null;
    probability *= leg.side === 'yes' ? price.yes : 1 - price.yes;
  }
  if (!(probability > 0)) return null;
  const fair = 1 / probability;
  const oddsFp = Math.floor(fair * (1 - options.marginBps / 10_000) * ODDS_SCALE);
  const min = options.minOddsFp ?? 10_100;
  const max = options.maxOddsFp ?? 1_000 * ODDS_SCALE;
  if (oddsFp < min) return null;
  return Math.min(oddsFp, max);
}
