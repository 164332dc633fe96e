/**
 * The persistence adapters, wired for the composition root:
 *
 * @example
 * const persistence = createPersistence({ logger, clock, redisUrl: env.REDIS_URL, databaseUrl: env.DATABASE_URL });
 * await persistence.start(); // database created + migrated, Redis connected, writer resumed
 * const engine = new Engine({ ...deps, store: persistence.snapshots, records: persistence.records });
 * await engine.start();      // loadLive: from Redis, or folded from Postgres if Redis came back empty
 * // …
 * await engine.stop();
 * await persistence.stop();  // drains the writer, closes connections
 */
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Logger } from '../engine/logger.ts';
import { type Clock, systemClock } from '../engine/ports/clock.ts';
import { type PersistenceConfig, resolvePersistenceConfig } from './config.ts';
import { EventWriter } from './eventWriter.ts';
import { createDb, createPool, ensureDatabase } from './postgres/database.ts';
import { PostgresIdentityStore } from './postgres/identityStore.ts';
import { migrateToLatest } from './postgres/migrations.ts';
import { maxStoredSeq } from './postgres/projection.ts';
import { PostgresRecordStore } from './postgres/recordStore.ts';
import type { Database } from './postgres/schema.ts';
import { connectRedis } from './redis/connection.ts';
import { type RedisKeys, redisKeys } from './redis/keys.ts';
import { RedisSnapshotStore } from './redis/snapshotStore.ts';

export interface PersistenceOptions extends Partial<PersistenceConfig> {
  logger: Logger;
  /** The engine's clock: the writer's lag in ms is measured on it. */
  clock?: Clock;
}

export interface Persistence {
  config: PersistenceConfig;
  snapshots: RedisSnapshotStore;
  records: PostgresRecordStore;
  identity: PostgresIdentityStore;
  writer: EventWriter;
  keys: RedisKeys;
  db: Kysely<Database>;
  /** Creates and migrates the database, connects Redis, resumes the writer. Call before engine.start(). */
  start(): Promise<void>;
  /** Stores what is buffered (bounded wait), stops the writer, closes every connection. Call after engine.stop(). */
  stop(options?: { drain?: boolean; timeoutMs?: number }): Promise<void>;
}

export function createPersistence(options: PersistenceOptions): Persistence {
  const { logger: parent, clock = systemClock, ...partial } = options;
  const config = resolvePersistenceConfig(partial);
  const logger = parent.child({ component: 'persistence' });
  const keys = redisKeys(config.keyPrefix);
  const pool: pg.Pool = createPool(config.databaseUrl, config.poolSize, logger);
  const db = createDb(pool);
  const redis: Redis = connectRedis(config.redisUrl, logger, 'parlay-snapshots');
  const writerRedis: Redis = connectRedis(config.redisUrl, logger, 'parlay-event-writer');
  const records = new PostgresRecordStore(db);
  const identity = new PostgresIdentityStore(db);
  let writer: EventWriter | null = null;
  const snapshots = new RedisSnapshotStore({
    redis,
    keys,
    logger,
    commitTimeoutMs: config.commitTimeoutMs,
    record: { lastSeq: () => maxStoredSeq(db), liveRecords: () => records.liveRecordsFromEvents() },
    backlog: () => writer?.backlog ?? 0,
    maxBufferedEvents: config.maxBufferedEvents,
  });
  writer = new EventWriter({
    db,
    redis: writerRedis,
    keys,
    confirmedSeq: () => snapshots.confirmedSeq,
    logger,
    clock,
    maxBatch: config.writerMaxBatch,
    intervalMs: config.writerIntervalMs,
  });
  const theWriter = writer;
  snapshots.onCommitted(() => {
    if (theWriter.backlog >= config.writerMaxBatch) theWriter.nudge();
  });

  return {
    config,
    snapshots,
    records,
    identity,
    writer: theWriter,
    keys,
    db,
    async start() {
      if (await ensureDatabase(config.databaseUrl))
        logger.info({ database: config.databaseUrl }, 'database created');
      const ran = await migrateToLatest(db);
      if (ran.length > 0) logger.info({ migrations: ran }, 'schema migrated');
      await Promise.all([redis.connect(), writerRedis.connect()]);
      await snapshots.init();
      await theWriter.start();
      // What an earlier process committed but did not store yet goes to Postgres before the engine
      // starts, so reads of RFQs that ended before the restart find their last state in the record.
      if (!(await theWriter.flush(config.bootDrainTimeoutMs)))
        logger.warn({ backlog: theWriter.backlog }, 'postgres has not caught up at boot; going on');
      logger.info(
        { keyPrefix: config.keyPrefix, confirmedSeq: snapshots.confirmedSeq, storedSeq: theWriter.storedSeq },
        'persistence started',
      );
    },
    async stop({ drain = true, timeoutMs = 10_000 } = {}) {
      // Both waits need the services; bounded, so a shutdown during an outage still ends.
      await Promise.race([snapshots.settled(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
      await theWriter.stop({ drain, timeoutMs });
      redis.disconnect();
      writerRedis.disconnect();
      await db.destroy();
    },
  };
}
