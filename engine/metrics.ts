/**
 * The engine's operational metrics, in prom-client's default registry (served by the gateway's
 * /metrics). Created once per process: a second engine in the same process (tests) reuses them.
 */
import { Counter, Gauge, Histogram, register } from 'prom-client';

function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const engineMetrics = {
  liveRfqs: once(
    'parlay_live_rfqs',
    () => new Gauge({ name: 'parlay_live_rfqs', help: 'RFQ actors held in memory' }),
  ),
  commitSeconds: once(
    'parlay_commit_seconds',
    () =>
      new Histogram({
        name: 'parlay_commit_seconds',
        help: 'Time to make one group commit durable',
        buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      }),
  ),
  commitBatchEvents: once(
    'parlay_commit_batch_events',
    () =>
      new Histogram({
        name: 'parlay_commit_batch_events',
        help: 'Domain events per group commit',
        buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
      }),
  ),
  rollbacks: once(
    'parlay_commit_rollbacks_total',
    () =>
      new Counter({
        name: 'parlay_commit_rollbacks_total',
        help: 'Group commits undone because the store failed',
      }),
  ),
  events: once(
    'parlay_events_total',
    () => new Counter({ name: 'parlay_events_total', help: 'Domain events published', labelNames: ['type'] }),
  ),
};
