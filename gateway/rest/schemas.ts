/**
 * Every REST body, query and response as a TypeBox schema: the seed's published schemas (same names,
 * fields, enums) plus our additions. The validator compiles the request schemas and /openapi.json
 * is generated from all of them, so the document cannot drift from what the server checks.
 *
 * Ranges the engine enforces (bet size, odds, expiry, legs) are not repeated here: the engine's
 * specific codes (BET_OUT_OF_RANGE, …) are more useful than a generic schema error. They are stated
 * in the descriptions instead.
 */
import { FormatRegistry, type TSchema, Type } from '@sinclair/typebox';

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const UUID = new RegExp(UUID_PATTERN);
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
// TypeBox checks `format` only for formats registered with it; these are the two the API uses.
if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (v) => UUID.test(v));
if (!FormatRegistry.Has('date-time'))
  FormatRegistry.Set('date-time', (v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)));

const Uuid = (description?: string) => Type.String({ pattern: UUID_PATTERN, format: 'uuid', description });
const DateTime = (description?: string) => Type.String({ format: 'date-time', description });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Micro = (description: string) =>
  Type.Integer({ minimum: 0, description: `${description} (micro-USDC)` });
const oneOf = <const T extends string[]>(values: [...T], description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { description },
  );

// ---- enums (seed)
export const RFQStatus = oneOf(
  ['open', 'quoted', 'accepted', 'confirmed', 'executed', 'cancelled', 'expired', 'settled'],
  'Lifecycle status of an RFQ',
);
export const QuoteStatus = oneOf(
  ['pending', 'accepted', 'confirmed', 'executed', 'rejected', 'expired', 'withdrawn'],
  'Lifecycle status of a quote',
);
export const PositionStatus = oneOf(
  ['active', 'settled_win', 'settled_loss', 'cancelled'],
  'On-chain vault position status',
);
export const Side = oneOf(['yes', 'no'], 'Bet side');
const MarketStatus = oneOf(
  ['initialized', 'active', 'inactive', 'closed', 'determined', 'disputed', 'amended', 'finalized'],
  'Kalshi market status',
);

// ---- requests
export const CreateRFQRequest = Type.Object(
  {
    legs: Type.Array(
      Type.Object(
        {
          kalshi_market_ticker: Type.String({ description: 'Kalshi market ticker' }),
          side: Side,
        },
        { additionalProperties: false },
      ),
      { description: 'Parlay legs (2-5 required)' },
    ),
    bet_amount: Type.Number({
      description: 'Bet amount in USDC, at most 6 decimals (11-100 by default; limits are configurable)',
    }),
    expires_in_seconds: Type.Optional(
      Type.Integer({ description: 'RFQ expiration time in seconds (60-3600, default 300)' }),
    ),
  },
  { additionalProperties: false },
);

export const CancelRFQRequest = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 200, description: 'Cancellation reason' })) },
  { additionalProperties: false },
);

export const CreateQuoteRequest = Type.Object(
  {
    rfq_id: Uuid('ID of the RFQ to quote'),
    payout_odds: Type.Number({
      description: 'Payout multiplier (e.g., 4.0 means 4x return), at most 4 decimals, 1.01-1000',
    }),
    valid_for_seconds: Type.Optional(
      Type.Integer({
        description: 'Quote validity duration in seconds (default 60; clamped to the RFQ expiry)',
      }),
    ),
    leg_prices: Type.Optional(
      Nullable(
        Type.Array(
          Type.Object(
            {
              leg_id: Type.String({ description: 'Leg UUID' }),
              odds: Type.Number({ description: 'Individual leg odds' }),
            },
            { additionalProperties: false },
          ),
          { maxItems: 16, description: 'Optional per-leg price breakdown (accepted, not stored)' },
        ),
      ),
    ),
  },
  { additionalProperties: false },
);

