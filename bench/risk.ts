/**
 * Risk benchmark (issue 7): the confirm-path decision time and capital efficiency of the incremental
 * worst-case engine on generated Kalshi-shaped books of 10 / 100 / 1,000 / 5,000 positions (3–5 legs
 * over a ~1,000-market catalogue), the background refinement time, and the main thread's event-loop
 * delay while the worker solves. Efficiency is locked ÷ Σ risk, beside the exact worst case (where
 * refinement proves it), the best outcome found (a lower bound), and full risk (1.0).
 *   node --import tsx bench/risk.ts [--quick]
 * Figures are reported, not asserted: the machine is shared.
 */
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Bench } from 'tinybench';
import type { PositionRisk } from '../engine/ports/risk.ts';
import { IlpRiskEngine } from '../engine/risk/ilpRisk.ts';
import { machineInfo } from './report.ts';
import { type Catalogue, generateBook, generateCatalogue, generateLegs, rng } from './risk/catalogue.ts';
import { type Percentiles, percentiles, waitFor, within, withLoopDelay } from './risk/measure.ts';
import { MemoryMarkets } from './risk/memoryMarkets.ts';

export interface RiskBookFigures {
  positions: number;
  markets: number;
  components: number;
  exactComponents: number;
  /** Decision time (µs) while the book is built, before any refinement result (every position fresh). */
  confirmColdUs: Percentiles;
  /** Decision time (µs) for new parlays on the refined book (tinybench latency, µs). */
  confirmWarmUs: { p50: number; p99: number; mean: number; samples: number };
  refinement: {
    /** From the last confirm to the first installed result covering the whole book (quick bounds). */
    firstResultMs: number | null;
    /** Until refinement had nothing left to do (capped). */
    settledMs: number | null;
    capMs: number;
  };
  /** Main-thread event-loop delay (ms) while the worker refined the book, and idle for comparison. */
  eventLoopDelayMs: Percentiles;
  idleLoopDelayMs: Percentiles;
  efficiency: {
    riskMicro: number;
    /** Σ collateral decided while building the book, no refinement yet. */
    confirmPath: number;
    /** Σ collateral decided when refinement settles between confirms (books ≤ 100: the best case). */
    confirmPathRefined: number | null;
    /** Σ collateral ÷ Σ risk of 300 further parlays decided one at a time on the refined book. */
    marginalOnRefined: number;
    /** The refined requirement: what stays locked after releases. */
    refined: number;
    /** Best outcome found: the worst case is at least this. */
    lowerBound: number;
    /** The worst case, when every component was solved exactly. */
    exact: number | null;
    fullRisk: 1;
    /** refined ÷ exact (goal ≤ 1.05) or, where exact is unknown, refined ÷ lower bound. */
    tightness: number;
    goalMet: boolean | null;
  };
}

export interface RiskBenchReport {
  quick: boolean;
  machine: Record<string, string | number>;
  books: RiskBookFigures[];
  goals: { confirmP99Ms: number; refinedOverExact: number };
  notes: string[];
}

const silent = pino({ level: 'silent' });

function newParlays(cat: Catalogue, seed: number, n: number, mmId: string): PositionRisk[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const legs = generateLegs(r, cat, 3 + Math.floor(r() * 3));
    return {
      positionId: `${mmId}-new${seed}-${i}`,
      mmId,
      legs,
      riskMicro: (50 + Math.floor(r() * 1000)) * 1e6,
      stakeMicro: 50e6,
    };
  });
}

/** Σ collateral when every confirm sees a fully refined book (refinement awaited after each one). */
async function buildRefined(cat: Catalogue, book: PositionRisk[], quick: boolean): Promise<number> {
  const engine = new IlpRiskEngine({
    markets: new MemoryMarkets(cat.facts.values()),
    factsPollMs: 0,
    logger: silent,
    refiner: { mipSeconds: quick ? [0.5] : [1, 4], snapshotIntervalMs: 0 },
  });
  try {
    let locked = 0;
    for (const p of book) {
      locked += (await engine.reserve(p)).collateralMicro;
      engine.commit(p.mmId, p.positionId);
      await engine.whenSettled(p.mmId);
    }
    return locked;
  } finally {
    await engine.shutdown();
  }
}

