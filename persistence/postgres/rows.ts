/**
 * RFQ records ↔ table rows. One RFQ is a row in rfqs with its legs and quotes, plus a position and a
 * settlement once it has them; `loadRecords` reads them back into exactly the fold's RfqRecord.
 */
import type { Kysely } from 'kysely';
import type { Leg, PositionStatus, Quote, RfqStatus, Side } from '../../machines/domain.ts';
import type { Outcome } from '../../machines/payout.ts';
import { quoteAmounts } from '../../machines/payout.ts';
import type { RfqRecord } from '../fold.ts';
import type { Database, PositionsTable, QuotesTable, RfqsTable, SettlementsTable } from './schema.ts';

export function rfqRow(record: RfqRecord): RfqsTable {
  const c = record.context;
  return {
    id: c.id,
    user_id: c.userId,
    status: record.status,
    bet_micro: c.betMicro,
    fee_bps: c.feeBps,
    created_at: c.createdAt,
    expires_at: c.expiresAt,
    updated_at: c.updatedAt,
    accepted_quote_id: c.acceptedQuoteId,
    confirm_deadline: c.confirmDeadline,
    collateral_micro: c.collateralMicro,
    pending_outcome: c.pendingOutcome,
    end_reason: c.endReason,
    last_seq: record.lastSeq,
  };
}

export const quoteRow = (rfqId: string, quote: Quote, ord: number): QuotesTable => ({
  id: quote.id,
  rfq_id: rfqId,
  ord,
  mm_id: quote.mmId,
  odds_fp: quote.oddsFp,
  created_at: quote.createdAt,
  valid_until: quote.validUntil,
  updated_at: quote.updatedAt,
  status: quote.status,
  reason: quote.reason,
});

/** The position's status as the seed names it, from the RFQ's record. */
export function positionStatus(record: RfqRecord): PositionStatus {
  const { settlement } = record.context;
  if (settlement) return settlement.outcome === 'win' ? 'settled_win' : 'settled_loss';
  return record.status === 'cancelled' ? 'cancelled' : 'active';
}

export function positionRow(record: RfqRecord): PositionsTable | null {
  const c = record.context;
  const quote = c.quotes.find((q) => q.id === c.acceptedQuoteId);
  if (!c.position || !quote) return null;
  const status = positionStatus(record);
  const closedAt = c.settlement?.settledAt ?? (status === 'cancelled' ? c.updatedAt : null);
  return {
    rfq_id: c.id,
    quote_id: quote.id,
    user_id: c.userId,
    mm_id: quote.mmId,
    position_address: c.position.address,
    create_signature: c.position.signature,
    stake_micro: c.betMicro,
    mm_risk_micro: quoteAmounts(c.betMicro, quote.oddsFp).mmRiskMicro,
    mm_collateral_micro: c.collateralMicro ?? 0,
    status,
    executed_at: c.position.executedAt,
    closed_at: closedAt,
    close_signature: c.settlement?.signature ?? record.closeSignature,
    updated_at: c.updatedAt,
  };
}

export function settlementRow(record: RfqRecord): SettlementsTable | null {
  const s = record.context.settlement;
  if (!s) return null;
  return {
    rfq_id: record.context.id,
    outcome: s.outcome,
    payout_micro: s.payoutMicro,
    fee_micro: s.feeMicro,
    signature: s.signature,
    settled_at: s.settledAt,
  };
}

/** Reads the records of these RFQs (those that exist) in one round of queries. */
export async function loadRecords(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Map<string, RfqRecord>> {
  const records = new Map<string, RfqRecord>();
  if (ids.length === 0) return records;
  const list = [...ids];
  const [rfqs, legs, quotes, positions, settlements] = await Promise.all([
    db.selectFrom('rfqs').selectAll().where('id', 'in', list).execute(),
    db.selectFrom('legs').selectAll().where('rfq_id', 'in', list).orderBy('idx').execute(),
    db.selectFrom('quotes').selectAll().where('rfq_id', 'in', list).orderBy('ord').execute(),
    db
      .selectFrom('positions')
      .select(['rfq_id', 'position_address', 'create_signature', 'executed_at', 'close_signature'])
      .where('rfq_id', 'in', list)
      .execute(),
    db.selectFrom('settlements').selectAll().where('rfq_id', 'in', list).execute(),
  ]);
  for (const r of rfqs) {
    records.set(r.id, {
      status: r.status as RfqStatus,
      lastSeq: r.last_seq,
      closeSignature: null,
      context: {
        id: r.id,
        userId: r.user_id,
        legs: [],
        betMicro: r.bet_micro,
        feeBps: r.fee_bps,
        createdAt: r.created_at,
        expiresAt: r.expires_at,
        updatedAt: r.updated_at,
        quotes: [],
        acceptedQuoteId: r.accepted_quote_id,
        confirmDeadline: r.confirm_deadline,
        collateralMicro: r.collateral_micro,
        position: null,
        pendingOutcome: r.pending_outcome as Outcome | 'void' | null,
        settlement: null,
        endReason: r.end_reason,
      },
    });
  }
  for (const l of legs) {
    const leg: Leg = { ticker: l.ticker, eventTicker: l.event_ticker, side: l.side as Side };
    records.get(l.rfq_id)?.context.legs.push(leg);
  }
  for (const q of quotes) {
    records.get(q.rfq_id)?.context.quotes.push({
      id: q.id,
      mmId: q.mm_id,
      oddsFp: q.odds_fp,
      createdAt: q.created_at,
      validUntil: q.valid_until,
      updatedAt: q.updated_at,
      status: q.status as Quote['status'],
      reason: q.reason,
    });
  }
  for (const p of positions) {
    const record = records.get(p.rfq_id);
    if (!record) continue;
    record.context.position = {
      address: p.position_address,
      signature: p.create_signature,
      executedAt: p.executed_at,
      closeSignature: p.close_signature,
    };
    // The settle transaction's signature lives in settlements; close_signature alone means a void.
    record.closeSignature = p.close_signature;
  }
  for (const s of settlements) {
    const record = records.get(s.rfq_id);
    if (!record) continue;
    record.context.settlement = {
      outcome: s.outcome as Outcome,
      payoutMicro: s.payout_micro,
      feeMicro: s.fee_micro,
      signature: s.signature,
      settledAt: s.settled_at,
    };
    record.closeSignature = null;
  }
  return records;
}
