/**
 * Persistence metrics on prom-client's default registry, names prefixed `parlay_`. Get-or-create:
 * several stores in one process (tests, benchmarks) share one series instead of failing to register.
 */
import { Counter, Gauge, Histogram, register } from 'prom-client';

function gauge(name: string, help: string): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help });
}

function counter(name: string, help: string): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help });
}

function histogram(name: string, help: string, buckets: number[]): Histogram {
  return (register.getSingleMetric(name) as Histogram | undefined) ?? new Histogram({ name, help, buckets });
}

export const persistenceMetrics = {
  writerLagEvents: gauge(
    'parlay_event_writer_lag_events',
    'Events committed to Redis and not yet stored in Postgres',
  ),
  writerLagMs: gauge(
    'parlay_event_writer_lag_ms',
    'Age (engine clock) of the oldest event not yet stored in Postgres; 0 when caught up',
  ),
  writerStored: counter('parlay_event_writer_events_total', 'Events stored in Postgres by the writer'),
  writerFailures: counter(
    'parlay_event_writer_failures_total',
    'Writer batches that failed and were retried',
  ),
  eventGaps: counter(
    'parlay_event_gaps_total',
    'Sequence gaps found between Postgres and the Redis buffer (events lost by Redis)',
  ),
  corruptSnapshots: counter(
    'parlay_snapshot_corrupt_total',
    'Snapshots or buffered events that could not be read back and were skipped',
  ),
  commitSeconds: histogram(
    'parlay_snapshot_commit_seconds',
    'Redis group-commit round trip',
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  ),
  commitFailures: counter('parlay_snapshot_commit_failures_total', 'Group commits refused or failed'),
};
