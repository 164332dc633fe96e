/**
 * Persistence benchmark: the create → quote → accept → confirm cycle with persistence off (in-memory
 * store) and on (Redis group commit + Postgres write-behind), in the same run; the ack latency group
 * commit adds; recovery time for N live RFQs (100,000 by default; goal ≤ 3 s), split into Redis read
 * and actor restore, plus the Redis-empty rebuild from Postgres for the same N.
 *   node --import tsx bench/persistence.ts [--quick]
 * Uses the local Redis and Postgres with a private key prefix and database, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Engine } from '../engine/engine.ts';
import { silentLogger } from '../engine/logger.ts';
import { ManualClock } from '../engine/manualClock.ts';
import { MemoryFunds } from '../engine/memoryFunds.ts';
import { MemoryMarkets, marketInfo } from '../engine/memoryMarkets.ts';
import { MemoryStore } from '../engine/memoryStore.ts';
import type { RecordStore, SnapshotStore } from '../engine/ports/store.ts';
import { FullRiskEngine } from '../engine/risk/fullRisk.ts';
import { DEFAULT_LIMITS } from '../machines/limits.ts';
import { createPersistence, type Persistence } from '../persistence/createPersistence.ts';
import { dropDatabase } from '../persistence/postgres/database.ts';
import { keyList } from '../persistence/redis/keys.ts';

export interface PersistenceBenchReport {
  throughput: {
    cycles: number;
    concurrency: number;
    /** Acked commands (each one actor transition) per second. */
    offTransitionsPerSec: number;
    onTransitionsPerSec: number;
    /** on / off. */
    ratio: number;
    offAckP50Ms: number;
    offAckP99Ms: number;
    onAckP50Ms: number;
    onAckP99Ms: number;
    /** p99(on) − p99(off): what group commit adds to an ack under this load. */
    addedP99Ms: number;
    /** One command at a time: the bare Redis round trip behind an ack. */
    serialOnAckP99Ms: number;
    serialOffAckP99Ms: number;
  };
  recovery: {
    live: number;
    /** persistence.start(): connect, migrations check, writer resumed (nothing left to store). */
    persistenceStartMs: number;
    loadFromRedisMs: number;
    restoreActorsMs: number;
    totalMs: number;
    goalMs: number;
    met: boolean;
    rebuildFromPostgresMs: number;
  };
}

/** Persistence off: acks at once, keeps nothing (what the engine costs on its own). */
class DiscardStore extends MemoryStore {
  override async commit(): Promise<void> {}
}

const LEGS = [
  { ticker: 'KXA-1', side: 'yes' as const },
  { ticker: 'KXB-1', side: 'no' as const },
];
const BET = 20_000_000;

function engineOn(store: SnapshotStore, records: RecordStore) {
  const funds = new MemoryFunds();
  funds.credit({ kind: 'user', id: 'u' }, Number.MAX_SAFE_INTEGER / 4);
  funds.credit({ kind: 'mm', id: 'm' }, Number.MAX_SAFE_INTEGER / 4);
  return new Engine({
    clock: new ManualClock(),
    limits: DEFAULT_LIMITS,
    markets: new MemoryMarkets(LEGS.map((l) => marketInfo(l.ticker, { closeTime: Date.UTC(2035, 0, 1) }))),
    store,
    records,
    risk: new FullRiskEngine(),
    funds,
    logger: silentLogger(),
  });
}

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!r.ok) throw new Error(`bench command refused: ${r.error.code}`);
  return r.value;
}

