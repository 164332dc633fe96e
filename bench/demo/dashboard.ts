/** The demo's live view (redrawn in place on a terminal, a line every few seconds otherwise) and summary. */
import { formatFixed } from '../../machines/money.ts';
import type { DemoStats } from './stats.ts';

export interface BotLine {
  mmId: string;
  marginBps: number;
  stats: { quoted: number; skipped: number; confirmed: number; failed: number };
}

const usdc = (micro: number) => formatFixed(Math.round(micro), 6).replace(/(\.\d{2})\d*$/, '$1');
const ms = (n: number) => (Number.isNaN(n) ? '—' : `${n.toFixed(0)} ms`);

export function render(phase: string, elapsedMs: number, stats: DemoStats, bots: BotLine[]): string[] {
  const c = stats.counts();
  const created = stats.status.size;
  const q = stats.percentiles(stats.latencies.createToFirstQuote);
  const a = stats.percentiles(stats.latencies.acceptToConfirmed);
  const x = stats.percentiles(stats.latencies.confirmedToExecuted);
  const share = stats.riskLockedMicro > 0 ? (100 * stats.collateralLockedMicro) / stats.riskLockedMicro : 0;
  const errors = [...stats.errors.entries()].map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  return [
    `parlay-rfq demo · ${(elapsedMs / 1000).toFixed(1)} s · ${phase}`,
    `  RFQs ${created}: open ${c.open} · quoted ${c.quoted} · accepted ${c.accepted} · confirmed ${c.confirmed} · executed ${c.executed} · settled ${c.settled} · cancelled ${c.cancelled} · expired ${c.expired}`,
    `  latency p50/p99: create→first quote ${ms(q.p50)}/${ms(q.p99)} · accept→confirmed ${ms(a.p50)}/${ms(a.p99)} · confirmed→on chain ${ms(x.p50)}/${ms(x.p99)}`,
    `  collateral locked ${usdc(stats.collateralLockedMicro)} USDC for ${usdc(stats.riskLockedMicro)} USDC of MM risk (${share.toFixed(1)}% of full risk)`,
    `  settled: ${stats.wins} user wins · ${stats.losses} user losses · ${stats.voids} voided (refunded) · protocol fees ${usdc(stats.feesMicro)} USDC`,
    ...bots.map(
      (b) =>
        `  ${b.mmId} (margin ${(b.marginBps / 100).toFixed(1)}%): quoted ${b.stats.quoted} · confirmed ${b.stats.confirmed} · skipped ${b.stats.skipped} · failed ${b.stats.failed}`,
    ),
    `  refused commands: ${errors}`,
  ];
}

/** Redraws in place on a TTY; elsewhere prints the block every `everyMs`. */
export class Dashboard {
  private lines = 0;
  private lastPrint = 0;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly everyMs = 3_000,
  ) {}

  draw(lines: string[], force = false): void {
    if (this.out.isTTY) {
      if (this.lines > 0) this.out.write(`\x1b[${this.lines}A`);
      for (const line of lines) this.out.write(`\x1b[2K${line}\n`);
      this.lines = lines.length;
      return;
    }
    const now = Date.now();
    if (!force && now - this.lastPrint < this.everyMs) return;
    this.lastPrint = now;
    this.out.write(`${lines.join('\n')}\n\n`);
  }
}
