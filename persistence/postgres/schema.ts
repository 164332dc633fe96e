/**
 * The record's tables as kysely sees them. Times are BIGINT Unix milliseconds and money BIGINT
 * micro-USDC, read back as exact numbers (database.ts). Ids are text with the "C" collation, so SQL
 * orders them as JavaScript does and keyset cursors split pages the same way everywhere.
 */
import type { Generated } from 'kysely';

export interface UsersTable {
  id: string;
  created_at: number;
}

export interface MarketMakersTable {
  id: string;
  created_at: number;
}

export interface ApiKeysTable {
  key_hash: string;
  user_id: string | null;
  mm_id: string | null;
  key_prefix: string;
  label: string | null;
  signing_public_key: string | null;
  created_at: number;
  revoked_at: number | null;
}

export interface RfqsTable {
  id: string;
  user_id: string;
  status: string;
  bet_micro: number;
  fee_bps: number;
  created_at: number;
  expires_at: number;
  updated_at: number;
  accepted_quote_id: string | null;
  confirm_deadline: number | null;
  collateral_micro: number | null;
  pending_outcome: string | null;
  end_reason: string | null;
  last_seq: number;
}

export interface LegsTable {
  rfq_id: string;
  idx: number;
  ticker: string;
  event_ticker: string;
  side: string;
}

export interface QuotesTable {
  id: string;
  rfq_id: string;
  /** Position in the RFQ's quote list (submission order), so a record restores exactly. */
  ord: number;
  mm_id: string;
  odds_fp: number;
  created_at: number;
  valid_until: number;
  updated_at: number;
  status: string;
  reason: string | null;
}

export interface PositionsTable {
  rfq_id: string;
  quote_id: string;
  user_id: string;
  mm_id: string;
  position_address: string;
  create_signature: string;
  stake_micro: number;
  mm_risk_micro: number;
  mm_collateral_micro: number;
  status: string;
  executed_at: number;
  closed_at: number | null;
  close_signature: string | null;
  updated_at: number;
}

export interface SettlementsTable {
  rfq_id: string;
  outcome: string;
  payout_micro: number;
  fee_micro: number;
  signature: string;
  settled_at: number;
}

export interface EventsTable {
  seq: number;
  type: string;
  rfq_id: string;
  user_id: string;
  mm_id: string | null;
  at: number;
  payload: unknown;
}

export interface Database {
  users: UsersTable;
  market_makers: MarketMakersTable;
  api_keys: ApiKeysTable;
  rfqs: RfqsTable;
  legs: LegsTable;
  quotes: QuotesTable;
  positions: PositionsTable;
  settlements: SettlementsTable;
  events: EventsTable;
  kysely_migration?: { name: Generated<string> };
}