// ---- query strings
export const ListRfqsQuery = Type.Object(
  {
    status: Type.Optional(RFQStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
    cursor: Type.Optional(Type.String({ maxLength: 512, description: 'From the previous page (ours)' })),
  },
  { additionalProperties: false },
);

export const ListOpenRfqsQuery = Type.Object(
  {
    event_ticker: Type.Optional(Type.String({ maxLength: 128 })),
    min_bet: Type.Optional(Type.Number({ minimum: 0, default: 0 })),
    max_bet: Type.Optional(Type.Number({ minimum: 0, default: 999999 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);

export const ListMmQuotesQuery = Type.Object(
  {
    status: Type.Optional(QuoteStatus),
    rfq_id: Type.Optional(Uuid()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 512 })),
  },
  { additionalProperties: false },
);

export const ListMarketsQuery = Type.Object(
  {
    category: Type.Optional(Type.String({ maxLength: 128, default: 'all' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 256 })),
    status: Type.Optional(MarketStatus),
  },
  { additionalProperties: false },
);

export const EmptyQuery = Type.Object({}, { additionalProperties: false });

// ---- responses
export const ParlayLeg = Type.Object({
  id: Uuid(),
  kalshi_event_ticker: Type.String({ description: 'Kalshi event ticker' }),
  kalshi_market_ticker: Type.String({ description: 'Kalshi market ticker' }),
  side: Side,
  event_title: Type.Optional(Type.String()),
  market_title: Type.Optional(Type.String()),
  current_yes_price: Type.Optional(Type.Number({ description: 'Current yes price (0-1)' })),
  current_no_price: Type.Optional(Type.Number({ description: 'Current no price (0-1)' })),
});

const SettlementInfo = Type.Object({
  outcome: oneOf(['win', 'loss'], 'Parlay outcome for the user'),
  payout: Type.Number(),
  payout_micro: Micro('What the user vault received in total'),
  fee: Type.Number(),
  fee_micro: Micro('Protocol fee'),
  tx_signature: Type.String(),
  settled_at: DateTime(),
});

export const ParlayTicket = Type.Object({
  id: Uuid(),
  user_id: Type.String(),
  legs: Type.Array(ParlayLeg),
  status: RFQStatus,
  created_at: DateTime(),
  expires_at: DateTime(),
  bet_amount: Type.Number({ description: 'Bet amount in USDC' }),
  implied_probability: Type.Optional(
    Type.Number({ description: 'Combined implied probability of all legs' }),
  ),
  accepted_quote_id: Nullable(Uuid()),
  cancellation_reason: Nullable(Type.String()),
  position_pda: Nullable(Type.String({ description: 'Solana position PDA address' })),
  position_status: Type.Optional(PositionStatus),
  bet_amount_micro: Micro('Bet amount'),
  updated_at: DateTime(),
  fee_bps: Type.Integer({ description: 'Protocol fee on profit, basis points' }),
  confirmation_deadline: Nullable(DateTime('While accepted: when the MM confirmation window closes')),
  collateral_micro: Nullable(Micro('MM collateral locked for the position')),
  tx_signature: Nullable(Type.String({ description: 'create_position transaction' })),
  settlement: Nullable(SettlementInfo),
});

export const Quote = Type.Object({
  id: Uuid(),
  parlay_ticket_id: Uuid(),
  market_maker_id: Type.String(),
  payout_odds: Type.Number({ description: 'Multiplier applied to bet_amount for total payout' }),
  total_cost: Type.Number({ description: "User's bet amount (same as RFQ bet_amount)" }),
  total_payout: Type.Number({ description: 'Total payout if user wins (bet_amount * payout_odds)' }),
  mm_payout: Type.Number({ description: "Market maker's risk (total_payout - total_cost)" }),
  valid_until: DateTime(),
  status: QuoteStatus,
  leg_prices: Nullable(Type.Array(Type.Object({ leg_id: Type.String(), leg_odds: Type.Number() }))),
  created_at: DateTime(),
  updated_at: DateTime(),
  payout_odds_fp: Type.Integer({ description: 'payout_odds × 10,000, exact' }),
  total_cost_micro: Micro('total_cost'),
  total_payout_micro: Micro('total_payout, floor(bet × odds)'),
  mm_payout_micro: Micro('mm_payout'),
  reason: Nullable(Type.String({ description: 'Why the quote ended (replaced, withdrawn, mm_rejected, …)' })),
});

export const ParlayTicketWithQuotes = Type.Composite([
  ParlayTicket,
  Type.Object({ quotes: Type.Array(Quote) }),
]);

export const AcceptQuoteResponse = Type.Object({
  status: Type.Literal('accepted'),
  message: Type.String(),
  confirmation_deadline: DateTime('MM must confirm within this deadline (5 seconds)'),
  quote_id: Uuid(),
  payout_odds: Type.Number(),
  total_cost: Type.Number(),
  total_payout: Type.Number(),
  rfq_id: Uuid(),
  total_cost_micro: Micro('total_cost'),
  total_payout_micro: Micro('total_payout'),
});

export const ConfirmQuoteResponse = Type.Object({
  status: Type.Literal('confirmed'),
  message: Type.String(),
  execution_id: Uuid('The position id (a position is one RFQ: equal to rfq_id)'),
  quote_id: Uuid(),
  rfq_id: Uuid(),
  collateral_micro: Micro('MM collateral the position locks'),
});

export const CachedMarket = Type.Object({
  ticker: Type.String(),
  event_ticker: Type.String(),
  series_ticker: Type.Optional(Type.String()),
  title: Type.String(),
  subtitle: Nullable(Type.String()),
  category: Type.Optional(Type.String()),
  status: Type.String(),
  yes_bid: Type.Optional(Type.Number({ description: 'Dollars (0-1)' })),
  yes_ask: Type.Optional(Type.Number({ description: 'Dollars (0-1)' })),
  no_bid: Type.Optional(Type.Number({ description: 'Dollars (0-1)' })),
  no_ask: Type.Optional(Type.Number({ description: 'Dollars (0-1)' })),
  last_price: Type.Optional(Type.Number({ description: 'Dollars (0-1)' })),
  open_time: DateTime(),
  close_time: DateTime(),
  expiration_time: Type.Optional(DateTime()),
  kalshi_url: Type.String(),
  synced_at: DateTime(),
  market_type: oneOf(['binary', 'scalar'], 'Kalshi market type'),
  mutually_exclusive: Type.Boolean({ description: 'At most one market of the event resolves yes' }),
  yes_bid_dollars: Nullable(Type.String()),
  yes_ask_dollars: Nullable(Type.String()),
  no_bid_dollars: Nullable(Type.String()),
  no_ask_dollars: Nullable(Type.String()),
  last_price_dollars: Nullable(Type.String()),
});

export const ApiError = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'Machine-readable error code' }),
    message: Type.String({ description: 'Human-readable error message' }),
    details: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), { description: 'Additional error context' }),
    ),
  }),
});

