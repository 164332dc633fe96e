/**
 * Engine benchmarks: the full create → quote → accept → confirm cycle per second beside the same four
 * inputs sent to a bare XState actor (no validation, commit, indexes), and heap per open RFQ beside
 * the XState floor and plain objects (each in its own process).
 *   node --import tsx bench/engine.ts [--quick]
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bench } from 'tinybench';
import { createActor, fromCallback } from 'xstate';
import { Engine } from '../engine/engine.ts';
import { uuid } from '../engine/ids.ts';
import { silentLogger } from '../engine/logger.ts';
import { ManualClock } from '../engine/manualClock.ts';
import { MemoryMarkets, marketInfo } from '../engine/memoryMarkets.ts';
import { MemoryStore } from '../engine/memoryStore.ts';
import { FullRiskEngine } from '../engine/risk/fullRisk.ts';
import { DEFAULT_LIMITS } from '../machines/limits.ts';
import { rfqMachine } from '../machines/rfq.ts';

export interface EngineBenchReport {
  cycle: { engineHz: number; bareActorHz: number; ratio: number; engineP99Ms: number; bareP99Ms: number };
  memory: {
    n: number;
    engineBytes: number;
    xstateFloorBytes: number;
    plainObjectBytes: number;
    ratioToFloor: number;
  };
}

const LEGS = [
  { ticker: 'KXA-1', side: 'yes' as const },
  { ticker: 'KXB-1', side: 'no' as const },
  { ticker: 'KXC-1', side: 'yes' as const },
];

/** Acks at once and keeps nothing, so the figure is the engine's own work. */
class DiscardStore extends MemoryStore {
  override async commit(): Promise<void> {}
}

async function makeEngine() {
  const markets = new MemoryMarkets(
    LEGS.map((l) => marketInfo(l.ticker, { closeTime: Date.UTC(2035, 0, 1) })),
  );
  const store = new DiscardStore();
  const engine = new Engine({
    clock: new ManualClock(),
    limits: DEFAULT_LIMITS,
    markets,
    store,
    records: store,
    risk: new FullRiskEngine(),
    logger: silentLogger(),
  });
  await engine.start();
  return engine;
}

export async function runCycleBench(quick: boolean): Promise<EngineBenchReport['cycle']> {
  const engine = await makeEngine();
  const parent = createActor(fromCallback(() => {}));
  parent.start();
  const bench = new Bench({ time: quick ? 500 : 3_000, warmupTime: quick ? 100 : 500 });
  bench.add('engine: create → quote → accept → confirm', async () => {
    const rfq = await engine.createRfq('user-1', { legs: LEGS, betMicro: 50_000_000 });
    if (!rfq.ok) throw rfq.error;
    const q = await engine.submitQuote('mm-1', { rfqId: rfq.value.id, oddsFp: 40_000, replace: false });
    if (!q.ok) throw q.error;
    const a = await engine.acceptQuote('user-1', rfq.value.id, q.value.quote.id);
    if (!a.ok) throw a.error;
    const c = await engine.confirmQuote('mm-1', q.value.quote.id);
    if (!c.ok) throw c.error;
  });
  const t = Date.UTC(2026, 0, 1);
  bench.add('baseline: bare actor, same four inputs', () => {
    const id = uuid();
    const quoteId = uuid();
    const actor = createActor(rfqMachine, {
      parent,
      input: {
        id,
        userId: 'user-1',
        legs: LEGS.map((l) => ({ ...l, eventTicker: l.ticker })),
        betMicro: 50_000_000,
        feeBps: 100,
        createdAt: t,
        expiresAt: t + 300_000,
      },
    });
    actor.start();
    actor.send({
      type: 'QUOTE.SUBMIT',
      at: t,
      mmId: 'mm-1',
      quoteId,
      oddsFp: 40_000,
      validUntil: t + 60_000,
      replace: false,
    });
    actor.send({ type: 'ACCEPT', at: t, userId: 'user-1', quoteId, confirmWindowMs: 5_000 });
    actor.send({ type: 'CONFIRM', at: t, mmId: 'mm-1', quoteId, collateralMicro: 1 });
  });
  await bench.run();
  const [engineTask, bareTask] = bench.tasks;
  const e = engineTask?.result;
  const b = bareTask?.result;
  if (!e || !b || !('throughput' in e) || !('throughput' in b))
    throw new Error('benchmark produced no result');
  return {
    engineHz: e.throughput.mean,
    bareActorHz: b.throughput.mean,
    ratio: b.throughput.mean / e.throughput.mean,
    engineP99Ms: e.latency.p99 ?? Number.NaN,
    bareP99Ms: b.latency.p99 ?? Number.NaN,
  };
}

export function runMemoryBench(n: number): EngineBenchReport['memory'] {
  const script = fileURLToPath(new URL('./engineMemory.ts', import.meta.url));
  const measure = (mode: string) => {
    const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', script, mode, String(n)], {
      encoding: 'utf8',
    });
    return (JSON.parse(out.trim()) as { bytesPerRfq: number }).bytesPerRfq;
  };
  const engineBytes = measure('engine');
  const xstateFloorBytes = measure('xstate');
  const plainObjectBytes = measure('plain');
  return { n, engineBytes, xstateFloorBytes, plainObjectBytes, ratioToFloor: engineBytes / xstateFloorBytes };
}

export async function runEngineBench(opts: { quick: boolean }): Promise<EngineBenchReport> {
  return { cycle: await runCycleBench(opts.quick), memory: runMemoryBench(opts.quick ? 20_000 : 100_000) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await runEngineBench({ quick: process.argv.includes('--quick') });
  const c = report.cycle;
  const m = report.memory;
  console.log('full cycle (create → quote → accept → confirm), in-memory store');
  console.log(`  engine        ${c.engineHz.toFixed(0)} cycles/s  p99 ${c.engineP99Ms.toFixed(3)} ms`);
  console.log(`  bare actor    ${c.bareActorHz.toFixed(0)} cycles/s  p99 ${c.bareP99Ms.toFixed(3)} ms`);
  console.log(`  bare / engine ${c.ratio.toFixed(2)}×`);
  console.log(`memory per open RFQ (3 legs, 2 quotes) at ${m.n}`);
  console.log(
    `  engine ${m.engineBytes} B   xstate floor ${m.xstateFloorBytes} B   plain data ${m.plainObjectBytes} B   engine/floor ${m.ratioToFloor.toFixed(2)}×`,
  );
}
