/**
 * The inputs an RFQ actor takes. Every input carries `at`, the engine's clock reading when it arrived:
 * guards compare it with the absolute deadlines in context, so the machine never reads a clock.
 * Caller identities (`userId`, `mmId`) travel with the input so owner checks live in the rules.
 */
import type { Micro, OddsFp } from './money.ts';
import type { Outcome } from './payout.ts';

export type RfqInput =
  | {
      type: 'QUOTE.SUBMIT';
      at: number;
      mmId: string;
      quoteId: string;
      oddsFp: OddsFp;
      validUntil: number;
      /** Replace this MM's live quote if it has one; without it a second live quote is QUOTE_ALREADY_EXISTS. */
      replace: boolean;
    }
  | {
      type: 'QUOTE.WITHDRAW';
      at: number;
      mmId: string;
      quoteId: string;
      reason: 'withdrawn' | 'mm_disconnected';
    }
  | { type: 'ACCEPT'; at: number; userId: string; quoteId: string; confirmWindowMs: number }
  | { type: 'CONFIRM'; at: number; mmId: string; quoteId: string; collateralMicro: Micro }
  | { type: 'REJECT'; at: number; mmId: string; quoteId: string }
  | { type: 'CANCEL'; at: number; userId: string; reason: string }
  /** A deadline came due: the machine expires whatever is due at `at`. */
  | { type: 'TICK'; at: number }
  | { type: 'EXECUTED'; at: number; positionAddress: string; signature: string }
  | { type: 'EXECUTION_FAILED'; at: number; reason: string }
  | { type: 'OUTCOME'; at: number; outcome: Outcome | 'void' }
  | { type: 'SETTLED'; at: number; outcome: Outcome; payoutMicro: Micro; feeMicro: Micro; signature: string }
  | { type: 'VOIDED'; at: number; signature: string; reason: string };

export type RfqInputType = RfqInput['type'];
