/**
 * RFQ fan-out to N market makers (10, 100, 500) at a fixed RFQ rate, beside two baselines measured in
 * the same run on the same machine:
 *   gateway  — REST POST /rfqs → engine → gateway encodes rfq:created once → uWS publish → N MMs;
 *   bare-uws — the limit: HTTP POST → uWS publishes a pre-encoded frame of the same bytes to N sockets;
 *   ws-lib   — the peer: the same trigger and frame served by the `ws` library.
 * Server, driver and MM clients are separate processes (clients split over two processes from 100
 * MMs). Reported: p50/p99 from trigger to MM receipt, server CPU per 1,000 deliveries
 * (process.cpuUsage over the run), client CPU, and the full lifecycle round trip. Reports, never
 * asserts: the machine is shared.
 *
 * Every server first serves a 2,000-RFQ warm-up (see WARMUP), so the figures are steady-state ones.
 * docs/performance.md explains the figures and what the remaining gap is made of.
 *
 *   node --import tsx bench/fanout.ts [--quick] [--rate=100] [--mms=10,100,500] [--rfqs=1000]
 *     [--no-lifecycle] [--json]
 *   node --import tsx bench/fanout.ts --only=gateway --mms=100 …   (one row, with probes: see runSingle)
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { type MmCreds, monoMs, percentile, type ServerKind } from './fanout/ipc.ts';
import { type LifecycleFigures, runLifecycle } from './fanout/lifecycle.ts';
import { ClientProcess, ServerProcess } from './fanout/processes.ts';

export interface FanoutRow {
  kind: ServerKind;
  mms: number;
  rfqs: number;
  deliveries: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMsPer1000: number;
  /** Of serverCpuMsPer1000, the part spent in the kernel (socket writes, wake-ups). */
  serverSystemMsPer1000: number;
  clientCpuMsPer1000: number;
  clientProcesses: number;
  /** Up to 2,000 evenly spaced samples of the sorted latencies (ms), for the report's chart. */
  sampleMs: number[];
}

export interface FanoutRun {
  mms: number;
  rows: Record<ServerKind, FanoutRow>;
  /** gateway ÷ bare uWS (goal ≤ 1.3). */
  cpuVsLimit: number;
  /** ws library ÷ gateway (goal ≥ 3.5). */
  cpuAdvantageVsWs: number;
  /** gateway p99 ÷ bare uWS p99 (goal ≤ 1.5). */
  p99VsLimit: number;
}

/**
 * What one more delivery costs the server, from the slope between the two largest N (same RFQs, more
 * MMs): it separates the fan-out itself from the fixed cost per RFQ (REST, engine, HTTP trigger).
 */
export interface MarginalCost {
  fromMms: number;
  toMms: number;
  /** Server CPU µs per extra delivery, by server. */
  usPerDelivery: Record<ServerKind, number>;
  /** Server CPU ms per RFQ that does not grow with N (intercept), by server. */
  fixedMsPerRfq: Record<ServerKind, number>;
}

export interface FanoutFigures {
  machine: { cpus: number; node: string };
  ratePerSecond: number;
  rfqsPerRun: number;
  runs: FanoutRun[];
  marginal: MarginalCost | null;
  lifecycle: LifecycleFigures;
}

function marginalCost(runs: FanoutRun[]): MarginalCost | null {
  const [a, b] = runs.slice(-2);
  if (!a || !b) return null;
  const usPerDelivery = {} as Record<ServerKind, number>;
  const fixedMsPerRfq = {} as Record<ServerKind, number>;
  for (const kind of KINDS) {
    const ra = a.rows[kind];
    const rb = b.rows[kind];
    const cpuA = (ra.serverCpuMsPer1000 * ra.deliveries) / 1000;
    const cpuB = (rb.serverCpuMsPer1000 * rb.deliveries) / 1000;
    const perDeliveryMs = (cpuB - cpuA) / (rb.deliveries - ra.deliveries);
    usPerDelivery[kind] = perDeliveryMs * 1000;
    fixedMsPerRfq[kind] = (cpuA - perDeliveryMs * ra.deliveries) / ra.rfqs;
  }
  return { fromMms: a.mms, toMms: b.mms, usPerDelivery, fixedMsPerRfq };
}

const KINDS: ServerKind[] = ['bare-uws', 'gateway', 'ws-lib'];
/**
 * RFQs sent before the measured window. The gateway's JIT keeps compiling for about 2,000 RFQs
 * (background TurboFan threads were ~12% of the measured CPU after a 300-RFQ warm-up, falling to
 * ~0 by 2,000): the figures are for a server in its steady state, as a long-running one is. The
 * baselines get the same warm-up.
 */
