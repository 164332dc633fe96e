/** What the demo shows, folded from the engine's event stream as it happens. */
import type { DomainEvent, RfqStatus } from '../../machines/domain.ts';
import { percentile } from '../report.ts';

export interface Latencies {
  createToFirstQuote: number[];
  acceptToConfirmed: number[];
  confirmedToExecuted: number[];
}

export class DemoStats {
  readonly status = new Map<string, RfqStatus>();
  readonly latencies: Latencies = { createToFirstQuote: [], acceptToConfirmed: [], confirmedToExecuted: [] };
  riskLockedMicro = 0;
  collateralLockedMicro = 0;
  feesMicro = 0;
  paidToUsersMicro = 0;
  wins = 0;
  losses = 0;
  voids = 0;
  executionFailures = 0;
  readonly errors = new Map<string, number>();
  private readonly createdAt = new Map<string, number>();
  private readonly acceptedAt = new Map<string, number>();
  private readonly confirmedAt = new Map<string, number>();
  private readonly riskOf = new Map<string, number>();
  /** RFQs whose position is on chain and not yet settled or cancelled. */
  readonly openPositions = new Set<string>();
  /** Each RFQ's leg tickers: what settlement has to resolve. */
  readonly legsOf = new Map<string, string[]>();

  onEvent(e: DomainEvent): void {
    switch (e.type) {
      case 'rfq.created':
        this.status.set(e.rfqId, 'open');
        this.createdAt.set(e.rfqId, e.at);
        this.legsOf.set(
          e.rfqId,
          e.rfq.legs.map((l) => l.ticker),
        );
        return;
      case 'rfq.status':
        this.status.set(e.rfqId, e.status);
        return;
      case 'quote.submitted': {
        const created = this.createdAt.get(e.rfqId);
        if (created !== undefined) {
          this.latencies.createToFirstQuote.push(e.at - created);
          this.createdAt.delete(e.rfqId);
        }
        return;
      }
      case 'quote.accepted':
        this.acceptedAt.set(e.rfqId, e.at);
        this.riskOf.set(e.rfqId, e.quote.mmRiskMicro);
        return;
      case 'quote.confirmed': {
        const accepted = this.acceptedAt.get(e.rfqId);
        if (accepted !== undefined) this.latencies.acceptToConfirmed.push(e.at - accepted);
        this.confirmedAt.set(e.rfqId, e.at);
        return;
      }
      case 'position.executed': {
        const confirmed = this.confirmedAt.get(e.rfqId);
        if (confirmed !== undefined) this.latencies.confirmedToExecuted.push(e.at - confirmed);
        this.riskLockedMicro += this.riskOf.get(e.rfqId) ?? 0;
        this.collateralLockedMicro += e.collateralMicro;
        this.openPositions.add(e.rfqId);
        return;
      }
      case 'position.settled':
        this.openPositions.delete(e.rfqId);
        this.feesMicro += e.feeMicro;
        this.paidToUsersMicro += e.payoutMicro;
        if (e.outcome === 'win') this.wins++;
        else this.losses++;
        return;
      case 'position.cancelled':
        if (e.positionAddress === null) this.executionFailures++;
        else {
          this.openPositions.delete(e.rfqId);
          this.voids++;
        }
        return;
      default:
        return;
    }
  }

  countError(code: string): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  counts(): Record<RfqStatus, number> {
    const out: Record<RfqStatus, number> = {
      open: 0,
      quoted: 0,
      accepted: 0,
      confirmed: 0,
      executed: 0,
      settled: 0,
      cancelled: 0,
      expired: 0,
    };
    for (const s of this.status.values()) out[s]++;
    return out;
  }

  percentiles(samples: number[]): { p50: number; p99: number; n: number } {
    const sorted = [...samples].sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: sorted.length };
  }
}
