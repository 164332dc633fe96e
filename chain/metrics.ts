/**
 * The chain actor's metrics, in prom-client's default registry (served by the gateway's /metrics):
 * transactions per batch, transaction latency, confirm → executed latency, failures by reason.
 * Created once per process; a second chain in the same process (tests) reuses them.
 */
import { Counter, Histogram, register } from 'prom-client';

function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

const LATENCY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const chainMetrics = {
  batchSize: once(
    'parlay_chain_batch_size',
    () =>
      new Histogram({
        name: 'parlay_chain_batch_size',
        help: 'Operations per transaction sent by the chain actor',
        labelNames: ['lane'],
        buckets: [1, 2, 3, 4, 5, 6, 8, 10, 12, 16],
      }),
  ),
  txSeconds: once(
    'parlay_chain_tx_seconds',
    () =>
      new Histogram({
        name: 'parlay_chain_tx_seconds',
        help: 'From building a transaction to its confirmation (or failure)',
        labelNames: ['lane', 'result'],
        buckets: LATENCY_BUCKETS,
      }),
  ),
  executedSeconds: once(
    'parlay_chain_confirm_to_executed_seconds',
    () =>
      new Histogram({
        name: 'parlay_chain_confirm_to_executed_seconds',
        help: 'From the engine handing over a confirmed position to it being reported executed',
        buckets: LATENCY_BUCKETS,
      }),
  ),
  failures: once(
    'parlay_chain_failures_total',
    () =>
      new Counter({
        name: 'parlay_chain_failures_total',
        help: 'Chain operations that failed: per transaction (retried) and for good',
        labelNames: ['lane', 'kind'],
      }),
  ),
};
