/**
 * A finished run as one section of the suite's report (bench/report.ts): the same figures, latency
 * distributions and notes a reader of `npm run bench` already knows how to read.
 */
import { cpus } from 'node:os';
import type { Figure, Section } from '../report.ts';
import type { LoadOptions } from './args.ts';
import { LatencyHistogram } from './histogram.ts';
import type { WorkerStats } from './messages.ts';
import { sumOf } from './progress.ts';
import type { Tally } from './tally.ts';

export interface RunResult {
  options: LoadOptions;
  users: number;
  processes: number;
  connectedMms: number;
  connectFailures: Record<string, number>;
  /** How long RFQs were being sent (shorter than --duration when interrupted). */
  sendMs: number;
  /** The measured window: from the first RFQ to the end of the drain. */
  measuredMs: number;
  interrupted: boolean;
  tally: Tally;
  workers: WorkerStats[];
  deadProcesses: number;
  driverCpuMs: number;
  /** The whole machine running the generator, busy share over the run, %. */
  hostBusyPct: number;
  serverCpuMs: number | null;
}

/** Failures that are races of the protocol, not faults: another MM's quote was accepted first. */
export const BENIGN_ERRORS = new Set(['quote:RFQ_NOT_QUOTABLE']);

/** Every failure of the run, by "stage:CODE", driver and MM processes together. */
export function allErrors(r: RunResult): Record<string, number> {
  const out: Record<string, number> = {};
  const add = (key: string, count: number) => {
    out[key] = (out[key] ?? 0) + count;
  };
  for (const [code, count] of Object.entries(r.tally.createFailures)) add(`create:${code}`, count);
  for (const [key, count] of Object.entries(r.tally.errors)) add(key, count);
  for (const w of r.workers) for (const [key, count] of Object.entries(w.errors)) add(key, count);
  for (const [code, count] of Object.entries(r.connectFailures)) add(`connect:${code}`, count);
  return out;
}

const latency = (name: string, h: LatencyHistogram): Figure => ({
  name,
  unit: 'ms',
  value: h.percentile(50),
  p50: h.percentile(50),
  p99: h.percentile(99),
  max: h.total > 0 ? h.maxMs : Number.NaN,
});

const count = (name: string, value: number, extra: Partial<Figure> = {}): Figure => ({
  name,
  unit: 'count',
  value,
  ...extra,
});

export function buildSection(r: RunResult): Section {
  const o = r.options;
  const t = r.tally;
  const lifecycle = o.mode === 'lifecycle';
  const receipt = LatencyHistogram.merge(r.workers.map((w) => w.receipt));
  const quoteAck = LatencyHistogram.merge(r.workers.map((w) => w.quoteAck));
  const deliveries = sumOf(r.workers, 'deliveries');
  const expected = t.acked * r.connectedMms;
  const sendSeconds = r.sendMs / 1000;
  const measuredSeconds = r.measuredMs / 1000;
  const mmCpuMs = r.workers.reduce((sum, w) => sum + w.cpuUs / 1000, 0);
  const busiestPct = Math.max(0, ...r.workers.map((w) => (w.wallMs > 0 ? w.cpuUs / 10 / w.wallMs : 0)));
  const driverPct = r.measuredMs > 0 ? (r.driverCpuMs / r.measuredMs) * 100 : 0;
  const per1000 = (cpuMs: number, of: number) => (of > 0 ? (cpuMs * 1000) / of : Number.NaN);
  const errors = allErrors(r);

  const figures: Figure[] = [
    latency(`RFQ create → MM receipt, ${r.connectedMms} MMs`, receipt),
    latency('RFQ create → REST answer', t.createAck),
    {
      name: 'RFQs acknowledged per second',
      unit: 'RFQ/s',
      value: sendSeconds > 0 ? t.acked / sendSeconds : 0,
      goal: `${o.ratePerSecond}/s offered`,
      met: sendSeconds > 0 && t.acked / sendSeconds >= 0.99 * o.ratePerSecond,
    },
    {
      name: 'deliveries per second',
      unit: '/s',
      value: measuredSeconds > 0 ? deliveries / measuredSeconds : 0,
    },
    count('RFQs sent', t.sent),
    count('RFQs acknowledged', t.acked),
    count('RFQs failed', t.failed),
    count('deliveries received (acknowledged RFQs × connected MMs)', deliveries, {
      goal: `= ${expected}`,
      met: deliveries === expected,
    }),
  ];
  if (lifecycle) {
    figures.push(
      latency('accept → executed (position on chain)', t.acceptToExecuted),
      latency('create → executed (round trip)', t.createToExecuted),
      latency('MM quote → ack', quoteAck),
      count('RFQs quoted (a live quote when the user looked)', t.quoted),
      count('RFQs unquoted', t.unquoted),
      count('quotes acknowledged', sumOf(r.workers, 'quotes')),
      count('accepted', t.accepted),
      count('confirmed', sumOf(r.workers, 'confirms')),
      count('executed', t.executed, { goal: `= accepted (${t.accepted})`, met: t.executed === t.accepted }),
    );
    for (const [why, n] of Object.entries(t.ended).sort())
      figures.push(count(`ended without a position: ${why}`, n));
  }
  for (const [key, n] of Object.entries(errors).sort()) figures.push(count(`errors: ${key}`, n));
  figures.push(
    {
      name: `MM client CPU per 1,000 deliveries (${r.processes} processes, busiest at ${busiestPct.toFixed(0)}% of a core)`,
      unit: 'ms',
      value: per1000(mmCpuMs, deliveries),
    },
    {
      name: `driver CPU per 1,000 RFQs sent (${driverPct.toFixed(0)}% of a core)`,
      unit: 'ms',
      value: per1000(r.driverCpuMs, t.sent),
    },
    {
      name: 'server CPU per 1,000 deliveries (its /metrics, process_cpu_seconds_total)',
      unit: 'ms',
      value: r.serverCpuMs === null ? Number.NaN : per1000(r.serverCpuMs, deliveries),
    },
    { name: 'generator machine busy (all cores, all processes)', unit: '%', value: r.hostBusyPct },
    latency('generator send lag (actual − scheduled send)', t.sendLag),
  );

  const distributions = [
    { name: `create → MM receipt (${r.connectedMms} MMs)`, samplesMs: receipt.samples() },
  ];
  if (lifecycle && t.acceptToExecuted.total > 0)
    distributions.push(
      { name: 'accept → executed', samplesMs: t.acceptToExecuted.samples() },
      { name: 'create → executed', samplesMs: t.createToExecuted.samples() },
    );
  return {
    title: `Load generator: ${o.mode} against ${o.url}`,
    figures,
    growth: [],
    distributions: distributions.filter((d) => d.samplesMs.length > 0),
    notes: notes(r, { deliveries, expected, busiestPct, driverPct, errors }),
  };
}

