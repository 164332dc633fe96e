/**
 * Free balances, as the engine needs them on the accept and confirm paths: a synchronous check against
 * cached vault state minus what in-flight RFQs have reserved. chain/ implements it over the vaults;
 * engine/memoryFunds.ts is an in-memory ledger with the same rules.
 */
import type { Result } from '../../machines/errors.ts';
import type { Micro } from '../../machines/money.ts';

export type FundsOwner = { kind: 'user' | 'mm'; id: string };

export interface FundsGate {
  /** Reserves `amountMicro` of the owner's free balance for the RFQ, or refuses with INSUFFICIENT_BALANCE / INSUFFICIENT_COLLATERAL. */
  reserve(owner: FundsOwner, rfqId: string, amountMicro: Micro): Result<void>;
  /** Drops the RFQ's reservation for this owner (the position landed and is now locked on chain, or it never will be). */
  release(owner: FundsOwner, rfqId: string): void;
}
