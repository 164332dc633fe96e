import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MmClient } from '../../gateway/client/mmClient.ts';
import { MmCommandError } from '../../gateway/client/types.ts';
import { CLOSE } from '../../gateway/closeCodes.ts';
import { call, RFQ_BODY } from './support/http.ts';
import { JsonClient } from './support/jsonClient.ts';
import { ProtoClient } from './support/protoClient.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

let t: TestGateway;
before(async () => {
  t = await startTestGateway({
    config: {
      heartbeatIntervalMs: 100,
      idleTimeoutMs: 400,
      sweepIntervalMs: 20,
      maxWsMessageBytes: 4_096,
      rateLimits: { mm: { perSecond: 0.001, burst: 3 } },
    },
  });
});
after(() => t.close());

describe('connection rules', { timeout: 30_000 }, () => {
  test('heartbeats carry the last seq of each subscribed channel', async () => {
    const ws = await JsonClient.authed(t.wsUrl, { api_key: t.plainMm.apiKey });
    const sub = await ws.subscribe('rfqs:open');
    // A heartbeat sent before the subscription took effect lists no streams: wait for one after it.
    const beat = await ws.next((m) => m.type === 'heartbeat' && m.streams.length > 0);
    assert.equal(typeof beat.timestamp, 'number');
    assert.deepEqual(beat.streams, [{ channel: 'rfqs:open', epoch: sub.epoch, seq: sub.seq }]);
    await ws.close();
  });

  test('a client that answers nothing (not even pings) is closed 4010; one that answers pings stays', async () => {
    const alive = await JsonClient.authed(t.wsUrl, { api_key: t.plainMm.apiKey });
    const dead = await JsonClient.connect(t.wsUrl, [], { autoPong: false });
    dead.send({ type: 'auth', api_key: t.users[0]!.apiKey });
    await dead.type('auth:success');
    const closed = await dead.closed;
    assert.equal(closed.code, CLOSE.IDLE.code);
    assert.equal(alive.ws.readyState, alive.ws.OPEN, 'silent longer, but its pongs count');
    await alive.close();
  });

  test('per-MM rate limit: RATE_LIMITED with retry_after over WebSocket, 429 with Retry-After over REST', async () => {
    const mm = t.mms[0]!;
    const client = new MmClient({
      url: t.wsUrl,
      apiKey: mm.apiKey,
      signingSecretKey: mm.signingSecretKey,
      reconnect: false,
    });
    await client.connect();
    const rfqs = await Promise.all(
      [1, 2, 3, 4].map(
        async () =>
          (await call(t.url, 'POST', '/rfqs', { key: t.users[1]!.apiKey, body: RFQ_BODY })).body.id as string,
      ),
    );
    for (const rfqId of rfqs.slice(0, 3)) await client.submitQuote({ rfqId, oddsFp: 30_000 });
    const limited = await client.submitQuote({ rfqId: rfqs[3]!, oddsFp: 30_000 }).catch((e: unknown) => e);
    assert.ok(limited instanceof MmCommandError);
    assert.equal(limited.code, 'RATE_LIMITED');
    assert.ok((limited.retryAfterMs ?? 0) > 0);
    const rest = await call(t.url, 'POST', '/mm/quotes', {
      key: mm.apiKey,
      body: { rfq_id: rfqs[3], payout_odds: 3 },
    });
    assert.equal(rest.status, 429);
    assert.equal(rest.body.error.code, 'RATE_LIMITED');
    assert.ok(Number(rest.headers.get('retry-after')) >= 1);
    const reads = await call(t.url, 'GET', '/mm/quotes', { key: mm.apiKey });
    assert.equal(reads.status, 200, 'reads are not rate limited');
    await client.close();
  });

  test('undecodable frames get typed errors; ten in a row close the connection 4000', async () => {
    const json = await JsonClient.authed(t.wsUrl, { api_key: t.plainMm.apiKey });
    json.send('{not json');
    assert.equal((await json.type('error')).details.reason, 'malformed JSON');
    json.ws.send(Buffer.from([1, 2, 3]));
    assert.equal((await json.type('error')).details.reason, 'JSON mode takes text frames');
    json.send({ type: 'quote:launch', request_id: 'x' });
    const unknown = await json.type('error');
    assert.equal(unknown.details.field, 'type');
    assert.equal(unknown.request_id, 'x');
    json.send({ type: 'ping' });
    await json.type('pong');
    await json.close();

    const proto = await ProtoClient.authed(t.wsUrl, t.mms[1]!.apiKey, t.mms[1]!.signingSecretKey);
    for (let i = 0; i < 10; i++) proto.sendRaw(Uint8Array.from([0xff, 0xff, 0xff, i]));
    const first = await proto.next('error');
    assert.equal(first.code, 'INVALID_REQUEST');
    assert.equal((await proto.closed).code, CLOSE.PROTOCOL_ERROR.code);
  });

  test('a frame over maxWsMessageBytes drops the connection (uWS sends no close frame: 1006)', async () => {
    const ws = await JsonClient.authed(t.wsUrl, { api_key: t.plainMm.apiKey });
    ws.send({ type: 'ping', pad: 'x'.repeat(8_192) });
    assert.equal((await ws.closed).code, 1006);
    const health = await call(t.url, 'GET', '/healthz');
    assert.equal(health.status, 200);
  });
});
