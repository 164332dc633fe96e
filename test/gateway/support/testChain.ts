/**
 * The chain port as a test drives it: orders are recorded, and the test answers through the sink
 * (executed, settled, cancelled) when it wants the lifecycle to move. chain/'s litesvm executor is
 * not wired into the engine yet; this plays its part with the same port.
 */
import type {
  ChainExecutor,
  ChainResultSink,
  PositionOrder,
  SettleOrder,
} from '../../../engine/ports/chain.ts';

export class TestChain implements ChainExecutor {
  sink!: ChainResultSink;
  readonly created: PositionOrder[] = [];
  readonly settled: SettleOrder[] = [];
  private waiters: Array<(order: PositionOrder) => void> = [];

  attach(sink: ChainResultSink): void {
    this.sink = sink;
  }

  createPosition(order: PositionOrder): void {
    this.created.push(order);
    for (const wake of this.waiters.splice(0)) wake(order);
  }

  /** Resolves with the order for this RFQ once the engine has sent it. */
  order(rfqId: string): Promise<PositionOrder> {
    const found = this.created.find((o) => o.rfqId === rfqId);
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const check = (o: PositionOrder) => (o.rfqId === rfqId ? resolve(o) : this.waiters.push(check));
      this.waiters.push(check);
    });
  }

  settlePosition(order: SettleOrder): void {
    this.settled.push(order);
  }

  releaseCollateral(): void {}

  explorerUrl(kind: 'tx' | 'address', value: string): string {
    return `https://explorer.solana.com/${kind}/${value}?cluster=custom`;
  }

  async reconcile(): Promise<void> {}

  async lockedCollateral(): Promise<Map<string, number>> {
    return new Map();
  }

  async shutdown(): Promise<void> {}
}
