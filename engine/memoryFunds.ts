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
  /** Σ of each owner's reservations, kept current so a check is O(1) however many RFQs are in flight. */
  private readonly reservedTotals = new Map<string, Micro>();

  credit(owner: FundsOwner, amountMicro: Micro): void {
    this.balances.set(keyOf(owner), this.balanceOf(owner) + amountMicro);
  }

  balanceOf(owner: FundsOwner): Micro {
    return this.balances.get(keyOf(owner)) ?? 0;
  }

  reservedBy(owner: FundsOwner): Micro {
    return this.reservedTotals.get(keyOf(owner)) ?? 0;
  }

  free(owner: FundsOwner): Micro {
    return this.balanceOf(owner) - this.reservedBy(owner);
  }

  reserve(owner: FundsOwner, rfqId: string, amountMicro: Micro): Result<void> {
    const key = keyOf(owner);
    const previous = this.reservations.get(key)?.get(rfqId) ?? 0;
    // Re-reserving an RFQ replaces its earlier amount rather than adding to it.
    const free = this.free(owner) + previous;
    if (amountMicro > free) {
      return err(owner.kind === 'user' ? 'INSUFFICIENT_BALANCE' : 'INSUFFICIENT_COLLATERAL', {
        requiredMicro: amountMicro,
        freeMicro: free,
      });
    }
    let mine = this.reservations.get(key);
    if (!mine) {
      mine = new Map();
      this.reservations.set(key, mine);
    }
    mine.set(rfqId, amountMicro);
    this.reservedTotals.set(key, this.reservedBy(owner) - previous + amountMicro);
    return ok(undefined);
  }

  release(owner: FundsOwner, rfqId: string): void {
    const key = keyOf(owner);
    const mine = this.reservations.get(key);
    const amount = mine?.get(rfqId);
    if (!mine || amount === undefined) return;
    mine.delete(rfqId);
    const total = this.reservedBy(owner) - amount;
    if (mine.size === 0) {
      this.reservations.delete(key);
      this.reservedTotals.delete(key);
    } else this.reservedTotals.set(key, total);
  }
}
