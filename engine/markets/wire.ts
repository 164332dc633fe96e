/**
 * Kalshi trade API v2 JSON as it travels on the wire (OpenAPI 3.34, kalshi-typescript `Market`,
 * `EventData`, `GetMarketsResponse`, `GetEventResponse`, `ErrorResponse`). Shared by the client's parser
 * (which never trusts it: see parse.ts) and by the simulator (which produces exactly this).
 * Prices are fixed-point dollar strings (`*_dollars`), contract counts fixed-point strings (`*_fp`):
 * the integer-cent fields were removed in January 2026 and are not modelled.
 */

export interface KalshiPriceRangeJson {
  start: string;
  end: string;
  step: string;
}

export interface KalshiMarketJson {
  ticker: string;
  event_ticker: string;
  market_type: 'binary' | 'scalar';
  title: string;
  subtitle: string;
  yes_sub_title: string;
  no_sub_title: string;
  category?: string;
  created_time: string;
  updated_time?: string;
  open_time: string;
  close_time: string;
  expected_expiration_time?: string | null;
  expiration_time?: string;
  latest_expiration_time: string;
  settlement_timer_seconds: number;
  status: string;
  yes_bid_dollars: string;
  yes_bid_size_fp?: string;
  yes_ask_dollars: string;
  yes_ask_size_fp?: string;
  no_bid_dollars: string;
  no_ask_dollars: string;
  last_price_dollars: string;
  previous_yes_bid_dollars?: string;
  previous_yes_ask_dollars?: string;
  previous_price_dollars?: string;
  volume_fp: string;
  volume_24h_fp: string;
  open_interest_fp: string;
  notional_value_dollars: string;
  result: string;
  can_close_early: boolean;
  expiration_value: string;
  rules_primary: string;
  rules_secondary: string;
  price_level_structure: string;
  price_ranges: KalshiPriceRangeJson[];
  fractional_trading_enabled?: boolean;
  settlement_bounds_type: 'default' | 'floor';
  settlement_floor_dollars?: string | null;
  settlement_value_dollars?: string | null;
  settlement_ts?: string | null;
  strike_type?: string;
  floor_strike?: number | null;
  cap_strike?: number | null;
  functional_strike?: string;
  custom_strike?: Record<string, unknown> | null;
}

export interface KalshiEventJson {
  event_ticker: string;
  series_ticker: string;
  sub_title: string;
  title: string;
  /** `MECNET` exactly when `mutually_exclusive` is true; `DIRECNET` otherwise. */
  collateral_return_type: string;
  mutually_exclusive: boolean;
  category?: string;
  strike_date?: string | null;
  strike_period?: string | null;
  available_on_brokers?: boolean;
  /** Only with `with_nested_markets=true`. */
  markets?: KalshiMarketJson[];
}

export interface KalshiGetMarketResponse {
  market: KalshiMarketJson;
}

export interface KalshiGetMarketsResponse {
  markets: KalshiMarketJson[];
  /** Empty string (or absent) on the last page. */
  cursor: string;
}

export interface KalshiGetEventResponse {
  event: KalshiEventJson;
  /** Deprecated top-level copy of the event's markets. */
  markets: KalshiMarketJson[];
}

export interface KalshiErrorJson {
  error: { code: string; message: string; details?: string; service?: string };
}

/** `GET /markets?status=` filter words; they differ from the statuses in responses. */
export type KalshiStatusFilter = 'unopened' | 'open' | 'paused' | 'closed' | 'settled';

/** One `market_lifecycle_v2` WebSocket message (times in Unix seconds, `settlement_value` without `_dollars`). */
export interface KalshiLifecycleMessageJson {
  type: 'market_lifecycle_v2';
  sid: number;
  seq: number;
  msg: {
    market_ticker: string;
    event_type: 'created' | 'activated' | 'deactivated' | 'close_date_updated' | 'determined' | 'settled';
    open_ts?: number;
    close_ts?: number;
    result?: string;
    determination_ts?: number;
    settlement_value?: string;
    settled_ts?: number;
  };
}
