/**
 * The engine's view of Kalshi markets (MarketSource for leg validation and GET /markets, MarketStructure
 * for the risk engine), kept in memory:
 *  - preloaded at start from the catalogue (`GET /markets?status=open`, every page), refreshed in the
 *    background every `refreshIntervalMs` (the open catalogue, then every other cached ticker by batch);
 *  - a ticker never seen is fetched on first sight: tickers asked in the same tick share one
 *    `GET /markets?tickers=` request, and a ticker has at most one fetch in flight;
 *  - a ticker Kalshi does not know (absent from the batch and 404 on `GET /markets/{ticker}`) is
 *    negatively cached for `negativeTtlMs`;
 *  - a copy is served while younger than `freshnessBoundMs`; past it a fresh copy is fetched, and if
 *    none can be had the lookup answers `stale` (the engine refuses with MARKET_DATA_STALE);
 *  - event facts (series, mutually_exclusive) come from `GET /events/{event_ticker}`, cached per event
 *    for `eventTtlMs`; until known, an event counts as not exclusive and its markets carry no ladder,
 *    which can only over-collateralise, never under-.
 * Lookups never throw on Kalshi failures: they answer `stale`.
 */
import { setMaxListeners } from 'node:events';
import pino, { type Logger } from 'pino';
import { type Clock, systemClock, type TimerHandle } from '../ports/clock.ts';
import type {
  KalshiMarketStatus,
  MarketFacts,
  MarketInfo,
  MarketLookup,
  MarketPage,
  MarketSource,
  MarketStructure,
  StrikeType,
} from '../ports/markets.ts';
import type { KalshiClient } from './client.ts';
import { checkMarketCacheConfig, DEFAULT_MARKET_CACHE_CONFIG, type MarketCacheConfig } from './config.ts';
import { KalshiNotFoundError } from './errors.ts';

export interface MarketCacheOptions {
  client: KalshiClient;
  clock?: Clock;
  logger?: Logger;
  config?: Partial<MarketCacheConfig>;
}

interface EventFacts {
  seriesTicker: string;
  mutuallyExclusive: boolean;
  category: string | null;
  fetchedAt: number;
}

interface Entry {
  market: MarketInfo;
  /** Last lookup (or insertion): markets nobody asks about and that left `active` are evicted. */
  usedAt: number;
}

/** Strike types that order markets on one underlying (thresholds and brackets); the rest carry no ladder. */
const LADDER_STRIKES: ReadonlySet<StrikeType> = new Set([
  'greater',
  'greater_or_equal',
  'less',
  'less_or_equal',
  'between',
]);
/** Statuses whose `result` is Kalshi's current answer (disputed: under challenge, so unknown). */
const RESULT_STATUSES: ReadonlySet<KalshiMarketStatus> = new Set(['determined', 'amended', 'finalized']);

export class MarketCache implements MarketSource, MarketStructure {
  readonly config: Readonly<MarketCacheConfig>;
  private readonly client: KalshiClient;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly entries = new Map<string, Entry>();
  private readonly unknownUntil = new Map<string, number>();
  private readonly events = new Map<string, EventFacts>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly eventsInflight = new Map<string, Promise<void>>();
  private readonly eventFailedAt = new Map<string, number>();
  private pendingBatch: { tickers: Set<string>; done: Promise<void> } | null = null;
  private sorted: string[] | null = null;
  private timer: TimerHandle | null = null;
  private running = false;
  private readonly stopping = new AbortController();

