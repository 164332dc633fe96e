/**
 * Free balances in memory, with the same rules as the chain-backed gate: free = balance − locked −
 * reserved by in-flight RFQs. For tests and tools that run the engine without a chain.
 */
import { err, ok, type Result } from '../machines/errors.ts';
import type { Micro } from '../machines/money.ts';
import type { FundsGate, FundsOwner } from './ports/funds.ts';

const keyOf = (owner: FundsOwner) => `${owner.kind}:${owner.id}`;

export class MemoryFunds implements FundsGate {
  private readonly balances = new Map<string, Micro>();
  private readonly reservations = new Map<string, Map<string, Micro>>();

  credit(owner: FundsOwner, amountMicro: Micro): void {
    this.balances.set(keyOf(owner), this.balanceOf(owner) + amountMicro);
  }

  balanceOf(owner: FundsOwner): Micro {
    return this.balances.get(keyOf(owner)) ?? 0;
  }

  reservedBy(owner: FundsOwner): Micro {
    let total = 0;
    for (const amount of this.reservations.get(keyOf(owner))?.values() ?? []) total += amount;
    return total;
  }

  free(owner: FundsOwner): Micro {
    return this.balanceOf(owner) - this.reservedBy(owner);
  }

  reserve(owner: FundsOwner, rfqId: string, amountMicro: Micro): Result<void> {
    const free = this.free(owner);
    if (amountMicro > free) {
      return err(owner.kind === 'user' ? 'INSUFFICIENT_BALANCE' : 'INSUFFICIENT_COLLATERAL', {
        requiredMicro: amountMicro,
        freeMicro: free,
      });
    }
    const key = keyOf(owner);
    let mine = this.reservations.get(key);
    if (!mine) {
      mine = new Map();
      this.reservations.set(key, mine);
    }
    mine.set(rfqId, amountMicro);
    return ok(undefined);
  }

  release(owner: FundsOwner, rfqId: string): void {
    const key = keyOf(owner);
    const mine = this.reservations.get(key);
    mine?.delete(rfqId);
    if (mine?.size === 0) this.reservations.delete(key);
  }
}
