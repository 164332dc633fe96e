/**
 * Connecting to Postgres: the database is created if missing, BIGINT comes back as an exact number
 * (or an error, never a rounded float), and kysely sits on one pool.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../engine/logger.ts';
import { UnsafeIntegerError } from '../errors.ts';
import type { Database } from './schema.ts';

const INT8_OID = 20;

/** BIGINT → number, refusing values a double cannot hold exactly (money and times must stay exact). */
export function parseBigint(raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new UnsafeIntegerError(raw);
  return value;
}

// Per pool, not pg.types globally: other code in the process may rely on pg's defaults.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseBigint
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function createPool(url: string, max: number, logger: Logger): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, types, connectionTimeoutMillis: 5_000 });
  // A client losing its connection (Postgres restarting) must not crash the process: idle ones report
  // on the pool, busy ones on themselves (their query fails too, and the caller retries).
  pool.on('error', (error) => logger.warn({ err: error }, 'idle postgres client error'));
  pool.on('connect', (client) =>
    client.on('error', (error) => logger.warn({ err: error }, 'postgres connection error')),
  );
  return pool;
}

export const createDb = (pool: pg.Pool): Kysely<Database> =>
  new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

/** The URL of the same server's maintenance database, and the database name `url` points at. */
export function maintenanceUrl(url: string): { adminUrl: string; database: string } {
  const parsed = new URL(url);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(database)) throw new Error(`unsupported database name: ${database}`);
  parsed.pathname = '/postgres';
  return { adminUrl: parsed.toString(), database };
}

/** Creates the database `url` names if it does not exist; true when it was created. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const { adminUrl, database } = maintenanceUrl(url);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE "${database}"`);
      return true;
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if ((error as { code?: string }).code === '42P04') return false;
      throw error;
    }
  } finally {
    await client.end();
  }
}

/** Drops the database `url` names (tests and benchmarks clean up after themselves). */
export async function dropDatabase(url: string): Promise<void> {
  const { adminUrl, database } = maintenanceUrl(url);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
