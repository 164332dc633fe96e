import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type WebSocket from 'ws';
import { MmClient } from '../../gateway/client/mmClient.ts';
import type { MmEvent } from '../../gateway/client/types.ts';
import { JsonClient } from './support/jsonClient.ts';
import { createRfqs } from './support/load.ts';
import { record } from './support/recorder.ts';
import { startTestGateway, type TestGateway } from './support/server.ts';

let t: TestGateway;
before(async () => {
  t = await startTestGateway();
});
after(() => t.close());

const socketOf = (client: MmClient) => (client as unknown as { ws: WebSocket }).ws;
const created = (events: MmEvent[]) => events.filter((e) => e.type === 'rfq.created').map((e) => e.rfqId);
const openSeqs = (events: MmEvent[]) => events.filter((e) => e.channel === 'rfqs:open').map((e) => e.seq);
const contiguous = (seqs: number[]) => seqs.every((s, i) => i === 0 || s === (seqs[i - 1] as number) + 1);

/**
 * Makes uWS skip frames for a live SDK connection: its socket stops reading while the kernel's buffers
 * (a few MB on loopback) and uWS's fill; the sweep that would cut it runs once a minute here. A long
 * (opaque) user id makes each frame ~2 KB, so a few thousand RFQs do it. After the client reads again,
 * publishing continues one RFQ per turn until the client has seen the gap.
 */
