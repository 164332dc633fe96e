/**
 * The gateway section: RFQ fan-out to 10 / 100 / 500 MMs beside the limit (bare uWS publishing a
 * pre-encoded frame) and the peer (the `ws` library), same run; the marginal cost of one more
 * delivery; the full lifecycle round trip.
 */
import { runFanoutBench } from '../fanout.ts';
import type { Figure, Section } from '../report.ts';

export async function fanoutSection(opts: { quick: boolean }): Promise<Section> {
  const f = await runFanoutBench(opts);
  const figures: Figure[] = [];
  for (const run of f.runs) {
    const g = run.rows.gateway;
    const bare = run.rows['bare-uws'];
    const ws = run.rows['ws-lib'];
    figures.push(
      {
        name: `REST create → MM receipt, ${run.mms} MMs`,
        unit: 'ms',
        value: g.p50Ms,
        p50: g.p50Ms,
        p99: g.p99Ms,
        baseline: { name: 'bare uWS p99 (the limit)', value: bare.p99Ms },
        ratio: run.p99VsLimit,
        ratioNote: 'p99 ÷ limit p99',
        goal: 'p99 ≤ 1.5× limit',
        met: run.p99VsLimit <= 1.5,
      },
      {
        name: `server CPU per 1,000 deliveries, ${run.mms} MMs (client CPU ${g.clientCpuMsPer1000.toFixed(1)} ms)`,
        unit: 'ms',
        value: g.serverCpuMsPer1000,
        baseline: { name: 'bare uWS (the limit)', value: bare.serverCpuMsPer1000 },
        ratio: run.cpuVsLimit,
        ratioNote: 'gateway ÷ limit',
        goal: '≤ 1.3× limit',
        met: run.cpuVsLimit <= 1.3,
      },
      {
        name: `same fan-out served by the ws library, ${run.mms} MMs`,
        unit: 'ms/1k',
        value: ws.serverCpuMsPer1000,
        baseline: { name: 'gateway', value: g.serverCpuMsPer1000 },
        ratio: run.cpuAdvantageVsWs,
        ratioNote: 'ws ÷ gateway',
        goal: '≥ 3.5×',
        met: run.cpuAdvantageVsWs >= 3.5,
      },
    );
  }
  const m = f.marginal;
  if (m) {
    figures.push(
      {
        name: `server CPU per extra delivery (${m.fromMms} → ${m.toMms} MMs)`,
        unit: 'µs',
        value: m.usPerDelivery.gateway,
        baseline: { name: 'bare uWS', value: m.usPerDelivery['bare-uws'] },
        ratio: m.usPerDelivery.gateway / m.usPerDelivery['bare-uws'],
        ratioNote: 'gateway ÷ limit',
      },
      {
        name: 'same, ws library',
        unit: 'µs',
        value: m.usPerDelivery['ws-lib'],
        baseline: { name: 'gateway', value: m.usPerDelivery.gateway },
        ratio: m.usPerDelivery['ws-lib'] / m.usPerDelivery.gateway,
        ratioNote: 'ws ÷ gateway',
      },
      {
        name: 'fixed server CPU per RFQ (REST + engine + encode; does not grow with MMs)',
        unit: 'ms',
        value: m.fixedMsPerRfq.gateway,
        baseline: { name: 'bare uWS HTTP trigger', value: m.fixedMsPerRfq['bare-uws'] },
        ratio: m.fixedMsPerRfq.gateway / m.fixedMsPerRfq['bare-uws'],
      },
    );
  }
  const l = f.lifecycle;
  figures.push({
    name: 'full lifecycle round trip (create → quote seen → accept → confirmed), in-memory store',
    unit: 'ms',
    value: l.roundTrip.p50Ms,
    p50: l.roundTrip.p50Ms,
    p99: l.roundTrip.p99Ms,
  });
  const first = f.runs[0]?.mms ?? 1;
  return {
    title: 'Gateway (issue 5): RFQ fan-out to market makers',
    figures,
    growth: [
      {
        label: 'server CPU per 1,000 deliveries',
        unit: 'ms',
        points: f.runs.map((r) => ({
          scale: r.mms / first,
          work: `${r.mms} MMs`,
          value: r.rows.gateway.serverCpuMsPer1000,
        })),
      },
      {
        label: 'create → receipt p99',
        unit: 'ms',
        points: f.runs.map((r) => ({
          scale: r.mms / first,
          work: `${r.mms} MMs`,
          value: r.rows.gateway.p99Ms,
        })),
      },
    ],
    distributions: f.runs
      .filter((r) => r.mms === 100)
      .flatMap((r) => [
        { name: `create → MM receipt, gateway, ${r.mms} MMs`, samplesMs: r.rows.gateway.sampleMs },
        { name: `trigger → receipt, bare uWS, ${r.mms} MMs`, samplesMs: r.rows['bare-uws'].sampleMs },
      ]),
    notes: [
      `${f.ratePerSecond} RFQ/s, ${f.rfqsPerRun} RFQs per run; server, driver and MM clients in separate processes on ${f.machine.cpus} cores. Per-delivery CPU at few MMs is dominated by the fixed per-RFQ cost (REST, engine create, commit), which the bare baselines do not pay: the marginal figures separate the two.`,
    ],
  };
}