export const RfqList = Type.Object({ rfqs: Type.Array(ParlayTicket), cursor: Nullable(Type.String()) });
export const OpenRfqList = Type.Object({ rfqs: Type.Array(ParlayTicketWithQuotes) });
export const QuoteList = Type.Object({ quotes: Type.Array(Quote) });
export const MmQuoteList = Type.Object({ quotes: Type.Array(Quote), cursor: Nullable(Type.String()) });
export const MarketList = Type.Object({
  markets: Type.Array(CachedMarket),
  count: Type.Integer(),
  category: Type.String(),
  next_cursor: Nullable(Type.String()),
  has_more: Type.Boolean(),
});
export const ExclusionGroups = Type.Object({ exclusion_groups: Type.Array(Type.Array(Type.String())) });

export const HealthStatus = Type.Object({
  status: oneOf(['healthy', 'unhealthy'], 'Overall health'),
  version: Type.String(),
  timestamp: DateTime(),
  stats: Type.Object({ live_rfqs: Type.Integer(), last_seq: Type.Integer() }),
  websocket: Type.Object({
    connections: Type.Integer(),
    authenticated: Type.Integer(),
    market_makers: Type.Integer(),
    users: Type.Integer(),
  }),
});

// ---- vaults and positions (ours)
const Usdc = (description: string) => Type.Number({ minimum: 0, description: `${description} (USDC)` });

