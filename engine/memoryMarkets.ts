/**
 * A fixed market catalogue in memory: the MarketSource for engine tests and tools. Same answers the
 * cache gives (found / unknown), no network, no staleness.
 */
import type {
  MarketFacts,
  MarketInfo,
  MarketLookup,
  MarketPage,
  MarketSource,
  MarketStructure,
} from './ports/markets.ts';

export class MemoryMarkets implements MarketSource, MarketStructure {
  private readonly markets = new Map<string, MarketInfo>();

  constructor(markets: MarketInfo[] = []) {
    for (const m of markets) this.put(m);
  }

  put(market: MarketInfo): void {
    this.markets.set(market.ticker, market);
  }

  get(ticker: string): MarketInfo | undefined {
    return this.markets.get(ticker);
  }

  async lookup(tickers: readonly string[]): Promise<MarketLookup[]> {
    return tickers.map((t) => {
      const market = this.markets.get(t);
      return market ? { kind: 'found', market } : { kind: 'unknown' };
    });
  }

  async list(query: {
    category?: string;
    status?: MarketInfo['status'];
    limit: number;
    cursor?: string;
  }): Promise<MarketPage> {
    const all = [...this.markets.values()]
      .filter(
        (m) =>
          (!query.category || m.category === query.category) && (!query.status || m.status === query.status),
      )
      .sort((a, b) => (a.ticker < b.ticker ? -1 : 1));
    const start = query.cursor ? all.findIndex((m) => m.ticker > (query.cursor as string)) : 0;
    const markets = start < 0 ? [] : all.slice(start, start + query.limit);
    const last = markets.at(-1);
    return { markets, cursor: last && start + query.limit < all.length ? last.ticker : null };
  }

  facts(tickers: readonly string[]): MarketFacts[] {
    return tickers.map((ticker) => {
      const m = this.markets.get(ticker);
      if (!m) return { ticker, eventTicker: ticker, mutuallyExclusive: false, ladder: null, result: null };
      const laddered =
        m.strikeType === 'greater' ||
        m.strikeType === 'greater_or_equal' ||
        m.strikeType === 'less' ||
        m.strikeType === 'less_or_equal';
      return {
        ticker,
        eventTicker: m.eventTicker,
        mutuallyExclusive: m.mutuallyExclusive,
        ladder: laddered
          ? {
              key: m.eventTicker,
              strikeType: m.strikeType as NonNullable<MarketInfo['strikeType']>,
              floorStrike: m.floorStrike,
              capStrike: m.capStrike,
            }
          : null,
        result:
          (m.status === 'determined' || m.status === 'finalized') && (m.result === 'yes' || m.result === 'no')
            ? m.result
            : null,
      };
    });
  }
}

/** A binary, active market with sensible defaults, for tests and tools. */
export function marketInfo(ticker: string, overrides: Partial<MarketInfo> = {}): MarketInfo {
  return {
    ticker,
    eventTicker: overrides.eventTicker ?? ticker.split('-').slice(0, 2).join('-'),
    seriesTicker: null,
    title: ticker,
    subtitle: null,
    category: null,
    status: 'active',
    marketType: 'binary',
    openTime: 0,
    closeTime: Date.UTC(2030, 0, 1),
    expectedExpirationTime: null,
    result: '',
    yesBidDollars: null,
    yesAskDollars: null,
    noBidDollars: null,
    noAskDollars: null,
    lastPriceDollars: null,
    strikeType: null,
    floorStrike: null,
    capStrike: null,
    mutuallyExclusive: false,
    fetchedAt: 0,
    ...overrides,
  };
}
