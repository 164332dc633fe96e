/**
 * Per-run isolation for persistence tests: every call gets its own Postgres database and Redis key
 * prefix on the shared local services, and `cleanup` drops both, so suites can run concurrently.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { EngineDeps } from '../../engine/engine.ts';
import { silentLogger } from '../../engine/logger.ts';
import { ManualClock } from '../../engine/manualClock.ts';
import type { MemoryFunds } from '../../engine/memoryFunds.ts';
import {
  createPersistence,
  type Persistence,
  type PersistenceOptions,
} from '../../persistence/createPersistence.ts';
import { dropDatabase } from '../../persistence/postgres/database.ts';
import { keyList } from '../../persistence/redis/keys.ts';
import { makeEngine, T0 } from '../support/engineHarness.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PG_BASE = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

export interface Names {
  databaseUrl: string;
  keyPrefix: string;
  redisUrl: string;
}

export function freshNames(options: { redisUrl?: string; pgBase?: string } = {}): Names {
  const tag = `${process.pid}_${randomBytes(4).toString('hex')}`;
  return {
    databaseUrl: `${options.pgBase ?? PG_BASE}/parlay_test_${tag}`,
    keyPrefix: `parlay-test-${tag}`,
    redisUrl: options.redisUrl ?? REDIS_URL,
  };
}

export function openPersistence(names: Names, options: Partial<PersistenceOptions> = {}): Persistence {
  return createPersistence({
    logger: silentLogger(),
    writerIntervalMs: 5,
    commitTimeoutMs: 1_000,
    ...names,
    ...options,
  });
}

/** Deletes the run's Redis keys (by name: no SCAN over a shared instance) and drops its database. */
export async function cleanup(names: Names): Promise<void> {
  const redis = new Redis(names.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
  });
  redis.on('error', () => {}); // a private Redis may already be gone with its data
  try {
    await redis.connect();
    const { redisKeys } = await import('../../persistence/redis/keys.ts');
    await redis.del(...keyList(redisKeys(names.keyPrefix)));
  } catch {
    // nothing to delete where there is no server
  } finally {
    redis.disconnect();
  }
  await dropDatabase(names.databaseUrl).catch(() => {});
}

/** An engine on these stores (the engineHarness pattern), started: recovery runs here. */
export async function engineOn(
  persistence: Persistence,
  options: { clock?: ManualClock; funds?: MemoryFunds; deps?: Partial<EngineDeps> } = {},
) {
  return makeEngine({
    clock: options.clock ?? new ManualClock(T0),
    snapshotStore: persistence.snapshots,
    ...(options.funds ? { funds: options.funds } : {}),
    deps: { records: persistence.records, ...options.deps },
  });
}

/** Redis contents of a run, parsed. */
export async function redisState(persistence: Persistence, redisUrl: string) {
  const redis = new Redis(redisUrl);
  redis.on('error', () => {}); // a failed read fails the test through the rejected command
  try {
    const k = persistence.keys;
    const [snap, live, ended, events, seq] = await Promise.all([
      redis.hgetall(k.snap),
      redis.zrange(k.live, 0, -1, 'WITHSCORES'),
      redis.zrange(k.ended, 0, -1),
      redis.zcard(k.events),
      redis.get(k.seq),
    ]);
    const liveScores = new Map<string, number>();
    for (let i = 0; i < live.length; i += 2) liveScores.set(live[i] as string, Number(live[i + 1]));
    return { snap, live: liveScores, ended, bufferedEvents: events, seq: Number(seq ?? 0) };
  } finally {
    redis.disconnect();
  }
}