function notes(
  r: RunResult,
  d: {
    deliveries: number;
    expected: number;
    busiestPct: number;
    driverPct: number;
    errors: Record<string, number>;
  },
): string[] {
  const o = r.options;
  const out = [
    `${o.mode} run: ${r.connectedMms} MMs in ${r.processes} process(es), ${r.users} users, ${o.ratePerSecond} RFQ/s offered for ${(r.sendMs / 1000).toFixed(1)} s, ${o.minLegs}–${o.maxLegs} legs, bet ${o.betUsdc} USDC, RFQ expiry ${o.rfqTtlSeconds} s. Open loop: latencies count from each RFQ's scheduled send time, so queueing anywhere (the generator included) shows in them.`,
    'No baseline: against a remote gateway there is no same-run limit to stand a figure beside. The suite’s gateway fan-out section (`npm run bench`) is where baselines live (bare uWS and the ws library, same machine, same run).',
    'Percentiles come from a log-bucketed histogram (1 % resolution); the max is exact.',
  ];
  if (r.interrupted)
    out.push(
      `Stopped early (SIGINT) after ${(r.sendMs / 1000).toFixed(1)} s of sending: figures cover what ran.`,
    );
  if (d.deliveries < d.expected)
    out.push(
      `${d.expected - d.deliveries} deliveries missing: an acknowledged RFQ did not reach every connected MM within the drain (disconnects, slow consumers closed 4008, or the drain was too short).`,
    );
  const foreign = r.workers.reduce((s, w) => s + w.foreign, 0);
  const unmatched = r.workers.reduce((s, w) => s + w.unmatched, 0);
  if (foreign > 0)
    out.push(`${foreign} receipts of RFQs created by others (shared gateway) were counted apart.`);
  if (unmatched > 0)
    out.push(
      `${unmatched} receipts of this run's users' RFQs whose create was never acknowledged (timed out after the gateway took it).`,
    );
  if (d.busiestPct >= 85)
    out.push(
      `The busiest MM client process ran at ${d.busiestPct.toFixed(0)}% of a core: the clients, not the gateway, may have been the bottleneck (more --processes, or a second machine).`,
    );
  if (r.hostBusyPct >= 90)
    out.push(
      `The machine running the generator was ${r.hostBusyPct.toFixed(0)}% busy over the run (all ${cpus().length} cores, every process): latencies include waiting for a CPU. Run the generator on another machine, or offer less load, to measure the gateway alone.`,
    );
  if (d.driverPct >= 85)
    out.push(
      `The driver ran at ${d.driverPct.toFixed(0)}% of a core: it may have been the bottleneck (see the send lag).`,
    );
  if (Object.keys(d.errors).some((k) => k.endsWith(':RATE_LIMITED')))
    out.push(
      'RATE_LIMITED: a principal went over its write budget (default users 20/s, MMs 200/s): use more --users or --mms.',
    );
  if (r.deadProcesses > 0)
    out.push(`${r.deadProcesses} MM process(es) exited during the run; their last statistics are included.`);
  const benign = Object.keys(d.errors).filter((k) => BENIGN_ERRORS.has(k));
  if (benign.length > 0)
    out.push(
      `${benign.join(', ')}: a quote that arrived after the user had accepted another (a race, not a fault).`,
    );
  if (r.serverCpuMs === null) out.push('Server CPU n/a: the gateway’s /metrics was not reachable.');
  else
    out.push(
      'Server CPU is the gateway process that answered /metrics (one instance behind a load balancer; it includes any other traffic it served).',
    );
  return out;
}
