import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MmClient } from '../../gateway/client/mmClient.ts';
import { CLOSE } from '../../gateway/closeCodes.ts';
import { call } from './support/http.ts';
import { JsonClient } from './support/jsonClient.ts';
import { createRfqs } from './support/load.ts';
import { record } from './support/recorder.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

let t: TestGateway;
before(async () => {
  t = await startTestGateway({
    config: { backpressureLimitBytes: 64 * 1024, sweepIntervalMs: 20, replayBufferOpen: 50_000 },
  });
});
after(() => t.close());

describe('backpressure', { timeout: 60_000 }, () => {
  test('a consumer that stops reading is cut off (4008) while the others carry on, and it resumes after', async () => {
    const slow = await JsonClient.authed(t.wsUrl, { api_key: t.plainMm.apiKey });
    const subscribed = await slow.subscribe('rfqs:open');
    const mm = t.mms[0]!;
    const fast = new MmClient({
      url: t.wsUrl,
      apiKey: mm.apiKey,
      signingSecretKey: mm.signingSecretKey,
      reconnect: false,
    });
    const log = record(fast);
    await fast.connect();
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const ids: string[] = [];
    // Until the sweep cuts the slow socket: its kernel buffers fill first (a few MB), then uWS's.
    while (t.gateway.stats().connections === 2)
      ids.push(...(await createRfqs(t, 250, `user-${'y'.repeat(1_000)}`)));
    const last = ids.at(-1);
    await log.event.next((e) => e.type === 'rfq.created' && e.rfqId === last);
    const fastIds = log.event.items.filter((e) => e.type === 'rfq.created').map((e) => e.rfqId);
    assert.deepEqual(fastIds, ids, 'the fast consumer got every event, in order');

    socket.resume();
    const closed = await slow.closed;
    assert.equal(closed.code, CLOSE.BACKPRESSURE.code);
    assert.equal(closed.reason, CLOSE.BACKPRESSURE.reason);
    const seen = slow.messages.filter((m) => m.type === 'rfq:created');
    assert.ok(seen.length < ids.length);
    const lastSeq = seen.at(-1)?.seq as number;

    const back = await JsonClient.authed(t.wsUrl, { api_key: t.plainMm.apiKey });
    const resumed = await back.subscribe('rfqs:open', { from_seq: lastSeq, epoch: subscribed.epoch });
    assert.equal(resumed.resumed, true);
    await back.next((m) => m.type === 'rfq:created' && m.data.id === last);
    const replayed = back.messages.filter((m) => m.type === 'rfq:created').map((m) => m.data.id);
    assert.deepEqual([...seen.map((m) => m.data.id), ...replayed], ids, 'nothing lost across the cut');
    const metrics = await call(t.url, 'GET', '/metrics');
    assert.match(metrics.body, /gateway_ws_disconnects_total\{reason="backpressure"\} [1-9]/);
    await back.close();
    await fast.close();
  });
});
