/**
 * The simulator's exchange: the catalogue's markets in memory and their lifecycle on a scenario clock
 * (the injected clock plus an offset the admin API advances). Time-driven transitions happen lazily,
 * on every read: initialized → active at open_time, active/inactive → closed at close_time, and
 * determined/amended → finalized once settlement_timer_seconds have passed. Explicit transitions
 * (determine, dispute, amend, finalize, void, pause, remove) come from the admin API.
 */
import type { Clock } from '../../ports/clock.ts';
import type { KalshiEventJson, KalshiGetEventResponse, KalshiMarketJson } from '../wire.ts';
import type { Catalogue } from './catalogue.ts';

export type LifecycleEventType = 'activated' | 'deactivated' | 'determined' | 'settled';

export interface LifecycleEvent {
  ticker: string;
  eventType: LifecycleEventType;
  result?: string;
  settlementValue?: string;
  atMs: number;
}

/** An admin or query error, with the HTTP status and Kalshi-style code the server answers with. */
export class SimError extends Error {
  override readonly name = 'SimError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface MarketState {
  json: KalshiMarketJson;
  /** Scenario time of the last determination; the settlement timer runs from it. */
  determinedAtMs: number | null;
}

const STATUS_FILTERS: Record<string, ReadonlySet<string>> = {
  unopened: new Set(['initialized']),
  open: new Set(['active']),
  paused: new Set(['inactive']),
  closed: new Set(['closed', 'determined', 'disputed', 'amended']),
  settled: new Set(['finalized']),
};

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export interface ListQuery {
  tickers?: string[];
  status?: string;
  eventTicker?: string;
  seriesTicker?: string;
  limit: number;
  cursor?: string;
}

export class SimExchange {
  private offsetMs = 0;
  private readonly markets = new Map<string, MarketState>();
  private readonly events = new Map<string, KalshiEventJson>();
  /** Every ticker ever listed, in catalogue order: cursors are positions in it, stable across removals. */
  private readonly order: string[] = [];
  private readonly listeners = new Set<(event: LifecycleEvent) => void>();

  constructor(
    catalogue: Catalogue,
    private readonly clock: Clock,
    /** Move determined markets to finalized when their settlement timer runs out. */
    private readonly autoFinalize = true,
  ) {
    for (const event of catalogue.events)
      this.events.set(event.event_ticker, { ...event, markets: undefined });
    for (const market of catalogue.markets) {
      if (!this.events.has(market.event_ticker))
        throw new Error(`market ${market.ticker} has no event ${market.event_ticker}`);
      this.markets.set(market.ticker, { json: structuredClone(market), determinedAtMs: null });
      this.order.push(market.ticker);
    }
  }

