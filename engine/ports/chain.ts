/**
 * The chain as the engine sees it: orders go in, results come back. chain/ implements it (litesvm
 * embedded or JSON-RPC) with the chain actor's batching; results reach the engine through the sink.
 */
import type { Leg } from '../../machines/domain.ts';
import type { Micro } from '../../machines/money.ts';
import type { Outcome } from '../../machines/payout.ts';

export interface PositionOrder {
  rfqId: string;
  quoteId: string;
  userId: string;
  mmId: string;
  legs: Leg[];
  stakeMicro: Micro;
  riskMicro: Micro;
  collateralMicro: Micro;
  feeBps: number;
}

export interface SettleOrder {
  rfqId: string;
  userId: string;
  mmId: string;
  positionAddress: string;
  outcome: Outcome | 'void';
  stakeMicro: Micro;
  riskMicro: Micro;
  feeBps: number;
}

export interface ChainResultSink {
  positionExecuted(rfqId: string, result: { positionAddress: string; signature: string }): void;
  /** Creation failed for good (retried alone first); the RFQ is cancelled with this reason. */
  executionFailed(rfqId: string, reason: string): void;
  positionSettled(
    rfqId: string,
    result: { outcome: Outcome; payoutMicro: Micro; feeMicro: Micro; signature: string },
  ): void;
  positionCancelled(rfqId: string, result: { signature: string; reason: string }): void;
}

export interface ChainExecutor {
  attach(sink: ChainResultSink): void;
  createPosition(order: PositionOrder): void;
  settlePosition(order: SettleOrder): void;
  /** Lowers an MM's locked collateral to `requiredMicro` (release-only). */
  releaseCollateral(mmId: string, requiredMicro: Micro): void;
  /** Link to a transaction or account on the cluster's explorer. */
  explorerUrl(kind: 'tx' | 'address', value: string): string;
  /**
   * Recovery hook: for RFQs confirmed but not executed at boot, tells whether the position already
   * exists on chain (so it is reported, not re-sent).
   */
  reconcile(orders: PositionOrder[]): Promise<void>;
  /** Each MM vault's collateral locked on chain now (releases included), for rebuilding risk books at boot. */
  lockedCollateral(mmIds: string[]): Promise<Map<string, Micro>>;
  shutdown(): Promise<void>;
}
