/**
 * A channel's state for a subscriber that cannot resume, read from the engine's queries: the open
 * board (with only the viewer's quotes), an MM's live quotes and pending confirms, an RFQ, a user's
 * recent RFQs.
 */
import type { Engine } from '../../engine/engine.ts';
import type { Principal } from '../../engine/ports/identity.ts';
import type { SnapshotData } from '../wire/events.ts';
import type { Channel } from './channels.ts';

/** Bounds on snapshot size; a bigger board is still fully live on the stream after the snapshot. */
const MAX_BOARD = 10_000;
const MAX_QUOTES = 5_000;
const MAX_USER_RFQS = 100;

export async function snapshotOf(
  engine: Engine,
  principal: Principal,
  channel: Channel,
  liveQuotes: (rfqId: string) => number,
): Promise<SnapshotData> {
  const empty: SnapshotData = { kind: channel.kind, rfqs: [], quotes: [], pendingConfirms: [], rfq: null };
  switch (channel.kind) {
    case 'open': {
      const views = engine.queries.openRfqs(principal.id, { limit: MAX_BOARD });
      return { ...empty, rfqs: views.map((rfq) => ({ rfq, liveQuotes: liveQuotes(rfq.id) })) };
    }
    case 'mm': {
      const [pending, accepted] = await Promise.all([
        engine.queries.listMmQuotes(channel.id, { status: 'pending', limit: MAX_QUOTES }),
        engine.queries.listMmQuotes(channel.id, { status: 'accepted', limit: MAX_QUOTES }),
      ]);
      const pendingConfirms: SnapshotData['pendingConfirms'] = [];
      for (const quote of accepted.items) {
        const rfq = await engine.queries.getRfq(quote.rfqId);
        if (rfq?.status === 'accepted' && rfq.confirmDeadline !== null)
          pendingConfirms.push({ quote, confirmDeadline: rfq.confirmDeadline });
      }
      return { ...empty, quotes: pending.items, pendingConfirms };
    }
    case 'rfq':
      return { ...empty, rfq: await engine.queries.getRfq(channel.id) };
    case 'user': {
      const page = await engine.queries.listUserRfqs(channel.id, { limit: MAX_USER_RFQS });
      return {
        ...empty,
        rfqs: page.items.map((rfq) => ({
          rfq,
          liveQuotes: rfq.quotes.filter((q) => q.status === 'pending').length,
        })),
      };
    }
  }
}
