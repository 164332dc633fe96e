/** Small measuring helpers for the risk benchmark: percentiles, event-loop delay, waiting with a cap. */
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface Percentiles {
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of `values` (any unit). */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
  return { samples: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

/** Event-loop delay (ms) over an async stretch of work, sampled every millisecond. */
export async function withLoopDelay<T>(work: () => Promise<T>): Promise<{ result: T; delayMs: Percentiles }> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  try {
    const result = await work();
    h.disable();
    const ms = (ns: number) => ns / 1e6;
    return {
      result,
      delayMs: { samples: h.count, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) },
    };
  } finally {
    h.disable();
  }
}

/** Resolves true when `done` resolves, false after `ms`. */
export async function within(done: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([done.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `ready` every few ms (yielding to the event loop) until true or `ms` passed. */
export async function waitFor(ready: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!ready()) {
    if (performance.now() > end) return false;
    await new Promise((r) => setTimeout(r, 2));
  }
  return true;
}
