/**
 * The whole stack in this process on throwaway state — its own database, Redis key prefix and data
 * dir, free ports — and the clean-up that removes all of it: for the demo and the suite's end-to-end
 * sections, which run beside a developer's own `npm start`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Logger } from '../engine/logger.ts';
import { checkPrerequisites, readStackConfig, type Stack, type StackConfig, startStack } from '../main.ts';

export interface ScratchStack {
  stack: Stack;
  config: StackConfig;
  dispose(options?: { keep?: boolean }): Promise<void>;
}

export async function startScratchStack(
  name: string,
  logger: Logger,
  env: Record<string, string> = {},
): Promise<ScratchStack> {
  const stamp = `${name}_${Date.now().toString(36)}${process.pid}`;
  const dataDir = mkdtempSync(join(tmpdir(), `parlay-${name}-`));
  const db = new URL(readStackConfig().app.databaseUrl);
  db.pathname = `/parlay_${stamp}`;
  const config = readStackConfig({
    ...process.env,
    DATABASE_URL: db.toString(),
    REDIS_KEY_PREFIX: stamp,
    DATA_DIR: dataDir,
    PORT: '0',
    COMPAT_HTTP_PORT: '0',
    KALSHI_SIM_PORT: '0',
    ...env,
  });
  await checkPrerequisites(config.app);
  const stack = await startStack(config, logger);
  return {
    stack,
    config,
    async dispose(options = {}) {
      await stack.close();
      if (options.keep) return;
      await dropDatabase(config.app.databaseUrl);
      await deleteKeys(config.app.redisUrl, config.app.redisKeyPrefix);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
