/** Configuration of the settlement runtime, with defaults (the composition root passes it in). */

export interface SettlementWatcherConfig {
  /** Poll of every tracked market, batched by ticker. The seed's settlement service polled every 30 s. */
  pollIntervalMs: number;
}

export const DEFAULT_SETTLEMENT_WATCHER_CONFIG: Readonly<SettlementWatcherConfig> = Object.freeze({
  pollIntervalMs: 30_000,
});

export interface LifecycleFeedConfig {
  /** Kalshi's WebSocket, e.g. wss://external-api-ws.kalshi.com/trade-api/ws/v2 (the simulator's `wsUrl`). */
  url: string;
  /** Reconnect backoff: full jitter up to min(max, base·2ⁿ). */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
}

export const DEFAULT_LIFECYCLE_FEED_CONFIG: Readonly<LifecycleFeedConfig> = Object.freeze({
  url: 'wss://external-api-ws.kalshi.com/trade-api/ws/v2',
  reconnectBaseMs: 500,
  reconnectMaxMs: 30_000,
});

export function checkSettlementWatcherConfig(config: SettlementWatcherConfig): SettlementWatcherConfig {
  if (!Number.isSafeInteger(config.pollIntervalMs) || config.pollIntervalMs <= 0) {
    throw new RangeError('invalid settlement config: pollIntervalMs must be a positive integer');
  }
  return config;
}
