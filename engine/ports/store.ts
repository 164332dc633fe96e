/**
 * Durability, as the engine needs it. persistence/ implements both with Redis (hot snapshots, group
 * commit) and Postgres (the record); engine/memoryStore.ts keeps both in memory for tests and tools.
 */
import type {
  DomainEvent,
  PositionStatus,
  PositionView,
  QuoteStatus,
  QuoteView,
  RfqStatus,
  RfqView,
} from '../../machines/domain.ts';
import type { PersistedRfq } from '../../machines/rfq.ts';

export interface SnapshotWrite {
  rfqId: string;
  status: RfqStatus;
  /** The earliest absolute deadline the actor waits on, or null: the recovery index is ordered by it. */
  nextDeadline: number | null;
  snapshot: PersistedRfq;
}

/** One group commit: everything one event-loop turn changed. Durable all together or not at all. */
export interface CommitBatch {
  snapshots: SnapshotWrite[];
  events: DomainEvent[];
}

export interface SnapshotStore {
  /** False while the store is known to be unreachable: the engine refuses commands up front. */
  readonly available: boolean;
  /** Makes the batch durable; rejects if any of it may not be. */
  commit(batch: CommitBatch): Promise<void>;
  /** Every live RFQ snapshot, for recovery at boot. */
  loadLive(): Promise<PersistedRfq[]>;
  /** The last sequence number made durable (0 when empty), so the sequence resumes after it. */
  lastSeq(): Promise<number>;
}

export interface PageQuery<S> {
  status?: S;
  limit: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  cursor: string | null;
}

export interface RecordStore {
  getRfq(rfqId: string): Promise<RfqView | null>;
  /** The RFQ a quote belongs to, for commands addressed by quote id. */
  rfqIdOfQuote(quoteId: string): Promise<string | null>;
  listUserRfqs(userId: string, query: PageQuery<RfqStatus>): Promise<Page<RfqView>>;
  listMmQuotes(mmId: string, query: PageQuery<QuoteStatus> & { rfqId?: string }): Promise<Page<QuoteView>>;
  /** An MM's positions, newest execution first. */
  listMmPositions(mmId: string, query: PageQuery<PositionStatus>): Promise<Page<PositionView>>;
}
