/**
 * Chain actor benchmarks on the embedded cluster (litesvm in-process, the real program):
 *  - positions/s with batching vs one transaction per position, same run, rounds interleaved, in both
 *    signing modes (delegated: the operator signs; owner-signed: user and MM sign every position);
 *  - confirm → executed latency through the real engine (confirm command issued → position.executed
 *    published), at a paced arrival rate, p50/p99, in both modes.
 * Reports, never asserts (the machine is shared).
 *   node --import tsx bench/chain.ts [--quick]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LiteSvmCluster } from '../chain/cluster/litesvmCluster.ts';
import type { ChainConfigInput, SigningMode } from '../chain/config.ts';
import { type Chain, createChain } from '../chain/createChain.ts';
import { NativeKeypair } from '../chain/keys.ts';
import { Engine } from '../engine/engine.ts';
import { silentLogger } from '../engine/logger.ts';
import { MemoryMarkets, marketInfo } from '../engine/memoryMarkets.ts';
import { MemoryStore } from '../engine/memoryStore.ts';
import type { ChainResultSink } from '../engine/ports/chain.ts';
import type { Clock } from '../engine/ports/clock.ts';
import { FullRiskEngine } from '../engine/risk/fullRisk.ts';
import { DEFAULT_LIMITS } from '../machines/limits.ts';
import { RpcFacade } from '../test/chain/support/rpcFacade.ts';
import type { Section } from './report.ts';

export interface ThroughputFigures {
  batchedPerSecond: number;
  onePerTxPerSecond: number;
  /** batched ÷ one per transaction. */
  ratio: number;
  /** Mean positions per transaction in the batched runs. */
  positionsPerTx: number;
}

export interface LatencyFigures {
  ratePerSecond: number;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  sortedMs: number[];
}

export interface ChainBenchReport {
  positions: number;
  rounds: number;
  throughput: Record<SigningMode, ThroughputFigures>;
  /** The same comparison over JSON-RPC (HTTP facade over litesvm). */
  rpcThroughput: Record<SigningMode, ThroughputFigures>;
  latency: Record<SigningMode, LatencyFigures>;
}

const USDC = 1_000_000;
/** Every chain of a run derives the same owner keys, so a ledger's vaults serve the chains that read it. */
const SEED = 'be0c'.repeat(16);
const USERS = 64;
const MMS = 4;
const LEG_TICKERS = ['KXA-26-T1', 'KXB-26-T2', 'KXC-26-T3'];

/** Timers that keep the process alive: a batch window pending is work in progress. */
const refClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

async function fundedChain(
  signingMode: SigningMode,
  maxPerTx: number,
  config: ChainConfigInput = {},
): Promise<Chain> {
  const chain = await createChain({
    config: { stateFile: null, signingMode, batch: { maxPerTx }, custodySeed: SEED, ...config },
    logger: silentLogger(),
    clock: refClock,
  });
  const owners = [
    ...Array.from({ length: USERS }, (_, i) => ({ kind: 'user' as const, id: `u${i}` })),
    ...Array.from({ length: MMS }, (_, i) => ({ kind: 'mm' as const, id: `m${i}` })),
  ];
  if (chain.vaults.faucetAvailable)
    for (const owner of owners) {
      const funded = await chain.vaults.faucet(owner, 1_000_000 * USDC);
      if (!funded.ok) throw new Error(`faucet: ${funded.error.code}`);
    }
  return chain;
}

