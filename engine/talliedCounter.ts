/**
 * Counters for hot paths (a domain event, a REST request, a publish) without prom-client on the path:
 * prom-client validates and hashes the label set on every `inc`, through its `labels()` children too.
 * Here a caller resolves a cell once per label set and adds to a plain number; the prom-client counter
 * takes the pending counts in its `collect` hook, so every scrape (and `metric.get()`) is exact.
 */
import { Counter, type LabelValues, register } from 'prom-client';

/** One label set's pending count, kept by the caller: `cell.n += k` is the whole hot path. */
export interface CountCell {
  n: number;
}

/** Where a counter keeps its tally, so a second copy of this module finds it (prom-client's registry is global). */
const TALLY = Symbol.for('parlay.talliedCounter');

export class TalliedCounter<L extends string> {
  readonly metric: Counter<L>;
  private readonly cells = new Map<string, { labels: LabelValues<L>; cell: CountCell }>();

  private constructor(config: { name: string; help: string; labelNames: readonly L[] }) {
    const flush = () => this.flush();
    this.metric = new Counter<L>({
      ...config,
      collect() {
        flush();
      },
    });
    Object.defineProperty(this.metric, TALLY, { value: this });
  }

  /** The counter registered under this name, or a new one: created once per process. */
  static of<L extends string>(config: {
    name: string;
    help: string;
    labelNames: readonly L[];
  }): TalliedCounter<L> {
    const existing = register.getSingleMetric(config.name) as { [TALLY]?: TalliedCounter<L> } | undefined;
    return existing?.[TALLY] ?? new TalliedCounter(config);
  }

  /** The cell for this label set, created on first use; hold on to it. */
  cell(labels: LabelValues<L>): CountCell {
    const key = JSON.stringify(labels);
    let entry = this.cells.get(key);
    if (!entry) {
      entry = { labels, cell: { n: 0 } };
      this.cells.set(key, entry);
    }
    return entry.cell;
  }

  /** For cold paths: resolves the cell each time. */
  inc(labels: LabelValues<L>, n = 1): void {
    this.cell(labels).n += n;
  }

  private flush(): void {
    for (const { labels, cell } of this.cells.values()) {
      if (cell.n === 0) continue;
      this.metric.inc(labels, cell.n);
      cell.n = 0;
    }
  }
}
