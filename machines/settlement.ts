/**
 * The settlement rules of a parlay, pure: from each leg's side and its Kalshi market's state to the
 * position's outcome.
 *
 * Which status is final: `finalized`, and only it. Kalshi's lifecycle (docs.kalshi.com, "Market
 * lifecycle") is closed → determined ("result is known, settlement timer is running") → finalized
 * ("settlement complete, positions have been paid out, terminal state"), and a determined result can
 * be challenged (`disputed`) and re-determined (`amended`, timer restarts). Our settlement moves funds
 * on-chain irreversibly, so it acts on the result Kalshi itself pays out on: a determined result that
 * is later amended would otherwise have paid the wrong side with no way back. The price is the
 * market's `settlement_timer_seconds`, the same wait Kalshi's own holders have.
 *
 * Void: a market finalized without a yes/no result (`result` "" — or "scalar", which a binary market
 * cannot settle to), or gone from Kalshi (404), resolves neither way; its leg is void.
 *
 * The parlay, from its legs:
 *  - any leg lost → loss, at once: the other legs need not be known (a loss cannot be undone by them);
 *  - otherwise, while any leg is pending → pending;
 *  - otherwise (every leg known, none lost) any void leg → void: the position is cancelled, refunded;
 *  - otherwise every leg won → win.
 * A void leg waits for the others because a later loss still makes the parlay a loss: the outcome is a
 * function of the legs' final results, never of the order in which Kalshi finalizes them.
 */
import type { Side } from './domain.ts';
import type { Outcome } from './payout.ts';

/** The one Kalshi market status settlement acts on. */
export const SETTLEMENT_FINAL_STATUS = 'finalized';

/** A leg's market as settlement sees it: Kalshi's status and result, or gone (404). */
export type SettlementMarketState = { status: string; result: string } | { gone: true };

/** What a market contributes to settlement. Every value but `pending` is final and never changes. */
export type MarketResolution = 'yes' | 'no' | 'void' | 'pending';

export type LegOutcome = 'won' | 'lost' | 'void' | 'pending';

export type ParlayDecision = Outcome | 'void' | 'pending';

export function marketResolution(state: SettlementMarketState): MarketResolution {
  if ('gone' in state) return 'void';
  if (state.status !== SETTLEMENT_FINAL_STATUS) return 'pending';
  return state.result === 'yes' || state.result === 'no' ? state.result : 'void';
}

export function legOutcome(side: Side, resolution: MarketResolution): LegOutcome {
  if (resolution === 'pending' || resolution === 'void') return resolution;
  return resolution === side ? 'won' : 'lost';
}

export function decideParlay(
  legs: ReadonlyArray<{ side: Side; resolution: MarketResolution }>,
): ParlayDecision {
  if (legs.length === 0) throw new RangeError('a parlay has at least one leg');
  const outcomes = legs.map((leg) => legOutcome(leg.side, leg.resolution));
  if (outcomes.includes('lost')) return 'loss';
  if (outcomes.includes('pending')) return 'pending';
  if (outcomes.includes('void')) return 'void';
  return 'win';
}
