/**
 * One write-behind batch, in one transaction: the events appended to the log and the records they
 * change (rfqs, legs, quotes, positions, settlements) upserted from the fold. The transaction first
 * takes the writer's advisory lock and reads the highest stored seq, so an event is applied once even
 * if two writers ever ran against one database.
 */
import { type Kysely, sql, type Transaction } from 'kysely';
import type { DomainEvent } from '../../machines/domain.ts';
import { foldEvents, type RfqRecord } from '../fold.ts';
import { loadRecords, positionRow, quoteRow, rfqRow, settlementRow } from './rows.ts';
import type { Database, QuotesTable } from './schema.ts';

/** Keeps every multi-row statement well under Postgres's 65,535 bind parameters. */
const ROWS_PER_STATEMENT = 1_000;
/** Arbitrary, fixed: the lock key of "the event writer" within this database. */
const WRITER_LOCK_KEY = 0x70617273;

export interface StoredBatch {
  /** Highest seq now stored (unchanged if the batch had nothing new). */
  storedSeq: number;
  /** Records after the batch, for the writer's cache. */
  records: Map<string, RfqRecord>;
  applied: number;
}

export async function maxStoredSeq(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.max('seq').as('max'))
    .executeTakeFirst();
  return row?.max == null ? 0 : Number(row.max);
}

/**
 * Stores `events` (seq-ordered). `cached` holds records the writer already knows (read from the
 * database otherwise); it is not modified.
 */
export async function storeBatch(
  db: Kysely<Database>,
  events: readonly DomainEvent[],
  cached: ReadonlyMap<string, RfqRecord>,
): Promise<StoredBatch> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${WRITER_LOCK_KEY})`.execute(tx);
    const already = await maxStoredSeq(tx);
    const fresh = events.filter((e) => e.seq > already);
    if (fresh.length === 0) return { storedSeq: already, records: new Map(), applied: 0 };

    const created = new Set(fresh.filter((e) => e.type === 'rfq.created').map((e) => e.rfqId));
    const missing = [...new Set(fresh.map((e) => e.rfqId))].filter(
      (id) => !created.has(id) && !cached.has(id),
    );
    const start = new Map(cached);
    for (const [id, record] of await loadRecords(tx, missing)) start.set(id, record);
    const after = foldEvents(start, fresh);

    await insertPrincipals(tx, fresh);
    await chunked(fresh, (part) =>
      tx
        .insertInto('events')
        .values(
          part.map((e) => ({
            seq: e.seq,
            type: e.type,
            rfq_id: e.rfqId,
            user_id: e.userId,
            mm_id: 'mmId' in e ? e.mmId : 'quote' in e ? e.quote.mmId : null,
            at: e.at,
            payload: JSON.stringify(e),
          })),
        )
        .execute(),
    );
    await upsertRecords(tx, [...after.values()], start, created);
    return { storedSeq: (fresh.at(-1) as DomainEvent).seq, records: after, applied: fresh.length };
  });
}

async function insertPrincipals(tx: Transaction<Database>, events: readonly DomainEvent[]): Promise<void> {
  const users = new Map<string, number>();
  const mms = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'rfq.created' && !users.has(e.userId)) users.set(e.userId, e.at);
    if (e.type === 'quote.submitted' && !mms.has(e.quote.mmId)) mms.set(e.quote.mmId, e.at);
  }
  await chunked([...users], (part) =>
    tx
      .insertInto('users')
      .values(part.map(([id, at]) => ({ id, created_at: at })))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute(),
  );
  await chunked([...mms], (part) =>
    tx
      .insertInto('market_makers')
      .values(part.map(([id, at]) => ({ id, created_at: at })))
      .onConflict((oc) => oc.column('id').doNothing())
      .execute(),
  );
}

async function upsertRecords(
  tx: Transaction<Database>,
  records: RfqRecord[],
  before: ReadonlyMap<string, RfqRecord>,
  created: ReadonlySet<string>,
): Promise<void> {
  await chunked(records.map(rfqRow), (part) =>
    tx
      .insertInto('rfqs')
      .values(part)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          updated_at: eb.ref('excluded.updated_at'),
          accepted_quote_id: eb.ref('excluded.accepted_quote_id'),
          confirm_deadline: eb.ref('excluded.confirm_deadline'),
          collateral_micro: eb.ref('excluded.collateral_micro'),
          pending_outcome: eb.ref('excluded.pending_outcome'),
          end_reason: eb.ref('excluded.end_reason'),
          last_seq: eb.ref('excluded.last_seq'),
        })),
      )
      .execute(),
  );
  const legs = records
    .filter((r) => created.has(r.context.id))
    .flatMap((r) =>
      r.context.legs.map((l, idx) => ({
        rfq_id: r.context.id,
        idx,
        ticker: l.ticker,
        event_ticker: l.eventTicker,
        side: l.side,
      })),
    );
  await chunked(legs, (part) =>
    tx
      .insertInto('legs')
      .values(part)
      .onConflict((oc) => oc.columns(['rfq_id', 'idx']).doNothing())
      .execute(),
  );
  // The fold replaces a quote object only when it changes: unchanged quotes are not written again.
  const quotes: QuotesTable[] = [];
  for (const r of records) {
    const old = new Set(before.get(r.context.id)?.context.quotes ?? []);
    r.context.quotes.forEach((q, ord) => {
      if (!old.has(q)) quotes.push(quoteRow(r.context.id, q, ord));
    });
  }
  await chunked(quotes, (part) =>
    tx
      .insertInto('quotes')
      .values(part)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          reason: eb.ref('excluded.reason'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute(),
  );
  const positions = records.flatMap((r) => positionRow(r) ?? []);
  await chunked(positions, (part) =>
    tx
      .insertInto('positions')
      .values(part)
      .onConflict((oc) =>
        oc.column('rfq_id').doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          closed_at: eb.ref('excluded.closed_at'),
          close_signature: eb.ref('excluded.close_signature'),
          updated_at: eb.ref('excluded.updated_at'),
        })),
      )
      .execute(),
  );
  const settlements = records.flatMap((r) => settlementRow(r) ?? []);
  await chunked(settlements, (part) =>
    tx
      .insertInto('settlements')
      .values(part)
      .onConflict((oc) => oc.column('rfq_id').doNothing())
      .execute(),
  );
}

async function chunked<T>(rows: readonly T[], write: (part: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT)
    await write(rows.slice(i, i + ROWS_PER_STATEMENT));
}
