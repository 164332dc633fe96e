/**
 * What the engine needs to know about Kalshi markets. Implemented by engine/markets (the cache over the
 * Kalshi client or the simulator) and by an in-memory catalogue for tests.
 */

/** Kalshi's market statuses (trade API v2). */
export type KalshiMarketStatus =
  | 'initialized'
  | 'active'
  | 'inactive'
  | 'closed'
  | 'determined'
  | 'disputed'
  | 'amended'
  | 'finalized';

export type KalshiResult = 'yes' | 'no' | 'scalar' | '';

export type StrikeType =
  | 'greater'
  | 'greater_or_equal'
  | 'less'
  | 'less_or_equal'
  | 'between'
  | 'functional'
  | 'custom'
  | 'structured';

export interface MarketInfo {
  ticker: string;
  eventTicker: string;
  seriesTicker: string | null;
  title: string;
  subtitle: string | null;
  category: string | null;
  status: KalshiMarketStatus;
  marketType: 'binary' | 'scalar';
  /** Unix ms. */
  openTime: number;
  closeTime: number;
  expectedExpirationTime: number | null;
  result: KalshiResult;
  /** Dollar prices as Kalshi sends them ("0.4200"), display only. */
  yesBidDollars: string | null;
  yesAskDollars: string | null;
  noBidDollars: string | null;
  noAskDollars: string | null;
  lastPriceDollars: string | null;
  strikeType: StrikeType | null;
  floorStrike: number | null;
  capStrike: number | null;
  /** Whether the market's event is mutually exclusive (at most one market resolves yes). */
  mutuallyExclusive: boolean;
  /** Unix ms when this copy was fetched. */
  fetchedAt: number;
}

export type MarketLookup =
  | { kind: 'found'; market: MarketInfo }
  /** Kalshi does not know the ticker (404), possibly from the negative cache. */
  | { kind: 'unknown' }
  /** Cached data older than the staleness bound and no fresh copy could be had. */
  | { kind: 'stale'; market: MarketInfo | null };

export interface MarketPage {
  markets: MarketInfo[];
  cursor: string | null;
}

export interface MarketSource {
  /** Resolves leg tickers, in order, from the cache (never-seen tickers are fetched once, batched). */
  lookup(tickers: readonly string[]): Promise<MarketLookup[]>;
  /**
   * The cached catalogue, for GET /markets. Each listed market carries its event's facts (exclusivity,
   * category), learned first if the cache has not yet: a listing never calls an exclusive market
   * independent, which would send clients into EXCLUSION_GROUP_CONFLICT.
   */
  list(query: {
    category?: string;
    status?: KalshiMarketStatus;
    limit: number;
    cursor?: string;
  }): Promise<MarketPage>;
}

/**
 * The structure the risk model uses to rule out impossible outcome combinations. Read from the cache,
 * synchronously; a ticker it has never seen comes back with no structure: its own event (eventTicker =
 * the ticker), not exclusive, no ladder, no result — independent of every other market, which can only
 * over-collateralise.
 */
export interface MarketFacts {
  ticker: string;
  eventTicker: string;
  /** At most one market of the event resolves yes. */
  mutuallyExclusive: boolean;
  /** Threshold ladders on one underlying (same series and date): yes on a stricter strike implies yes on a looser one. */
  ladder: {
    key: string;
    strikeType: StrikeType;
    floorStrike: number | null;
    capStrike: number | null;
  } | null;
  /** A determined/finalized market's result; null while unknown. */
  result: 'yes' | 'no' | null;
}

export interface MarketStructure {
  facts(tickers: readonly string[]): MarketFacts[];
}
