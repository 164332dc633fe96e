/**
 * From the engine's event stream to channels. Each engine event becomes at most one wire event per
 * channel it concerns; each is sequenced on its stream, encoded once per encoding that has
 * subscribers, and handed to uWS's publish, which writes it to every subscribed socket. Nothing here
 * waits: a slow socket never slows the engine (it is cut off by the sweep instead).
 *
 * rfqs:open carries an RFQ while it is on the board (open or quoted): created, quote count, status
 * changes up to the one that takes it off (accepted = taken, expired, cancelled). Quote counts are
 * coalesced per event-loop turn, so a burst of quotes costs the board one update.
 */
import type { Engine } from '../../engine/engine.ts';
import type { Logger } from '../../engine/logger.ts';
import type { CountCell } from '../../engine/talliedCounter.ts';
import { type DomainEvent, isTerminal } from '../../machines/domain.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { TemplatedApp } from '../uws.ts';
import type { WireEventBody } from '../wire/events.ts';
import { mmChannel, OPEN_CHANNEL, rfqChannel, userChannel } from './channels.ts';
import { jsonCodec } from './jsonCodec.ts';
import type { Codec, Encoding } from './messages.ts';
import { protoCodec } from './protoCodec.ts';
import { type Entry, frameOf, type Stream, type StreamRegistry } from './streams.ts';

export type ExplorerUrl = (kind: 'tx' | 'address', value: string) => string;

const CODECS: readonly Codec[] = [protoCodec, jsonCodec];

interface ChannelCounts {
  events: CountCell;
  deliveries: Record<Encoding, CountCell>;
}

