/** The gateway's pure parts: codecs, streams, caches, limits, keys, config. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fromBinary } from '@bufbuild/protobuf';
import { isApiKeyShaped, newApiKey } from '../../gateway/auth/apiKeys.ts';
import { base58Decode, base58Encode } from '../../gateway/auth/base58.ts';
import { newSigningKeyPair, signAuth, signingKey, verifyAuth } from '../../gateway/auth/signing.ts';
import { eventOf } from '../../gateway/client/decode.ts';
import { GatewayConfigError, gatewayConfig } from '../../gateway/config.ts';
import { ServerFrameSchema } from '../../gateway/proto/gen/parlay/v1/protocol_pb.ts';
import { RateLimiter } from '../../gateway/rateLimit.ts';
import { ListRfqsQuery } from '../../gateway/rest/schemas.ts';
import { fieldOf, parseQuery, Validator } from '../../gateway/rest/validate.ts';
import { TtlCache } from '../../gateway/ttlCache.ts';
import { isNativeUws } from '../../gateway/uws.ts';
import type { WireEventBody } from '../../gateway/wire/events.ts';
import { legId } from '../../gateway/wire/seedJson.ts';
import { jsonCodec } from '../../gateway/ws/jsonCodec.ts';
import { protoCodec } from '../../gateway/ws/protoCodec.ts';
import { Stream } from '../../gateway/ws/streams.ts';
import type { QuoteView, RfqView } from '../../machines/domain.ts';
import { openedContext, toRfqView } from '../../machines/rfqRules.ts';

const quote: QuoteView = {
  id: '11111111-1111-4111-8111-111111111111',
  rfqId: '22222222-2222-4222-8222-222222222222',
  mmId: 'mm-1',
  oddsFp: 35_000,
  createdAt: 1_000,
  validUntil: 61_000,
  updatedAt: 1_000,
  status: 'pending',
  reason: null,
  totalCostMicro: 50_000_000,
  totalPayoutMicro: 175_000_000,
  mmRiskMicro: 125_000_000,
};
const rfq: RfqView = toRfqView(
  'open',
  openedContext({
    id: quote.rfqId,
    userId: 'user-1',
    legs: [
      { ticker: 'KXA-26-T1', eventTicker: 'KXA-26', side: 'yes' },
      { ticker: 'KXB-26-T2', eventTicker: 'KXB-26', side: 'no' },
    ],
    betMicro: 50_000_000,
    feeBps: 100,
    createdAt: 1_000,
    expiresAt: 301_000,
  }),
);

describe('binary codec', () => {
  test('every event kind survives encode (server) → decode (SDK) with its values', () => {
    const cases: Array<[WireEventBody, Record<string, unknown>]> = [
      [
        { kind: 'rfq:created', rfq, liveQuotes: 0 },
        {
          type: 'rfq.created',
          rfq: {
            id: rfq.id,
            userId: 'user-1',
            status: 'open',
            legs: rfq.legs,
            betMicro: 50_000_000,
            createdAt: 1_000,
            expiresAt: 301_000,
            liveQuotes: 0,
          },
        },
      ],
      [
        { kind: 'rfq:status', status: 'accepted', acceptedQuoteId: quote.id },
        { type: 'rfq.status', status: 'accepted', acceptedQuoteId: quote.id },
      ],
      [{ kind: 'rfq:expired' }, { type: 'rfq.expired' }],
      [
        { kind: 'rfq:cancelled', reason: 'user_cancelled' },
        { type: 'rfq.cancelled', reason: 'user_cancelled' },
      ],
      [
        { kind: 'rfq:quote_count', liveQuotes: 3 },
        { type: 'rfq.quoteCount', liveQuotes: 3 },
      ],
      [
        { kind: 'quote:submitted', quote, replacedQuoteId: null },
        { type: 'quote.submitted', replacedQuoteId: null },
      ],
      [
        { kind: 'quote:withdrawn', quoteId: quote.id, mmId: 'mm-1', reason: 'replaced' },
        { type: 'quote.withdrawn', reason: 'replaced' },
      ],
      [{ kind: 'quote:expired', quoteId: quote.id, mmId: 'mm-1', reason: '' }, { type: 'quote.expired' }],
      [
        { kind: 'quote:rejected', quoteId: quote.id, mmId: 'mm-1', reason: 'mm_rejected' },
        { type: 'quote.rejected' },
      ],
      [
        { kind: 'quote:accepted', quote, confirmDeadline: 6_000 },
        { type: 'quote.accepted', confirmDeadline: 6_000 },
      ],
      [
        { kind: 'quote:confirmed', quoteId: quote.id, mmId: 'mm-1', collateralMicro: 125_000_000 },
        { type: 'quote.confirmed', collateralMicro: 125_000_000, executionId: rfq.id },
      ],
      [
        {
          kind: 'quote:executed',
          quoteId: quote.id,
          mmId: 'mm-1',
          positionAddress: 'P',
          signature: 'S',
          collateralMicro: 1,
          txUrl: 'u',
          positionUrl: null,
        },
        { type: 'position.executed', positionAddress: 'P', signature: 'S', txUrl: 'u', positionUrl: null },
      ],
      [
        {
          kind: 'position:settled',
          quoteId: quote.id,
          mmId: 'mm-1',
          positionAddress: 'P',
          outcome: 'loss',
          payoutMicro: 0,
          feeMicro: 5,
          signature: 'S2',
          txUrl: null,
        },
        { type: 'position.settled', outcome: 'loss', feeMicro: 5, signature: 'S2' },
      ],
      [
        {
          kind: 'position:cancelled',
          quoteId: quote.id,
          mmId: 'mm-1',
          positionAddress: null,
          reason: 'execution_failed: x',
          signature: null,
          txUrl: null,
        },
        { type: 'position.cancelled', positionAddress: null, signature: null, reason: 'execution_failed: x' },
      ],
      [{ kind: 'rfq:quotes', quotes: [quote] }, { type: 'quote.book' }],
      [
        { kind: 'position:error', error: 'boom' },
        { type: 'position.error', error: 'boom' },
      ],
    ];
    let seq = 0;
    for (const [body, expected] of cases) {
      const event = {
        ...body,
        channel: 'mm:quotes:mm-1',
        seq: ++seq,
        at: 5_000,
        rfqId: rfq.id,
      } as Parameters<typeof protoCodec.encodeEvent>[0];
      const frame = fromBinary(ServerFrameSchema, protoCodec.encodeEvent(event) as Uint8Array);
      assert.equal(frame.kind.case, 'event');
      const decoded = eventOf(frame.kind.value as Parameters<typeof eventOf>[0]);
      assert.ok(decoded, body.kind);
      assert.equal(decoded.seq, seq);
      assert.equal(decoded.at, 5_000);
      assert.equal(decoded.channel, 'mm:quotes:mm-1');
      for (const [key, value] of Object.entries(expected))
        assert.deepEqual((decoded as unknown as Record<string, unknown>)[key], value, `${body.kind}.${key}`);
      if ('quote' in decoded) assert.deepEqual({ ...decoded.quote }, { ...quote });
      const json = JSON.parse(jsonCodec.encodeEvent(event) as string);
      assert.equal(json.type, body.kind);
      assert.equal(json.seq, seq);
    }
  });

  test('client frames: junk and wrong frame kinds are typed INVALID_REQUEST errors', () => {
    const ab = (bytes: number[]) => Uint8Array.from(bytes).buffer;
    for (const [decoded, field] of [
      [protoCodec.decode(ab([0xff, 0xff]), true), '(frame)'],
      [protoCodec.decode(ab([]), true), 'kind'],
      [protoCodec.decode(ab([1]), false), '(frame)'],
      [jsonCodec.decode(new TextEncoder().encode('[]').buffer, false), '(frame)'],
      [jsonCodec.decode(ab([0xc3, 0x28]), false), '(frame)'],
      [jsonCodec.decode(new TextEncoder().encode('{"type":"subscribe"}').buffer, false), 'channel'],
    ] as const) {
      assert.equal(decoded.ok, false);
      if (!decoded.ok) {
        assert.equal(decoded.error.code, 'INVALID_REQUEST');
        assert.equal(decoded.error.details.field, field);
      }
    }
    const precise = jsonCodec.decode(
      new TextEncoder().encode('{"type":"quote:submit","request_id":"r1","rfq_id":"x","payout_odds":2.12345}')
        .buffer,
      false,
    );
    assert.ok(!precise.ok && precise.error.code === 'ODDS_PRECISION' && precise.requestId === 'r1');
  });
});

describe('streams', () => {
  test('the ring replays what it holds, refuses what it lost, and wraps', () => {
    const stream = new Stream('rfqs:open', 3, 0);
    for (let i = 0; i < 5; i++) stream.append({ kind: 'rfq:expired' }, `r${i}`, i);
    assert.equal(stream.seq, 5);
    assert.equal(stream.oldestSeq, 3);
    assert.deepEqual(
      stream.since(2)?.map((e) => e.event.seq),
      [3, 4, 5],
    );
    assert.deepEqual(
      stream.since(4)?.map((e) => e.event.rfqId),
      ['r4'],
    );
    assert.deepEqual(stream.since(5), []);
    assert.equal(stream.since(1), null, 'seq 2 fell out');
    assert.equal(stream.since(6), null, 'from the future');
  });
});

describe('small parts', () => {
  test('base58, API keys, Ed25519 auth signatures', () => {
    const bytes = Uint8Array.from([0, 0, 1, 2, 255]);
    assert.deepEqual(base58Decode(base58Encode(bytes)), bytes);
    assert.equal(base58Decode('0OIl'), null);
    const key = newApiKey();
    assert.ok(isApiKeyShaped(key));
    assert.ok(!isApiKeyShaped(`${key}!`));
    const pair = newSigningKeyPair();
    const signature = signAuth(signingKey(pair.secretKey), 'nonce', 42);
    assert.ok(verifyAuth(pair.publicKey, 'nonce', 42, signature));
    assert.ok(!verifyAuth(pair.publicKey, 'nonce', 43, signature));
    assert.ok(!verifyAuth(newSigningKeyPair().publicKey, 'nonce', 42, signature));
    assert.ok(!verifyAuth('not-base58-0', 'nonce', 42, signature));
    const seedOnly = base58Encode(base58Decode(pair.secretKey)!.subarray(0, 32));
    assert.ok(verifyAuth(pair.publicKey, 'n', 1, signAuth(signingKey(seedOnly), 'n', 1)));
  });

  test('field names, query parsing, leg ids', () => {
    assert.equal(fieldOf('/legs/1/side'), 'legs[1].side');
    assert.equal(fieldOf(''), '(body)');
    const q = new Validator(ListRfqsQuery);
    assert.deepEqual(parseQuery(q, 'limit=5&status=open'), { ok: true, value: { limit: 5, status: 'open' } });
    const dup = parseQuery(q, 'limit=5&limit=6');
    assert.ok(!dup.ok && dup.error.details.field === 'limit');
    const rfqId = '9dd12d4f-4781-4d89-851b-bbbceea136a7';
    assert.equal(legId(rfqId, 0), legId(rfqId, 0));
    assert.equal(new Set([0, 1, 2, 3, 4].map((i) => legId(rfqId, i))).size, 5);
    assert.notEqual(legId(rfqId, 0), rfqId);
    assert.match(legId(rfqId, 0), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test('TTL cache and rate limiter on a manual clock', () => {
    let now = 0;
    const cache = new TtlCache<string, number>(2, () => now);
    cache.set('a', 1, 100);
    cache.set('b', 2, 100);
    cache.set('c', 3, 100);
    assert.equal(cache.get('a'), undefined, 'oldest evicted at capacity');
    now = 100;
    assert.equal(cache.get('b'), undefined, 'expired');
    const limiter = new RateLimiter(
      { mm: { perSecond: 2, burst: 2 }, user: { perSecond: 1, burst: 1 } },
      () => now,
    );
    const mm = { kind: 'mm', id: 'm' } as const;
    assert.ok(limiter.take(mm).ok);
    assert.ok(limiter.take(mm).ok);
    const refused = limiter.take(mm);
    assert.deepEqual(refused, { ok: false, retryAfterMs: 500 });
    now += 500;
    assert.ok(limiter.take(mm).ok);
  });

  test('config: defaults fill in, every problem is listed', () => {
    assert.equal(gatewayConfig().wsPath, '/ws');
    assert.throws(
      () =>
        gatewayConfig({
          port: -1,
          heartbeatIntervalMs: 1_000,
          idleTimeoutMs: 500,
          devJwt: { secret: 'short', issuer: 'i', audience: 'a' },
        }),
      (error: unknown) => error instanceof GatewayConfigError && error.problems.length === 3,
    );
  });

  test('the native uWS binary is the one loaded', () => {
    assert.equal(isNativeUws(), true);
  });
});
