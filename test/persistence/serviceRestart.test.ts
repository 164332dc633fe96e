import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { register } from 'prom-client';
import { ManualClock } from '../../engine/manualClock.ts';
import { type Clock, systemClock } from '../../engine/ports/clock.ts';
import type { Persistence } from '../../persistence/createPersistence.ts';
import { codeOf, LEGS } from '../support/engineHarness.ts';
import { PrivatePostgres, PrivateRedis } from './privateServices.ts';
import { cleanup, engineOn, freshNames, type Names, openPersistence } from './support.ts';

const bet = 20_000_000;
type Engine = Awaited<ReturnType<typeof engineOn>>['engine'];

/** Creates RFQs from `workers` concurrent loops until stopped; records acked ids and refusal codes. */
function load(engine: Engine, workers = 8) {
  const acked: string[] = [];
  const refused: string[] = [];
  let running = true;
  let okSinceMark = 0;
  const loops = Array.from({ length: workers }, async (_, w) => {
    while (running) {
      const r = await engine.createRfq(`user-${w}`, { legs: LEGS, betMicro: bet, ttlMs: 3_600_000 });
      if (r.ok) {
        acked.push(r.value.id);
        okSinceMark++;
      } else {
        refused.push(codeOf(r) as string);
        await sleep(5);
      }
    }
  });
  return {
    acked,
    refused,
    mark: () => {
      okSinceMark = 0;
    },
    okSinceMark: () => okSinceMark,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/**
 * Restarts engine + persistence on the same stores; every acked RFQ must be back, and nothing else.
 * `clock`: the time the RFQs were made in (restored on another, they could already have expired).
 */
async function assertExactlyAcked(names: Names, acked: string[], clock: Clock = systemClock): Promise<void> {
  const p = openPersistence(names);
  await p.start();
  const h = await engineOn(p, { deps: { clock } });
  try {
    assert.equal(h.engine.liveCount, acked.length, 'restored rfqs are exactly the acked ones');
    for (const id of acked) assert.ok(h.engine.queries.liveView(id), `acked rfq ${id} restored`);
    const rows = await p.db.selectFrom('events').select('seq').orderBy('seq').execute();
    assert.equal(rows.length, h.engine.lastSeq, 'postgres holds every event once');
    assert.deepEqual(
      rows.map((r) => r.seq),
      rows.map((_, i) => i + 1),
    );
    const stored = await p.db.selectFrom('rfqs').select('id').execute();
    assert.deepEqual(
      stored.map((r) => r.id).sort(),
      [...acked].sort(),
      'the record holds exactly the acked rfqs',
    );
  } finally {
    await h.engine.stop();
    await p.stop();
  }
}

describe('service restarts during load', () => {
  test('Redis killed and restarted: refused with SERVICE_UNAVAILABLE, resumes by itself, no acked data lost', async () => {
    const redis = await PrivateRedis.start();
    const names = freshNames({ redisUrl: redis.url });
    let p: Persistence | null = null;
    try {
      p = openPersistence(names, { commitTimeoutMs: 300 });
      await p.start();
      const h = await engineOn(p, { deps: { clock: systemClock, retryDelayMs: 50 } });
      const traffic = load(h.engine);
      await waitFor(() => traffic.acked.length >= 200, 'load before the outage');
      await redis.down();
      await waitFor(() => traffic.refused.length >= 20, 'refusals during the outage');
      const ackedBeforeRestart = traffic.acked.length;
      await redis.up();
      traffic.mark();
      await waitFor(() => traffic.okSinceMark() >= 200, 'acks after redis is back');
      await traffic.stop();
      await h.engine.stop();
      await p.stop();
      p = null;
      assert.ok(traffic.acked.length > ackedBeforeRestart + 100, 'service resumed by itself');
      assert.deepEqual([...new Set(traffic.refused)], ['SERVICE_UNAVAILABLE']);
      await assertExactlyAcked(names, traffic.acked);
    } finally {
      await p?.stop({ timeoutMs: 1_000 });
      await cleanup(names);
      await redis.destroy();
    }
  });

  test('Postgres killed and restarted: commands go on (write-behind) until the buffer is full, then SERVICE_UNAVAILABLE; the writer catches up', async () => {
    const postgres = await PrivatePostgres.start();
    const names = freshNames({ pgBase: postgres.base });
    let p: Persistence | null = null;
    try {
      p = openPersistence(names, { maxBufferedEvents: 300 });
      await p.start();
      const h = await engineOn(p, { deps: { clock: systemClock, retryDelayMs: 50 } });
      const traffic = load(h.engine);
      await waitFor(() => traffic.acked.length >= 200, 'load before the outage');
      await postgres.down();
      traffic.mark();
      await waitFor(() => traffic.refused.length >= 20, 'refusals once the buffer is full');
      assert.ok(traffic.okSinceMark() > 0, 'commands were acked while postgres was down');
      assert.ok(p.writer.backlog > 300, 'the buffer filled up');
      const lag = (await register.getSingleMetric('parlay_event_writer_lag_events')?.get())?.values[0]?.value;
      assert.ok((lag ?? 0) > 0, 'the lag shows on the metric');
      await postgres.up();
      traffic.mark();
      await waitFor(() => traffic.okSinceMark() >= 200, 'acks after postgres is back');
      await traffic.stop();
      await h.engine.stop();
      await p.stop();
      p = null;
      assert.deepEqual([...new Set(traffic.refused)], ['SERVICE_UNAVAILABLE']);
      await assertExactlyAcked(names, traffic.acked);
    } finally {
      await p?.stop({ timeoutMs: 1_000 });
      await cleanup(names);
      await postgres.destroy();
    }
  });

  test('a commit Redis confirms too late is undone: the engine and Redis agree it never happened', async () => {
    const redis = await PrivateRedis.start();
    const names = freshNames({ redisUrl: redis.url });
    try {
      const p = openPersistence(names, { commitTimeoutMs: 100 });
      await p.start();
      const h = await engineOn(p);
      const first = await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet });
      assert.equal(first.ok, true);
      const seq = h.engine.lastSeq;
      const admin = new Redis(redis.url);
      await admin.client('PAUSE', 400, 'WRITE'); // the commit is held, then runs after the store gave up
      const late = await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet });
      assert.equal(codeOf(late), 'SERVICE_UNAVAILABLE');
      assert.equal(p.snapshots.available, false, 'no commits while the outcome is unknown');
      await p.snapshots.settled();
      assert.equal(p.snapshots.available, true);
      assert.equal(await admin.hlen(p.keys.snap), 1, 'the late commit was undone');
      assert.equal(Number(await admin.get(p.keys.seq)), seq);
      assert.equal(await admin.zcard(p.keys.live), 1);
      admin.disconnect();
      h.clock.advance(1_000); // the engine's back-off after a failed commit
      const next = await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet });
      assert.equal(next.ok, true);
      assert.equal(h.events.at(-1)?.seq, seq + 1, 'the sequence goes on without a gap');
      await h.engine.stop();
      await p.stop();
      const live = [first, next].map((r) => (r.ok ? r.value.id : ''));
      await assertExactlyAcked(names, live, new ManualClock(h.clock.now()));
    } finally {
      await cleanup(names);
      await redis.destroy();
    }
  });
});
