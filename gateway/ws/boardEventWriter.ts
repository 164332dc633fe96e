/**
 * The rfqs:open board's events (rfq created, status, expired, cancelled, quote count) written as
 * parlay.v1 ServerFrame bytes field by field. These are the frames every market maker receives, one
 * per RFQ change: protobuf-es's reflective path (create a message graph, walk its descriptors) cost
 * ~3.5× this on the per-RFQ path, mostly in allocation. The bytes are the ones protobuf-es writes —
 * fields in number order, proto3 defaults (0, '') left out, a oneof's empty message still written —
 * and field numbers come from the generated descriptors. If the schema gives one of these messages a
 * field this writer does not know, loading fails: extend the writer with the schema.
 * Other events take protoCodec's generic path.
 */
import type { DescMessage } from '@bufbuild/protobuf';
import type { RfqStatus, RfqView } from '../../machines/domain.ts';
import {
  EventSchema,
  LegSchema,
  RfqCancelledSchema,
  RfqExpiredSchema,
  RfqQuoteCountSchema,
  RfqSchema,
  RfqStatusChangedSchema,
  ServerFrameSchema,
  Side,
} from '../proto/gen/parlay/v1/protocol_pb.ts';
import type { WireEvent } from '../wire/events.ts';

const VARINT = 0;
const LENGTH_DELIMITED = 2;

/** Field number → tag byte(s) as a varint value, checking the message has no field we would miss. */
function tags<F extends string>(
  schema: DescMessage,
  wireTypes: Record<F, typeof VARINT | typeof LENGTH_DELIMITED>,
  ignore: readonly string[] = [],
): Record<F, number> {
  const known = new Set<string>([...Object.keys(wireTypes), ...ignore]);
  const unknown = schema.fields.filter((f) => !known.has(f.localName)).map((f) => f.localName);
  if (unknown.length > 0)
    throw new Error(
      `boardEventWriter: ${schema.typeName} has fields it does not write: ${unknown.join(', ')}`,
    );
  const out = {} as Record<F, number>;
  for (const name of Object.keys(wireTypes) as F[]) {
    const field = schema.fields.find((f) => f.localName === name);
    if (!field) throw new Error(`boardEventWriter: ${schema.typeName} has no field ${name}`);
    out[name] = (field.number << 3) | wireTypes[name];
  }
  return out;
}

/** The other members of a oneof: frames and events this writer leaves to the generic path. */
const othersOf = (schema: DescMessage, oneof: string, mine: readonly string[]): string[] =>
  schema.fields
    .filter((f) => f.oneof?.localName === oneof && !mine.includes(f.localName))
    .map((f) => f.localName);

const FRAME = tags(
  ServerFrameSchema,
  { event: LENGTH_DELIMITED },
  othersOf(ServerFrameSchema, 'kind', ['event']),
);
const BOARD_BODIES = ['rfqCreated', 'rfqStatus', 'rfqExpired', 'rfqCancelled', 'rfqQuoteCount'] as const;
const EVENT = tags(
  EventSchema,
  {
    channel: LENGTH_DELIMITED,
    seq: VARINT,
    atMs: VARINT,
    rfqId: LENGTH_DELIMITED,
    rfqCreated: LENGTH_DELIMITED,
    rfqStatus: LENGTH_DELIMITED,
    rfqExpired: LENGTH_DELIMITED,
    rfqCancelled: LENGTH_DELIMITED,
    rfqQuoteCount: LENGTH_DELIMITED,
  },
  othersOf(EventSchema, 'body', BOARD_BODIES),
);
const RFQ = tags(RfqSchema, {
  id: LENGTH_DELIMITED,
  userId: LENGTH_DELIMITED,
  status: VARINT,
  legs: LENGTH_DELIMITED,
  betMicro: VARINT,
  createdAtMs: VARINT,
  expiresAtMs: VARINT,
  liveQuotes: VARINT,
});
const LEG = tags(LegSchema, { ticker: LENGTH_DELIMITED, eventTicker: LENGTH_DELIMITED, side: VARINT });
const STATUS = tags(RfqStatusChangedSchema, { status: VARINT, acceptedQuoteId: LENGTH_DELIMITED });
const CANCELLED = tags(RfqCancelledSchema, { reason: LENGTH_DELIMITED });
const QUOTE_COUNT = tags(RfqQuoteCountSchema, { liveQuotes: VARINT });
tags(RfqExpiredSchema, {});

const UINT32_MAX = 0xffff_ffff;

/**
 * A reusable scratch buffer with nested length-delimited sections; `finish` copies out the frame.
 * Only ever used synchronously, start to finish, so one per process is enough.
 */
class FrameWriter {
  private buf = new Uint8Array(512);
  private pos = 0;
  private readonly open: number[] = [];
  private readonly utf8 = new TextEncoder();