export class Fanout {
  /** RFQs on the open board and how many live quotes each has. */
  private readonly board = new Map<string, { liveQuotes: number }>();
  /** RFQ → the MM whose quote was accepted: its later status changes go to that MM's channel. */
  private readonly acceptedMm = new Map<string, string>();
  private readonly countDirty = new Set<string>();
  /** RFQ → owner, for RFQs whose quote book changed and has a user subscriber. */
  private readonly bookDirty = new Map<string, string>();
  private flushScheduled = false;
  private readonly open: Stream;
  private readonly counts = new Map<string, ChannelCounts>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly deps: {
      app: TemplatedApp;
      engine: Engine;
      streams: StreamRegistry;
      metrics: GatewayMetrics;
      logger: Logger;
      now: () => number;
      explorerUrl: ExplorerUrl | null;
    },
  ) {
    this.open = deps.streams.ensure(OPEN_CHANNEL, deps.now());
    for (const view of deps.engine.queries.openRfqs(null, { limit: Number.MAX_SAFE_INTEGER })) {
      const live =
        deps.engine.queries.liveView(view.id)?.quotes.filter((q) => q.status === 'pending').length ?? 0;
      this.board.set(view.id, { liveQuotes: live });
    }
    this.unsubscribe = deps.engine.subscribe((event) => this.onEvent(event));
  }

  stop(): void {
    this.unsubscribe();
  }

  liveQuotes(rfqId: string): number {
    return this.board.get(rfqId)?.liveQuotes ?? 0;
  }

  private onEvent(e: DomainEvent): void {
    const id = e.rfqId;
    switch (e.type) {
      case 'rfq.created':
        this.board.set(id, { liveQuotes: 0 });
        this.toBoard(e, { kind: 'rfq:created', rfq: e.rfq, liveQuotes: 0 });
        this.toUser(e, { kind: 'rfq:created', rfq: e.rfq, liveQuotes: 0 });
        return;
      case 'rfq.status': {
        const body: WireEventBody = {
          kind: 'rfq:status',
          status: e.status,
          acceptedQuoteId: e.acceptedQuoteId,
        };
        this.toBoard(e, body);
        if (e.status !== 'open' && e.status !== 'quoted') {
          this.board.delete(id);
          this.countDirty.delete(id);
        }
        this.toAcceptedMm(e, body);
        this.toUser(e, body);
        if (isTerminal(e.status)) this.acceptedMm.delete(id);
        return;
      }
      case 'rfq.expired':
        this.toBoard(e, { kind: 'rfq:expired' });
        this.toUser(e, { kind: 'rfq:expired' });
        return;
      case 'rfq.cancelled':
        this.toBoard(e, { kind: 'rfq:cancelled', reason: e.reason });
        this.toAcceptedMm(e, { kind: 'rfq:cancelled', reason: e.reason });
        this.toUser(e, { kind: 'rfq:cancelled', reason: e.reason });
        return;
      case 'quote.submitted': {
        this.countQuotes(id, 1);
        const body: WireEventBody = {
          kind: 'quote:submitted',
          quote: e.quote,
          replacedQuoteId: e.replacedQuoteId,
        };
        this.emit(mmChannel(e.quote.mmId), body, e);
        this.toUser(e, body, true);
        return;
      }
      case 'quote.withdrawn':
      case 'quote.expired':
      case 'quote.rejected': {
        this.countQuotes(id, -1);
        const kind =
          e.type === 'quote.withdrawn'
            ? 'quote:withdrawn'
            : e.type === 'quote.expired'
              ? 'quote:expired'
              : 'quote:rejected';
        const reason = e.reason;
        const body: WireEventBody = { kind, quoteId: e.quoteId, mmId: e.mmId, reason };
        this.emit(mmChannel(e.mmId), body, e);
        this.toUser(e, body, true);
        return;
      }
      case 'quote.accepted': {
        this.countQuotes(id, -1);
        this.acceptedMm.set(id, e.mmId);
        const body: WireEventBody = {
          kind: 'quote:accepted',
          quote: e.quote,
          confirmDeadline: e.confirmDeadline,
        };
        this.emit(mmChannel(e.mmId), body, e);
        this.toUser(e, body, true);
        return;
      }
      case 'quote.confirmed': {
        const body: WireEventBody = {
          kind: 'quote:confirmed',
          quoteId: e.quoteId,
          mmId: e.mmId,
          collateralMicro: e.collateralMicro,
        };
        this.emit(mmChannel(e.mmId), body, e);
        this.toUser(e, body);
        return;
      }
      case 'position.executed': {
        const facts = {
          quoteId: e.quoteId,
          mmId: e.mmId,
          positionAddress: e.positionAddress,
          signature: e.signature,
          collateralMicro: e.collateralMicro,
          txUrl: this.link('tx', e.signature),
          positionUrl: this.link('address', e.positionAddress),
        };
        this.emit(mmChannel(e.mmId), { kind: 'quote:executed', ...facts }, e);
        this.toUser(e, { kind: 'position:created', ...facts });
        return;
      }
      case 'position.settled': {
        const body: WireEventBody = {
          kind: 'position:settled',
          quoteId: e.quoteId,
          mmId: e.mmId,
          positionAddress: e.positionAddress,
          outcome: e.outcome,
          payoutMicro: e.payoutMicro,
          feeMicro: e.feeMicro,
          signature: e.signature,
          txUrl: this.link('tx', e.signature),
        };
        this.emit(mmChannel(e.mmId), body, e);
        this.toUser(e, body);
        return;
      }
      case 'position.cancelled': {
        const body: WireEventBody = {
          kind: 'position:cancelled',
          quoteId: e.quoteId,
          mmId: e.mmId,
          positionAddress: e.positionAddress,
          reason: e.reason,
          signature: e.signature,
          txUrl: e.signature ? this.link('tx', e.signature) : null,
        };
        this.emit(mmChannel(e.mmId), body, e);
        if (e.positionAddress === null) this.toUser(e, { kind: 'position:error', error: e.reason });
        this.toUser(e, body);
        return;
      }
      case 'position.outcome':
        return;
    }
  }

  private link(kind: 'tx' | 'address', value: string): string | null {
    return this.deps.explorerUrl ? this.deps.explorerUrl(kind, value) : null;
  }

  private toBoard(e: DomainEvent, body: WireEventBody): void {
    if (this.board.has(e.rfqId)) this.append(this.open, body, e);
  }

  private toAcceptedMm(e: DomainEvent, body: WireEventBody): void {
    const mmId = this.acceptedMm.get(e.rfqId);
    if (mmId) this.emit(mmChannel(mmId), body, e);
  }

  private toUser(e: DomainEvent, body: WireEventBody, bookChanged = false): void {
    const rfq = this.deps.streams.get(rfqChannel(e.rfqId));
    const user = this.deps.streams.get(userChannel(e.userId));
    if (rfq) this.append(rfq, body, e);
    if (user) this.append(user, body, e);
    if (bookChanged && (rfq || user)) {
      this.bookDirty.set(e.rfqId, e.userId);
      this.scheduleFlush();
    }
  }

  private countQuotes(rfqId: string, delta: number): void {
    const entry = this.board.get(rfqId);
    if (!entry) return;
    entry.liveQuotes = Math.max(0, entry.liveQuotes + delta);
    this.countDirty.add(rfqId);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Once per turn: one quote-count update per changed board RFQ, one quote book per changed user RFQ. */
  private flush(): void {
    this.flushScheduled = false;
    const at = this.deps.now();
    for (const rfqId of this.countDirty) {
      const entry = this.board.get(rfqId);
      if (entry)
        this.append(this.open, { kind: 'rfq:quote_count', liveQuotes: entry.liveQuotes }, { rfqId, at });
    }
    this.countDirty.clear();
    for (const [rfqId, userId] of this.bookDirty) {
      const view = this.deps.engine.queries.liveView(rfqId);
      const body: WireEventBody = {
        kind: 'rfq:quotes',
        quotes: (view?.quotes ?? []).filter((q) => q.status === 'pending'),
      };
      for (const channel of [rfqChannel(rfqId), userChannel(userId)]) {
        const stream = this.deps.streams.get(channel);
        if (stream) this.append(stream, body, { rfqId, at });
      }
    }
    this.bookDirty.clear();
  }

  private emit(channel: string, body: WireEventBody, e: { rfqId: string; at: number }): void {
    const stream = this.deps.streams.get(channel);
    if (stream) this.append(stream, body, e);
  }

  private append(stream: Stream, body: WireEventBody, e: { rfqId: string; at: number }): void {
    const entry = stream.append(body, e.rfqId, e.at);
    this.publish(stream, entry);
  }

  private publish(stream: Stream, entry: Entry): void {
    const counts = this.countsOf(stream.label);
    counts.events.n++;
    for (const codec of CODECS) {
      const topic = stream.topics[codec.encoding];
      const subscribers = this.deps.app.numSubscribers(topic);
      if (subscribers === 0) continue;
      this.deps.app.publish(topic, frameOf(entry, codec), codec.binary);
      counts.deliveries[codec.encoding].n += subscribers;
    }
  }

  /** The metric cells of a channel kind, resolved once: the publish path does no label hashing. */
  private countsOf(label: string): ChannelCounts {
    let counts = this.counts.get(label);
    if (!counts) {
      const { wsEvents, wsDeliveries } = this.deps.metrics;
      counts = {
        events: wsEvents.cell({ channel: label }),
        deliveries: {
          json: wsDeliveries.cell({ channel: label, encoding: 'json' }),
          proto: wsDeliveries.cell({ channel: label, encoding: 'proto' }),
        },
      };
      this.counts.set(label, counts);
    }
    return counts;
  }
}
