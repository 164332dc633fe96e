/**
 * Configuration of the Kalshi client and the market cache, with defaults. The composition root reads
 * the environment and passes these in; nothing here reads `process.env`.
 */

export const KALSHI_BASE_URLS = {
  production: 'https://external-api.kalshi.com/trade-api/v2',
  demo: 'https://external-api.demo.kalshi.co/trade-api/v2',
} as const;

export interface KalshiClientConfig {
  /** Includes the `/trade-api/v2` prefix: the signature covers the full path. */
  baseUrl: string;
  /** Per attempt, from sending the request to having read the whole body. */
  requestTimeoutMs: number;
  /** Retries after the first attempt, on 429, 5xx, timeouts and network errors. */
  maxRetries: number;
  /** Full-jitter exponential backoff: attempt n waits uniform(0, min(max, base·2ⁿ)). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Kalshi's Basic tier allows 20 reads/s; one bucket is shared by every caller of a client. */
  readsPerSecond: number;
  burst: number;
  /** `limit` on paginated listings; Kalshi accepts 1..1000. */
  pageLimit: number;
  /** Tickers per `GET /markets?tickers=` request, to keep URLs short. */
  tickersPerRequest: number;
  /** API-key signing, used only when both are set. */
  apiKeyId: string | null;
  privateKeyPem: string | null;
}

export const DEFAULT_KALSHI_CLIENT_CONFIG: Readonly<KalshiClientConfig> = Object.freeze({
  baseUrl: KALSHI_BASE_URLS.production,
  requestTimeoutMs: 10_000,
  maxRetries: 4,
  backoffBaseMs: 250,
  backoffMaxMs: 8_000,
  readsPerSecond: 20,
  burst: 20,
  pageLimit: 1000,
  tickersPerRequest: 100,
  apiKeyId: null,
  privateKeyPem: null,
});

export interface MarketCacheConfig {
  /** Background refresh of the catalogue and of every cached market. */
  refreshIntervalMs: number;
  /** Data older than this is never used to accept a leg (MARKET_DATA_STALE instead). */
  freshnessBoundMs: number;
  /** How long a ticker Kalshi does not know stays known-unknown. */
  negativeTtlMs: number;
  /** How long an event's `mutually_exclusive` and series are trusted before they are fetched again. */
  eventTtlMs: number;
  /** A market that is no longer active and was not looked up for this long leaves the cache. */
  evictAfterMs: number;
  /** After each catalogue refresh, fetch the facts of its events in the background (GET /markets shows exclusivity). */
  prefetchEvents: boolean;
}

export const DEFAULT_MARKET_CACHE_CONFIG: Readonly<MarketCacheConfig> = Object.freeze({
  refreshIntervalMs: 30_000,
  freshnessBoundMs: 120_000,
  negativeTtlMs: 60_000,
  eventTtlMs: 3_600_000,
  evictAfterMs: 3_600_000,
  prefetchEvents: true,
});

function positiveInts<T extends object>(what: string, config: T, keys: ReadonlyArray<keyof T>): string[] {
  const problems: string[] = [];
  for (const key of keys) {
    const v = config[key];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      problems.push(`${what}.${String(key)} must be a positive integer`);
    }
  }
  return problems;
}

/** Refuses a configuration that contradicts itself, so a bad environment fails at boot. */
export function checkKalshiClientConfig(config: KalshiClientConfig): KalshiClientConfig {
  const problems = positiveInts('kalshi', config, [
    'requestTimeoutMs',
    'backoffBaseMs',
    'backoffMaxMs',
    'readsPerSecond',
    'burst',
    'pageLimit',
    'tickersPerRequest',
  ]);
  if (!Number.isSafeInteger(config.maxRetries) || config.maxRetries < 0)
    problems.push('kalshi.maxRetries must be ≥ 0');
  if (config.pageLimit > 1000) problems.push('kalshi.pageLimit must not exceed 1000');
  if (config.backoffBaseMs > config.backoffMaxMs)
    problems.push('kalshi.backoffBaseMs must not exceed backoffMaxMs');
  if ((config.apiKeyId === null) !== (config.privateKeyPem === null)) {
    problems.push('kalshi.apiKeyId and kalshi.privateKeyPem are set together or not at all');
  }
  try {
    const url = new URL(config.baseUrl);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      problems.push('kalshi.baseUrl must be http(s)');
  } catch {
    problems.push('kalshi.baseUrl must be a URL');
  }
  if (problems.length > 0) throw new RangeError(`invalid Kalshi client config: ${problems.join('; ')}`);
  return config;
}

export function checkMarketCacheConfig(config: MarketCacheConfig): MarketCacheConfig {
  const problems = positiveInts('marketCache', config, [
    'refreshIntervalMs',
    'freshnessBoundMs',
    'negativeTtlMs',
    'eventTtlMs',
    'evictAfterMs',
  ]);
  // A bound shorter than the refresh interval would refuse legs between two healthy refreshes.
  if (config.freshnessBoundMs <= config.refreshIntervalMs) {
    problems.push('marketCache.freshnessBoundMs must exceed refreshIntervalMs');
  }
  if (problems.length > 0) throw new RangeError(`invalid market cache config: ${problems.join('; ')}`);
  return config;
}