export const VaultAmountRequest = Type.Object(
  { amount: Type.Number({ exclusiveMinimum: 0, description: 'USDC, at most 6 decimals' }) },
  { additionalProperties: false },
);
export const WithdrawRequest = Type.Object(
  {
    amount: Type.Number({
      exclusiveMinimum: 0,
      description: 'USDC, at most 6 decimals; only the free balance can leave',
    }),
    destination: Type.Optional(
      Type.String({ description: 'A USDC token account (base58); default the owner’s deposit address' }),
    ),
  },
  { additionalProperties: false },
);
export const FaucetRequest = Type.Object(
  {
    amount: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'USDC (default 1000)' })),
    target: Type.Optional(oneOf(['vault', 'wallet'], 'Mint into the vault (default) or the deposit address')),
  },
  { additionalProperties: false },
);
export const Vault = Type.Object({
  owner: Type.String({ description: 'Owner key (base58)' }),
  vault: Type.String({ description: 'Vault PDA (base58)' }),
  deposit_address: Type.String(),
  exists: Type.Boolean(),
  balance: Usdc('Vault balance'),
  balance_micro: Micro('Vault balance'),
  locked: Usdc('Locked in positions'),
  locked_micro: Micro('Locked in positions'),
  stake_locked_micro: Micro('User stakes locked'),
  collateral_locked_micro: Micro('MM collateral locked'),
  pending: Usdc('Reserved by RFQs not yet on chain'),
  pending_micro: Micro('Reserved by RFQs not yet on chain'),
  free: Usdc('Free: balance − locked − pending'),
  free_micro: Micro('Free: balance − locked − pending'),
  wallet: Usdc('In the deposit address'),
  wallet_micro: Micro('In the deposit address'),
  trading_enabled: Type.Boolean(),
  explorer_url: Type.String(),
});
export const VaultTx = Type.Object({ signature: Type.String(), explorer_url: Type.String(), vault: Vault });
export const ListPositionsQuery = Type.Object(
  {
    status: Type.Optional(PositionStatus),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export const Position = Type.Object({
  rfq_id: Uuid(),
  quote_id: Uuid(),
  position_pda: Type.String(),
  create_signature: Type.String(),
  status: PositionStatus,
  stake: Usdc('User stake'),
  stake_micro: Micro('User stake'),
  mm_risk: Usdc('MM risk'),
  mm_risk_micro: Micro('MM risk'),
  mm_collateral: Usdc('Collateral locked for it'),
  mm_collateral_micro: Micro('Collateral locked for it'),
  executed_at: DateTime(),
  closed_at: Nullable(DateTime()),
  close_signature: Nullable(Type.String()),
  outcome: Nullable(oneOf(['win', 'loss'], 'Settlement outcome')),
  fee_micro: Nullable(Micro('Protocol fee')),
  explorer_url: Type.String(),
});
export const PositionList = Type.Object({ positions: Type.Array(Position), cursor: Nullable(Type.String()) });

/** Named schemas, as components in /openapi.json. */
export const COMPONENTS = {
  RFQStatus,
  QuoteStatus,
  PositionStatus,
  Side,
  ParlayLeg,
  ParlayTicket,
  ParlayTicketWithQuotes,
  Quote,
  CreateRFQRequest,
  CancelRFQRequest,
  CreateQuoteRequest,
  AcceptQuoteResponse,
  ConfirmQuoteResponse,
  CachedMarket,
  HealthStatus,
  ApiError,
  RfqList,
  OpenRfqList,
  QuoteList,
  MmQuoteList,
  MarketList,
  ExclusionGroups,
  VaultAmountRequest,
  WithdrawRequest,
  FaucetRequest,
  Vault,
  VaultTx,
  Position,
  PositionList,
} as const satisfies Record<string, TSchema>;

export type ComponentName = keyof typeof COMPONENTS;
