/**
 * Leg validation at createRfq: the shape first (count, sides, distinct markets — no I/O), then each
 * leg against the market cache. Per-leg failures come back together in the seed's INVALID_LEGS shape
 * ({details: {leg_errors: [{index, ticker, code, message}]}}) so a client can fix all of them at once.
 */
import type { Leg, Side } from '../machines/domain.ts';
import { ERRORS, type ErrorCode, RfqError } from '../machines/errors.ts';
import type { Limits } from '../machines/limits.ts';
import { validateLegMarket } from '../machines/marketRules.ts';
import type { MarketLookup } from './ports/markets.ts';

export interface LegRequest {
  ticker: string;
  side: Side;
}

export interface LegError {
  index: number;
  ticker: string;
  code: ErrorCode;
  message: string;
}

const TICKER = /^[A-Z0-9][A-Z0-9._-]{0,99}$/i;

export function checkLegShape(limits: Limits, legs: readonly LegRequest[]): void {
  if (legs.length < limits.minLegs || legs.length > limits.maxLegs) {
    throw RfqError.of('LEG_COUNT_OUT_OF_RANGE', {
      count: legs.length,
      min: limits.minLegs,
      max: limits.maxLegs,
    });
  }
  const seen = new Map<string, number>();
  legs.forEach((leg, index) => {
    if (typeof leg.ticker !== 'string' || !TICKER.test(leg.ticker)) {
      throw RfqError.of('INVALID_REQUEST', {
        field: `legs[${index}].kalshi_market_ticker`,
        reason: 'not a ticker',
      });
    }
    if (leg.side !== 'yes' && leg.side !== 'no') {
      throw RfqError.of('INVALID_REQUEST', { field: `legs[${index}].side`, reason: 'must be yes or no' });
    }
    const first = seen.get(leg.ticker);
    if (first !== undefined)
      throw RfqError.of('DUPLICATE_MARKET', { ticker: leg.ticker, indexes: [first, index] });
    seen.set(leg.ticker, index);
  });
}

const legError = (index: number, ticker: string, code: ErrorCode): LegError => ({
  index,
  ticker,
  code,
  message: ERRORS[code].message,
});

/**
 * Resolves legs against lookups, or throws: MARKET_DATA_STALE if any market's data is too old to
 * trust, INVALID_LEGS with every per-leg error otherwise. Two `yes` legs in one mutually exclusive
 * event can never both win: EXCLUSION_GROUP_CONFLICT.
 */
export function resolveLegs(
  legs: readonly LegRequest[],
  lookups: readonly MarketLookup[],
  expiresAt: number,
): Leg[] {
  const stale = legs.filter((_, i) => lookups[i]?.kind === 'stale').map((l) => l.ticker);
  if (stale.length > 0) throw RfqError.of('MARKET_DATA_STALE', { tickers: stale });
  const errors: LegError[] = [];
  const resolved: Leg[] = [];
  const exclusiveYes = new Map<string, number>();
  legs.forEach((leg, index) => {
    const lookup = lookups[index] ?? { kind: 'unknown' };
    const code = validateLegMarket(lookup, expiresAt);
    if (code || lookup.kind !== 'found') {
      errors.push(legError(index, leg.ticker, code ?? 'MARKET_NOT_FOUND'));
      return;
    }
    const { market } = lookup;
    if (market.mutuallyExclusive && leg.side === 'yes') {
      if (exclusiveYes.has(market.eventTicker))
        errors.push(legError(index, leg.ticker, 'EXCLUSION_GROUP_CONFLICT'));
      exclusiveYes.set(market.eventTicker, index);
    }
    // The cache's strings, not the request's: one copy per market however many RFQs name it.
    resolved.push({ ticker: market.ticker, eventTicker: market.eventTicker, side: leg.side });
  });
  if (errors.length > 0) {
    const summary = errors.map((e) => `${e.ticker}: ${e.message}`).join('; ');
    throw new RfqError('INVALID_LEGS', { leg_errors: errors }, `Market validation failed — ${summary}`);
  }
  return resolved;
}
