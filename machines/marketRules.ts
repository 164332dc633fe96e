/**
 * The market half of leg validation, pure: given what the market cache answered for one leg's ticker
 * and when the RFQ expires, the error code that refuses the leg, or null. The engine applies it to
 * every leg (duplicates and leg counts are checked by the engine on the whole RFQ).
 *
 * Order, most permanent reason first: unknown → MARKET_NOT_FOUND; data too old → MARKET_DATA_STALE
 * (503: try again, nothing is known to be wrong with the leg); a scalar market can never become binary
 * → MARKET_NOT_BINARY; not `active` → MARKET_NOT_ACTIVE; closing at or before the RFQ's expiry →
 * MARKET_CLOSES_BEFORE_EXPIRY (a position must be creatable while its markets still trade).
 */
import type { ErrorCode } from './errors.ts';

/**
 * The shape of engine/ports/markets.ts `MarketLookup`, restated structurally because machines/ imports
 * nothing from engine/: any MarketLookup is assignable to it.
 */
export type LegMarketLookup =
  | { kind: 'found'; market: { status: string; marketType: string; closeTime: number } }
  | { kind: 'unknown' }
  | { kind: 'stale'; market: unknown };

export type LegMarketError =
  | 'MARKET_NOT_FOUND'
  | 'MARKET_DATA_STALE'
  | 'MARKET_NOT_BINARY'
  | 'MARKET_NOT_ACTIVE'
  | 'MARKET_CLOSES_BEFORE_EXPIRY';

export function validateLegMarket(
  lookup: LegMarketLookup,
  rfqExpiresAt: number,
): (LegMarketError & ErrorCode) | null {
  switch (lookup.kind) {
    case 'unknown':
      return 'MARKET_NOT_FOUND';
    case 'stale':
      return 'MARKET_DATA_STALE';
    case 'found': {
      const { market } = lookup;
      if (market.marketType !== 'binary') return 'MARKET_NOT_BINARY';
      if (market.status !== 'active') return 'MARKET_NOT_ACTIVE';
      if (!(market.closeTime > rfqExpiresAt)) return 'MARKET_CLOSES_BEFORE_EXPIRY';
      return null;
    }
  }
}