const WARMUP = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function trigger(base: string, kind: ServerKind, index: number, userKey: string): Promise<string> {
  const res =
    kind === 'gateway'
      ? await fetch(`${base}/rfqs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': userKey },
          body: JSON.stringify({
            legs: [
              { kalshi_market_ticker: 'KXA-26-T1', side: 'yes' },
              { kalshi_market_ticker: 'KXB-26-T2', side: 'no' },
            ],
            bet_amount: 50,
          }),
        })
      : await fetch(`${base}/publish/${index}`, { method: 'POST' });
  return ((await res.json()) as { id: string }).id;
}

/** Hooks for looking inside the server while it is measured (profiling); none in the normal run. */
export interface Probe {
  /** Extra Node flags for the server process (e.g. --cpu-prof, --perf-basic-prof). */
  serverExecArgv?: string[];
  /** Called when the measured window opens, with the server's pid; what it returns closes the window. */
  measuring?: (serverPid: number) => () => Promise<void>;
}

/** Waits until the clients have counted `expected` deliveries since their last mark, or the timeout. */
async function allDelivered(clients: ClientProcess[], expected: number, timeoutMs: number): Promise<void> {
  for (let waited = 0; waited < timeoutMs; waited += 50) {
    const counts = await Promise.all(clients.map((c) => c.count()));
    if (counts.reduce((a, b) => a + b, 0) >= expected) return;
    await sleep(50);
  }
}

export async function runOne(
  kind: ServerKind,
  mms: number,
  rfqs: number,
  ratePerSecond: number,
  probe: Probe = {},
): Promise<FanoutRow> {
  const server = await ServerProcess.start(kind, mms, WARMUP + rfqs, probe.serverExecArgv);
  const base = `http://127.0.0.1:${server.ready.port}`;
  const parts = mms >= 100 ? 2 : 1;
  const clients: ClientProcess[] = [];
  for (let p = 0; p < parts; p++) {
    const from = Math.floor((p * mms) / parts);
    const to = Math.floor(((p + 1) * mms) / parts);
    const creds: MmCreds[] = server.ready.mms.slice(from, to);
    clients.push(
      await ClientProcess.start(
        `ws://127.0.0.1:${server.ready.port}/ws`,
        kind === 'gateway' ? 'gateway' : 'raw',
        to - from,
        creds,
      ),
    );
  }
  for (let i = 0; i < WARMUP; i++) await trigger(base, kind, i, server.ready.userKey);
  // The clients decode the warm-up's frames after it: let them finish, so that work does not
  // compete with the measured window for the machine's cores.
  await allDelivered(clients, WARMUP * mms, 60_000);
  await sleep(500);
  for (const c of clients) c.mark();
  const stopProbe = probe.measuring?.(server.pid);
  const cpuBefore = await server.cpuSplitMs();
  const sentAt = new Map<string, number>();
  const pending: Array<Promise<void>> = [];
  const start = monoMs();
  for (let i = 0; i < rfqs; i++) {
    const due = start + (i * 1000) / ratePerSecond;
    const wait = due - monoMs();
    if (wait > 1) await sleep(wait);
    const t0 = monoMs();
    pending.push(trigger(base, kind, WARMUP + i, server.ready.userKey).then((id) => void sentAt.set(id, t0)));
  }
  await Promise.all(pending);
  const expected = rfqs * mms;
  await allDelivered(clients, expected, 20_000);
  const cpuAfter = await server.cpuSplitMs();
  const serverSystemMs = cpuAfter.systemMs - cpuBefore.systemMs;
  const serverCpuMs = cpuAfter.userMs - cpuBefore.userMs + serverSystemMs;
  await stopProbe?.();
  const reports = await Promise.all(clients.map((c) => c.report()));
  const latencies: number[] = [];
  let deliveries = 0;
  let clientCpuMs = 0;
  for (const report of reports) {
    clientCpuMs += report.cpuUs / 1000;
    for (const [id, times] of report.receipts) {
      const t0 = sentAt.get(id);
      if (t0 === undefined) continue;
      deliveries += times.length;
      for (const t of times) latencies.push(t - t0);
    }
  }
  latencies.sort((a, b) => a - b);
  await Promise.all(clients.map((c) => c.stop()));
  await server.stop();
  const per1000 = (ms: number) => (deliveries > 0 ? (ms * 1000) / deliveries : Number.NaN);
  return {
    kind,
    mms,
    rfqs,
    deliveries,
    expected,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    serverCpuMsPer1000: per1000(serverCpuMs),
    serverSystemMsPer1000: per1000(serverSystemMs),
    clientCpuMsPer1000: per1000(clientCpuMs),
    clientProcesses: parts,
    sampleMs: downsample(latencies, 2_000),
  };
}

/** Evenly spaced points of a sorted array: the distribution's shape at a bounded size. */
function downsample(sorted: number[], max: number): number[] {
  if (sorted.length <= max) return [...sorted];
  const step = sorted.length / max;
  return Array.from({ length: max }, (_, i) => sorted[Math.floor(i * step)] as number);
}

export async function runFanoutBench(opts: {
  quick: boolean;
  ratePerSecond?: number;
  /** Default 10, 100, 500 (quick: 10, 100). */
  mmCounts?: number[];
  /** Default 1,000 (quick: 200). */
  rfqsPerRun?: number;
  /** Skip the lifecycle round trip (reported as 0 rounds). */
  skipLifecycle?: boolean;
}): Promise<FanoutFigures> {
  const mmCounts = opts.mmCounts ?? (opts.quick ? [10, 100] : [10, 100, 500]);
  const ratePerSecond = opts.ratePerSecond ?? 100;
  const rfqsPerRun = opts.rfqsPerRun ?? (opts.quick ? 200 : 1_000);
  const runs: FanoutRun[] = [];
  for (const mms of mmCounts) {
    const rows = {} as Record<ServerKind, FanoutRow>;
    for (const kind of KINDS) rows[kind] = await runOne(kind, mms, rfqsPerRun, ratePerSecond);
    runs.push({
      mms,
      rows,
      cpuVsLimit: rows.gateway.serverCpuMsPer1000 / rows['bare-uws'].serverCpuMsPer1000,
      cpuAdvantageVsWs: rows['ws-lib'].serverCpuMsPer1000 / rows.gateway.serverCpuMsPer1000,
      p99VsLimit: rows.gateway.p99Ms / rows['bare-uws'].p99Ms,
    });
  }
  const none = { p50Ms: Number.NaN, p99Ms: Number.NaN };
  const lifecycle = opts.skipLifecycle
    ? { rounds: 0, roundTrip: none, createToQuoteSeen: none, acceptToConfirmed: none }
    : await runLifecycle(opts.quick ? 100 : 500);
  const os = await import('node:os');
  return {
    machine: { cpus: os.cpus().length, node: process.version },
    ratePerSecond,
    rfqsPerRun,
    runs,
    marginal: marginalCost(runs),
    lifecycle,
  };
}

function table(figures: FanoutFigures): string {
  const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const lines = [
    `fan-out at ${figures.ratePerSecond} RFQ/s, ${figures.rfqsPerRun} RFQs per run, ${figures.machine.cpus} CPUs, Node ${figures.machine.node}`,
    'MMs  server    delivered        p50 ms  p99 ms  server CPU ms/1k (kernel)  client CPU ms/1k',
  ];
  for (const run of figures.runs) {
    for (const kind of KINDS) {
      const r = run.rows[kind];
      lines.push(
        `${String(run.mms).padEnd(5)}${kind.padEnd(10)}${`${r.deliveries}/${r.expected}`.padEnd(17)}${f(r.p50Ms).padStart(6)}  ${f(r.p99Ms).padStart(6)}  ${f(r.serverCpuMsPer1000, 3).padStart(16)} ${`(${f(r.serverSystemMsPer1000, 3)})`.padStart(9)}  ${f(r.clientCpuMsPer1000, 3).padStart(16)}`,
      );
    }
    lines.push(
      `     gateway CPU ÷ bare uWS = ${f(run.cpuVsLimit)} (goal ≤ 1.3) · ws CPU ÷ gateway = ${f(run.cpuAdvantageVsWs)} (goal ≥ 3.5) · gateway p99 ÷ bare p99 = ${f(run.p99VsLimit)} (goal ≤ 1.5)`,
    );
  }
  const m = figures.marginal;
  if (m) {
    const u = m.usPerDelivery;
    const x = m.fixedMsPerRfq;
    lines.push(
      `marginal server CPU per delivery (${m.fromMms}→${m.toMms} MMs, the fan-out itself): bare uWS ${f(u['bare-uws'])} µs · gateway ${f(u.gateway)} µs (${f(u.gateway / u['bare-uws'])}× the limit, goal ≤ 1.3) · ws ${f(u['ws-lib'])} µs (${f(u['ws-lib'] / u.gateway)}× the gateway, goal ≥ 3.5)`,
      `fixed server CPU per RFQ (does not grow with MMs): bare uWS ${f(x['bare-uws'], 3)} ms (HTTP trigger) · gateway ${f(x.gateway, 3)} ms (REST + engine create/commit + encode) · ws ${f(x['ws-lib'], 3)} ms`,
    );
  }
  const l = figures.lifecycle;
  lines.push(
    `lifecycle (${l.rounds} rounds): create→quote seen p50 ${f(l.createToQuoteSeen.p50Ms)} / p99 ${f(l.createToQuoteSeen.p99Ms)} ms · accept→confirmed p50 ${f(l.acceptToConfirmed.p50Ms)} / p99 ${f(l.acceptToConfirmed.p99Ms)} ms · round trip p50 ${f(l.roundTrip.p50Ms)} / p99 ${f(l.roundTrip.p99Ms)} ms`,
  );
  return lines.join('\n');
}

/** User and system CPU (ms) of each thread of a process, from /proc (Linux). */
function threadTimes(pid: number): Map<string, { name: string; user: number; system: number }> {
  const out = new Map<string, { name: string; user: number; system: number }>();
  const tick = 1000 / 100; // USER_HZ
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { name, user: Number(fields[11]) * tick, system: Number(fields[12]) * tick });
    } catch {
      // the thread ended between listing and reading
    }
  }
  return out;
}

