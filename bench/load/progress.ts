/**
 * The live progress line (rewritten in place once a second on a terminal; a plain line every five
 * seconds otherwise, so logs stay readable) and the one-off lines that must not be overwritten by it.
 */

import { LatencyHistogram } from './histogram.ts';
import type { WorkerStats } from './messages.ts';
import type { Tally } from './tally.ts';

export interface Snapshot {
  elapsedMs: number;
  durationMs: number;
  lifecycle: boolean;
  tally: Tally;
  workers: WorkerStats[];
  expectedPerRfq: number;
  driverCpuPct: number;
  /** The whole machine over the last second, %. */
  hostBusyPct: number;
}

const n = (x: number) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e4 ? `${(x / 1e3).toFixed(1)}k` : `${x}`;
const ms = (x: number) => (Number.isNaN(x) ? '—' : x >= 100 ? x.toFixed(0) : x.toFixed(1));

export function sumOf(workers: readonly WorkerStats[], key: 'deliveries' | 'quotes' | 'confirms'): number {
  return workers.reduce((sum, w) => sum + w[key], 0);
}

export function progressLine(s: Snapshot): string {
  const t = s.tally;
  const failures = Object.entries(t.createFailures)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([code, count]) => `${code} ${count}`)
    .join(', ');
  const receipt = LatencyHistogram.merge(s.workers.map((w) => w.receipt));
  const delivered = sumOf(s.workers, 'deliveries');
  const mmCpu = s.workers.reduce((sum, w) => sum + (w.wallMs > 0 ? w.cpuUs / 10 / w.wallMs : 0), 0);
  const parts = [
    s.elapsedMs <= s.durationMs
      ? `${(s.elapsedMs / 1000).toFixed(0)}/${(s.durationMs / 1000).toFixed(0)}s`
      : `${(s.durationMs / 1000).toFixed(0)}s + drain ${((s.elapsedMs - s.durationMs) / 1000).toFixed(0)}s`,
    `RFQs sent ${n(t.sent)} acked ${n(t.acked)} failed ${n(t.failed)}${failures ? ` (${failures})` : ''}`,
    `deliveries ${n(delivered)}/${n(t.acked * s.expectedPerRfq)}`,
    `create→MM p50 ${ms(receipt.percentile(50))} p99 ${ms(receipt.percentile(99))} ms`,
  ];
  if (s.lifecycle) {
    const exec = t.acceptToExecuted;
    const ended = Object.values(t.ended).reduce((a, b) => a + b, 0);
    parts.push(
      `quoted ${n(t.quoted)} accepted ${n(t.accepted)} confirmed ${n(sumOf(s.workers, 'confirms'))} executed ${n(t.executed)} ended ${n(ended)} unquoted ${n(t.unquoted)}`,
      `accept→exec p50 ${ms(exec.percentile(50))} p99 ${ms(exec.percentile(99))} ms`,
    );
  }
  parts.push(
    `CPU driver ${s.driverCpuPct.toFixed(0)}% MMs ${mmCpu.toFixed(0)}% (of a core) host ${s.hostBusyPct.toFixed(0)}% busy`,
  );
  return parts.join(' · ');
}

/** Writes the progress line and log lines to one stream without one clobbering the other. */
export class StatusWriter {
  private shown = false;
  private lastPlain = 0;
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean },
    private readonly enabled: boolean,
  ) {
    this.tty = out.isTTY === true;
  }

  status(line: string, force = false): void {
    if (!this.enabled) return;
    if (this.tty) {
      this.out.write(`\r${line}\x1b[K`);
      this.shown = true;
      return;
    }
    const now = Date.now();
    if (force || now - this.lastPlain >= 5_000) {
      this.out.write(`${line}\n`);
      this.lastPlain = now;
    }
  }

  log(line: string): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.out.write(`${line}\n`);
  }

  /** Leaves the last progress line on screen and moves below it. */
  end(): void {
    if (this.shown) this.out.write('\n');
    this.shown = false;
  }
}
