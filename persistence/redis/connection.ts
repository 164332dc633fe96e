/**
 * The Redis connection as the snapshot store needs it: nothing is queued while disconnected (a
 * command either reaches Redis now or fails now), nothing is silently re-sent after a reconnect
 * (a re-sent commit could land after the engine undid it), and reconnection never stops.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../../engine/logger.ts';

export function connectRedis(url: string, logger: Logger, name: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    connectionName: name,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 5), 1_000),
  });
  let down = false;
  redis.on('ready', () => {
    if (down) logger.info({ connection: name }, 'redis reconnected');
    down = false;
  });
  redis.on('error', (error: Error) => {
    // ioredis reports every failed reconnect attempt: log the first of an outage only.
    if (!down) logger.error({ connection: name, err: error }, 'redis connection error');
    down = true;
  });
  redis.on('close', () => {
    if (!down) logger.warn({ connection: name }, 'redis connection closed');
    down = true;
  });
  return redis;
}
