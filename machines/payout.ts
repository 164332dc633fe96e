/**
 * The money rules of a position, all in integer micro-USDC. Rounding, written down once:
 *  - total_payout = floor(bet × odds): the user is never promised a fraction of a micro-unit the MM
 *    did not quote; mm_risk = total_payout − bet.
 *  - fee = floor(profit × feeBps / 10,000): the protocol never takes more than its rate.
 *  - win:  MM vault pays risk; user receives stake + risk − fee(risk); treasury receives fee(risk).
 *  - loss: user vault pays stake; MM receives stake − fee(stake); treasury receives fee(stake).
 * Each split sums exactly to what left the payer: no micro-unit is created or lost.
 */
import { BPS_SCALE, type Micro, mulDivFloor, ODDS_SCALE, type OddsFp } from './money.ts';

export interface QuoteAmounts {
  totalCostMicro: Micro;
  totalPayoutMicro: Micro;
  mmRiskMicro: Micro;
}

export function quoteAmounts(betMicro: Micro, oddsFp: OddsFp): QuoteAmounts {
  const totalPayoutMicro = mulDivFloor(betMicro, oddsFp, ODDS_SCALE);
  return { totalCostMicro: betMicro, totalPayoutMicro, mmRiskMicro: totalPayoutMicro - betMicro };
}

export const feeOnProfit = (profitMicro: Micro, feeBps: number): Micro =>
  mulDivFloor(profitMicro, feeBps, BPS_SCALE);

export type Outcome = 'win' | 'loss';

export interface SettlementSplit {
  outcome: Outcome;
  /** What the user's vault receives back in total (its own stake included on a win). */
  toUserMicro: Micro;
  /** What the MM's vault receives (the user's stake less fee on a loss). */
  toMmMicro: Micro;
  toTreasuryMicro: Micro;
  /** The winner's profit before the fee: risk on a win, stake on a loss. */
  profitMicro: Micro;
  feeMicro: Micro;
}

export function settlementSplit(
  outcome: Outcome,
  stakeMicro: Micro,
  riskMicro: Micro,
  feeBps: number,
): SettlementSplit {
  if (outcome === 'win') {
    const feeMicro = feeOnProfit(riskMicro, feeBps);
    return {
      outcome,
      toUserMicro: stakeMicro + riskMicro - feeMicro,
      toMmMicro: 0,
      toTreasuryMicro: feeMicro,
      profitMicro: riskMicro,
      feeMicro,
    };
  }
  const feeMicro = feeOnProfit(stakeMicro, feeBps);
  return {
    outcome,
    toUserMicro: 0,
    toMmMicro: stakeMicro - feeMicro,
    toTreasuryMicro: feeMicro,
    profitMicro: stakeMicro,
    feeMicro,
  };
}
