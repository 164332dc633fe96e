/**
 * The engine's operational metrics, in prom-client's default registry (served by the gateway's
 * /metrics). Created once per process: a second engine in the same process (tests) reuses them.
 * Those updated on every commit are cheap on that path and brought up to date at scrape time:
 * counters tallied, histograms batched, the live-RFQ gauge read from a number the runtime sets.
 */
import { Counter, Gauge, register } from 'prom-client';
import { BatchedHistogram } from './batchedHistogram.ts';
import { TalliedCounter } from './talliedCounter.ts';

function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/** Where the live-RFQ gauge finds its value, so a second copy of this module shares it. */
const LIVE = Symbol.for('parlay.liveRfqs');

function liveRfqsGauge(): { value: number } {
  const existing = register.getSingleMetric('parlay_live_rfqs') as { [LIVE]?: { value: number } } | undefined;
  if (existing?.[LIVE]) return existing[LIVE];
  const live = { value: 0 };
  const gauge = new Gauge({
    name: 'parlay_live_rfqs',
    help: 'RFQ actors held in memory',
    collect() {
      this.set(live.value);
    },
  });
  Object.defineProperty(gauge, LIVE, { value: live });
  return live;
}

export const engineMetrics = {
  /** Set after every published batch; the gauge reads it when scraped. */
  liveRfqs: liveRfqsGauge(),
  commitSeconds: BatchedHistogram.of({
    name: 'parlay_commit_seconds',
    help: 'Time to make one group commit durable',
    buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
  }).batch(),
  commitBatchEvents: BatchedHistogram.of({
    name: 'parlay_commit_batch_events',
    help: 'Domain events per group commit',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
  }).batch(),
  rollbacks: once(
    'parlay_commit_rollbacks_total',
    () =>
      new Counter({
        name: 'parlay_commit_rollbacks_total',
        help: 'Group commits undone because the store failed',
      }),
  ),
  /** Per event on the commit path: tallied (see talliedCounter.ts). */
  events: TalliedCounter.of({
    name: 'parlay_events_total',
    help: 'Domain events published',
    labelNames: ['type'],
  }),
};