async function benchBook(cat: Catalogue, n: number, quick: boolean): Promise<RiskBookFigures> {
  const mmId = `mm-${n}`;
  const book = generateBook(1000 + n, cat, { positions: n, mmId });
  const markets = new MemoryMarkets(cat.facts.values());
  const engine = new IlpRiskEngine({
    markets,
    factsPollMs: 0,
    logger: silent,
    refiner: { mipSeconds: quick ? [0.5, 2] : [1, 4, 15], condBudgetMs: quick ? 200 : 1000 },
  });
  try {
    await engine.ready();
    const idle = await withLoopDelay(() => new Promise((r) => setTimeout(r, 300)));
    // Confirm path alone: the loop never yields, so no refinement result is installed in between.
    const cold: number[] = [];
    let locked = 0;
    let riskMicro = 0;
    for (const p of book) {
      const t0 = performance.now();
      const decision = engine.reserve(p);
      cold.push((performance.now() - t0) * 1000);
      locked += (await decision).collateralMicro;
      riskMicro += p.riskMicro;
      engine.commit(mmId, p.positionId);
    }

    const capMs = quick ? 15_000 : 60_000;
    const started = performance.now();
    let firstResultMs: number | null = null;
    const { result: settled, delayMs } = await withLoopDelay(async () => {
      const covered = () => {
        const s = engine.status(mmId)!;
        return s.snapshot !== null && s.snapshot.version === s.version;
      };
      if (await waitFor(covered, capMs)) firstResultMs = performance.now() - started;
      return within(engine.whenSettled(mmId), capMs - (performance.now() - started));
    });
    const settledMs = settled ? performance.now() - started : null;
    const status = engine.status(mmId)!;
    const snap = status.snapshot;
    const exactKnown = snap !== null && snap.components === snap.exactComponents && snap.freshPositions === 0;

    // New parlays on the refined book, decided one at a time (each abandoned: the book stays at n).
    const extra = newParlays(cat, 7 + n, 300, mmId);
    let extraLocked = 0;
    let extraRisk = 0;
    for (const p of extra) {
      extraLocked += (await engine.reserve(p)).collateralMicro;
      extraRisk += p.riskMicro;
      engine.abandon(mmId, p.positionId);
    }
    const probe = newParlays(cat, 99 + n, 512, mmId);
    let k = 0;
    const bench = new Bench({ time: quick ? 300 : 1500, warmupTime: quick ? 50 : 200 });
    bench.add(`confirm decision, ${n} open positions`, () => {
      const p = probe[k++ % probe.length]!;
      const id = `${p.positionId}-${k}`;
      void engine.reserve({ ...p, positionId: id });
      engine.abandon(mmId, id);
    });
    await bench.run();
    const warm = bench.tasks[0]?.result;
    if (!warm || !('latency' in warm)) throw new Error('tinybench produced no result');

    const refined = status.requiredMicro / riskMicro;
    const lowerBound = (snap?.lowerMicro ?? 0) / riskMicro;
    const exact = exactKnown ? refined : null;
    const tightness = exact !== null ? 1 : lowerBound > 0 ? refined / lowerBound : Number.POSITIVE_INFINITY;
    return {
      positions: n,
      markets: new Set(book.flatMap((p) => p.legs.map((l) => l.ticker))).size,
      components: snap?.components ?? 0,
      exactComponents: snap?.exactComponents ?? 0,
      confirmColdUs: percentiles(cold),
      confirmWarmUs: {
        p50: warm.latency.p50 * 1000,
        p99: warm.latency.p99 * 1000,
        mean: warm.latency.mean * 1000,
        samples: warm.latency.samplesCount,
      },
      refinement: { firstResultMs, settledMs, capMs },
      eventLoopDelayMs: delayMs,
      idleLoopDelayMs: idle.delayMs,
      efficiency: {
        riskMicro,
        confirmPath: locked / riskMicro,
        confirmPathRefined: n <= 100 ? (await buildRefined(cat, book, quick)) / riskMicro : null,
        marginalOnRefined: extraLocked / extraRisk,
        refined,
        lowerBound,
        exact,
        fullRisk: 1,
        tightness,
        goalMet: exact !== null ? refined <= 1.05 * exact : null,
      },
    };
  } finally {
    await engine.shutdown();
  }
}

export async function runRiskBench(opts: { quick: boolean }): Promise<RiskBenchReport> {
  const cat = generateCatalogue(1, { markets: 1000 });
  const sizes = opts.quick ? [10, 100, 1000] : [10, 100, 1000, 5000];
  const books: RiskBookFigures[] = [];
  for (const n of sizes) books.push(await benchBook(cat, n, opts.quick));
  return {
    quick: opts.quick,
    machine: machineInfo(),
    books,
    goals: { confirmP99Ms: 10, refinedOverExact: 1.05 },
    notes: [
      `Catalogue: ${cat.facts.size} markets in ${cat.events.length} events (${cat.games.length} games).`,
      'Confirm time is the synchronous decision on the main thread (no solver runs there); cold = while the book is built with no refinement result yet, warm = on the refined book.',
      'Refined efficiency is the requirement the releases bring the locked total down to; where branch and bound did not finish, it is its dual bound and tightness is read against the best outcome found.',
    ],
  };
}

function table(report: RiskBenchReport): string {
  const f = (x: number | null, d = 2) => (x === null ? '—' : x.toFixed(d));
  const rows = [
    '| positions | markets | comps (exact) | cold p50/p99 µs | warm p50/p99 µs | first / settled ms | loop delay p99/max ms (idle) | confirm-path cold / refined | marginal | refined | lower | exact | tightness |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const b of report.books) {
    const e = b.efficiency;
    rows.push(
      `| ${b.positions} | ${b.markets} | ${b.components} (${b.exactComponents}) | ${f(b.confirmColdUs.p50, 1)} / ${f(b.confirmColdUs.p99, 1)} | ${f(b.confirmWarmUs.p50, 1)} / ${f(b.confirmWarmUs.p99, 1)} | ${f(b.refinement.firstResultMs, 0)} / ${b.refinement.settledMs === null ? `>${b.refinement.capMs}` : f(b.refinement.settledMs, 0)} | ${f(b.eventLoopDelayMs.p99)} / ${f(b.eventLoopDelayMs.max)} (${f(b.idleLoopDelayMs.p99)} / ${f(b.idleLoopDelayMs.max)}) | ${f(e.confirmPath, 3)} / ${f(e.confirmPathRefined, 3)} | ${f(e.marginalOnRefined, 3)} | ${f(e.refined, 3)} | ${f(e.lowerBound, 3)} | ${f(e.exact, 3)} | ${f(e.tightness, 3)} |`,
    );
  }
  return rows.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await runRiskBench({ quick: process.argv.includes('--quick') });
  console.log(table(report));
  console.log('\nEfficiency = locked ÷ Σ risk (full risk = 1.000).');
  for (const note of report.notes) console.log(`- ${note}`);
}
