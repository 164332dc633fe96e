/**
 * A thin fetch client for the read side of Kalshi's trade API v2: markets one by one, by ticker batch,
 * as a catalogue listing, and events. Every request takes a token from one shared bucket, carries a
 * timeout from the injected clock, is retried on 429/5xx/timeouts/network errors with full-jitter
 * exponential backoff, and is signed when an API key is configured. Bodies are parsed defensively
 * (parse.ts) into our MarketInfo.
 *
 * @example
 * const client = new KalshiClient({ config: { baseUrl: sim.url }, clock: systemClock, logger });
 * const { markets, missing } = await client.getMarkets(['KXBTCD-26JAN0517-T100000']);
 */
import pino, { type Logger } from 'pino';
import { type Clock, systemClock } from '../ports/clock.ts';
import type { MarketInfo } from '../ports/markets.ts';
import { checkKalshiClientConfig, DEFAULT_KALSHI_CLIENT_CONFIG, type KalshiClientConfig } from './config.ts';
import {
  KalshiAbortedError,
  KalshiError,
  KalshiHttpError,
  KalshiNetworkError,
  KalshiNotFoundError,
  KalshiResponseShapeError,
  KalshiTimeoutError,
} from './errors.ts';
import {
  type InvalidMarket,
  type KalshiEventInfo,
  type ParsedMarketsPage,
  parseErrorBody,
  parseEventResponse,
  parseMarketResponse,
  parseMarketsPage,
} from './parse.ts';
import { createKalshiSigner, type KalshiSigner } from './signer.ts';
import { TokenBucket } from './tokenBucket.ts';
import type { KalshiStatusFilter } from './wire.ts';

export interface KalshiClientOptions {
  config?: Partial<KalshiClientConfig>;
  clock?: Clock;
  logger?: Logger;
  /** Uniform [0, 1) for backoff jitter; injectable so tests pin the delays. */
  random?: () => number;
}

export interface RequestOptions {
  /** Aborts waiting, sending and backing off (shutdown); the call rejects with KalshiAbortedError. */
  signal?: AbortSignal;
}

export interface MarketsQuery {
  status?: KalshiStatusFilter;
  eventTicker?: string;
  seriesTicker?: string;
  limit?: number;
  cursor?: string;
}

export interface MarketsByTicker {
  markets: Map<string, MarketInfo>;
  /** Tickers Kalshi did not return (unknown, or removed): confirm with getMarket before calling them gone. */
  missing: string[];
  /** Markets Kalshi returned in a shape we cannot trust. */
  invalid: InvalidMarket[];
}

/** Kalshi pages forever only if something is wrong; this many pages means something is. */
const MAX_PAGES = 10_000;

export class KalshiClient {
  readonly config: Readonly<KalshiClientConfig>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly bucket: TokenBucket;
  private readonly signer: KalshiSigner | null;

