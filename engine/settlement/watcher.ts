/**
 * The settlement runtime: watches the Kalshi markets of executed positions, and only those, and tells
 * the engine once per position when the rules of machines/settlement.ts decide it.
 *
 * Every `pollIntervalMs` (and whenever a lifecycle feed reports a tracked market determined or
 * settled, or a gap in its stream) it asks Kalshi for every tracked market still pending, batched by
 * ticker (`GET /markets?tickers=`); a ticker absent from the batch is confirmed with
 * `GET /markets/{ticker}`, and a 404 makes it void. Final resolutions are remembered per ticker; a
 * decided position is reported to the sink and forgotten.
 *
 * Nothing here is durable on purpose: the positions to watch are the engine's executed positions, so
 * after a restart the engine tracks them again and the first poll re-derives everything. A poll cut
 * short by `stop()` reports nothing.
 */
import { setMaxListeners } from 'node:events';
import pino, { type Logger } from 'pino';
import type { Leg } from '../../machines/domain.ts';
import { decideParlay, type MarketResolution, marketResolution } from '../../machines/settlement.ts';
import type { KalshiClient } from '../markets/client.ts';
import { KalshiNotFoundError } from '../markets/errors.ts';
import { type Clock, systemClock, type TimerHandle } from '../ports/clock.ts';
import type { SettlementSink, SettlementWatcher as SettlementWatcherPort } from '../ports/settlement.ts';
import {
  checkSettlementWatcherConfig,
  DEFAULT_SETTLEMENT_WATCHER_CONFIG,
  type SettlementWatcherConfig,
} from './config.ts';

export type { SettlementSink };

/** A push source of market lifecycle changes (Kalshi's `market_lifecycle_v2`); REST stays the truth. */
export interface LifecycleFeed {
  subscribe(listener: (update: LifecycleUpdate) => void): () => void;
}

export type LifecycleUpdate =
  | { kind: 'market'; ticker: string; eventType: string }
  /** Messages may have been missed (reconnect, sequence gap): reconcile everything over REST. */
  | { kind: 'resync' };

export interface SettlementWatcherOptions {
  client: KalshiClient;
  /** Where decisions go; the engine can instead `attach` itself later. Until one is set, nothing is reported. */
  sink?: SettlementSink;
  clock?: Clock;
  logger?: Logger;
  config?: Partial<SettlementWatcherConfig>;
  feed?: LifecycleFeed;
}

export class SettlementWatcher implements SettlementWatcherPort {
  readonly config: Readonly<SettlementWatcherConfig>;
  private readonly client: KalshiClient;
  private sink: SettlementSink | null;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly feed: LifecycleFeed | undefined;
  private readonly positions = new Map<string, readonly Leg[]>();
  /** Final resolutions only: `finalized` and gone are terminal, so they are never asked again. */
  private readonly resolutions = new Map<string, Exclude<MarketResolution, 'pending'>>();
  private polling: Promise<void> | null = null;
  private rerun: Promise<void> | null = null;
  private timer: TimerHandle | null = null;
  private running = false;
  private stopping = new AbortController();
  private unsubscribe: (() => void) | null = null;

  constructor(options: SettlementWatcherOptions) {
    this.config = checkSettlementWatcherConfig({ ...DEFAULT_SETTLEMENT_WATCHER_CONFIG, ...options.config });
    this.client = options.client;
    this.sink = options.sink ?? null;
    this.clock = options.clock ?? systemClock;
    this.log = (options.logger ?? pino({ level: 'silent' })).child({ component: 'settlement-watcher' });
    this.feed = options.feed;
  }

  /** Positions being watched. */
  get tracked(): number {
    return this.positions.size;
  }

  /** The engine attaches itself as the sink (engine/ports/settlement.ts). */
  attach(sink: SettlementSink): void {
    this.sink = sink;
  }

  /** Watches an executed position's legs; tracking the same RFQ again replaces its legs. */
  track(rfqId: string, legs: readonly Leg[]): void {
    if (legs.length === 0) throw new RangeError(`position ${rfqId} has no legs`);
    this.positions.set(rfqId, [...legs]);
    this.log.debug({ rfqId, tickers: legs.map((l) => l.ticker) }, 'tracking position');
  }

