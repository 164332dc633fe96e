/**
 * A histogram series fed from a hot path. prom-client's `observe` builds a closure, validates and
 * hashes the labels and looks the bucket up by a string key on every call; on a path that runs once
 * per request, with the CPU's caches cold between requests, that is library code to fetch each time.
 * Here an observation is a push onto an array; the batch goes to prom-client at every scrape (its
 * `collect` hook), so what a scrape sees is exact, and, so memory stays bounded without a scrape, once
 * BATCH have gathered — after the current callback (setImmediate), not on the path that observed.
 */
import { Histogram, type LabelValues, register } from 'prom-client';

const BATCH = 256;

/** Observations of one label set. */
export class ObservationBatch<L extends string> {
  private values: number[] = [];
  private flushScheduled = false;

  constructor(
    private readonly histogram: Histogram<L>,
    private readonly labels: LabelValues<L>,
  ) {}

  observe(value: number): void {
    this.values.push(value);
    if (this.values.length >= BATCH && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.flushScheduled = false;
    const values = this.values;
    this.values = [];
    for (const value of values) this.histogram.observe(this.labels, value);
  }
}

/** Where a histogram keeps its batches, so a second copy of this module finds them (the registry is global). */
const BATCHES = Symbol.for('parlay.batchedHistogram');

export class BatchedHistogram<L extends string> {
  readonly metric: Histogram<L>;
  private readonly batches = new Map<string, ObservationBatch<L>>();

  private constructor(config: { name: string; help: string; labelNames?: readonly L[]; buckets: number[] }) {
    const flush = () => this.flush();
    this.metric = new Histogram<L>({
      ...config,
      collect() {
        flush();
      },
    });
    Object.defineProperty(this.metric, BATCHES, { value: this });
  }

  /** The histogram registered under this name, or a new one: created once per process. */
  static of<L extends string>(config: {
    name: string;
    help: string;
    labelNames?: readonly L[];
    buckets: number[];
  }): BatchedHistogram<L> {
    const existing = register.getSingleMetric(config.name) as { [BATCHES]?: BatchedHistogram<L> } | undefined;
    return existing?.[BATCHES] ?? new BatchedHistogram(config);
  }

  /** The batch for this label set, created on first use; hold on to it. */
  batch(labels: LabelValues<L> = {} as LabelValues<L>): ObservationBatch<L> {
    const key = JSON.stringify(labels);
    let batch = this.batches.get(key);
    if (!batch) {
      batch = new ObservationBatch(this.metric, labels);
      this.batches.set(key, batch);
    }
    return batch;
  }

  private flush(): void {
    for (const batch of this.batches.values()) batch.flush();
  }
}
