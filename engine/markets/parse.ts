/**
 * Kalshi JSON → our MarketInfo, defensively: every field the engine decides on is checked, and a body
 * that does not fit becomes a KalshiResponseShapeError naming the field, never a crash or a guess.
 * Display-only fields (prices, titles) degrade to null/'' instead of failing the market.
 *
 * Normalisations, written down once:
 *  - `result: "void"` appears on Kalshi's Settlement objects, not in the Market enum; should it ever
 *    reach a market it is read as "" (on a finalized market that means void, see machines/settlement.ts).
 *  - an unknown `strike_type` reads as null: the risk engine then assumes no ladder, which only costs
 *    collateral, never safety.
 *  - `floor_strike`/`cap_strike` are numbers on REST and strings on the WebSocket; both are accepted.
 *  - `seriesTicker` and `mutuallyExclusive` are event facts: null/false here, filled in by the cache.
 */
import type { KalshiMarketStatus, KalshiResult, MarketInfo, StrikeType } from '../ports/markets.ts';
import { KalshiResponseShapeError } from './errors.ts';

const STATUSES: ReadonlySet<string> = new Set<KalshiMarketStatus>([
  'initialized',
  'active',
  'inactive',
  'closed',
  'determined',
  'disputed',
  'amended',
  'finalized',
]);
const STRIKE_TYPES: ReadonlySet<string> = new Set<StrikeType>([
  'greater',
  'greater_or_equal',
  'less',
  'less_or_equal',
  'between',
  'functional',
  'custom',
  'structured',
]);
const DOLLARS = /^\d+(\.\d+)?$/;

export interface KalshiEventInfo {
  eventTicker: string;
  seriesTicker: string;
  title: string;
  category: string | null;
  mutuallyExclusive: boolean;
  /** Present only when fetched with nested markets; invalid ones are left out (and reported in `invalid`). */
  markets: MarketInfo[];
  invalid: InvalidMarket[];
}

export interface InvalidMarket {
  /** The ticker when the object had a readable one. */
  ticker: string | null;
  error: KalshiResponseShapeError;
}

export interface ParsedMarketsPage {
  markets: MarketInfo[];
  invalid: InvalidMarket[];
  /** null on the last page (Kalshi sends "" or omits it). */
  cursor: string | null;
}

type Obj = Record<string, unknown>;

class Reader {
  constructor(
    private readonly request: string,
    private readonly obj: Obj,
    private readonly at: string,
  ) {}

  static of(request: string, value: unknown, at: string): Reader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new KalshiResponseShapeError(request, at, 'is not an object');
    }
    return new Reader(request, value as Obj, at);
  }

  fail(key: string, problem: string): never {
    throw new KalshiResponseShapeError(this.request, `${this.at}.${key}`, problem);
  }

  raw(key: string): unknown {
    return this.obj[key];
  }

  string(key: string): string {
    const v = this.obj[key];
    if (typeof v !== 'string' || v.length === 0) this.fail(key, 'is not a non-empty string');
    return v;
  }

  text(key: string): string {
    const v = this.obj[key];
    return typeof v === 'string' ? v : '';
  }

  optionalText(key: string): string | null {
    const v = this.obj[key];
    return typeof v === 'string' && v.length > 0 ? v : null;
  }

  boolean(key: string): boolean {
    const v = this.obj[key];
    if (typeof v !== 'boolean') this.fail(key, 'is not a boolean');
    return v;
  }

  timeMs(key: string): number {
    const v = this.obj[key];
    const ms = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (!Number.isFinite(ms)) this.fail(key, 'is not an ISO 8601 time');
    return ms;
  }

  optionalTimeMs(key: string): number | null {
    const v = this.obj[key];
    if (v === undefined || v === null || v === '') return null;
    return this.timeMs(key);
  }

  strike(key: string): number | null {
    const v = this.obj[key];
    if (v === undefined || v === null) return null;
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
    if (!Number.isFinite(n)) this.fail(key, 'is not a number');
    return n;
  }

  dollars(key: string): string | null {
    const v = this.obj[key];
    return typeof v === 'string' && DOLLARS.test(v) ? v : null;
  }

  array(key: string): unknown[] {
    const v = this.obj[key];
    if (!Array.isArray(v)) this.fail(key, 'is not an array');
    return v;
  }
}