async function forceGap(replayBufferOpen: number) {
  const lossy = await startTestGateway({
    config: {
      backpressureLimitBytes: 4096,
      sweepIntervalMs: 60_000,
      heartbeatIntervalMs: 59_000,
      replayBufferOpen,
    },
  });
  const mm = lossy.mms[0]!;
  const client = new MmClient({
    url: lossy.wsUrl,
    apiKey: mm.apiKey,
    signingSecretKey: mm.signingSecretKey,
    reconnect: false,
  });
  const log = record(client);
  await client.connect();
  const socket = (socketOf(client) as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  socket.pause();
  const ids = await createRfqs(lossy, 6_000, `user-${'x'.repeat(2_000)}`);
  socket.resume();
  while (log.gap.items.length === 0) ids.push(...(await createRfqs(lossy, 1)));
  ids.push(...(await createRfqs(lossy, 1)));
  return {
    log,
    ids,
    close: async () => {
      await client.close();
      await lossy.close();
    },
  };
}

describe('resume and snapshot', { timeout: 60_000 }, () => {
  test('after a dropped connection the SDK resumes each channel from its last seq: missed events replayed, none twice', async () => {
    const mm = t.mms[0]!;
    const client = new MmClient({
      url: t.wsUrl,
      apiKey: mm.apiKey,
      signingSecretKey: mm.signingSecretKey,
      reconnect: false,
    });
    const log = record(client);
    await client.connect();
    const [first] = await createRfqs(t, 1);
    await log.event.next((e) => e.type === 'rfq.created' && e.rfqId === first);
    socketOf(client).terminate();
    await log.disconnected.next();
    const missed = await createRfqs(t, 5);
    await client.connect();
    const resumed = await log.resumed.next((r) => r.channel === 'rfqs:open');
    assert.equal(resumed.replayed, 5);
    for (const id of missed) await log.event.next((e) => e.type === 'rfq.created' && e.rfqId === id);
    assert.deepEqual(created(log.event.items), [first, ...missed]);
    assert.ok(contiguous(openSeqs(log.event.items)));
    assert.equal(
      log.snapshot.items.filter((s) => s.channel === 'rfqs:open').length,
      1,
      'only the first connect took a snapshot',
    );
    await client.close();
  });

  test('the SDK reconnects by itself and delivers every event exactly once, in order', async () => {
    const mm = t.mms[1]!;
    const client = new MmClient({
      url: t.wsUrl,
      apiKey: mm.apiKey,
      signingSecretKey: mm.signingSecretKey,
      reconnect: { initialDelayMs: 5, maxDelayMs: 20 },
    });
    const log = record(client);
    await client.connect();
    socketOf(client).terminate();
    const ids = await createRfqs(t, 20);
    for (const id of ids) await log.event.next((e) => e.type === 'rfq.created' && e.rfqId === id);
    assert.ok((await log.disconnected.next()).willReconnect);
    assert.deepEqual(created(log.event.items), ids);
    assert.ok(contiguous(openSeqs(log.event.items)));
    await client.close();
  });

  test('past the replay buffer a reconnecting client gets a snapshot of the board, then live events', async () => {
    const small = await startTestGateway({ config: { replayBufferOpen: 4 } });
    try {
      const mm = small.mms[0]!;
      const client = new MmClient({
        url: small.wsUrl,
        apiKey: mm.apiKey,
        signingSecretKey: mm.signingSecretKey,
        reconnect: false,
      });
      const log = record(client);
      await client.connect();
      socketOf(client).terminate();
      await log.disconnected.next();
      const ids = await createRfqs(small, 10);
      await client.connect();
      const snapshots = log.snapshot.items.filter((s) => s.channel === 'rfqs:open');
      assert.equal(snapshots.length, 2);
      const snapshot = snapshots[1]!;
      assert.equal(snapshot.seq, 10);
      assert.deepEqual(new Set(snapshot.rfqs.map((r) => r.id)), new Set(ids));
      assert.ok(!log.resumed.items.some((r) => r.channel === 'rfqs:open'));
      const [live] = await createRfqs(small, 1);
      const event = await log.event.next((e) => e.type === 'rfq.created' && e.rfqId === live);
      assert.equal(event.seq, 11);
      await client.close();
    } finally {
      await small.close();
    }
  });

  test('a gap on a live connection (frames skipped under backpressure) is detected and filled by replay', async () => {
    const { log, ids, close } = await forceGap(10_000);
    try {
      const gap = await log.gap.next();
      assert.equal(gap.channel, 'rfqs:open');
      assert.ok(gap.received > gap.expected);
      await log.event.next((e) => e.type === 'rfq.created' && e.rfqId === ids.at(-1));
      assert.deepEqual(created(log.event.items), ids, 'every RFQ exactly once, in order');
      assert.ok(contiguous(openSeqs(log.event.items)));
      assert.equal(log.snapshot.items.length, 2, 'no snapshot beyond the first connect');
    } finally {
      await close();
    }
  });

  test('a gap the ring can no longer fill is repaired by a snapshot, then live events', async () => {
    const { log, ids, close } = await forceGap(100);
    try {
      await log.gap.next();
      const repair = await log.snapshot.next((s) => s.channel === 'rfqs:open' && s.seq > 0);
      const delivered = new Set([...created(log.event.items), ...repair.rfqs.map((r) => r.id)]);
      const [after] = ids.slice(-1);
      await log.event.next((e) => e.type === 'rfq.created' && e.rfqId === after);
      for (const e of log.event.items) delivered.add(e.rfqId);
      assert.deepEqual(
        ids.filter((id) => !delivered.has(id)),
        [],
        'every RFQ is in the events or the snapshot',
      );
      assert.ok(contiguous(openSeqs(log.event.items.filter((e) => e.seq > repair.seq))));
    } finally {
      await close();
    }
  });

  test('JSON resume: the missed events are replayed; a wrong epoch or a future seq gets a snapshot', async () => {
    const mm = t.plainMm;
    const a = await JsonClient.authed(t.wsUrl, { api_key: mm.apiKey });
    const sub = await a.subscribe('rfqs:open');
    const [one] = await createRfqs(t, 1);
    const seen = await a.next((m) => m.type === 'rfq:created' && m.data.id === one);
    await a.close();
    const missed = await createRfqs(t, 3);
    const b = await JsonClient.authed(t.wsUrl, { api_key: mm.apiKey });
    const resumed = await b.subscribe('rfqs:open', { from_seq: seen.seq, epoch: sub.epoch });
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.replayed, 3);
    for (const [i, id] of missed.entries()) {
      const replay = await b.next((m) => m.type === 'rfq:created' && m.data.id === id);
      assert.equal(replay.seq, seen.seq + 1 + i);
    }
    for (const resume of [
      { from_seq: seen.seq, epoch: 'not-this-one' },
      { from_seq: 1_000_000, epoch: sub.epoch },
    ]) {
      const c = await JsonClient.authed(t.wsUrl, { api_key: mm.apiKey });
      const answer = await c.subscribe('rfqs:open', resume);
      assert.equal(answer.resumed, false);
      assert.ok(c.messages.some((m) => m.type === 'snapshot' && m.seq === answer.seq));
      await c.close();
    }
    await b.close();
  });
});