  /** Scenario time, Unix ms. */
  now(): number {
    return this.clock.now() + this.offsetMs;
  }

  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0)
      throw new SimError(400, 'bad_request', 'ms must be a non-negative number');
    this.offsetMs += ms;
    this.sync();
    return this.now();
  }

  onLifecycle(listener: (event: LifecycleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  tickers(): string[] {
    return [...this.markets.keys()];
  }

  getMarket(ticker: string): KalshiMarketJson | null {
    this.sync();
    const state = this.markets.get(ticker);
    return state ? structuredClone(state.json) : null;
  }

  listMarkets(query: ListQuery): { markets: KalshiMarketJson[]; cursor: string } {
    this.sync();
    if (!Number.isSafeInteger(query.limit) || query.limit < 1 || query.limit > 1000) {
      throw new SimError(400, 'bad_request', 'limit must be between 1 and 1000');
    }
    const statuses = query.status === undefined ? null : STATUS_FILTERS[query.status];
    if (statuses === undefined)
      throw new SimError(400, 'bad_request', `unknown status filter ${query.status}`);
    let start = 0;
    if (query.cursor !== undefined && query.cursor !== '') {
      start = Number(Buffer.from(query.cursor, 'base64url').toString('utf8'));
      if (!Number.isSafeInteger(start) || start < 0) throw new SimError(400, 'bad_request', 'invalid cursor');
    }
    const wanted = query.tickers ? new Set(query.tickers) : null;
    const page: KalshiMarketJson[] = [];
    let i = start;
    for (; i < this.order.length && page.length < query.limit; i++) {
      const state = this.markets.get(this.order[i] as string);
      if (!state) continue;
      const m = state.json;
      if (wanted && !wanted.has(m.ticker)) continue;
      if (statuses && !statuses.has(m.status)) continue;
      if (query.eventTicker && m.event_ticker !== query.eventTicker) continue;
      if (query.seriesTicker && this.events.get(m.event_ticker)?.series_ticker !== query.seriesTicker)
        continue;
      page.push(structuredClone(m));
    }
    // Kalshi sends a cursor while more may follow; an empty one ends the listing.
    const more = page.length === query.limit && this.hasMatchFrom(i, query, wanted, statuses);
    return { markets: page, cursor: more ? Buffer.from(String(i), 'utf8').toString('base64url') : '' };
  }

  getEvent(eventTicker: string, withNestedMarkets: boolean): KalshiGetEventResponse | null {
    this.sync();
    const event = this.events.get(eventTicker);
    if (!event) return null;
    const markets = this.order
      .map((t) => this.markets.get(t))
      .filter((s): s is MarketState => s !== undefined && s.json.event_ticker === eventTicker)
      .map((s) => structuredClone(s.json));
    const { markets: _omit, ...bare } = event;
    return { event: withNestedMarkets ? { ...bare, markets } : bare, markets };
  }

  close(ticker: string): KalshiMarketJson {
    const state = this.require(ticker, ['active', 'inactive', 'initialized']);
    this.closeNow(state);
    return this.snapshot(state);
  }

  determine(ticker: string, result: string): KalshiMarketJson {
    const state = this.require(ticker, ['active', 'inactive', 'closed']);
    this.checkResult(state, result);
    if (state.json.status !== 'closed') this.closeNow(state);
    this.setResult(state, 'determined', result);
    return this.snapshot(state);
  }

  dispute(ticker: string): KalshiMarketJson {
    const state = this.require(ticker, ['determined', 'amended']);
    this.touch(state, 'disputed');
    return this.snapshot(state);
  }

  amend(ticker: string, result: string): KalshiMarketJson {
    const state = this.require(ticker, ['disputed']);
    this.checkResult(state, result);
    this.setResult(state, 'amended', result);
    return this.snapshot(state);
  }

  finalize(ticker: string): KalshiMarketJson {
    const state = this.require(ticker, ['determined', 'amended']);
    this.finalizeNow(state);
    return this.snapshot(state);
  }

  /** Cancelled by the exchange: finalized with no yes/no result, positions returned at cost. */
  voidMarket(ticker: string): KalshiMarketJson {
    const state = this.require(ticker, [
      'initialized',
      'active',
      'inactive',
      'closed',
      'determined',
      'disputed',
      'amended',
    ]);
    if (
      state.json.status === 'active' ||
      state.json.status === 'inactive' ||
      state.json.status === 'initialized'
    ) {
      this.closeNow(state);
    }
    state.json.result = '';
    state.json.settlement_value_dollars = null;
    this.finalizeNow(state);
    return this.snapshot(state);
  }

  deactivate(ticker: string): KalshiMarketJson {
    const state = this.require(ticker, ['active']);
    this.touch(state, 'inactive');
    this.emit({ ticker, eventType: 'deactivated', atMs: this.now() });
    return this.snapshot(state);
  }

  activate(ticker: string): KalshiMarketJson {
    const state = this.require(ticker, ['inactive']);
    this.touch(state, 'active');
    this.emit({ ticker, eventType: 'activated', atMs: this.now() });
    return this.snapshot(state);
  }

  /** The market disappears: every read of it answers 404 from now on. */
  remove(ticker: string): void {
    this.require(ticker, null);
    this.markets.delete(ticker);
  }

  private hasMatchFrom(
    from: number,
    query: ListQuery,
    wanted: Set<string> | null,
    statuses: ReadonlySet<string> | null,
  ) {
    for (let i = from; i < this.order.length; i++) {
      const m = this.markets.get(this.order[i] as string)?.json;
      if (!m) continue;
      if (wanted && !wanted.has(m.ticker)) continue;
      if (statuses && !statuses.has(m.status)) continue;
      if (query.eventTicker && m.event_ticker !== query.eventTicker) continue;
      if (query.seriesTicker && this.events.get(m.event_ticker)?.series_ticker !== query.seriesTicker)
        continue;
      return true;
    }
    return false;
  }

  private sync(): void {
    const now = this.now();
    for (const state of this.markets.values()) {
      const m = state.json;
      if (m.status === 'initialized' && now >= Date.parse(m.open_time)) this.touch(state, 'active');
      if ((m.status === 'active' || m.status === 'inactive') && now >= Date.parse(m.close_time))
        this.touch(state, 'closed');
      if (
        this.autoFinalize &&
        (m.status === 'determined' || m.status === 'amended') &&
        state.determinedAtMs !== null &&
        now >= state.determinedAtMs + m.settlement_timer_seconds * 1000
      ) {
        this.finalizeNow(state);
      }
    }
  }

  private require(ticker: string, from: readonly string[] | null): MarketState {
    this.sync();
    const state = this.markets.get(ticker);
    if (!state) throw new SimError(404, 'not_found', `market ${ticker} not found`);
    if (from && !from.includes(state.json.status)) {
      throw new SimError(
        409,
        'invalid_transition',
        `market ${ticker} is ${state.json.status}, not ${from.join('/')}`,
      );
    }
    return state;
  }

  private checkResult(state: MarketState, result: string): void {
    const allowed = state.json.market_type === 'scalar' ? ['scalar'] : ['yes', 'no'];
    if (!allowed.includes(result)) {
      throw new SimError(
        400,
        'bad_request',
        `result must be ${allowed.join(' or ')} for ${state.json.ticker}`,
      );
    }
  }

  private closeNow(state: MarketState): void {
    const now = this.now();
    if (Date.parse(state.json.close_time) > now) state.json.close_time = iso(now);
    this.touch(state, 'closed');
  }

  private setResult(state: MarketState, status: 'determined' | 'amended', result: string): void {
    state.json.result = result;
    state.json.settlement_value_dollars = result === 'yes' ? '1.0000' : result === 'no' ? '0.0000' : '0.5000';
    state.determinedAtMs = this.now();
    this.touch(state, status);
    this.emit({
      ticker: state.json.ticker,
      eventType: 'determined',
      result,
      settlementValue: state.json.settlement_value_dollars,
      atMs: state.determinedAtMs,
    });
  }

  private finalizeNow(state: MarketState): void {
    state.json.settlement_ts = iso(this.now());
    this.touch(state, 'finalized');
    this.emit({
      ticker: state.json.ticker,
      eventType: 'settled',
      result: state.json.result,
      atMs: this.now(),
    });
  }

  private touch(state: MarketState, status: string): void {
    state.json.status = status;
    state.json.updated_time = iso(this.now());
  }

  private snapshot(state: MarketState): KalshiMarketJson {
    return structuredClone(state.json);
  }

  private emit(event: LifecycleEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
