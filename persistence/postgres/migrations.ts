/**
 * Schema migrations, in code (kysely Migrator with an in-memory provider), run at every boot. A
 * migration once released is never edited: changes come as new entries.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Database } from './schema.ts';

const RFQ_STATUSES = `'open','quoted','accepted','confirmed','executed','settled','cancelled','expired'`;
const QUOTE_STATUSES = `'pending','accepted','confirmed','executed','rejected','expired','withdrawn'`;

const init: Migration = {
  async up(db: Kysely<unknown>) {
    await sql
      .raw(`
      CREATE TABLE users (
        id text COLLATE "C" PRIMARY KEY,
        created_at bigint NOT NULL
      );
      CREATE TABLE market_makers (
        id text COLLATE "C" PRIMARY KEY,
        created_at bigint NOT NULL
      );
      CREATE TABLE api_keys (
        key_hash text PRIMARY KEY CHECK (key_hash ~ '^[0-9a-f]{64}$'),
        user_id text COLLATE "C" REFERENCES users (id),
        mm_id text COLLATE "C" REFERENCES market_makers (id),
        key_prefix text NOT NULL,
        label text,
        signing_public_key text,
        created_at bigint NOT NULL,
        revoked_at bigint,
        CHECK ((user_id IS NULL) <> (mm_id IS NULL))
      );
      CREATE INDEX api_keys_user ON api_keys (user_id) WHERE user_id IS NOT NULL;
      CREATE INDEX api_keys_mm ON api_keys (mm_id) WHERE mm_id IS NOT NULL;

      CREATE TABLE rfqs (
        id text COLLATE "C" PRIMARY KEY,
        user_id text COLLATE "C" NOT NULL REFERENCES users (id),
        status text NOT NULL CHECK (status IN (${RFQ_STATUSES})),
        bet_micro bigint NOT NULL CHECK (bet_micro > 0),
        fee_bps integer NOT NULL CHECK (fee_bps >= 0),
        created_at bigint NOT NULL,
        expires_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        accepted_quote_id text COLLATE "C",
        confirm_deadline bigint,
        collateral_micro bigint CHECK (collateral_micro >= 0),
        pending_outcome text CHECK (pending_outcome IN ('win','loss','void')),
        end_reason text,
        last_seq bigint NOT NULL
      );
      CREATE INDEX rfqs_user_newest ON rfqs (user_id, created_at DESC, id DESC);
      CREATE INDEX rfqs_user_status_newest ON rfqs (user_id, status, created_at DESC, id DESC);
      CREATE INDEX rfqs_live ON rfqs (id) WHERE status IN ('open','quoted','accepted','confirmed','executed');

      CREATE TABLE legs (
        rfq_id text COLLATE "C" NOT NULL REFERENCES rfqs (id),
        idx smallint NOT NULL,
        ticker text NOT NULL,
        event_ticker text NOT NULL,
        side text NOT NULL CHECK (side IN ('yes','no')),
        PRIMARY KEY (rfq_id, idx)
      );

      CREATE TABLE quotes (
        id text COLLATE "C" PRIMARY KEY,
        rfq_id text COLLATE "C" NOT NULL REFERENCES rfqs (id),
        ord smallint NOT NULL,
        mm_id text COLLATE "C" NOT NULL REFERENCES market_makers (id),
        odds_fp integer NOT NULL CHECK (odds_fp > 0),
        created_at bigint NOT NULL,
        valid_until bigint NOT NULL,
        updated_at bigint NOT NULL,
        status text NOT NULL CHECK (status IN (${QUOTE_STATUSES})),
        reason text
      );
      CREATE INDEX quotes_rfq ON quotes (rfq_id, ord);
      CREATE INDEX quotes_mm_newest ON quotes (mm_id, created_at DESC, id DESC);
      CREATE INDEX quotes_mm_status_newest ON quotes (mm_id, status, created_at DESC, id DESC);

      CREATE TABLE positions (
        rfq_id text COLLATE "C" PRIMARY KEY REFERENCES rfqs (id),
        quote_id text COLLATE "C" NOT NULL REFERENCES quotes (id),
        user_id text COLLATE "C" NOT NULL REFERENCES users (id),
        mm_id text COLLATE "C" NOT NULL REFERENCES market_makers (id),
        position_address text NOT NULL,
        create_signature text NOT NULL,
        stake_micro bigint NOT NULL CHECK (stake_micro > 0),
        mm_risk_micro bigint NOT NULL CHECK (mm_risk_micro >= 0),
        mm_collateral_micro bigint NOT NULL CHECK (mm_collateral_micro >= 0),
        status text NOT NULL CHECK (status IN ('active','settled_win','settled_loss','cancelled')),
        executed_at bigint NOT NULL,
        closed_at bigint,
        close_signature text,
        updated_at bigint NOT NULL
      );
      CREATE INDEX positions_mm_newest ON positions (mm_id, executed_at DESC, rfq_id DESC);
      CREATE INDEX positions_mm_status_newest ON positions (mm_id, status, executed_at DESC, rfq_id DESC);

      CREATE TABLE settlements (
        rfq_id text COLLATE "C" PRIMARY KEY REFERENCES positions (rfq_id),
        outcome text NOT NULL CHECK (outcome IN ('win','loss')),
        payout_micro bigint NOT NULL CHECK (payout_micro >= 0),
        fee_micro bigint NOT NULL CHECK (fee_micro >= 0),
        signature text NOT NULL,
        settled_at bigint NOT NULL
      );

      CREATE TABLE events (
        seq bigint PRIMARY KEY CHECK (seq > 0),
        type text NOT NULL,
        rfq_id text COLLATE "C" NOT NULL,
        user_id text COLLATE "C" NOT NULL,
        mm_id text COLLATE "C",
        at bigint NOT NULL,
        payload jsonb NOT NULL
      );
      CREATE INDEX events_rfq ON events (rfq_id, seq);

      -- The event log is append-only: history is corrected by new events, never rewritten.
      CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'events is append-only (% refused)', TG_OP;
      END $$;
      CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
        FOR EACH ROW EXECUTE FUNCTION events_append_only();
    `)
      .execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql
      .raw(`
      DROP TABLE events, settlements, positions, quotes, legs, rfqs, api_keys, market_makers, users;
      DROP FUNCTION events_append_only();
    `)
      .execute(db);
  },
};

const MIGRATIONS: Record<string, Migration> = { '0001_init': init };

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/** Brings the schema to the latest version; returns the names of the migrations it ran. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw new MigrationError(`migration failed: ${String(error)}`, { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