  start(): this {
    this.pos = 0;
    this.open.length = 0;
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  /** A uint64/uint32 field (a proto3 default 0 is not written). Safe integers only, as the domain has. */
  uint(tag: number, value: number, max = Number.MAX_SAFE_INTEGER): void {
    if (value === 0) return;
    if (!Number.isSafeInteger(value) || value < 0 || value > max)
      throw new RangeError(`boardEventWriter: not an unsigned integer in range: ${value}`);
    this.varint(tag);
    this.varint(value);
  }

  /** A string field ('' is not written). */
  string(tag: number, value: string): void {
    if (value === '') return;
    let ascii = true;
    for (let i = 0; i < value.length; i++) {
      if (value.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    const bytes = ascii ? value.length : Buffer.byteLength(value, 'utf8');
    this.varint(tag);
    this.varint(bytes);
    this.reserve(bytes);
    if (ascii) {
      const buf = this.buf;
      let pos = this.pos;
      for (let i = 0; i < bytes; i++) buf[pos++] = value.charCodeAt(i);
    } else this.utf8.encodeInto(value, this.buf.subarray(this.pos, this.pos + bytes));
    this.pos += bytes;
  }

  /** Opens a message field: written even when empty (a set oneof member, a list element). */
  begin(tag: number): void {
    this.varint(tag);
    this.reserve(1);
    this.open.push(this.pos);
    this.pos++;
  }

  end(): void {
    const at = this.open.pop() as number;
    const length = this.pos - at - 1;
    const prefix = varintLength(length);
    if (prefix > 1) {
      // One byte was reserved for the length: shift the body to make room for a longer one.
      this.reserve(prefix - 1);
      this.buf.copyWithin(at + prefix, at + 1, this.pos);
      this.pos += prefix - 1;
    }
    const end = this.pos;
    this.pos = at;
    this.varint(length);
    this.pos = end;
  }

  private varint(value: number): void {
    this.reserve(8);
    const buf = this.buf;
    let pos = this.pos;
    let v = value;
    // Division, not shifts: values go past 2^32 (times in ms, micro-USDC).
    while (v > 0x7f) {
      buf[pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
  }
}

function varintLength(value: number): number {
  let length = 1;
  for (let v = value; v > 0x7f; v = Math.floor(v / 0x80)) length++;
  return length;
}

const writer = new FrameWriter();

export type RfqStatusToPb = Record<RfqStatus, number>;

/** The frame for a board event, or null for any other kind (the caller encodes those generically). */
export function writeBoardEvent(e: WireEvent, statusToPb: RfqStatusToPb): Uint8Array | null {
  if (
    e.kind !== 'rfq:created' &&
    e.kind !== 'rfq:status' &&
    e.kind !== 'rfq:expired' &&
    e.kind !== 'rfq:cancelled' &&
    e.kind !== 'rfq:quote_count'
  )
    return null;
  const w = writer.start();
  w.begin(FRAME.event);
  w.string(EVENT.channel, e.channel);
  w.uint(EVENT.seq, e.seq);
  w.uint(EVENT.atMs, e.at);
  w.string(EVENT.rfqId, e.rfqId);
  switch (e.kind) {
    case 'rfq:created':
      w.begin(EVENT.rfqCreated);
      writeRfq(w, e.rfq, e.liveQuotes, statusToPb);
      w.end();
      break;
    case 'rfq:status':
      w.begin(EVENT.rfqStatus);
      w.uint(STATUS.status, statusToPb[e.status] ?? 0);
      w.string(STATUS.acceptedQuoteId, e.acceptedQuoteId ?? '');
      w.end();
      break;
    case 'rfq:expired':
      w.begin(EVENT.rfqExpired);
      w.end();
      break;
    case 'rfq:cancelled':
      w.begin(EVENT.rfqCancelled);
      w.string(CANCELLED.reason, e.reason);
      w.end();
      break;
    case 'rfq:quote_count':
      w.begin(EVENT.rfqQuoteCount);
      w.uint(QUOTE_COUNT.liveQuotes, e.liveQuotes, UINT32_MAX);
      w.end();
      break;
  }
  w.end();
  return w.finish();
}

function writeRfq(w: FrameWriter, view: RfqView, liveQuotes: number, statusToPb: RfqStatusToPb): void {
  w.string(RFQ.id, view.id);
  w.string(RFQ.userId, view.userId);
  w.uint(RFQ.status, statusToPb[view.status] ?? 0);
  for (const leg of view.legs) {
    w.begin(RFQ.legs);
    w.string(LEG.ticker, leg.ticker);
    w.string(LEG.eventTicker, leg.eventTicker);
    w.uint(LEG.side, leg.side === 'yes' ? Side.YES : Side.NO);
    w.end();
  }
  w.uint(RFQ.betMicro, view.betMicro);
  w.uint(RFQ.createdAtMs, view.createdAt);
  w.uint(RFQ.expiresAtMs, view.expiresAt);
  w.uint(RFQ.liveQuotes, liveQuotes, UINT32_MAX);
}