/**
 * One server kind at one N, for profiling: `--only=gateway --mms=100 [--rfqs=1000] [--profile=DIR]
 * [--perf=FILE] [--strace=FILE] [--threads] [--node-flags=--a,--b] [--pin-server=CPU]`. DIR gets the server's .cpuprofile (V8's sampler: wall-clock samples, so on a busy
 * machine a write that wakes a client is charged for the time the server waited for a core);
 * FILE gets `perf record` on-CPU samples of the measured window (`perf report -i FILE`).
 */
async function runSingle(arg: (name: string) => string | undefined, ratePerSecond: number): Promise<void> {
  const kind = arg('only') as ServerKind;
  if (!KINDS.includes(kind)) throw new Error(`--only must be one of ${KINDS.join(', ')}`);
  const profileDir = arg('profile');
  const perfData = arg('perf');
  const probe: Probe = {
    serverExecArgv: [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      ...(perfData ? ['--perf-basic-prof'] : []),
      ...(arg('node-flags')?.split(',') ?? []),
    ],
  };
  if (perfData) {
    // On-CPU samples of the server alone, over the measured window only (kernel included).
    probe.measuring = (pid) => {
      const perf = spawn('perf', ['record', '-F', '1999', '-g', '-p', String(pid), '-o', perfData], {
        stdio: 'ignore',
      });
      return () =>
        new Promise<void>((resolve) => {
          perf.once('exit', () => resolve());
          perf.kill('SIGINT');
        });
    };
  }
  const straceOut = arg('strace');
  if (straceOut) {
    // System calls of the server over the measured window, counted (`strace -c`): wake-ups and
    // writes per RFQ, the part of the cost that is the kernel's.
    probe.measuring = (pid) => {
      const strace = spawn('strace', ['-c', '-f', '-p', String(pid), '-o', straceOut], { stdio: 'ignore' });
      return () =>
        new Promise<void>((resolve) => {
          strace.once('exit', () => resolve());
          strace.kill('SIGINT');
        });
    };
  }
  if (arg('threads')) {
    // CPU per thread of the server over the measured window (/proc): the main thread (JS, uWS) versus
    // V8's helpers (GC, compiler) and libuv's pool.
    const previous = probe.measuring;
    probe.measuring = (pid) => {
      const before = threadTimes(pid);
      const stopPrevious = previous?.(pid);
      return async () => {
        await stopPrevious?.();
        const after = threadTimes(pid);
        for (const [tid, t] of after) {
          const b = before.get(tid) ?? { name: t.name, user: 0, system: 0 };
          const user = t.user - b.user;
          const system = t.system - b.system;
          if (user + system > 0)
            console.error(`thread ${tid} ${t.name}: user ${user} ms, system ${system} ms`);
        }
      };
    };
  }
  const pinCpu = arg('pin-server');
  if (pinCpu) {
    // A core of its own for the server (run the driver under `taskset -c <another>`): wall-clock
    // samples then stop charging the server for time the clients held its core.
    const previous = probe.measuring;
    probe.measuring = (pid) => {
      spawnSync('taskset', ['-a', '-cp', pinCpu, String(pid)], { stdio: 'ignore' });
      return previous?.(pid) ?? (async () => {});
    };
  }
  const row = await runOne(
    kind,
    Number(arg('mms') ?? 100),
    Number(arg('rfqs') ?? 1_000),
    ratePerSecond,
    probe,
  );
  const { sampleMs: _samples, ...figures } = row;
  console.log(JSON.stringify(figures));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const arg = (name: string) =>
    process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(`--${name}=`.length);
  const rate = arg('rate');
  if (arg('only')) {
    await runSingle(arg, rate ? Number(rate) : 100);
    process.exit(0);
  }
  const mms = arg('mms');
  const rfqs = arg('rfqs');
  const figures = await runFanoutBench({
    quick: process.argv.includes('--quick'),
    ...(rate && { ratePerSecond: Number(rate) }),
    ...(mms && { mmCounts: mms.split(',').map(Number) }),
    ...(rfqs && { rfqsPerRun: Number(rfqs) }),
    skipLifecycle: process.argv.includes('--no-lifecycle'),
  });
  console.log(table(figures));
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures, null, 2));
}