  constructor(options: MarketCacheOptions) {
    this.config = checkMarketCacheConfig({ ...DEFAULT_MARKET_CACHE_CONFIG, ...options.config });
    this.client = options.client;
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'market-cache' });
    // Every request in flight listens on this one signal (a listing's events, the prefetch): many at
    // once is the design, not a leak, so Node's more-than-10 warning would only be noise.
    setMaxListeners(0, this.stopping.signal);
  }

  /** Markets held, for metrics and tests. */
  get size(): number {
    return this.entries.size;
  }

  /** Preloads the catalogue, then refreshes every `refreshIntervalMs`. Resolves even if Kalshi is down. */
  async start(): Promise<void> {
    this.running = true;
    await this.refresh();
    this.schedule();
  }

  /** Stops the refresh timer and aborts requests in flight. */
  stop(): void {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.stopping.abort();
  }

  /** One refresh: the open catalogue, then every other cached market by ticker batch. Never rejects. */
  async refresh(): Promise<void> {
    const now = this.clock.now();
    for (const [ticker, until] of this.unknownUntil) if (until <= now) this.unknownUntil.delete(ticker);
    for (const [ticker, entry] of this.entries) {
      if (entry.market.status !== 'active' && entry.usedAt < now - this.config.evictAfterMs)
        this.drop(ticker);
    }
    const seen = new Set<string>();
    try {
      const { markets, invalid } = await this.client.listAllMarkets(
        { status: 'open' },
        { signal: this.stopping.signal },
      );
      for (const market of markets) {
        this.upsert(market);
        seen.add(market.ticker);
      }
      for (const bad of invalid)
        this.log.warn({ ticker: bad.ticker, err: bad.error.message }, 'unreadable market skipped');
      this.log.info({ active: markets.length, cached: this.entries.size }, 'market catalogue refreshed');
      // The listing carries no exclusivity: learn each event's facts in the background (rate-limited
      // by the client), so GET /markets soon says what a leg lookup would, without delaying boot.
      if (this.config.prefetchEvents) void this.ensureEvents([...seen]);
    } catch (error) {
      // Kalshi is most likely down: a by-ticker sweep of the whole cache now would only add load.
      this.log.error({ err: errorMessage(error) }, 'market catalogue refresh failed');
      return;
    }
    const others = [...this.entries.keys()].filter((t) => !seen.has(t));
    if (others.length > 0) await this.fetchBatch(others);
  }

  async lookup(tickers: readonly string[]): Promise<MarketLookup[]> {
    const now = this.clock.now();
    const needed = tickers.filter((t) => !this.isKnownUnknown(t, now) && !this.isFresh(t, now));
    if (needed.length > 0) await this.fetch(needed);
    await this.ensureEvents(tickers);
    const after = this.clock.now();
    return tickers.map((ticker): MarketLookup => {
      if (this.isKnownUnknown(ticker, after)) return { kind: 'unknown' };
      const entry = this.entries.get(ticker);
      if (!entry) return { kind: 'stale', market: null };
      entry.usedAt = after;
      const market = this.withEvent(entry.market);
      return this.isFresh(ticker, after) ? { kind: 'found', market } : { kind: 'stale', market };
    });
  }

  async list(query: {
    category?: string;
    status?: KalshiMarketStatus;
    limit: number;
    cursor?: string;
  }): Promise<MarketPage> {
    if (this.sorted === null) this.sorted = [...this.entries.keys()].sort();
    const sorted = this.sorted;
    let i = 0;
    if (query.cursor !== undefined) {
      // Keyset cursor: the last ticker of the previous page; robust to markets arriving or leaving.
      const after = query.cursor;
      i = lowerBound(sorted, after);
      if (sorted[i] === after) i += 1;
    }
    const markets: MarketInfo[] = [];
    while (i < sorted.length && markets.length < query.limit) {
      // Status is the market's own; category and exclusivity are its event's, learned (once per
      // event, rate-limited) for the markets this page could show before they are shown.
      const window: string[] = [];
      for (; i < sorted.length && window.length < query.limit - markets.length; i++) {
        const ticker = sorted[i] as string;
        const entry = this.entries.get(ticker);
        if (entry && (query.status === undefined || entry.market.status === query.status))
          window.push(ticker);
      }
      await this.ensureEvents(window);
      for (const ticker of window) {
        const entry = this.entries.get(ticker);
        if (!entry) continue;
        const market = this.withEvent(entry.market);
        if (query.category !== undefined && market.category !== query.category) continue;
        markets.push(market);
      }
    }
    const last = markets[markets.length - 1];
    return {
      markets,
      cursor: markets.length === query.limit && i < sorted.length && last ? last.ticker : null,
    };
  }

  facts(tickers: readonly string[]): MarketFacts[] {
    return tickers.map((ticker): MarketFacts => {
      const market = this.entries.get(ticker)?.market;
      if (!market)
        return { ticker, eventTicker: ticker, mutuallyExclusive: false, ladder: null, result: null };
      const event = this.events.get(market.eventTicker);
      const ladder =
        event &&
        market.strikeType !== null &&
        LADDER_STRIKES.has(market.strikeType) &&
        (market.floorStrike ?? market.capStrike) !== null
          ? {
              // One event is one underlying on one date; the series names the underlying.
              key: `${event.seriesTicker}:${market.eventTicker}`,
              strikeType: market.strikeType,
              floorStrike: market.floorStrike,
              capStrike: market.capStrike,
            }
          : null;
      const result =
        RESULT_STATUSES.has(market.status) && (market.result === 'yes' || market.result === 'no')
          ? market.result
          : null;
      return {
        ticker,
        eventTicker: market.eventTicker,
        mutuallyExclusive: event?.mutuallyExclusive ?? false,
        ladder,
        result,
      };
    });
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.refresh().finally(() => this.schedule());
    }, this.config.refreshIntervalMs);
  }

  private isKnownUnknown(ticker: string, now: number): boolean {
    const until = this.unknownUntil.get(ticker);
    return until !== undefined && until > now;
  }

  private isFresh(ticker: string, now: number): boolean {
    const entry = this.entries.get(ticker);
    return entry !== undefined && now - entry.market.fetchedAt <= this.config.freshnessBoundMs;
  }

  /** Joins tickers asked in the same tick into one batch; a ticker already in flight is awaited, not re-asked. */
  private fetch(tickers: readonly string[]): Promise<unknown> {
    const waits: Promise<void>[] = [];
    for (const ticker of tickers) {
      const inflight = this.inflight.get(ticker);
      if (inflight) {
        waits.push(inflight);
        continue;
      }
      if (!this.pendingBatch) {
        const batch = { tickers: new Set<string>(), done: Promise.resolve() };
        batch.done = new Promise<void>((resolve) => {
          queueMicrotask(() => {
            if (this.pendingBatch === batch) this.pendingBatch = null;
            void this.fetchBatch([...batch.tickers]).finally(() => {
              for (const t of batch.tickers) if (this.inflight.get(t) === batch.done) this.inflight.delete(t);
              resolve();
            });
          });
        });
        this.pendingBatch = batch;
      }
      this.pendingBatch.tickers.add(ticker);
      this.inflight.set(ticker, this.pendingBatch.done);
      waits.push(this.pendingBatch.done);
    }
    return Promise.all(waits);
  }

  /** Fetches tickers by batch; absent ones are confirmed one by one (404 → negative cache). Never rejects. */
  private async fetchBatch(tickers: string[]): Promise<void> {
    const signal = this.stopping.signal;
    try {
      const { markets, missing, invalid } = await this.client.getMarkets(tickers, { signal });
      for (const market of markets.values()) this.upsert(market);
      for (const bad of invalid)
        this.log.warn({ ticker: bad.ticker, err: bad.error.message }, 'unreadable market kept stale');
      await Promise.all(
        missing.map(async (ticker) => {
          try {
            this.upsert(await this.client.getMarket(ticker, { signal }));
          } catch (error) {
            if (!(error instanceof KalshiNotFoundError)) throw error;
            this.markUnknown(ticker);
          }
        }),
      );
    } catch (error) {
      this.log.warn(
        { tickers: tickers.length, err: errorMessage(error) },
        'market fetch failed; cached copies age',
      );
    }
  }

  /**
   * Waits for the facts of an event never fetched (one request, the first time a leg touches it);
   * refreshes expired ones in the background. After a failed fetch the event is not waited for again
   * until `negativeTtlMs` has passed, so a failing /events endpoint cannot slow every lookup down.
   */
  private async ensureEvents(tickers: readonly string[]): Promise<void> {
    const now = this.clock.now();
    const waits: Promise<void>[] = [];
    for (const ticker of tickers) {
      const eventTicker = this.entries.get(ticker)?.market.eventTicker;
      if (eventTicker === undefined) continue;
      const known = this.events.get(eventTicker);
      if (known && now - known.fetchedAt <= this.config.eventTtlMs) continue;
      const failedAt = this.eventFailedAt.get(eventTicker);
      if (failedAt !== undefined && now - failedAt < this.config.negativeTtlMs) continue;
      const fetching = this.eventsInflight.get(eventTicker) ?? this.fetchEvent(eventTicker);
      if (!known) waits.push(fetching);
    }
    await Promise.all(waits);
  }

  private fetchEvent(eventTicker: string): Promise<void> {
    const done = (async () => {
      try {
        const event = await this.client.getEvent(
          eventTicker,
          { withNestedMarkets: true },
          { signal: this.stopping.signal },
        );
        this.events.set(eventTicker, {
          seriesTicker: event.seriesTicker,
          mutuallyExclusive: event.mutuallyExclusive,
          category: event.category,
          fetchedAt: this.clock.now(),
        });
        this.eventFailedAt.delete(eventTicker);
        // The nested markets are as fresh as anything else we hold: siblings of a leg come for free.
        for (const market of event.markets) this.upsert(market);
      } catch (error) {
        this.eventFailedAt.set(eventTicker, this.clock.now());
        this.log.warn(
          { eventTicker, err: errorMessage(error) },
          'event fetch failed; treated as not exclusive',
        );
      } finally {
        this.eventsInflight.delete(eventTicker);
      }
    })();
    this.eventsInflight.set(eventTicker, done);
    return done;
  }

  private upsert(market: MarketInfo): void {
    const existing = this.entries.get(market.ticker);
    if (existing && existing.market.fetchedAt > market.fetchedAt) return;
    if (!existing) this.sorted = null;
    this.unknownUntil.delete(market.ticker);
    this.entries.set(market.ticker, { market, usedAt: existing?.usedAt ?? market.fetchedAt });
  }

  private markUnknown(ticker: string): void {
    this.drop(ticker);
    this.unknownUntil.set(ticker, this.clock.now() + this.config.negativeTtlMs);
  }

  private drop(ticker: string): void {
    if (this.entries.delete(ticker)) this.sorted = null;
  }

  private withEvent(market: MarketInfo): MarketInfo {
    const event = this.events.get(market.eventTicker);
    if (!event) return market;
    return {
      ...market,
      seriesTicker: event.seriesTicker,
      mutuallyExclusive: event.mutuallyExclusive,
      category: market.category ?? event.category,
    };
  }
}

function lowerBound(sorted: readonly string[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
