/**
 * Collateral for market makers' positions (engine/risk implements it with HiGHS in worker threads;
 * engine/risk/fullRisk.ts is the conservative policy: collateral = full risk).
 */
import type { Leg } from '../../machines/domain.ts';
import type { Micro } from '../../machines/money.ts';

export interface PositionRisk {
  /** The RFQ id: a position is one RFQ. */
  positionId: string;
  mmId: string;
  legs: Leg[];
  riskMicro: Micro;
  stakeMicro: Micro;
}

export interface CollateralDecision {
  /** What to lock now: ≥ WC(book + new) − locked, ≤ riskMicro. */
  collateralMicro: Micro;
  /** The MM's required total after this position (the upper bound the decision used). */
  requiredMicro: Micro;
  /** How the bound was obtained, for logs and metrics ("component-cache", "lp", "full-risk", …). */
  method: string;
}

export interface RiskEngine {
  /**
   * Decides a new position's collateral on the confirm path and adds it to the MM's book provisionally.
   * Calls for one MM are serialised by the implementation; it never rejects for a solver failure (the
   * fallback is the full risk).
   */
  reserve(position: PositionRisk): Promise<CollateralDecision>;
  /**
   * The position landed on chain: its collateral is now locked. Only landed collateral counts towards
   * what later positions may lean on, so abandoning one position never leaves another uncovered.
   */
  commit(mmId: string, positionId: string): void;
  /** The position will never exist (confirm rolled back or creation failed for good). */
  abandon(mmId: string, positionId: string): void;
  /**
   * The position settled or was cancelled: it leaves the book. On a win the program paid its risk out
   * of the MM's locked collateral; otherwise locked collateral is only lowered by `onRelease`.
   */
  close(mmId: string, positionId: string, outcome: 'win' | 'loss' | 'void'): void;
  /** Rebuilds books at boot from executed positions and each MM's locked total. */
  restore(
    books: Array<{
      mmId: string;
      lockedMicro: Micro;
      positions: Array<PositionRisk & { collateralMicro: Micro }>;
    }>,
  ): void;
  /** Background refinement found that an MM needs less than it has locked: release down to `requiredMicro`. */
  onRelease(listener: (release: { mmId: string; requiredMicro: Micro }) => void): void;
  /** Stops worker threads and timers. */
  shutdown(): Promise<void>;
}
