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
 *   node --import tsx bench/fanout.ts [--quick] [--rate=100] [--json]
 */
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
const WARMUP = 300;
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

export async function runOne(
  kind: ServerKind,
  mms: number,
  rfqs: number,
  ratePerSecond: number,
): Promise<FanoutRow> {
  const server = await ServerProcess.start(kind, mms, WARMUP + rfqs);
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
  await sleep(500);
  for (const c of clients) c.mark();
  const cpuBefore = await server.cpuMs();
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
  for (let waited = 0; waited < 20_000; waited += 50) {
    const counts = await Promise.all(clients.map((c) => c.count()));
    if (counts.reduce((a, b) => a + b, 0) >= expected) break;
    await sleep(50);
  }
  const serverCpuMs = (await server.cpuMs()) - cpuBefore;
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
}): Promise<FanoutFigures> {
  const mmCounts = opts.quick ? [10, 100] : [10, 100, 500];
  const ratePerSecond = opts.ratePerSecond ?? 100;
  const rfqsPerRun = opts.quick ? 200 : 1_000;
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
  const lifecycle = await runLifecycle(opts.quick ? 100 : 500);
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
    'MMs  server    delivered        p50 ms  p99 ms  server CPU ms/1k  client CPU ms/1k',
  ];
  for (const run of figures.runs) {
    for (const kind of KINDS) {
      const r = run.rows[kind];
      lines.push(
        `${String(run.mms).padEnd(5)}${kind.padEnd(10)}${`${r.deliveries}/${r.expected}`.padEnd(17)}${f(r.p50Ms).padStart(6)}  ${f(r.p99Ms).padStart(6)}  ${f(r.serverCpuMsPer1000, 3).padStart(16)}  ${f(r.clientCpuMsPer1000, 3).padStart(16)}`,
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
      `marginal server CPU per delivery (${m.fromMms}→${m.toMms} MMs): bare uWS ${f(u['bare-uws'])} µs · gateway ${f(u.gateway)} µs (${f(u.gateway / u['bare-uws'])}×) · ws ${f(u['ws-lib'])} µs (${f(u['ws-lib'] / u.gateway)}× the gateway)`,
      `fixed server CPU per RFQ: bare uWS ${f(x['bare-uws'], 3)} ms (HTTP trigger) · gateway ${f(x.gateway, 3)} ms (REST + engine + encode) · ws ${f(x['ws-lib'], 3)} ms`,
    );
  }
  const l = figures.lifecycle;
  lines.push(
    `lifecycle (${l.rounds} rounds): create→quote seen p50 ${f(l.createToQuoteSeen.p50Ms)} / p99 ${f(l.createToQuoteSeen.p99Ms)} ms · accept→confirmed p50 ${f(l.acceptToConfirmed.p50Ms)} / p99 ${f(l.acceptToConfirmed.p99Ms)} ms · round trip p50 ${f(l.roundTrip.p50Ms)} / p99 ${f(l.roundTrip.p99Ms)} ms`,
  );
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rate = process.argv.find((a) => a.startsWith('--rate='))?.slice('--rate='.length);
  const figures = await runFanoutBench({
    quick: process.argv.includes('--quick'),
    ...(rate && { ratePerSecond: Number(rate) }),
  });
  console.log(table(figures));
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures, null, 2));
}