  untrack(rfqId: string): void {
    this.positions.delete(rfqId);
    this.forgetUnreferenced();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    // One signal for every request of a poll (ticker batches in parallel): not a listener leak.
    setMaxListeners(0, this.stopping.signal);
    this.unsubscribe = this.feed?.subscribe((update) => this.onLifecycle(update)) ?? null;
    this.schedule();
  }

  /** Stops polling and aborts a poll in flight (it reports nothing). Tracked positions are kept. */
  stop(): void {
    this.running = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.stopping.abort();
  }

  /**
   * Polls now. While a poll runs, callers share one follow-up poll that starts when it ends, so a
   * burst of triggers costs at most two polls. Never rejects: failures are logged and retried by the
   * next poll.
   */
  pollNow(): Promise<void> {
    if (this.polling) {
      this.rerun ??= this.polling.then(() => {
        this.rerun = null;
        return this.pollNow();
      });
      return this.rerun;
    }
    const poll = this.poll(this.stopping.signal).finally(() => {
      if (this.polling === poll) this.polling = null;
    });
    this.polling = poll;
    return poll;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.pollNow().finally(() => this.schedule());
    }, this.config.pollIntervalMs);
  }

  private onLifecycle(update: LifecycleUpdate): void {
    const relevant =
      update.kind === 'resync' ||
      ((update.eventType === 'determined' || update.eventType === 'settled') &&
        this.isWatched(update.ticker));
    if (relevant) void this.pollNow();
  }

  private isWatched(ticker: string): boolean {
    for (const legs of this.positions.values()) if (legs.some((l) => l.ticker === ticker)) return true;
    return false;
  }

  private async poll(signal: AbortSignal): Promise<void> {
    const pending = new Set<string>();
    for (const legs of this.positions.values()) {
      for (const leg of legs) if (!this.resolutions.has(leg.ticker)) pending.add(leg.ticker);
    }
    try {
      if (pending.size > 0) await this.fetchResolutions([...pending], signal);
    } catch (error) {
      if (!signal.aborted)
        this.log.warn({ tickers: pending.size, err: errorMessage(error) }, 'settlement poll failed');
      return;
    }
    if (signal.aborted) return;
    this.decide();
  }

  private async fetchResolutions(tickers: string[], signal: AbortSignal): Promise<void> {
    const found = new Map<string, MarketResolution>();
    const { markets, missing, invalid } = await this.client.getMarkets(tickers, { signal });
    for (const market of markets.values()) found.set(market.ticker, marketResolution(market));
    for (const bad of invalid)
      this.log.warn({ ticker: bad.ticker, err: bad.error.message }, 'unreadable market: leg stays pending');
    await Promise.all(
      missing.map(async (ticker) => {
        try {
          found.set(ticker, marketResolution(await this.client.getMarket(ticker, { signal })));
        } catch (error) {
          if (!(error instanceof KalshiNotFoundError)) throw error;
          found.set(ticker, marketResolution({ gone: true }));
        }
      }),
    );
    // Recorded only once every answer is in: an aborted poll leaves no half-applied state behind.
    if (signal.aborted) return;
    for (const [ticker, resolution] of found) {
      if (resolution !== 'pending') {
        this.resolutions.set(ticker, resolution);
        this.log.info({ ticker, resolution }, 'market resolved');
      }
    }
  }

  private decide(): void {
    const sink = this.sink;
    if (!sink) {
      this.log.warn({ tracked: this.positions.size }, 'no settlement sink attached; decisions wait');
      return;
    }
    for (const [rfqId, legs] of [...this.positions]) {
      const decision = decideParlay(
        legs.map((leg) => ({ side: leg.side, resolution: this.resolutions.get(leg.ticker) ?? 'pending' })),
      );
      if (decision === 'pending') continue;
      try {
        sink.resolve(rfqId, decision);
      } catch (error) {
        // Kept: the next poll reports it again, so a sink hiccup does not lose a settlement.
        this.log.error({ rfqId, outcome: decision, err: errorMessage(error) }, 'settlement sink failed');
        continue;
      }
      this.positions.delete(rfqId);
      this.log.info({ rfqId, outcome: decision }, 'position decided');
    }
    this.forgetUnreferenced();
  }

  private forgetUnreferenced(): void {
    if (this.resolutions.size === 0) return;
    const referenced = new Set<string>();
    for (const legs of this.positions.values()) for (const leg of legs) referenced.add(leg.ticker);
    for (const ticker of this.resolutions.keys())
      if (!referenced.has(ticker)) this.resolutions.delete(ticker);
  }
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
