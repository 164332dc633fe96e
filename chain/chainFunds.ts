/**
 * The funds gate over the vaults: free = vault balance − stake locked − collateral locked − what
 * in-flight RFQs have reserved, all from the vault cache (synchronous: it sits on the accept and confirm
 * paths). Reservations live in memory; the chain actor locks the amount on chain (and in the cache)
 * before the engine releases the reservation, so for a moment an amount counts twice, never zero times.
 */

import type { FundsGate, FundsOwner } from '../engine/ports/funds.ts';
import { err, ok, type Result } from '../machines/errors.ts';
import type { Micro } from '../machines/money.ts';
import { clampMicro } from './amounts.ts';
import { type OwnerSigner, principalKey } from './signers/signer.ts';
import type { VaultCache } from './vaultCache.ts';

export class ChainFunds implements FundsGate {
  private readonly reservations = new Map<string, Map<string, bigint>>();

  constructor(
    private readonly cache: VaultCache,
    private readonly signer: OwnerSigner,
  ) {}

  /** Reserved by in-flight RFQs. */
  pending(owner: FundsOwner): bigint {
    let total = 0n;
    for (const amount of this.reservations.get(principalKey(owner))?.values() ?? []) total += amount;
    return total;
  }

  /** What the owner may still commit: cached free balance minus reservations (0 without a vault). */
  free(owner: FundsOwner): bigint {
    const key = this.signer.knownKey(owner);
    const free = (key ? this.cache.free(key) : 0n) - this.pending(owner);
    return free > 0n ? free : 0n;
  }

  reserve(owner: FundsOwner, rfqId: string, amountMicro: Micro): Result<void> {
    if (!Number.isSafeInteger(amountMicro) || amountMicro < 0)
      return err('INVALID_REQUEST', { field: 'amount', reason: 'not a micro-USDC amount' });
    const id = principalKey(owner);
    const mine = this.reservations.get(id);
    const previous = mine?.get(rfqId) ?? 0n;
    const free = this.free(owner) + previous;
    const amount = BigInt(amountMicro);
    if (amount > free) {
      return err(owner.kind === 'user' ? 'INSUFFICIENT_BALANCE' : 'INSUFFICIENT_COLLATERAL', {
        requiredMicro: amountMicro,
        freeMicro: clampMicro(free),
      });
    }
    if (mine) mine.set(rfqId, amount);
    else this.reservations.set(id, new Map([[rfqId, amount]]));
    return ok(undefined);
  }

  release(owner: FundsOwner, rfqId: string): void {
    const id = principalKey(owner);
    const mine = this.reservations.get(id);
    mine?.delete(rfqId);
    if (mine?.size === 0) this.reservations.delete(id);
  }
}
