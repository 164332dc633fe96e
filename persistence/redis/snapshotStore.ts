/**
 * RedisSnapshotStore: the engine's group commits, made durable in Redis.
 *
 * One commit is one Lua script (atomic: snapshots, the live index, the batch's events appended to the
 * buffer, the sequence), sent at once or refused at once (no offline queue). A commit that Redis does
 * not confirm within `commitTimeoutMs`, or whose connection drops, has an uncertain outcome: the store
 * rejects it (the engine undoes the batch and answers SERVICE_UNAVAILABLE), reports itself unavailable,
 * and runs the resolve script, which undoes the commit if it landed after all. Only then does it take
 * commits again, so Redis never holds a transition the engine forgot.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../engine/logger.ts';
import type { CommitBatch, SnapshotStore } from '../../engine/ports/store.ts';
import { isTerminal } from '../../machines/domain.ts';
import type { PersistedRfq } from '../../machines/rfq.ts';
import { nextDeadline } from '../../machines/rfqRules.ts';
import { CorruptRecordError, SnapshotCommitError } from '../errors.ts';
import { type RfqRecord, toPersisted } from '../fold.ts';
import { persistenceMetrics as metrics } from '../metrics.ts';
import { keyList, type RedisKeys } from './keys.ts';
import { commitScript, resolveScript } from './scripts.ts';

/** Where the record lives, for what Redis alone cannot answer. */
export interface DurableRecord {
  /** Highest seq stored in Postgres. */
  lastSeq(): Promise<number>;
  /** Live RFQs folded from the event log, when Redis came back empty. */
  liveRecords(): Promise<RfqRecord[]>;
}

export interface RedisSnapshotStoreOptions {
  redis: Redis;
  keys: RedisKeys;
  logger: Logger;
  commitTimeoutMs: number;
  record: DurableRecord;
  /** Events committed but not yet in Postgres; above `maxBufferedEvents` commits are refused. */
  backlog: () => number;
  maxBufferedEvents: number;
}

export interface LoadReport {
  loaded: number;
  /** Snapshots that could not be read back; skipped, logged and counted. */
  corrupt: Array<{ rfqId: string; error: string }>;
  /** True when Redis was empty and the live RFQs came from Postgres's event log. */
  rebuiltFromRecord: boolean;
}

const LOAD_CHUNK = 2_000;
const RESEED_CHUNK = 1_000;

export class RedisSnapshotStore implements SnapshotStore {
  private readonly redis: Redis;
  private readonly keys: string[];
  private readonly tokenBase = randomBytes(6).toString('hex');
  private tokenCounter = 0;
  private resolving: Promise<void> | null = null;
  private committedSeq = 0;
  private readonly listeners = new Set<(seq: number) => void>();
  lastLoad: LoadReport = { loaded: 0, corrupt: [], rebuiltFromRecord: false };

  constructor(private readonly options: RedisSnapshotStoreOptions) {
    this.redis = options.redis;
    this.keys = keyList(options.keys);
  }

  get available(): boolean {
    return (
      this.redis.status === 'ready' &&
      this.resolving === null &&
      this.options.backlog() <= this.options.maxBufferedEvents
    );
  }

  /** The last seq Redis confirmed: the writer drains up to here and never past an uncertain commit. */
  get confirmedSeq(): number {
    return this.committedSeq;
  }

