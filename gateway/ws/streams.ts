/**
 * Channels as sequenced streams. Each has an epoch (random, new whenever the stream is created), a
 * gap-free sequence, and a bounded ring of its latest events with their frames: a subscriber that
 * names the epoch and a seq still in the ring resumes by replay; any other gets a snapshot. Frames are
 * encoded lazily, once per encoding, and shared by the publish and every replay.
 */
import { randomBytes } from 'node:crypto';
import type { WireEvent, WireEventBody } from '../wire/events.ts';
import type { Codec, Encoding, Frame } from './messages.ts';

export interface Entry {
  event: WireEvent;
  frames: { json?: Frame; proto?: Frame };
}

export function frameOf(entry: Entry, codec: Codec): Frame {
  let frame = entry.frames[codec.encoding];
  if (frame === undefined) {
    frame = codec.encodeEvent(entry.event);
    entry.frames[codec.encoding] = frame;
  }
  return frame;
}

export class Stream {
  readonly epoch = randomBytes(8).toString('base64url');
  readonly topics: Record<Encoding, string>;
  /** The channel's kind as metrics label it: open, mm, rfq or user. */
  readonly label: string;
  seq = 0;
  /** Open connections subscribed, both encodings. */
  subscribers = 0;
  /** When the last subscriber left (for retention), null while subscribed. */
  idleSince: number | null;
  private readonly ring: Array<Entry | undefined>;
  private count = 0;

  constructor(
    readonly channel: string,
    capacity: number,
    now: number,
  ) {
    this.ring = new Array<Entry | undefined>(capacity);
    this.topics = { json: `${channel}\u0000j`, proto: `${channel}\u0000p` };
    this.label = channel === 'rfqs:open' ? 'open' : channel.slice(0, channel.indexOf(':'));
    this.idleSince = now;
  }

  /** Sequences an event and keeps it; the caller publishes it. */
  append(body: WireEventBody, rfqId: string, at: number): Entry {
    this.seq++;
    const entry: Entry = {
      event: { ...body, channel: this.channel, seq: this.seq, at, rfqId } as WireEvent,
      frames: {},
    };
    this.ring[this.seq % this.ring.length] = entry;
    if (this.count < this.ring.length) this.count++;
    return entry;
  }

  /** The oldest seq still held (seq + 1 when empty). */
  get oldestSeq(): number {
    return this.seq - this.count + 1;
  }

  /** Entries after `fromSeq`, or null if some of them are no longer held (or fromSeq is ahead). */
  since(fromSeq: number): Entry[] | null {
    if (fromSeq > this.seq || fromSeq + 1 < this.oldestSeq) return null;
    const out: Entry[] = [];
    for (let s = fromSeq + 1; s <= this.seq; s++) out.push(this.ring[s % this.ring.length] as Entry);
    return out;
  }
}

/**
 * Streams by channel. rfqs:open lives as long as the gateway; private streams are created by their
 * first subscriber and dropped `retentionMs` after their last one left.
 */
export class StreamRegistry {
  private readonly streams = new Map<string, Stream>();

  constructor(
    private readonly capacities: { open: number; private: number },
    private readonly retentionMs: number,
  ) {}

  get(channel: string): Stream | undefined {
    return this.streams.get(channel);
  }

  ensure(channel: string, now: number): Stream {
    let stream = this.streams.get(channel);
    if (!stream) {
      const capacity = channel === 'rfqs:open' ? this.capacities.open : this.capacities.private;
      stream = new Stream(channel, capacity, now);
      this.streams.set(channel, stream);
    }
    return stream;
  }

  subscribed(stream: Stream): void {
    stream.subscribers++;
    stream.idleSince = null;
  }

  unsubscribed(stream: Stream, now: number): void {
    stream.subscribers = Math.max(0, stream.subscribers - 1);
    if (stream.subscribers === 0) stream.idleSince = now;
  }

  sweep(now: number): void {
    for (const [channel, stream] of this.streams) {
      if (channel === 'rfqs:open' || stream.idleSince === null) continue;
      if (now - stream.idleSince >= this.retentionMs) this.streams.delete(channel);
    }
  }

  get size(): number {
    return this.streams.size;
  }
}
