/**
 * PostgresRecordStore: the record as the engine and the gateway read it. Lists are newest first by
 * (time, id) with the same opaque cursor as engine/memoryStore.ts, so the engine merges live and stored
 * pages without caring which store answered.
 */
import { type Kysely, sql } from 'kysely';
import { decodeCursor, encodeCursor } from '../../engine/memoryStore.ts';
import type { Page, PageQuery, RecordStore } from '../../engine/ports/store.ts';
import type {
  DomainEvent,
  PositionStatus,
  PositionView,
  QuoteStatus,
  QuoteView,
  RfqStatus,
  RfqView,
} from '../../machines/domain.ts';
import { quoteAmounts } from '../../machines/payout.ts';
import { toRfqView } from '../../machines/rfqRules.ts';
import { foldEvent, type RfqRecord } from '../fold.ts';
import { loadRecords } from './rows.ts';
import type { Database } from './schema.ts';

/** An MM's position as the gateway lists it. */

const LIVE: RfqStatus[] = ['open', 'quoted', 'accepted', 'confirmed', 'executed'];
const MAX_LIMIT = 1_000;

export class PostgresRecordStore implements RecordStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getRfq(rfqId: string): Promise<RfqView | null> {
    const record = (await loadRecords(this.db, [rfqId])).get(rfqId);
    return record ? toRfqView(record.status, record.context) : null;
  }

  async rfqIdOfQuote(quoteId: string): Promise<string | null> {
    const row = await this.db
      .selectFrom('quotes')
      .select('rfq_id')
      .where('id', '=', quoteId)
      .executeTakeFirst();
    return row?.rfq_id ?? null;
  }

  async listUserRfqs(userId: string, query: PageQuery<RfqStatus>): Promise<Page<RfqView>> {
    const limit = clampLimit(query.limit);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    let q = this.db.selectFrom('rfqs').select(['id', 'created_at']).where('user_id', '=', userId);
    if (query.status) q = q.where('status', '=', query.status);
    if (after) q = q.where(sql<boolean>`(created_at, id) < (${after[0]}, ${after[1]})`);
    const rows = await q
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit + 1)
      .execute();
    const ids = rows.slice(0, limit).map((r) => r.id);
    const records = await loadRecords(this.db, ids);
    const items = ids.flatMap((id) => {
      const r = records.get(id);
      return r ? [toRfqView(r.status, r.context)] : [];
    });
    return pageOf(items, rows.length > limit, (v) => [v.createdAt, v.id]);
  }

  async listMmQuotes(
    mmId: string,
    query: PageQuery<QuoteStatus> & { rfqId?: string },
  ): Promise<Page<QuoteView>> {
    const limit = clampLimit(query.limit);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    let q = this.db
      .selectFrom('quotes')
      .innerJoin('rfqs', 'rfqs.id', 'quotes.rfq_id')
      .selectAll('quotes')
      .select('rfqs.bet_micro')
      .where('quotes.mm_id', '=', mmId);
    if (query.status) q = q.where('quotes.status', '=', query.status);
    if (query.rfqId) q = q.where('quotes.rfq_id', '=', query.rfqId);
    if (after) q = q.where(sql<boolean>`(quotes.created_at, quotes.id) < (${after[0]}, ${after[1]})`);
    const rows = await q
      .orderBy('quotes.created_at', 'desc')
      .orderBy('quotes.id', 'desc')
      .limit(limit + 1)
      .execute();
    const items: QuoteView[] = rows.slice(0, limit).map((r) => ({
      id: r.id,
      mmId: r.mm_id,
      oddsFp: r.odds_fp,
      createdAt: r.created_at,
      validUntil: r.valid_until,
      updatedAt: r.updated_at,
      status: r.status as QuoteStatus,
      reason: r.reason,
      rfqId: r.rfq_id,
      ...quoteAmounts(r.bet_micro, r.odds_fp),
    }));
    return pageOf(items, rows.length > limit, (v) => [v.createdAt, v.id]);
  }

  /** An MM's positions, newest execution first, optionally by status. */
  async listMmPositions(mmId: string, query: PageQuery<PositionStatus>): Promise<Page<PositionView>> {
    const limit = clampLimit(query.limit);
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    let q = this.db
      .selectFrom('positions')
      .leftJoin('settlements', 'settlements.rfq_id', 'positions.rfq_id')
      .selectAll('positions')
      .select([
        'settlements.outcome',
        'settlements.payout_micro',
        'settlements.fee_micro',
        'settlements.signature as settle_signature',
      ])
      .where('positions.mm_id', '=', mmId);
    if (query.status) q = q.where('positions.status', '=', query.status);
    if (after)
      q = q.where(sql<boolean>`(positions.executed_at, positions.rfq_id) < (${after[0]}, ${after[1]})`);
    const rows = await q
      .orderBy('positions.executed_at', 'desc')
      .orderBy('positions.rfq_id', 'desc')
      .limit(limit + 1)
      .execute();
    const items: PositionView[] = rows.slice(0, limit).map((r) => ({
      rfqId: r.rfq_id,
      quoteId: r.quote_id,
      userId: r.user_id,
      mmId: r.mm_id,
      positionAddress: r.position_address,
      createSignature: r.create_signature,
      stakeMicro: r.stake_micro,
      mmRiskMicro: r.mm_risk_micro,
      mmCollateralMicro: r.mm_collateral_micro,
      status: r.status as PositionStatus,
      executedAt: r.executed_at,
      closedAt: r.closed_at,
      closeSignature: r.close_signature,
      settlement:
        r.outcome && r.payout_micro !== null && r.fee_micro !== null && r.settle_signature
          ? {
              outcome: r.outcome as 'win' | 'loss',
              payoutMicro: r.payout_micro,
              feeMicro: r.fee_micro,
              signature: r.settle_signature,
            }
          : null,
    }));
    return pageOf(items, rows.length > limit, (v) => [v.executedAt, v.rfqId]);
  }

  /** Every live RFQ folded from the event log (not from the projection): Redis-empty recovery. */
  async liveRecordsFromEvents(): Promise<RfqRecord[]> {
    const records = new Map<string, RfqRecord>();
    const chunk = 20_000;
    let afterSeq = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('events')
        .select(['seq', 'payload'])
        .where('rfq_id', 'in', (eb) => eb.selectFrom('rfqs').select('id').where('status', 'in', LIVE))
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(chunk)
        .execute();
      for (const row of rows) {
        const event = row.payload as DomainEvent;
        records.set(event.rfqId, foldEvent(records.get(event.rfqId) ?? null, event));
      }
      const last = rows.at(-1);
      if (!last || rows.length < chunk) break;
      afterSeq = last.seq;
    }
    return [...records.values()].filter((r) => LIVE.includes(r.status));
  }
}

function clampLimit(limit: number): number {
  return Math.max(1, Math.min(MAX_LIMIT, Math.floor(limit) || 1));
}

function pageOf<T>(items: T[], more: boolean, key: (item: T) => [number, string]): Page<T> {
  const last = items.at(-1);
  return { items, cursor: more && last ? encodeCursor(key(last)) : null };
}
