/**
 * Persistence settings with their defaults. The composition root fills them from the environment;
 * tests pass their own database URL and key prefix so concurrent runs never share state.
 */
export interface PersistenceConfig {
  /** Redis holding the hot snapshots and the event buffer. */
  redisUrl: string;
  /** Postgres holding the record; the database is created at boot if it does not exist. */
  databaseUrl: string;
  /** Prefix of every Redis key (it is also the cluster hash tag, so one engine's keys share a slot). */
  keyPrefix: string;
  /** A commit not confirmed by Redis within this time is refused (and undone if it landed late). */
  commitTimeoutMs: number;
  /** Most events the writer stores in one Postgres transaction. */
  writerMaxBatch: number;
  /** Longest the writer waits before storing what is buffered: with maxBatch, this bounds the lag. */
  writerIntervalMs: number;
  /** Beyond this many events not yet in Postgres, commands are refused (Redis must not fill up). */
  maxBufferedEvents: number;
  /** Postgres pool size. */
  poolSize: number;
  /** At boot, how long to wait for Postgres to catch up with what an earlier process buffered. */
  bootDrainTimeoutMs: number;
}

export const DEFAULT_PERSISTENCE_CONFIG: Readonly<PersistenceConfig> = Object.freeze({
  redisUrl: 'redis://127.0.0.1:6379',
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/parlay_rfq',
  keyPrefix: 'parlay',
  commitTimeoutMs: 2_000,
  writerMaxBatch: 2_000,
  writerIntervalMs: 50,
  maxBufferedEvents: 1_000_000,
  poolSize: 10,
  bootDrainTimeoutMs: 30_000,
});

export class PersistenceConfigError extends Error {
  override readonly name = 'PersistenceConfigError';
}

/** Fills defaults and refuses values that cannot work, so a bad environment fails at boot. */
export function resolvePersistenceConfig(partial: Partial<PersistenceConfig> = {}): PersistenceConfig {
  const config = { ...DEFAULT_PERSISTENCE_CONFIG, ...stripUndefined(partial) };
  const problems: string[] = [];
  const positive = (name: keyof PersistenceConfig) => {
    const v = config[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
      problems.push(`${name} must be a positive integer`);
  };
  positive('commitTimeoutMs');
  positive('writerMaxBatch');
  positive('writerIntervalMs');
  positive('maxBufferedEvents');
  positive('poolSize');
  positive('bootDrainTimeoutMs');
  if (!/^rediss?:\/\//.test(config.redisUrl)) problems.push('redisUrl must be a redis:// or rediss:// URL');
  if (!/^postgres(ql)?:\/\//.test(config.databaseUrl)) problems.push('databaseUrl must be a postgres:// URL');
  if (!/^[A-Za-z0-9:_.-]+$/.test(config.keyPrefix)) problems.push('keyPrefix must be [A-Za-z0-9:_.-]+');
  if (problems.length > 0) throw new PersistenceConfigError(problems.join('; '));
  return config;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
