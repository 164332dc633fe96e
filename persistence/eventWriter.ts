/**
 * The write-behind writer: drains the Redis event buffer into Postgres in batches (one transaction
 * each: events plus the records they change), then trims what Postgres now holds from Redis (buffered
 * events, snapshots of ended RFQs). It reads only up to the store's confirmed seq, never into a commit
 * whose outcome is still uncertain, and resumes after Postgres's highest seq, so across restarts no
 * event is lost or stored twice.
 *
 * Lag is bounded by `maxBatch` and `intervalMs` while Postgres is up, and exposed as
 * parlay_event_writer_lag_events / _lag_ms. While Postgres is down the writer retries with backoff and
 * the buffer grows; the snapshot store refuses commands past `maxBufferedEvents`.
 */
import type { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import type { Logger } from '../engine/logger.ts';
import type { Clock } from '../engine/ports/clock.ts';
import type { DomainEvent } from '../machines/domain.ts';
import { isTerminal } from '../machines/domain.ts';
import type { RfqRecord } from './fold.ts';
import { persistenceMetrics as metrics } from './metrics.ts';
import { maxStoredSeq, storeBatch } from './postgres/projection.ts';
import type { Database } from './postgres/schema.ts';
import { keyList, type RedisKeys } from './redis/keys.ts';
import { trimScript } from './redis/scripts.ts';

export interface EventWriterOptions {
  db: Kysely<Database>;
  /** Its own connection: large reads must not delay the commits on the store's connection. */
  redis: Redis;
  keys: RedisKeys;
  /** The seq Redis has confirmed (RedisSnapshotStore.confirmedSeq). */
  confirmedSeq: () => number;
  logger: Logger;
  clock: Clock;
  maxBatch: number;
  intervalMs: number;
  /** Live records kept in memory so a batch rarely reads Postgres before writing it. */
  cacheSize?: number;
}

const MAX_BACKOFF_MS = 2_000;

export class EventWriter {
  private stored = 0;
  private trimmed = 0;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private failures = 0;
  private readonly cache = new Map<string, RfqRecord>();
  private readonly cacheSize: number;

  constructor(private readonly options: EventWriterOptions) {
    this.cacheSize = options.cacheSize ?? 100_000;
  }

  /** Highest seq stored in Postgres. */
  get storedSeq(): number {
    return this.stored;
  }

  /** Events confirmed in Redis and not yet in Postgres. */
  get backlog(): number {
    return Math.max(0, this.options.confirmedSeq() - this.stored);
  }

  async start(): Promise<void> {
    this.stored = await maxStoredSeq(this.options.db);
    this.trimmed = 0;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the batch in progress; with `drain`, first stores everything confirmed so far. */
  async stop(options: { drain?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (options.drain && this.running) {
      const drained = await this.flush(options.timeoutMs);
      if (!drained)
        this.options.logger.warn({ backlog: this.backlog }, 'writer stopped with events still in redis');
    }
    this.running = false;
    this.nudge();
    await this.loop;
    this.loop = null;
  }

  /** Wakes the writer now (a full batch is waiting). */
  nudge(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /**
   * Resolves true once every event confirmed when called is stored in Postgres and trimmed from Redis;
   * false if that did not happen within `timeoutMs` (Postgres down).
   */
  async flush(timeoutMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const target = this.options.confirmedSeq();
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (this.stored >= target && this.trimmed >= this.stored) return true;
      if (!this.running || Date.now() >= until) return false;
      this.nudge();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      let full = false;
      try {
        full = await this.storeOnce();
        this.failures = 0;
      } catch (error) {
        this.failures++;
        metrics.writerFailures.inc();
        if (this.failures === 1 || this.failures % 50 === 0)
          this.options.logger.error(
            { err: error, storedSeq: this.stored, failures: this.failures },
            'event writer batch failed; retrying',
          );
      }
      if (!this.running || full) continue;
      const delay =
        this.failures > 0
          ? Math.min(this.options.intervalMs * 2 ** this.failures, MAX_BACKOFF_MS)
          : this.options.intervalMs;
      await new Promise<void>((resume) => {
        const timer = setTimeout(resume, delay);
        this.wake = () => {
          clearTimeout(timer);
          resume();
        };
      });
      this.wake = null;
    }
  }

  /** One batch; true when it was full (more is waiting, go again at once). */
  private async storeOnce(): Promise<boolean> {
    const { redis, keys, maxBatch, logger } = this.options;
    const upTo = this.options.confirmedSeq();
    if (this.trimmed < this.stored) await this.trim();
    if (upTo <= this.stored) {
      metrics.writerLagEvents.set(0);
      metrics.writerLagMs.set(0);
      return false;
    }
    const raw = await redis.zrangebyscore(keys.events, `(${this.stored}`, upTo, 'LIMIT', 0, maxBatch);
    const events = this.parse(raw);
    const first = events[0];
    if (!first) return false;
    if (first.seq !== this.stored + 1) {
      // Redis lost buffered events (it restarted without them): record what remains, say what is gone.
      metrics.eventGaps.inc();
      logger.error(
        { from: this.stored + 1, to: first.seq - 1 },
        'event sequence gap: events lost before postgres',
      );
    }
    metrics.writerLagEvents.set(upTo - this.stored);
    metrics.writerLagMs.set(Math.max(0, this.options.clock.now() - first.at));
    const result = await storeBatch(this.options.db, events, this.cache);
    this.remember(result.records);
    this.stored = Math.max(this.stored, result.storedSeq, (events.at(-1) as DomainEvent).seq);
    metrics.writerStored.inc(result.applied);
    metrics.writerLagEvents.set(Math.max(0, this.options.confirmedSeq() - this.stored));
    await this.trim();
    return raw.length === maxBatch;
  }

  private parse(raw: string[]): DomainEvent[] {
    const events: DomainEvent[] = [];
    for (const json of raw) {
      try {
        const event = JSON.parse(json) as DomainEvent;
        if (!Number.isSafeInteger(event.seq) || typeof event.rfqId !== 'string')
          throw new Error('not an event');
        events.push(event);
      } catch (error) {
        metrics.corruptSnapshots.inc();
        this.options.logger.error(
          { err: error, raw: json.slice(0, 200) },
          'buffered event unreadable; skipped',
        );
      }
    }
    return events;
  }

  /** Drops from Redis what Postgres holds; a failure is retried on the next round (trimming is idempotent). */
  private async trim(): Promise<void> {
    const target = this.stored;
    try {
      await trimScript.run(this.options.redis, keyList(this.options.keys).slice(0, 4), [target]);
      this.trimmed = target;
    } catch (error) {
      this.options.logger.warn({ err: error, storedSeq: target }, 'trimming redis failed; will retry');
    }
  }

  private remember(records: Map<string, RfqRecord>): void {
    for (const [id, record] of records) {
      this.cache.delete(id);
      if (!isTerminal(record.status)) this.cache.set(id, record);
    }
    // Oldest first out: the cache only saves reads, a miss is read from Postgres.
    for (const id of this.cache.keys()) {
      if (this.cache.size <= this.cacheSize) break;
      this.cache.delete(id);
    }
  }
}
