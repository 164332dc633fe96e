/**
 * The board writer must produce exactly the bytes protobuf-es writes for the same message: market
 * makers decode with any protobuf library, and a resumed stream mixes frames from both paths.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { create, fromBinary, type MessageInitShape, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { ServerFrameSchema } from '../../gateway/proto/gen/parlay/v1/protocol_pb.ts';
import type { WireEvent } from '../../gateway/wire/events.ts';
import { writeBoardEvent } from '../../gateway/ws/boardEventWriter.ts';
import { pbRfq, protoCodec, RFQ_STATUS_TO_PB } from '../../gateway/ws/protoCodec.ts';
import type { RfqStatus, RfqView } from '../../machines/domain.ts';
import { openedContext, toRfqView } from '../../machines/rfqRules.ts';

// A fixed seed keeps CI deterministic; PROPERTY_SEED explores others locally.
const SEED = Number(process.env.PROPERTY_SEED ?? 20261124);

type EventInit = Extract<MessageInitShape<typeof ServerFrameSchema>['kind'], { case: 'event' }>['value'];

/** protobuf-es's encoding of the same event, built from the schema alone. */
function reference(e: WireEvent): Uint8Array {
  const head = { channel: e.channel, seq: BigInt(e.seq), atMs: BigInt(e.at), rfqId: e.rfqId };
  let body: EventInit['body'];
  switch (e.kind) {
    case 'rfq:created':
      body = { case: 'rfqCreated', value: pbRfq(e.rfq, e.liveQuotes) };
      break;
    case 'rfq:status':
      body = {
        case: 'rfqStatus',
        value: { status: RFQ_STATUS_TO_PB[e.status], acceptedQuoteId: e.acceptedQuoteId ?? '' },
      };
      break;
    case 'rfq:expired':
      body = { case: 'rfqExpired', value: {} };
      break;
    case 'rfq:cancelled':
      body = { case: 'rfqCancelled', value: { reason: e.reason } };
      break;
    case 'rfq:quote_count':
      body = { case: 'rfqQuoteCount', value: { liveQuotes: e.liveQuotes } };
      break;
    default:
      throw new Error(`not a board event: ${e.kind}`);
  }
  return toBinary(
    ServerFrameSchema,
    create(ServerFrameSchema, { kind: { case: 'event', value: { ...head, body } } }),
  );
}

// Strings with the cases that change a writer's arithmetic: empty, multi-byte, astral, > 127 bytes.
const text = fc.oneof(
  fc.constant(''),
  fc.constant('lone \uD800 surrogate \uDFFF'),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const whole = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 300 }),
  fc.integer({ min: 0, max: 2 ** 32 }),
  fc.constant(Number.MAX_SAFE_INTEGER),
  fc.maxSafeNat(),
);
const count = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
const status = fc.constantFrom(...(Object.keys(RFQ_STATUS_TO_PB) as RfqStatus[]));
const leg = fc.record({
  ticker: text,
  eventTicker: text,
  side: fc.constantFrom('yes' as const, 'no' as const),
});
const rfqView = fc
  .record({
    id: text,
    userId: text,
    status,
    legs: fc.array(leg, { maxLength: 40 }),
    betMicro: whole,
    createdAt: whole,
    expiresAt: whole,
  })
  .map(({ status, ...r }): RfqView => toRfqView(status, openedContext({ ...r, feeBps: 100 })));
const body = fc.oneof(
  fc.record({ kind: fc.constant('rfq:created' as const), rfq: rfqView, liveQuotes: count }),
  fc.record({ kind: fc.constant('rfq:status' as const), status, acceptedQuoteId: fc.option(text) }),
  fc.record({ kind: fc.constant('rfq:expired' as const) }),
  fc.record({ kind: fc.constant('rfq:cancelled' as const), reason: text }),
  fc.record({ kind: fc.constant('rfq:quote_count' as const), liveQuotes: count }),
);
const boardEvent = fc
  .tuple(body, fc.record({ channel: text, seq: whole, at: whole, rfqId: text }))
  .map(([b, head]) => ({ ...b, ...head }) as WireEvent);

describe('board event writer', () => {
  test('writes the bytes protobuf-es writes, for every board event', () => {
    fc.assert(
      fc.property(boardEvent, (e) => {
        assert.deepEqual(writeBoardEvent(e, RFQ_STATUS_TO_PB), reference(e));
      }),
      { numRuns: 3_000, seed: SEED },
    );
  });

  test('a body longer than 127 bytes (length prefix of two bytes and more) round-trips', () => {
    const legs = Array.from({ length: 100 }, (_, i) => ({
      ticker: `KXTICKER-${i}-€`,
      eventTicker: `KXEVENT-${i}`,
      side: i % 2 === 0 ? ('yes' as const) : ('no' as const),
    }));
    const rfq = fc.sample(rfqView, { numRuns: 1, seed: 7 })[0] as RfqView;
    const e = {
      kind: 'rfq:created',
      rfq: { ...rfq, legs },
      liveQuotes: 3,
      channel: 'rfqs:open',
      seq: 9,
      at: 1,
      rfqId: rfq.id,
    } as WireEvent;
    const bytes = protoCodec.encodeEvent(e) as Uint8Array;
    assert.deepEqual(bytes, reference(e));
    const frame = fromBinary(ServerFrameSchema, bytes);
    assert.equal(frame.kind.case, 'event');
    const value = frame.kind.value;
    assert.ok(value && 'body' in value && value.body.case === 'rfqCreated');
    assert.equal(value.body.value.legs.length, 100);
    assert.equal(value.body.value.legs[99]?.ticker, 'KXTICKER-99-€');
  });

  test('leaves every other event to the generic encoder', () => {
    const e = {
      kind: 'quote:rejected',
      quoteId: 'q',
      mmId: 'm',
      reason: 'r',
      channel: 'mm:quotes:m',
      seq: 1,
      at: 1,
      rfqId: 'x',
    } as WireEvent;
    assert.equal(writeBoardEvent(e, RFQ_STATUS_TO_PB), null);
  });

  test('an integer a uint64 field cannot carry is refused, not written wrong', () => {
    const e = {
      kind: 'rfq:quote_count',
      liveQuotes: 1,
      channel: 'rfqs:open',
      seq: -1,
      at: 1,
      rfqId: 'x',
    } as WireEvent;
    assert.throws(() => writeBoardEvent(e, RFQ_STATUS_TO_PB), RangeError);
    const big = {
      kind: 'rfq:quote_count',
      liveQuotes: 2 ** 32,
      channel: 'rfqs:open',
      seq: 1,
      at: 1,
      rfqId: 'x',
    } as WireEvent;
    assert.throws(() => writeBoardEvent(big, RFQ_STATUS_TO_PB), RangeError);
  });
});