  constructor(options: KalshiClientOptions = {}) {
    this.config = checkKalshiClientConfig({ ...DEFAULT_KALSHI_CLIENT_CONFIG, ...options.config });
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'kalshi-client' });
    this.random = options.random ?? Math.random;
    this.bucket = new TokenBucket(this.clock, this.config.readsPerSecond, this.config.burst);
    const { apiKeyId, privateKeyPem } = this.config;
    this.signer =
      apiKeyId !== null && privateKeyPem !== null ? createKalshiSigner(apiKeyId, privateKeyPem) : null;
  }

  /** Requests waiting on the rate limiter. */
  get queuedRequests(): number {
    return this.bucket.waiting;
  }

  /** `GET /markets/{ticker}`. Rejects with KalshiNotFoundError when Kalshi does not know it. */
  async getMarket(ticker: string, options: RequestOptions = {}): Promise<MarketInfo> {
    const { request, body } = await this.getJson(
      `/markets/${encodeURIComponent(ticker)}`,
      {},
      options.signal,
    );
    return parseMarketResponse(request, body, this.clock.now());
  }

  /** One page of `GET /markets`. */
  async listMarkets(query: MarketsQuery = {}, options: RequestOptions = {}): Promise<ParsedMarketsPage> {
    const { request, body } = await this.getJson(
      '/markets',
      {
        status: query.status,
        event_ticker: query.eventTicker,
        series_ticker: query.seriesTicker,
        limit: String(query.limit ?? this.config.pageLimit),
        cursor: query.cursor,
      },
      options.signal,
    );
    return parseMarketsPage(request, body, this.clock.now());
  }

  /** Every page of `GET /markets` for a filter, following the cursor until Kalshi sends an empty one. */
  async listAllMarkets(
    query: Omit<MarketsQuery, 'cursor' | 'limit'> = {},
    options: RequestOptions = {},
  ): Promise<{ markets: MarketInfo[]; invalid: InvalidMarket[] }> {
    const markets: MarketInfo[] = [];
    const invalid: InvalidMarket[] = [];
    await this.eachPage(
      (cursor) => this.listMarkets({ ...query, cursor }, options),
      (page) => {
        markets.push(...page.markets);
        invalid.push(...page.invalid);
      },
    );
    return { markets, invalid };
  }

  /**
   * `GET /markets?tickers=a,b,…`, chunked to `tickersPerRequest` and paginated within each chunk.
   * Duplicate tickers are asked once.
   */
  async getMarkets(tickers: readonly string[], options: RequestOptions = {}): Promise<MarketsByTicker> {
    const unique = [...new Set(tickers)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += this.config.tickersPerRequest) {
      chunks.push(unique.slice(i, i + this.config.tickersPerRequest));
    }
    const markets = new Map<string, MarketInfo>();
    const invalid: InvalidMarket[] = [];
    await Promise.all(
      chunks.map((chunk) =>
        this.eachPage(
          async (cursor) => {
            const { request, body } = await this.getJson(
              '/markets',
              { tickers: chunk.join(','), limit: String(this.config.pageLimit), cursor },
              options.signal,
            );
            return parseMarketsPage(request, body, this.clock.now());
          },
          (page) => {
            for (const market of page.markets) markets.set(market.ticker, market);
            invalid.push(...page.invalid);
          },
        ),
      ),
    );
    const invalidTickers = new Set(invalid.map((i) => i.ticker));
    const missing = unique.filter((t) => !markets.has(t) && !invalidTickers.has(t));
    return { markets, missing, invalid };
  }

  /** `GET /events/{event_ticker}`, with the event's markets when `withNestedMarkets`. */
  async getEvent(
    eventTicker: string,
    query: { withNestedMarkets?: boolean } = {},
    options: RequestOptions = {},
  ): Promise<KalshiEventInfo> {
    const { request, body } = await this.getJson(
      `/events/${encodeURIComponent(eventTicker)}`,
      { with_nested_markets: query.withNestedMarkets ? 'true' : undefined },
      options.signal,
    );
    return parseEventResponse(request, body, this.clock.now());
  }

  private async eachPage(
    fetchPage: (cursor: string | undefined) => Promise<ParsedMarketsPage>,
    onPage: (page: ParsedMarketsPage) => void,
  ): Promise<void> {
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let pages = 0; pages < MAX_PAGES; pages++) {
      const page = await fetchPage(cursor);
      onPage(page);
      if (page.cursor === null) return;
      if (seen.has(page.cursor)) {
        throw new KalshiResponseShapeError(
          'GET /markets',
          'cursor',
          `repeats (${page.cursor}): pagination loops`,
        );
      }
      seen.add(page.cursor);
      cursor = page.cursor;
    }
    throw new KalshiResponseShapeError('GET /markets', 'cursor', `still set after ${MAX_PAGES} pages`);
  }

  private async getJson(
    path: string,
    query: Record<string, string | undefined>,
    signal: AbortSignal | undefined,
  ): Promise<{ request: string; body: unknown }> {
    const url = new URL(`${this.config.baseUrl.replace(/\/+$/, '')}${path}`);
    for (const [key, value] of Object.entries(query))
      if (value !== undefined) url.searchParams.set(key, value);
    const request = `GET ${url.pathname}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const body = await this.attempt(url, request, signal);
        return { request, body };
      } catch (error) {
        if (!(error instanceof KalshiError) || !error.retryable || attempt >= this.config.maxRetries)
          throw error;
        const ceiling = Math.min(this.config.backoffMaxMs, this.config.backoffBaseMs * 2 ** attempt);
        const jitterMs = Math.floor(this.random() * ceiling);
        const retryAfterMs = error instanceof KalshiHttpError ? (error.retryAfterMs ?? 0) : 0;
        const delayMs = Math.max(jitterMs, Math.min(retryAfterMs, this.config.backoffMaxMs));
        this.log.warn(
          { request, attempt: attempt + 1, delayMs, err: error.message },
          'kalshi request failed; retrying',
        );
        await this.sleep(delayMs, request, signal);
      }
    }
  }

  private async attempt(url: URL, request: string, signal: AbortSignal | undefined): Promise<unknown> {
    try {
      await this.bucket.take(signal);
    } catch {
      throw new KalshiAbortedError(request);
    }
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.signer) Object.assign(headers, this.signer.headers('GET', url.pathname, this.clock.now()));
    const controller = new AbortController();
    let timedOut = false;
    const timer = this.clock.setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.config.requestTimeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const startedAt = this.clock.now();
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      if (signal?.aborted) throw new KalshiAbortedError(request);
      const response = await fetch(url, { headers, signal: controller.signal });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (error) {
      if (error instanceof KalshiAbortedError || signal?.aborted) throw new KalshiAbortedError(request);
      if (timedOut) throw new KalshiTimeoutError(request, this.config.requestTimeoutMs);
      throw new KalshiNetworkError(request, error);
    } finally {
      this.clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    this.log.debug({ request, status, ms: this.clock.now() - startedAt }, 'kalshi response');
    if (status >= 200 && status < 300) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new KalshiResponseShapeError(request, 'body', 'is not JSON');
      }
    }
    const { code, message } = parseErrorBody(text);
    if (status === 404) throw new KalshiNotFoundError(request, code, message);
    throw new KalshiHttpError(request, status, code, message, parseRetryAfter(retryAfter, this.clock.now()));
  }

  private sleep(ms: number, request: string, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new KalshiAbortedError(request));
      const onAbort = () => {
        this.clock.clearTimeout(timer);
        reject(new KalshiAbortedError(request));
      };
      const timer = this.clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** `Retry-After` is either delta-seconds or an HTTP date. */
function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : null;
}
