/** Types and checks shared by the risk engines (ilpRisk.ts, fullRisk.ts). */
import type { Leg } from '../../machines/domain.ts';
import type { Micro } from '../../machines/money.ts';
import type { MarketFacts } from '../ports/markets.ts';
import type { PositionRisk } from '../ports/risk.ts';

export type ReleaseListener = (release: { mmId: string; requiredMicro: Micro }) => void;

export interface SnapshotStats {
  /** Book version the installed refinement result covers (-1: none yet). */
  version: number;
  components: number;
  exactComponents: number;
  /** Σ component upper bounds + sure risk, as refined (positions closed since then still counted). */
  upperMicro: number;
  /** Σ exact values of the worst outcomes found + sure risk: the worst case is at least this. */
  lowerMicro: number;
  /** Positions added since the snapshot (counted through their full risk or need). */
  freshPositions: number;
}

export interface RiskStatus {
  /** The book's version: every change (position in or out, new facts) makes a new one. */
  version: number;
  positions: number;
  /** Reserved positions whose creation has not landed yet. */
  pending: number;
  /** Σ risk of open positions: what the full-risk policy would lock. */
  riskMicro: Micro;
  /** The engine's current safe upper bound on the book's worst case. */
  requiredMicro: Micro;
  /** Locked on chain whatever happens to pending creations (decisions are made against this). */
  firmMicro: Micro;
  /** Locked once every pending creation lands. */
  expectedMicro: Micro;
  snapshot: SnapshotStats | null;
}

/** Amounts are integer micro-USDC, checked at the boundary: bad input must not reach the ledger. */
export function checkPosition(p: PositionRisk): void {
  if (typeof p.positionId !== 'string' || p.positionId === '') throw new TypeError('positionId required');
  if (typeof p.mmId !== 'string' || p.mmId === '') throw new TypeError('mmId required');
  if (!Array.isArray(p.legs) || p.legs.length === 0)
    throw new TypeError(`position ${p.positionId} has no legs`);
  if (!Number.isSafeInteger(p.riskMicro) || p.riskMicro < 0)
    throw new RangeError(`position ${p.positionId}: riskMicro must be a non-negative safe integer`);
}

/** How a position left the book; a win is paid out of the MM's locked collateral on chain. */
export type CloseOutcome = 'win' | 'loss' | 'void';

/**
 * A closed position's outcome from its legs' results: a lost leg proves a loss; anything else — every
 * leg won, or results not all known — counts as a win, the case that lowers the locked total.
 */
export function inferOutcome(legs: readonly Leg[], facts: readonly MarketFacts[]): CloseOutcome {
  const result = new Map(facts.map((f) => [f.ticker, f.result]));
  const lost = legs.some((l) => {
    const r = result.get(l.ticker);
    return r !== null && r !== undefined && r !== l.side;
  });
  return lost ? 'loss' : 'win';
}
