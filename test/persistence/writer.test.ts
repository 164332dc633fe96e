import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { register } from 'prom-client';
import type { DomainEvent } from '../../machines/domain.ts';
import { toRfqView } from '../../machines/rfqRules.ts';
import { UnsafeIntegerError } from '../../persistence/errors.ts';
import { foldEvents } from '../../persistence/fold.ts';
import { parseBigint } from '../../persistence/postgres/database.ts';
import { storeBatch } from '../../persistence/postgres/projection.ts';
import { LEGS, must } from '../support/engineHarness.ts';
import { cleanup, engineOn, freshNames, openPersistence, redisState } from './support.ts';

const bet = 20_000_000;

async function lagGauge(): Promise<number> {
  const metric = register.getSingleMetric('parlay_event_writer_lag_events');
  return (await metric?.get())?.values[0]?.value ?? Number.NaN;
}

describe('write-behind event writer', () => {
  test('resumes after the last stored seq: a batch stored before a crash is not stored twice', async () => {
    const names = freshNames();
    try {
      const p = openPersistence(names);
      await p.start();
      await p.writer.stop();
      const h = await engineOn(p);
      for (let i = 0; i < 30; i++) {
        const rfq = must(await h.engine.createRfq(`user-${i % 3}`, { legs: LEGS, betMicro: bet }));
        must(await h.engine.submitQuote('mm-1', { rfqId: rfq.id, oddsFp: 25_000, replace: false }));
        if (i % 2) must(await h.engine.cancelRfq(`user-${i % 3}`, rfq.id));
      }
      await h.engine.stop();
      const total = h.engine.lastSeq;
      assert.equal(p.writer.backlog, total, 'nothing stored while the writer is stopped');
      const redis = await redisState(p, names.redisUrl);
      assert.equal(redis.bufferedEvents, total);
      assert.equal(redis.ended.length, 15, 'ended rfqs keep their snapshots until postgres has their events');

      // A crash after Postgres committed the first half and before Redis was trimmed.
      const raw = new Redis(names.redisUrl);
      const buffered = (await raw.zrange(p.keys.events, 0, -1)).map((j) => JSON.parse(j) as DomainEvent);
      raw.disconnect();
      const half = buffered.slice(0, Math.floor(total / 2) + 3);
      await storeBatch(p.db, half, new Map());
      await p.stop({ drain: false });

      const again = openPersistence(names, { writerMaxBatch: 7 });
      await again.start(); // resumes and catches up before returning
      const rows = await again.db.selectFrom('events').select(['seq', 'payload']).orderBy('seq').execute();
      assert.deepEqual(
        rows.map((r) => r.seq),
        buffered.map((e) => e.seq),
        'every event once',
      );
      const folded = foldEvents(new Map(), buffered);
      for (const [rfqId, record] of folded)
        assert.deepEqual(await again.records.getRfq(rfqId), toRfqView(record.status, record.context));
      const after = await redisState(again, names.redisUrl);
      assert.equal(after.bufferedEvents, 0, 'the buffer is trimmed');
      assert.equal(after.ended.length, 0);
      assert.equal(Object.keys(after.snap).length, 15, 'only live snapshots remain');
      assert.equal(await lagGauge(), 0, 'lag reported as caught up');
      await again.stop();
    } finally {
      await cleanup(names);
    }
  });

  test('BIGINT beyond 2^53 is refused, never rounded; the event log is append-only', async () => {
    assert.equal(parseBigint('9007199254740991'), Number.MAX_SAFE_INTEGER);
    assert.throws(() => parseBigint('9007199254740993'), UnsafeIntegerError);
    const names = freshNames();
    try {
      const p = openPersistence(names);
      await p.start();
      const { rows } = await sql<{ v: number }>`SELECT 1234567890123::bigint AS v`.execute(p.db);
      assert.strictEqual(rows[0]?.v, 1_234_567_890_123);
      await assert.rejects(sql`SELECT 9007199254740993::bigint AS v`.execute(p.db), UnsafeIntegerError);
      const h = await engineOn(p);
      must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
      await h.engine.stop();
      await p.writer.flush();
      await assert.rejects(sql`UPDATE events SET type = 'x'`.execute(p.db), /append-only/);
      await assert.rejects(sql`DELETE FROM events`.execute(p.db), /append-only/);
      const types = await sql<{ data_type: string; column_name: string }>`
        SELECT column_name, data_type FROM information_schema.columns
        WHERE column_name LIKE '%micro' AND table_schema = 'public'`.execute(p.db);
      assert.equal(types.rows.length, 7, 'bet, collateral, stake, mm risk, mm collateral, payout, fee');
      for (const c of types.rows) assert.equal(c.data_type, 'bigint', `${c.column_name} is BIGINT`);
      await p.stop();
    } finally {
      await cleanup(names);
    }
  });
});

describe('bad data in Redis', () => {
  test('a corrupt snapshot is skipped, logged and reported; the rest restores and the engine runs', async () => {
    const names = freshNames();
    try {
      const p = openPersistence(names);
      await p.start();
      const h = await engineOn(p);
      const ids: string[] = [];
      for (let i = 0; i < 4; i++)
        ids.push(must(await h.engine.createRfq('user-1', { legs: LEGS, betMicro: bet })).id);
      await h.engine.stop();
      await p.stop();
      const [broken, foreign, missing, good] = ids as [string, string, string, string];
      const raw = new Redis(names.redisUrl);
      await raw.hset(p.keys.snap, broken, '{"value":"open","context":');
      await raw.hset(
        p.keys.snap,
        foreign,
        JSON.stringify({ value: 'open', context: { id: 'someone-else' } }),
      );
      await raw.hdel(p.keys.snap, missing);
      raw.disconnect();

      const before =
        (await register.getSingleMetric('parlay_snapshot_corrupt_total')?.get())?.values[0]?.value ?? 0;
      const again = openPersistence(names);
      await again.start();
      const restarted = await engineOn(again);
      assert.equal(restarted.engine.liveCount, 1);
      assert.ok(restarted.engine.queries.liveView(good));
      assert.deepEqual(
        again.snapshots.lastLoad.corrupt.map((c) => c.rfqId).sort(),
        [broken, foreign, missing].sort(),
      );
      const after =
        (await register.getSingleMetric('parlay_snapshot_corrupt_total')?.get())?.values[0]?.value ?? 0;
      assert.equal(after - before, 3, 'counted for alerting');
      must(await restarted.engine.createRfq('user-1', { legs: LEGS, betMicro: bet }));
      await restarted.engine.stop();
      await again.stop();
    } finally {
      await cleanup(names);
    }
  });
});
