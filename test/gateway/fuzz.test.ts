/**
 * Random bytes and random JSON at every entry point: the server never crashes and answers only with
 * typed errors — REST statuses equal to the error table's for the code, WebSocket errors with codes
 * from the table, and at worst the documented close 4000 for a stream of junk.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { CLOSE } from '../../gateway/closeCodes.ts';
import { ERRORS, isErrorCode } from '../../machines/errors.ts';
import { call, RFQ_BODY } from './support/http.ts';
import { JsonClient } from './support/jsonClient.ts';
import { ProtoClient } from './support/protoClient.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

// A fixed seed keeps CI deterministic; PROPERTY_SEED explores others locally.
const SEED = Number(process.env.PROPERTY_SEED ?? 20261124);

let t: TestGateway;
let rfqId: string;
before(async () => {
  t = await startTestGateway({
    config: { rateLimits: { mm: { perSecond: 1e6, burst: 1e6 }, user: { perSecond: 1e6, burst: 1e6 } } },
  });
  rfqId = (await call(t.url, 'POST', '/rfqs', { key: t.users[0]!.apiKey, body: RFQ_BODY })).body.id;
});
after(() => t.close());

const UUID = '00000000-0000-4000-8000-000000000001';
const WRITES = () => [
  { method: 'POST', path: '/rfqs', key: t.users[0]!.apiKey },
  { method: 'POST', path: '/mm/quotes', key: t.mms[0]!.apiKey },
  { method: 'DELETE', path: `/rfqs/${rfqId}`, key: t.users[1]!.apiKey },
  { method: 'PUT', path: `/rfqs/${rfqId}/quotes/${UUID}/accept`, key: t.users[0]!.apiKey },
  { method: 'PUT', path: `/mm/quotes/${UUID}/confirm`, key: t.mms[0]!.apiKey },
];

function typedAnswer(res: { status: number; body: unknown }): void {
  if (res.status < 400) return;
  const error = (res.body as { error?: { code?: unknown; message?: unknown } }).error;
  assert.ok(error && isErrorCode(error.code), `typed error envelope, got ${JSON.stringify(res.body)}`);
  assert.equal(
    ERRORS[error.code as keyof typeof ERRORS].status,
    res.status,
    `status of ${String(error.code)}`,
  );
  assert.equal(typeof error.message, 'string');
}

const fieldNames = fc.constantFrom(
  'legs',
  'bet_amount',
  'expires_in_seconds',
  'rfq_id',
  'payout_odds',
  'valid_for_seconds',
  'leg_prices',
  'reason',
  'kalshi_market_ticker',
  'side',
  '__proto__',
  'constructor',
);

describe('fuzz: REST', { timeout: 120_000 }, () => {
  test('random bytes as bodies', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...WRITES()),
        fc.uint8Array({ maxLength: 512 }),
        async (route, bytes) => {
          const res = await fetch(`${t.url}${route.path}`, {
            method: route.method,
            headers: { 'x-api-key': route.key, 'content-type': 'application/json' },
            body: bytes,
          });
          const text = await res.text();
          typedAnswer({ status: res.status, body: text ? JSON.parse(text) : null });
        },
      ),
      { numRuns: 150, seed: SEED },
    );
  });

  test('random JSON, shaped like the real requests', async () => {
    const shaped = fc.oneof(
      fc.jsonValue(),
      fc.dictionary(fieldNames, fc.jsonValue(), { maxKeys: 5 }),
      fc.record({
        legs: fc.array(
          fc.dictionary(fieldNames, fc.oneof(fc.string(), fc.constantFrom('yes', 'no', 'KXA-26-T1')), {
            maxKeys: 3,
          }),
          { maxLength: 6 },
        ),
        bet_amount: fc.oneof(fc.double(), fc.integer(), fc.string()),
      }),
      fc.record({
        rfq_id: fc.oneof(fc.uuid(), fc.constant(rfqId)),
        payout_odds: fc.oneof(fc.double(), fc.integer({ min: -5, max: 2000 })),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...WRITES()), shaped, async (route, body) => {
        typedAnswer(
          await call(t.url, route.method, route.path, {
            key: route.key,
            raw: JSON.stringify(body) ?? 'null',
          }),
        );
      }),
      { numRuns: 200, seed: SEED },
    );
  });

  test('random paths and query strings', async () => {
    const segment = fc.stringMatching(/^[A-Za-z0-9%._~-]{0,40}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/rfqs', '/rfqs/', '/mm/rfqs', '/mm/quotes', '/markets', '/rfqs/%zz', '/mm/quotes/'),
        segment,
        fc.array(fc.tuple(segment, segment), { maxLength: 4 }),
        async (prefix, tail, pairs) => {
          const query = pairs.map(([k, v]) => `${k}=${v}`).join('&');
          typedAnswer(await call(t.url, 'GET', `${prefix}${tail}?${query}`, { key: t.mms[0]!.apiKey }));
        },
      ),
      { numRuns: 150, seed: SEED },
    );
  });
});

describe('fuzz: WebSocket', { timeout: 120_000 }, () => {
  test('binary mode: random frames get typed errors (or, for a run of junk, close 4000)', async () => {
    const mm = t.mms[1]!;
    let client = await ProtoClient.authed(t.wsUrl, mm.apiKey, mm.signingSecretKey);
    let marker = 1;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 256 }), async (bytes) => {
        if (client.ws.readyState !== client.ws.OPEN) {
          assert.equal((await client.closed).code, CLOSE.PROTOCOL_ERROR.code);
          client = await ProtoClient.authed(t.wsUrl, mm.apiKey, mm.signingSecretKey);
        }
        const before = client.frames.length;
        client.sendRaw(bytes);
        const id = BigInt(++marker);
        client.send({ case: 'ping', value: { clientTimeMs: id } });
        const settled = await Promise.race([
          (async () => {
            for (;;) {
              const pong = await client.next('pong');
              if (pong.clientTimeMs === id) return 'pong';
            }
          })(),
          client.closed.then(() => 'closed'),
        ]);
        for (const frame of client.frames.slice(before)) {
          if (frame.kind.case === 'error')
            assert.ok(isErrorCode(frame.kind.value.code), frame.kind.value.code);
        }
        if (settled === 'closed') assert.equal((await client.closed).code, CLOSE.PROTOCOL_ERROR.code);
      }),
      { numRuns: 200, seed: SEED },
    );
    // Every server frame decoded as a parlay.v1.ServerFrame (ProtoClient decodes each) with a known kind.
    for (const frame of client.frames) assert.notEqual(frame.kind.case, undefined);
    client.ws.close();
  });

  test('JSON mode: random text and random messages get typed errors, never a crash', async () => {
    let client = await JsonClient.authed(t.wsUrl, { api_key: t.plainMm.apiKey });
    const message = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null'),
      fc
        .record({
          type: fc.constantFrom(
            'auth',
            'subscribe',
            'unsubscribe',
            'ping',
            'quote:submit',
            'quote:replace',
            'quote:withdraw',
            'quote:confirm',
            'quote:reject',
            'cancel_on_disconnect',
            'nope',
          ),
          request_id: fc.oneof(fc.string({ maxLength: 80 }), fc.integer()),
          channel: fc.oneof(
            fc.string({ maxLength: 40 }),
            fc.constantFrom('rfqs:open', `rfq:${rfqId}`, 'mm:quotes:mm-1'),
          ),
          rfq_id: fc.oneof(fc.uuid(), fc.constant(rfqId)),
          quote_id: fc.uuid(),
          payout_odds: fc.oneof(fc.double(), fc.integer()),
          from_seq: fc.oneof(fc.integer(), fc.string()),
          enabled: fc.jsonValue(),
        })
        .map((m) => JSON.stringify(m)),
    );
    let marker = 1;
    await fc.assert(
      fc.asyncProperty(message, async (text) => {
        if (client.ws.readyState !== client.ws.OPEN) {
          assert.equal((await client.closed).code, CLOSE.PROTOCOL_ERROR.code);
          client = await JsonClient.authed(t.wsUrl, { api_key: t.plainMm.apiKey });
        }
        const before = client.messages.length;
        client.send(text);
        const id = ++marker;
        client.send({ type: 'ping', timestamp: id });
        const settled = await Promise.race([
          client.next((m) => m.type === 'pong' && m.client_timestamp === id).then(() => 'pong'),
          client.closed.then(() => 'closed'),
        ]);
        for (const m of client.messages.slice(before)) {
          assert.equal(typeof m.type, 'string');
          if (m.type === 'error' || m.type === 'auth:error') assert.ok(isErrorCode(m.code), m.code);
        }
        if (settled === 'closed') assert.equal((await client.closed).code, CLOSE.PROTOCOL_ERROR.code);
      }),
      { numRuns: 300, seed: SEED },
    );
    await client.close();
  });

  test('after all that, the server is healthy and serves new clients', async () => {
    assert.equal((await call(t.url, 'GET', '/healthz')).status, 200);
    const fresh = await JsonClient.authed(t.wsUrl, { api_key: t.plainMm.apiKey });
    const sub = await fresh.subscribe('rfqs:open');
    assert.equal(sub.type, 'subscribed');
    await fresh.close();
  });
});
