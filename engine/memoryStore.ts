/**
 * Snapshots, events and records held in memory: the store for tests and tools that run the engine
 * without Redis and Postgres. It keeps the latest snapshot of every RFQ it was given (terminal ones
 * too), so it also answers the record queries.
 */
import type {
  DomainEvent,
  PositionStatus,
  PositionView,
  QuoteStatus,
  QuoteView,
  RfqStatus,
  RfqView,
} from '../machines/domain.ts';
import { isTerminal } from '../machines/domain.ts';
import type { PersistedRfq } from '../machines/rfq.ts';
import { toPositionView, toRfqView } from '../machines/rfqRules.ts';
import type { CommitBatch, Page, PageQuery, RecordStore, SnapshotStore } from './ports/store.ts';

export class MemoryStore implements SnapshotStore, RecordStore {
  readonly snapshots = new Map<string, PersistedRfq>();
  readonly events: DomainEvent[] = [];
  commits = 0;

  get available(): boolean {
    return true;
  }

  async commit(batch: CommitBatch): Promise<void> {
    // A deep copy: what is "durable" must not change when the engine's objects do.
    const copy = structuredClone(batch);
    for (const write of copy.snapshots) this.snapshots.set(write.rfqId, write.snapshot);
    this.events.push(...copy.events);
    this.commits++;
  }

  async loadLive(): Promise<PersistedRfq[]> {
    return [...this.snapshots.values()].filter((s) => !isTerminal(s.value)).map((s) => structuredClone(s));
  }

  async lastSeq(): Promise<number> {
    return this.events.at(-1)?.seq ?? 0;
  }

  async getRfq(rfqId: string): Promise<RfqView | null> {
    const s = this.snapshots.get(rfqId);
    return s ? toRfqView(s.value, s.context) : null;
  }

  async rfqIdOfQuote(quoteId: string): Promise<string | null> {
    for (const s of this.snapshots.values())
      if (s.context.quotes.some((q) => q.id === quoteId)) return s.context.id;
    return null;
  }

  async listUserRfqs(userId: string, query: PageQuery<RfqStatus>): Promise<Page<RfqView>> {
    const views = [...this.snapshots.values()]
      .filter((s) => s.context.userId === userId && (!query.status || s.value === query.status))
      .map((s) => toRfqView(s.value, s.context));
    return page(views, query, (v) => [v.createdAt, v.id]);
  }

  async listMmQuotes(
    mmId: string,
    query: PageQuery<QuoteStatus> & { rfqId?: string },
  ): Promise<Page<QuoteView>> {
    const quotes: QuoteView[] = [];
    for (const s of this.snapshots.values()) {
      if (query.rfqId && s.context.id !== query.rfqId) continue;
      for (const q of toRfqView(s.value, s.context).quotes) {
        if (q.mmId === mmId && (!query.status || q.status === query.status)) quotes.push(q);
      }
    }
    return page(quotes, query, (q) => [q.createdAt, q.id]);
  }

  async listMmPositions(mmId: string, query: PageQuery<PositionStatus>): Promise<Page<PositionView>> {
    const positions: PositionView[] = [];
    for (const s of this.snapshots.values()) {
      const view = toPositionView(s.value, s.context);
      if (view && view.mmId === mmId && (!query.status || view.status === query.status)) positions.push(view);
    }
    return page(positions, query, (p) => [p.executedAt, p.rfqId]);
  }
}

/** Newest first by (time, id); the cursor is the last item's key. Shared with the engine's merged lists. */
export function page<T>(
  items: T[],
  query: { limit: number; cursor?: string },
  key: (item: T) => [number, string],
): Page<T> {
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const sorted = items
    .filter((item) => !after || compareKeys(key(item), after) > 0)
    .sort((a, b) => compareKeys(key(a), key(b)));
  const items_ = sorted.slice(0, query.limit);
  const last = items_.at(-1);
  return { items: items_, cursor: last && sorted.length > query.limit ? encodeCursor(key(last)) : null };
}

/** Orders newest first, then by id descending, so a (time, id) cursor splits pages exactly. */
export function compareKeys(a: [number, string], b: [number, string]): number {
  if (a[0] !== b[0]) return b[0] - a[0];
  return a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0;
}

export const encodeCursor = (key: [number, string]): string =>
  Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(cursor: string): [number, string] | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') {
      return [parsed[0], parsed[1]];
    }
  } catch {
    // fall through: a cursor we cannot read is treated as no cursor by callers that validate it
  }
  return null;
}
