/**
 * Private Redis and Postgres servers for the tests that restart them: the machine's shared services
 * are never restarted (other suites use them). Each runs on a free port in a temp dir.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const PG_BIN = '/usr/lib/postgresql/15/bin';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`);
}

/** PING over a raw socket: no client library retrying (and reporting) while the server starts. */
function pingRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1_000, () => socket.destroy());
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      resolve(data.toString().startsWith('+PONG'));
      socket.destroy();
    });
  });
}

/**
 * A Redis with AOF fsync'd on every write: a restart (even SIGKILL) keeps what it acknowledged, as
 * production's Redis must (docs/persistence.md).
 */
export class PrivateRedis {
  private process: ChildProcess | null = null;
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), mkdtempSync(join(tmpdir(), 'parlay-redis-')));
    await redis.up();
    return redis;
  }

  async up(): Promise<void> {
    this.process = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
      ],
      { stdio: 'ignore' },
    );
    await until(() => pingRedis(this.port), 'private redis');
  }

  /** Kills the server (SIGKILL: no chance to flush anything beyond what AOF already has). */
  async down(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    this.process = null;
  }

  async destroy(): Promise<void> {
    await this.down();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A throwaway Postgres cluster (initdb + pg_ctl), run as the postgres user when we are root. */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Base URL without a database name. */
  get base(): string {
    return `postgres://postgres@127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'parlay-pg-'));
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      const ids = execFileSync('id', ['-u', 'postgres']).toString().trim();
      const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
      chownSync(dir, Number(ids), Number(gid));
    }
    const server = new PrivatePostgres(await freePort(), dir);
    server.run(`${PG_BIN}/initdb`, ['-D', join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync']);
    await server.up();
    return server;
  }

  private run(bin: string, args: string[]): void {
    if (process.getuid?.() === 0) {
      const quoted = [bin, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      execFileSync('su', ['postgres', '-c', quoted], { stdio: 'ignore' });
    } else execFileSync(bin, args, { stdio: 'ignore' });
  }

  async up(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.run(`${PG_BIN}/pg_ctl`, [
      '-D',
      join(this.dir, 'data'),
      '-o',
      options,
      '-l',
      join(this.dir, 'log'),
      '-w',
      'start',
    ]);
    await until(async () => {
      const client = new pg.Client({ connectionString: `${this.base}/postgres` });
      await client.connect();
      await client.end();
      return true;
    }, 'private postgres');
  }

  /** Stops at once (immediate mode: like a crash, connections are cut). */
  async down(): Promise<void> {
    this.run(`${PG_BIN}/pg_ctl`, ['-D', join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    try {
      await this.down();
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
