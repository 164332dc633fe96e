/**
 * Money crossing the boundary: micro-USDC is a safe-integer `number` in the engine and a u64 `bigint`
 * on chain. Both directions are checked; a chain amount past 2^53 is an error, never a rounded number.
 */
import { assertMicro, type Micro } from '../machines/money.ts';

export function toChainAmount(micro: Micro, what: string): bigint {
  return BigInt(assertMicro(micro, what));
}

export function toMicro(amount: bigint, what: string): Micro {
  if (amount < 0n || amount > BigInt(Number.MAX_SAFE_INTEGER))
    throw new RangeError(`${what} = ${amount} is outside the safe micro-USDC range`);
  return Number(amount);
}

/** For display where a wrong sign or overflow must not throw (a view of possibly inconsistent state). */
export const clampMicro = (amount: bigint): Micro =>
  amount <= 0n ? 0 : amount > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(amount);
