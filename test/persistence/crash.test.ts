import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { DomainEvent, RfqView } from '../../machines/domain.ts';
import { toRfqView } from '../../machines/rfqRules.ts';
import { foldEvents } from '../../persistence/fold.ts';
import { T0 } from '../support/engineHarness.ts';
import { ChildEngine } from './childEngine.ts';
import { assertDeadlineStamps, assertFact, assertWholeInputs, CrashModel } from './crashModel.ts';
import { cleanup, freshNames, openPersistence, redisState } from './support.ts';

const KILLS = 4;
const BURSTS_PER_ROUND = 40;

test('SIGKILL at random points: every acked transition survives, nothing unacked is half-applied', async (t) => {
  const names = freshNames();
  const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
  const model = new CrashModel(T0, seed);
  let child: ChildEngine | null = null;
  try {
    for (let round = 0; round <= KILLS; round++) {
      child = ChildEngine.spawn(names, model.now);
      const { restored } = await child.ready;
      if (round > 0) {
        assert.ok(restored >= 0);
        await verifyFacts(child, model);
      }
      const bursts = round === KILLS ? BURSTS_PER_ROUND : 1 + model.int(BURSTS_PER_ROUND);
      for (let b = 0; b < bursts; b++) await burst(child, model);
      if (round === KILLS) break;
      // The kill lands in the middle of a burst: some of its commands acked, some in flight.
      const inFlight = burst(child, model);
      await sleep(model.int(4));
      await child.kill();
      void inFlight;
    }
    // Last round: every deadline comes due, the writer catches up, the engine shuts down cleanly.
    const live = child as ChildEngine;
    model.now += 2 * 3_600_000;
    assert.equal((await live.send('advance', { to: model.now })).ok, true);
    const drained = await live.send('drain');
    assert.equal(drained.ok, true);
    const lastSeq = (drained as { value: { lastSeq: number } }).value.lastSeq;
    assert.equal(await live.stop(), 0);
    child = null;
    await verifyStores(names, model, lastSeq);
    const kinds = new Map<string, number>();
    for (const f of model.facts) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
    t.diagnostic(
      `seed ${seed}, ${KILLS} kills, ${lastSeq} events, acked: ${JSON.stringify(Object.fromEntries(kinds))}`,
    );
  } catch (error) {
    throw new Error(`crash test failed (CRASH_SEED=${seed}): ${(error as Error).message}`, { cause: error });
  } finally {
    await child?.kill();
    await cleanup(names);
  }
});

/** Sends 4–15 random commands at once (they share group commits) and records the acked ones. */
async function burst(child: ChildEngine, model: CrashModel): Promise<void> {
  const size = 4 + model.int(12);
  const sent = [];
  for (let i = 0; i < size; i++) {
    const command = model.next();
    sent.push(
      child.send(command.op, command.args).then((answer) => {
        if (!answer.ok) {
          assert.notEqual(answer.code, 'THREW', `${command.op} threw in the engine`);
          return;
        }
        const fact = command.onAck(answer.value);
        if (fact) model.facts.push(fact);
      }),
    );
  }
  await Promise.all(sent);
}

async function verifyFacts(child: ChildEngine, model: CrashModel): Promise<void> {
  const ids = [...new Set(model.facts.map((f) => f.rfqId))];
  const views = new Map<string, RfqView | null>();
  await Promise.all(
    ids.map(async (rfqId) => {
      const answer = await child.send('get', { rfqId });
      views.set(rfqId, answer.ok ? (answer.value as RfqView | null) : null);
    }),
  );
  for (const fact of model.facts) assertFact(fact, views.get(fact.rfqId) ?? null);
}

/** Reads Redis and Postgres directly: the log is gap-free, the record is its fold, Redis agrees. */
async function verifyStores(names: ReturnType<typeof freshNames>, model: CrashModel, lastSeq: number) {
  const p = openPersistence(names);
  await p.start();
  try {
    const rows = await p.db.selectFrom('events').select(['seq', 'payload']).orderBy('seq').execute();
    assert.equal(rows.length, lastSeq, 'one event per seq');
    assert.deepEqual(
      rows.map((r) => r.seq),
      rows.map((_, i) => i + 1),
      'the sequence is gap-free',
    );
    const events = rows.map((r) => r.payload as DomainEvent);
    const folded = foldEvents(new Map(), events);
    const views = new Map<string, RfqView>();
    for (const [rfqId, record] of folded) {
      const stored = await p.records.getRfq(rfqId);
      assert.deepEqual(
        stored,
        toRfqView(record.status, record.context),
        `record of ${rfqId} is the fold of its events`,
      );
      views.set(rfqId, stored as RfqView);
    }
    const count = await sql<{ n: number }>`SELECT count(*)::bigint AS n FROM rfqs`.execute(p.db);
    assert.equal(count.rows[0]?.n, folded.size, 'no record without events');
    for (const fact of model.facts) assertFact(fact, views.get(fact.rfqId) ?? null);
    assertWholeInputs(events);
    assertDeadlineStamps(events, views);
    for (const view of views.values())
      assert.ok(
        !['open', 'quoted', 'accepted'].includes(view.status),
        `rfq ${view.id} has no deadline left unfired`,
      );

    const redis = await redisState(p, names.redisUrl);
    assert.equal(redis.seq, lastSeq, 'redis and postgres end at the same seq');
    assert.equal(redis.bufferedEvents, 0, 'the buffer is drained');
    assert.equal(redis.ended.length, 0, 'ended snapshots are gone');
    assert.deepEqual(
      Object.keys(redis.snap).sort(),
      [...redis.live.keys()].sort(),
      'redis holds the live rfqs only',
    );
    for (const [rfqId, json] of Object.entries(redis.snap)) {
      const snapshot = JSON.parse(json);
      assert.deepEqual(
        views.get(rfqId),
        toRfqView(snapshot.value, snapshot.context),
        `redis and postgres agree on ${rfqId}`,
      );
    }
    assert.ok(model.facts.filter((f) => f.kind === 'create').length >= 150, 'a few hundred rfqs were driven');
  } finally {
    await p.stop();
  }
}