/** Runs `cycles` create → quote → accept → confirm cycles, `concurrency` at a time; ack latencies in ms. */
async function cycles(engine: Engine, count: number, concurrency: number) {
  const latencies: number[] = [];
  const timed = async <T>(run: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    const result = await run();
    latencies.push(performance.now() - t);
    return result;
  };
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const rfq = must(await timed(() => engine.createRfq('u', { legs: LEGS, betMicro: BET })));
        const q = must(
          await timed(() => engine.submitQuote('m', { rfqId: rfq.id, oddsFp: 30_000, replace: false })),
        );
        must(await timed(() => engine.acceptQuote('u', rfq.id, q.quote.id)));
        must(await timed(() => engine.confirmQuote('m', q.quote.id)));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { perSec: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

function openPersistence(tag: string): Persistence {
  return createPersistence({
    logger: silentLogger(),
    databaseUrl: `postgres://postgres@127.0.0.1:5432/parlay_bench_${tag}`,
    keyPrefix: `parlay-bench-${tag}`,
  });
}

async function dropAll(p: Persistence): Promise<void> {
  const redis = new Redis(p.config.redisUrl);
  await redis.del(...keyList(p.keys));
  redis.disconnect();
  await dropDatabase(p.config.databaseUrl);
}

async function throughput(quick: boolean): Promise<PersistenceBenchReport['throughput']> {
  const count = quick ? 2_000 : 20_000;
  const concurrency = 200;
  const off = engineOn(new DiscardStore(), new MemoryStore());
  await off.start();
  await cycles(off, 500, concurrency); // warm-up
  const offRun = await cycles(off, count, concurrency);
  const offSerial = await cycles(off, 300, 1);

  const p = openPersistence(randomBytes(4).toString('hex'));
  await p.start();
  try {
    const on = engineOn(p.snapshots, p.records);
    await on.start();
    await cycles(on, 500, concurrency);
    const onRun = await cycles(on, count, concurrency);
    const onSerial = await cycles(on, 300, 1);
    await on.stop();
    await p.stop();
    return {
      cycles: count,
      concurrency,
      offTransitionsPerSec: Math.round(offRun.perSec),
      onTransitionsPerSec: Math.round(onRun.perSec),
      ratio: round(onRun.perSec / offRun.perSec, 3),
      offAckP50Ms: round(offRun.p50),
      offAckP99Ms: round(offRun.p99),
      onAckP50Ms: round(onRun.p50),
      onAckP99Ms: round(onRun.p99),
      addedP99Ms: round(onRun.p99 - offRun.p99),
      serialOnAckP99Ms: round(onSerial.p99),
      serialOffAckP99Ms: round(offSerial.p99),
    };
  } finally {
    await dropAll(p);
  }
}

export async function runRecoveryBench(live: number): Promise<PersistenceBenchReport['recovery']> {
  const tag = randomBytes(4).toString('hex');
  const seed = openPersistence(tag);
  await seed.start();
  try {
    const engine = engineOn(seed.snapshots, seed.records);
    await engine.start();
    // Live RFQs in a mix of states: open, quoted (a pending quote) and accepted.
    let next = 0;
    await Promise.all(
      Array.from({ length: 500 }, async () => {
        while (next < live) {
          const i = next++;
          const rfq = must(await engine.createRfq('u', { legs: LEGS, betMicro: BET, ttlMs: 3_600_000 }));
          if (i % 3 === 0) continue;
          const q = must(
            await engine.submitQuote('m', {
              rfqId: rfq.id,
              oddsFp: 30_000,
              validForMs: 3_600_000,
              replace: false,
            }),
          );
          if (i % 3 === 2) must(await engine.acceptQuote('u', rfq.id, q.quote.id));
        }
      }),
    );
    await engine.stop();
    // Seeding leaves ~2.3 events per RFQ for the writer: let it finish, so the boot below measures
    // recovery, not the seeding's write-behind backlog (a crashed engine leaves only its writer lag).
    await seed.stop({ timeoutMs: 600_000 });

    const timeBoot = async () => {
      const p = openPersistence(tag);
      const loadTimer = { ms: 0 };
      const load = p.snapshots.loadLive.bind(p.snapshots);
      p.snapshots.loadLive = async () => {
        const t = performance.now();
        const result = await load();
        loadTimer.ms = performance.now() - t;
        return result;
      };
      const t = performance.now();
      await p.start();
      const startedMs = performance.now() - t;
      const restarted = engineOn(p.snapshots, p.records);
      const { restored } = await restarted.start();
      const totalMs = performance.now() - t;
      if (restored !== live) throw new Error(`restored ${restored} of ${live}`);
      await restarted.stop();
      await p.stop();
      return { totalMs, loadMs: loadTimer.ms, startedMs };
    };
    const normal = await timeBoot();
    const wipe = new Redis(seed.config.redisUrl);
    await wipe.del(...keyList(seed.keys));
    wipe.disconnect();
    const rebuilt = await timeBoot();
    return {
      live,
      persistenceStartMs: Math.round(normal.startedMs),
      loadFromRedisMs: Math.round(normal.loadMs),
      restoreActorsMs: Math.round(normal.totalMs - normal.loadMs - normal.startedMs),
      totalMs: Math.round(normal.totalMs),
      goalMs: 3_000,
      met: normal.totalMs <= 3_000,
      rebuildFromPostgresMs: Math.round(rebuilt.totalMs),
    };
  } finally {
    await dropAll(seed);
  }
}

const round = (v: number, digits = 2) => Number(v.toFixed(digits));

export async function runPersistenceBench(opts: { quick: boolean }): Promise<PersistenceBenchReport> {
  return {
    throughput: await throughput(opts.quick),
    recovery: await runRecoveryBench(opts.quick ? 10_000 : 100_000),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await runPersistenceBench({ quick: process.argv.includes('--quick') });
  console.log(JSON.stringify(report, null, 2));
}