/** Submits n positions at once; resolves with positions/s and the transactions used. */
async function burst(chain: Chain, n: number): Promise<{ perSecond: number; transactions: number }> {
  const signatures = new Set<string>();
  let done = 0;
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const all = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const sink: ChainResultSink = {
    positionExecuted: (_id, r) => {
      signatures.add(r.signature);
      if (++done === n) finish();
    },
    executionFailed: (_id, reason) => fail(new Error(`a benchmark position failed: ${reason}`)),
    positionSettled: () => {},
    positionCancelled: () => {},
  };
  chain.executor.attach(sink);
  const started = performance.now();
  for (let i = 0; i < n; i++)
    chain.executor.createPosition({
      rfqId: randomUUID(),
      quoteId: randomUUID(),
      userId: `u${i % USERS}`,
      mmId: `m${i % MMS}`,
      legs: LEG_TICKERS.map((t) => ({ ticker: t, eventTicker: t.slice(0, 6), side: 'yes' as const })),
      stakeMicro: 20 * USDC,
      riskMicro: 60 * USDC,
      collateralMicro: 60 * USDC,
      feeBps: 100,
    });
  await all;
  return { perSecond: (n / (performance.now() - started)) * 1000, transactions: signatures.size };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function throughput(mode: SigningMode, n: number, rounds: number): Promise<ThroughputFigures> {
  const batched = await fundedChain(mode, 16);
  const single = await fundedChain(mode, 1);
  try {
    await burst(batched, Math.min(n, 500)); // warm-up: JIT, lookup tables, vault PDAs
    await burst(single, Math.min(n, 500));
    const b: number[] = [];
    const s: number[] = [];
    let positionsPerTx = 0;
    for (let r = 0; r < rounds; r++) {
      const run = await burst(batched, n);
      b.push(run.perSecond);
      positionsPerTx += n / run.transactions / rounds;
      s.push((await burst(single, n)).perSecond);
    }
    const batchedPerSecond = median(b);
    const onePerTxPerSecond = median(s);
    return {
      batchedPerSecond,
      onePerTxPerSecond,
      ratio: batchedPerSecond / onePerTxPerSecond,
      positionsPerTx,
    };
  } finally {
    await batched.close();
    await single.close();
  }
}

/**
 * The same comparison over JSON-RPC (real HTTP to a facade over an in-process ledger, the tests'
 * support/rpcFacade.ts): here a transaction also costs its send and status round trips, as on a
 * cluster. Both senders have the same in-flight budget (4 transactions).
 */
async function rpcThroughput(mode: SigningMode, n: number): Promise<ThroughputFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'parlay-bench-'));
  const keyFile = join(dir, 'fee-payer.json');
  writeFileSync(keyFile, JSON.stringify(NativeKeypair.generate().toJSON()));
  const ledger = await fundedChain(mode, 16, { feePayerKeypairPath: keyFile });
  const facade = await RpcFacade.start((ledger.cluster as LiteSvmCluster).ledger);
  const rpc: ChainConfigInput = {
    cluster: facade.url,
    programId: ledger.info.programId,
    feePayerKeypairPath: keyFile,
    rpc: { pollMs: 2, rebroadcastMs: 1_000 },
  };
  const batched = await fundedChain(mode, 16, rpc);
  const single = await fundedChain(mode, 1, rpc);
  try {
    await burst(batched, 50);
    await burst(single, 50);
    const b = await burst(batched, n);
    const o = await burst(single, n);
    return {
      batchedPerSecond: b.perSecond,
      onePerTxPerSecond: o.perSecond,
      ratio: b.perSecond / o.perSecond,
      positionsPerTx: n / b.transactions,
    };
  } finally {
    await batched.close();
    await single.close();
    await facade.close();
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The real engine on the chain: RFQs confirmed at a steady rate, each timed from confirm to executed. */
async function latency(mode: SigningMode, ratePerSecond: number, seconds: number): Promise<LatencyFigures> {
  const chain = await fundedChain(mode, 16);
  const markets = new MemoryMarkets(
    LEG_TICKERS.map((t) => marketInfo(t, { closeTime: Date.UTC(2035, 0, 1) })),
  );
  const store = new MemoryStore();
  const engine = new Engine({
    clock: refClock,
    limits: DEFAULT_LIMITS,
    markets,
    store,
    records: store,
    risk: new FullRiskEngine(),
    chain: chain.executor,
    funds: chain.funds,
    logger: silentLogger(),
  });
  await engine.start();
  const confirmedAt = new Map<string, number>();
  /** The first tenth of the arrivals warms the JIT up and is not measured. */
  const warmup = Math.round((ratePerSecond * seconds) / 10);
  const samples: number[] = [];
  engine.subscribe((e) => {
    if (e.type !== 'position.executed') return;
    const t0 = confirmedAt.get(e.rfqId);
    if (t0 !== undefined) samples.push(performance.now() - t0);
  });
  const one = async (i: number) => {
    const userId = `u${i % USERS}`;
    const mmId = `m${i % MMS}`;
    const legs = LEG_TICKERS.slice(0, 2).map((ticker) => ({ ticker, side: 'yes' as const }));
    const rfq = await engine.createRfq(userId, { legs, betMicro: 20 * USDC });
    if (!rfq.ok) throw rfq.error;
    const q = await engine.submitQuote(mmId, { rfqId: rfq.value.id, oddsFp: 30_000, replace: false });
    if (!q.ok) throw q.error;
    const a = await engine.acceptQuote(userId, rfq.value.id, q.value.quote.id);
    if (!a.ok) throw a.error;
    if (i >= warmup) confirmedAt.set(rfq.value.id, performance.now());
    const c = await engine.confirmQuote(mmId, q.value.quote.id);
    if (!c.ok) throw c.error;
  };
  try {
    const total = Math.round(ratePerSecond * seconds);
    const pending: Promise<void>[] = [];
    const started = performance.now();
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / ratePerSecond;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      pending.push(one(i));
    }
    await Promise.all(pending);
    await chain.executor.flush();
    await engine.flush();
  } finally {
    await engine.stop();
    await chain.close();
  }
  const sortedMs = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sortedMs[Math.min(sortedMs.length - 1, Math.floor(q * sortedMs.length))] ?? Number.NaN;
  return {
    ratePerSecond,
    samples: sortedMs.length,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: sortedMs.at(-1) ?? Number.NaN,
    sortedMs,
  };
}

