/**
 * Reads: live RFQs from memory, ended ones from a small cache of recent endings and then the record
 * store. Viewers see only what is theirs: a user its own RFQs; an MM the open RFQs and its own quotes.
 */
import type {
  PositionStatus,
  PositionView,
  QuoteStatus,
  QuoteView,
  RfqStatus,
  RfqView,
} from '../machines/domain.ts';
import { err, ok, type Result } from '../machines/errors.ts';
import type { Limits } from '../machines/limits.ts';
import { toPositionView, toRfqView } from '../machines/rfqRules.ts';
import { compareKeys, encodeCursor, page } from './memoryStore.ts';
import type { Page, PageQuery, RecordStore } from './ports/store.ts';
import { type RfqRegistry, statusOf } from './rfqRegistry.ts';

export type Viewer = { kind: 'user'; id: string } | { kind: 'mm'; id: string };

export interface OpenRfqFilter {
  eventTicker?: string;
  minBetMicro?: number;
  maxBetMicro?: number;
  limit: number;
}

/** How many ended RFQs stay readable from memory while the record store catches up. */
const ENDED_CACHE = 10_000;

export class Queries {
  private readonly ended = new Map<string, RfqView>();

  constructor(
    private readonly registry: RfqRegistry,
    private readonly records: RecordStore,
    readonly limits: Limits,
  ) {}

  remember(view: RfqView): void {
    this.ended.delete(view.id);
    this.ended.set(view.id, view);
    if (this.ended.size > ENDED_CACHE) this.ended.delete(this.ended.keys().next().value as string);
  }

  async findEnded(rfqId: string): Promise<RfqView | null> {
    return this.ended.get(rfqId) ?? (await this.records.getRfq(rfqId));
  }

  liveView(rfqId: string): RfqView | null {
    const state = this.registry.peek(rfqId);
    return state ? toRfqView(statusOf(state), state.context) : null;
  }

  async getRfq(rfqId: string): Promise<RfqView | null> {
    return this.liveView(rfqId) ?? (await this.findEnded(rfqId));
  }

  /** An RFQ as this viewer may see it: its owner sees everything, an MM only its own quotes. */
  async rfqFor(viewer: Viewer, rfqId: string): Promise<Result<RfqView>> {
    const view = await this.getRfq(rfqId);
    if (!view) return err('NOT_FOUND', { resource: 'rfq', id: rfqId });
    if (viewer.kind === 'user') {
      return view.userId === viewer.id ? ok(view) : err('FORBIDDEN', { resource: 'rfq', id: rfqId });
    }
    return ok({ ...view, quotes: view.quotes.filter((q) => q.mmId === viewer.id) });
  }

  async listUserRfqs(userId: string, query: PageQuery<RfqStatus>): Promise<Page<RfqView>> {
    const live: RfqView[] = [];
    for (const rfqId of this.registry.userRfqIds(userId)) {
      const view = this.liveView(rfqId);
      if (view && (!query.status || view.status === query.status)) live.push(view);
    }
    const stored = await this.records.listUserRfqs(userId, query);
    return merge(live, stored, query, (v) => [v.createdAt, v.id]);
  }

  /** Open and quoted RFQs, newest first, for MM snapshots and GET /mm/rfqs; quotes are the viewer's only. */
  openRfqs(viewerMm: string | null, filter: OpenRfqFilter): RfqView[] {
    const views: RfqView[] = [];
    for (const snapshot of this.registry.states()) {
      const status = statusOf(snapshot);
      if (status !== 'open' && status !== 'quoted') continue;
      const c = snapshot.context;
      if (filter.eventTicker && !c.legs.some((l) => l.eventTicker === filter.eventTicker)) continue;
      if (filter.minBetMicro !== undefined && c.betMicro < filter.minBetMicro) continue;
      if (filter.maxBetMicro !== undefined && c.betMicro > filter.maxBetMicro) continue;
      const view = toRfqView(status, c);
      view.quotes = view.quotes.filter((q) => q.mmId === viewerMm);
      views.push(view);
    }
    return views.sort((a, b) => compareKeys([a.createdAt, a.id], [b.createdAt, b.id])).slice(0, filter.limit);
  }

  async listMmQuotes(
    mmId: string,
    query: PageQuery<QuoteStatus> & { rfqId?: string },
  ): Promise<Page<QuoteView>> {
    const live: QuoteView[] = [];
    for (const rfqId of this.registry.mmRfqIds(mmId)) {
      if (query.rfqId && rfqId !== query.rfqId) continue;
      for (const q of this.liveView(rfqId)?.quotes ?? []) {
        if (q.mmId === mmId && (!query.status || q.status === query.status)) live.push(q);
      }
    }
    const stored = await this.records.listMmQuotes(mmId, query);
    return merge(live, stored, query, (q) => [q.createdAt, q.id]);
  }

  /** An MM's positions: live ones (executed, awaiting settlement) from memory, the rest from the record. */
  async listMmPositions(mmId: string, query: PageQuery<PositionStatus>): Promise<Page<PositionView>> {
    const live: PositionView[] = [];
    for (const rfqId of this.registry.mmRfqIds(mmId)) {
      const snapshot = this.registry.peek(rfqId);
      const view = snapshot ? toPositionView(statusOf(snapshot), snapshot.context) : null;
      if (view && view.mmId === mmId && (!query.status || view.status === query.status)) live.push(view);
    }
    const stored = await this.records.listMmPositions(mmId, query);
    return merge(
      live.map((p) => ({ ...p, id: p.rfqId })),
      { items: stored.items.map((p) => ({ ...p, id: p.rfqId })), cursor: stored.cursor },
      query,
      (p) => [p.executedAt, p.rfqId],
    ) as Page<PositionView & { id: string }>;
  }

  async quoteFor(mmId: string, quoteId: string, rfqId: string | null): Promise<Result<QuoteView>> {
    const view = rfqId ? await this.getRfq(rfqId) : null;
    const quote = view?.quotes.find((q) => q.id === quoteId);
    if (!quote) return err('NOT_FOUND', { resource: 'quote', id: quoteId });
    return quote.mmId === mmId ? ok(quote) : err('FORBIDDEN', { resource: 'quote', id: quoteId });
  }
}

/** Live items win over stored copies of the same id (the record lags); one page, newest first. */
function merge<T extends { id: string }>(
  live: T[],
  stored: Page<T>,
  query: { limit: number; cursor?: string },
  key: (item: T) => [number, string],
): Page<T> {
  const byId = new Map<string, T>();
  for (const item of stored.items) byId.set(item.id, item);
  for (const item of live) byId.set(item.id, item);
  const merged = page([...byId.values()], query, key);
  const last = merged.items.at(-1);
  // The store's page was cut at `limit` too: if it had more, so does the merged list.
  if (!merged.cursor && stored.cursor && last) merged.cursor = encodeCursor(key(last));
  return merged;
}