export function parseMarket(request: string, value: unknown, at: string, fetchedAt: number): MarketInfo {
  const r: Reader = Reader.of(request, value, at);
  const status = r.string('status');
  if (!STATUSES.has(status)) r.fail('status', `is not a known market status (${JSON.stringify(status)})`);
  const marketType = r.string('market_type');
  if (marketType !== 'binary' && marketType !== 'scalar')
    r.fail('market_type', `is neither binary nor scalar`);
  const rawResult = r.raw('result') ?? '';
  if (typeof rawResult !== 'string') r.fail('result', 'is not a string');
  let result: KalshiResult;
  if (rawResult === 'yes' || rawResult === 'no' || rawResult === 'scalar' || rawResult === '')
    result = rawResult;
  else if (rawResult === 'void') result = '';
  else r.fail('result', `is not a known result (${JSON.stringify(rawResult)})`);
  const strikeType = r.raw('strike_type');
  const subtitle = r.optionalText('yes_sub_title') ?? r.optionalText('subtitle');
  return {
    ticker: r.string('ticker'),
    eventTicker: r.string('event_ticker'),
    seriesTicker: null,
    title: r.text('title'),
    subtitle,
    category: r.optionalText('category'),
    status: status as KalshiMarketStatus,
    marketType,
    openTime: r.timeMs('open_time'),
    closeTime: r.timeMs('close_time'),
    expectedExpirationTime: r.optionalTimeMs('expected_expiration_time'),
    result,
    yesBidDollars: r.dollars('yes_bid_dollars'),
    yesAskDollars: r.dollars('yes_ask_dollars'),
    noBidDollars: r.dollars('no_bid_dollars'),
    noAskDollars: r.dollars('no_ask_dollars'),
    lastPriceDollars: r.dollars('last_price_dollars'),
    strikeType:
      typeof strikeType === 'string' && STRIKE_TYPES.has(strikeType) ? (strikeType as StrikeType) : null,
    floorStrike: r.strike('floor_strike'),
    capStrike: r.strike('cap_strike'),
    mutuallyExclusive: false,
    fetchedAt,
  };
}

function parseMarketList(request: string, list: unknown[], at: string, fetchedAt: number) {
  const markets: MarketInfo[] = [];
  const invalid: InvalidMarket[] = [];
  list.forEach((item, i) => {
    try {
      markets.push(parseMarket(request, item, `${at}[${i}]`, fetchedAt));
    } catch (error) {
      if (!(error instanceof KalshiResponseShapeError)) throw error;
      const ticker = typeof item === 'object' && item !== null ? (item as Obj).ticker : undefined;
      invalid.push({ ticker: typeof ticker === 'string' ? ticker : null, error });
    }
  });
  return { markets, invalid };
}

/** `GET /markets/{ticker}` → `{ market }`. A malformed market fails the whole answer. */
export function parseMarketResponse(request: string, body: unknown, fetchedAt: number): MarketInfo {
  return parseMarket(request, Reader.of(request, body, 'body').raw('market'), 'market', fetchedAt);
}

/** `GET /markets` → `{ markets, cursor }`. One malformed market does not hide the others. */
export function parseMarketsPage(request: string, body: unknown, fetchedAt: number): ParsedMarketsPage {
  const r: Reader = Reader.of(request, body, 'body');
  const { markets, invalid } = parseMarketList(request, r.array('markets'), 'markets', fetchedAt);
  const cursor = r.raw('cursor');
  if (cursor !== undefined && cursor !== null && typeof cursor !== 'string')
    r.fail('cursor', 'is not a string');
  return { markets, invalid, cursor: typeof cursor === 'string' && cursor.length > 0 ? cursor : null };
}

/** `GET /events/{event_ticker}` → `{ event, markets }`; nested `event.markets` preferred when present. */
export function parseEventResponse(request: string, body: unknown, fetchedAt: number): KalshiEventInfo {
  const top = Reader.of(request, body, 'body');
  const event = Reader.of(request, top.raw('event'), 'event');
  const nested = event.raw('markets');
  const listed = Array.isArray(nested)
    ? { list: nested, at: 'event.markets' }
    : { list: top.raw('markets'), at: 'markets' };
  const { markets, invalid } = Array.isArray(listed.list)
    ? parseMarketList(request, listed.list, listed.at, fetchedAt)
    : { markets: [], invalid: [] };
  return {
    eventTicker: event.string('event_ticker'),
    seriesTicker: event.string('series_ticker'),
    title: event.text('title'),
    category: event.optionalText('category'),
    mutuallyExclusive: event.boolean('mutually_exclusive'),
    markets,
    invalid,
  };
}

/** Kalshi's error envelope `{ error: { code, message } }`, read loosely: it only feeds error messages. */
export function parseErrorBody(text: string): { code: string | null; message: string } {
  try {
    const body = JSON.parse(text) as unknown;
    if (typeof body === 'object' && body !== null) {
      const error = (body as Obj).error;
      if (typeof error === 'string') return { code: null, message: error };
      if (typeof error === 'object' && error !== null) {
        const { code, message } = error as Obj;
        return {
          code: typeof code === 'string' ? code : null,
          message: typeof message === 'string' ? message : '',
        };
      }
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): the status alone has to do.
  }
  return { code: null, message: text.slice(0, 200) };
}