export async function runChainBench(opts: { quick: boolean }): Promise<ChainBenchReport> {
  const positions = opts.quick ? 800 : 3_000;
  const rounds = opts.quick ? 1 : 3;
  const rate = 300;
  const seconds = opts.quick ? 2 : 5;
  // Latency first, on a fresh heap: the throughput runs leave garbage whose collection would land in its tail.
  const latencyFigures = {
    delegated: await latency('delegated', rate, seconds),
    owner: await latency('owner', rate, seconds),
  };
  return {
    positions,
    rounds,
    throughput: {
      delegated: await throughput('delegated', positions, rounds),
      owner: await throughput('owner', positions, rounds),
    },
    rpcThroughput: {
      delegated: await rpcThroughput('delegated', opts.quick ? 200 : 800),
      owner: await rpcThroughput('owner', opts.quick ? 200 : 800),
    },
    latency: latencyFigures,
  };
}

/** The report section (bench/run.ts can list it beside the others). */
export async function chainSection(opts: { quick: boolean }): Promise<Section> {
  const r = await runChainBench(opts);
  const t = r.throughput;
  const l = r.latency;
  return {
    title: 'Chain actor (issue 8): batched position creation on litesvm',
    figures: [
      {
        name: 'positions/s, delegated, batched (v0 + lookup table)',
        unit: 'positions/s',
        value: t.delegated.batchedPerSecond,
        baseline: { name: 'one transaction per position', value: t.delegated.onePerTxPerSecond },
        ratio: t.delegated.ratio,
        ratioNote: 'batched ÷ one per transaction',
        goal: '≥ 3×',
        met: t.delegated.ratio >= 3,
      },
      {
        name: 'positions/s, owner-signed, batched',
        unit: 'positions/s',
        value: t.owner.batchedPerSecond,
        baseline: { name: 'one transaction per position', value: t.owner.onePerTxPerSecond },
        ratio: t.owner.ratio,
        ratioNote: 'batched ÷ one per transaction',
      },
      ...(['delegated', 'owner'] as const).map((mode) => ({
        name: `positions/s over JSON-RPC (HTTP facade), ${mode}, batched`,
        unit: 'positions/s',
        value: r.rpcThroughput[mode].batchedPerSecond,
        baseline: {
          name: 'one transaction per position, same in-flight budget',
          value: r.rpcThroughput[mode].onePerTxPerSecond,
        },
        ratio: r.rpcThroughput[mode].ratio,
        ratioNote: 'batched ÷ one per transaction',
      })),
      {
        name: `confirm → executed, delegated, ${l.delegated.ratePerSecond}/s through the engine`,
        unit: 'ms',
        value: l.delegated.p50Ms,
        p50: l.delegated.p50Ms,
        p99: l.delegated.p99Ms,
        max: l.delegated.maxMs,
        goal: 'p99 ≤ 50 ms',
        met: l.delegated.p99Ms <= 50,
      },
      {
        name: `confirm → executed, owner-signed, ${l.owner.ratePerSecond}/s through the engine`,
        unit: 'ms',
        value: l.owner.p50Ms,
        p50: l.owner.p50Ms,
        p99: l.owner.p99Ms,
        max: l.owner.maxMs,
      },
    ],
    growth: [],
    distributions: [
      { name: 'confirm → executed, delegated', samplesMs: l.delegated.sortedMs },
      { name: 'confirm → executed, owner-signed', samplesMs: l.owner.sortedMs },
    ],
    notes: [
      `${r.positions} positions per round, ${r.rounds} round(s), medians; ${t.delegated.positionsPerTx.toFixed(1)} positions per transaction delegated, ${t.owner.positionsPerTx.toFixed(1)} owner-signed.`,
    ],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await runChainBench({ quick: process.argv.includes('--quick') });
  for (const mode of ['delegated', 'owner'] as const) {
    const t = r.throughput[mode];
    const l = r.latency[mode];
    console.log(`${mode}`);
    console.log(
      `  positions/s  batched ${t.batchedPerSecond.toFixed(0)} (${t.positionsPerTx.toFixed(1)}/tx)   one per tx ${t.onePerTxPerSecond.toFixed(0)}   ratio ${t.ratio.toFixed(2)}×`,
    );
    const rpc = r.rpcThroughput[mode];
    console.log(
      `  over JSON-RPC batched ${rpc.batchedPerSecond.toFixed(0)} (${rpc.positionsPerTx.toFixed(1)}/tx)   one per tx ${rpc.onePerTxPerSecond.toFixed(0)}   ratio ${rpc.ratio.toFixed(2)}×`,
    );
    console.log(
      `  confirm → executed at ${l.ratePerSecond}/s: p50 ${l.p50Ms.toFixed(1)} ms  p99 ${l.p99Ms.toFixed(1)} ms  max ${l.maxMs.toFixed(1)} ms  (${l.samples} samples)`,
    );
  }
}