  /** Called with the new confirmed seq after every commit (the writer wakes early on a full batch). */
  onCommitted(listener: (seq: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the committed sequence; call once connected, before the writer starts. */
  async init(): Promise<void> {
    this.committedSeq = Number((await this.redis.get(this.options.keys.seq)) ?? 0);
  }

  async commit(batch: CommitBatch): Promise<void> {
    if (this.redis.status !== 'ready' || this.resolving) {
      metrics.commitFailures.inc();
      throw new SnapshotCommitError('unavailable', 'redis is not connected');
    }
    if (this.options.backlog() > this.options.maxBufferedEvents) {
      metrics.commitFailures.inc();
      throw new SnapshotCommitError('backlog_full', 'too many events wait for postgres');
    }
    const token = `${this.tokenBase}-${++this.tokenCounter}`;
    const first = batch.events[0];
    const last = batch.events.at(-1);
    const lastSeq = last ? last.seq : this.committedSeq;
    const args: Array<string | number> = [token, first ? first.seq - 1 : -1, lastSeq, batch.snapshots.length];
    for (const write of batch.snapshots) {
      args.push(
        write.rfqId,
        isTerminal(write.status) ? 1 : 0,
        write.nextDeadline ?? '+inf',
        JSON.stringify(write.snapshot),
      );
    }
    for (const event of batch.events) args.push(event.seq, JSON.stringify(event));

    const started = process.hrtime.bigint();
    const sent = commitScript.run(this.redis, this.keys, args);
    try {
      await withTimeout(sent, this.options.commitTimeoutMs);
    } catch (error) {
      metrics.commitFailures.inc();
      if (error instanceof Error && error.message.startsWith('SEQ_CONFLICT')) {
        // The script checked before writing: nothing landed.
        this.options.logger.error({ err: error, firstSeq: first?.seq }, 'commit refused: sequence conflict');
        throw new SnapshotCommitError('sequence_conflict', error.message, { cause: error });
      }
      this.options.logger.error(
        { err: error, token, events: batch.events.length, rfqIds: batch.snapshots.map((s) => s.rfqId) },
        'commit outcome uncertain; undoing it if it landed',
      );
      this.resolve(token);
      throw new SnapshotCommitError('uncertain', 'redis did not confirm the commit', { cause: error });
    }
    metrics.commitSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
    this.committedSeq = lastSeq;
    for (const listener of this.listeners) listener(lastSeq);
  }

  async lastSeq(): Promise<number> {
    const [inRedis, inRecord] = await Promise.all([
      this.redis.get(this.options.keys.seq),
      this.options.record.lastSeq(),
    ]);
    return Math.max(Number(inRedis ?? 0), inRecord);
  }

  async loadLive(): Promise<PersistedRfq[]> {
    const { keys, logger } = this.options;
    if ((await this.redis.exists(keys.seq)) === 0) return this.rebuildFromRecord();
    const ids = await this.redis.zrange(keys.live, 0, -1);
    const live: PersistedRfq[] = [];
    const corrupt: LoadReport['corrupt'] = [];
    const fetch = (from: number) => {
      const request = this.redis.hmget(keys.snap, ...ids.slice(from, from + LOAD_CHUNK));
      request.catch(() => {}); // awaited below; not unhandled while the previous chunk is parsed
      return request;
    };
    // The next chunk is on the wire while this one is parsed.
    let pending = ids.length > 0 ? fetch(0) : null;
    for (let i = 0; pending; i += LOAD_CHUNK) {
      const values = await pending;
      pending = i + LOAD_CHUNK < ids.length ? fetch(i + LOAD_CHUNK) : null;
      values.forEach((raw, j) => {
        const rfqId = ids[i + j] as string;
        try {
          live.push(parseSnapshot(rfqId, raw));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          corrupt.push({ rfqId, error: message });
          metrics.corruptSnapshots.inc();
          logger.error({ rfqId, err: error }, 'snapshot unreadable; rfq not restored');
        }
      });
    }
    this.committedSeq = Number((await this.redis.get(keys.seq)) ?? 0);
    this.lastLoad = { loaded: live.length, corrupt, rebuiltFromRecord: false };
    return live;
  }

  /** Redis is empty: the live RFQs are folded from Postgres and written back, so the next boot is normal. */
  private async rebuildFromRecord(): Promise<PersistedRfq[]> {
    const { keys, logger } = this.options;
    const [records, lastSeq] = await Promise.all([
      this.options.record.liveRecords(),
      this.options.record.lastSeq(),
    ]);
    logger.warn(
      { live: records.length, lastSeq },
      'redis is empty: live rfqs rebuilt from the postgres event log',
    );
    const persisted = records.map(toPersisted);
    for (let i = 0; i < persisted.length; i += RESEED_CHUNK) {
      const tx = this.redis.multi();
      for (const [j, snapshot] of persisted.slice(i, i + RESEED_CHUNK).entries()) {
        const record = records[i + j] as RfqRecord;
        const deadline = nextDeadline(snapshot.value, snapshot.context);
        tx.hset(keys.snap, record.context.id, JSON.stringify(snapshot));
        tx.zadd(keys.live, deadline ?? '+inf', record.context.id);
      }
      await tx.exec();
    }
    // Written last: until it exists, a crash during the reseed makes the next boot rebuild again.
    await this.redis.set(keys.seq, lastSeq);
    this.committedSeq = lastSeq;
    this.lastLoad = { loaded: persisted.length, corrupt: [], rebuiltFromRecord: true };
    return persisted;
  }

  /** Undoes the uncertain commit `token` if it landed; retries across reconnects until Redis answers. */
  private resolve(token: string): void {
    const { logger } = this.options;
    const attempt = async (): Promise<void> => {
      for (;;) {
        if (this.redis.status === 'end') return; // closed on purpose (shutdown): the next boot reads what landed
        if (this.redis.status !== 'ready') {
          await readyOrEnd(this.redis);
          continue;
        }
        try {
          const undone = await resolveScript.run(this.redis, this.keys, [token]);
          logger.warn({ token, undone: undone === 1 }, 'uncertain commit resolved');
          return;
        } catch (error) {
          logger.error({ err: error, token }, 'resolving an uncertain commit failed; retrying');
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    this.resolving = attempt().finally(() => {
      this.resolving = null;
    });
  }

  /** Resolves once no uncertain commit is pending (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.resolving) await this.resolving;
  }
}

function parseSnapshot(rfqId: string, raw: string | null): PersistedRfq {
  if (raw === null) throw new CorruptRecordError('redis.snap', rfqId, 'indexed as live but has no snapshot');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new CorruptRecordError('redis.snap', rfqId, `invalid JSON: ${(error as Error).message}`);
  }
  const p = parsed as Partial<PersistedRfq> | null;
  const context = p?.context;
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.value !== 'string' ||
    typeof context !== 'object' ||
    context === null ||
    context.id !== rfqId ||
    !Array.isArray(context.quotes) ||
    !Array.isArray(context.legs)
  ) {
    throw new CorruptRecordError('redis.snap', rfqId, 'not an rfq snapshot');
  }
  return p as PersistedRfq;
}

/** Waits until the connection is ready again or closed for good. */
export function readyOrEnd(redis: Redis): Promise<void> {
  return new Promise<void>((done) => {
    const finish = () => {
      redis.off('ready', finish);
      redis.off('end', finish);
      done();
    };
    redis.on('ready', finish);
    redis.on('end', finish);
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  promise.catch(() => {}); // a late failure after the timeout is not unhandled
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
