/**
 * The signer port: who holds each principal's owner key and how it signs. Engine principals (user and
 * MM ids, strings) map to Solana owner keys; the vault of a principal is the vault PDA of its key.
 * Implementations: local custody (keys derived from a master seed, the default) and Privy server
 * wallets (sign only: our fee payer co-signs and broadcasts).
 */
import type { PublicKey, VersionedTransaction } from '@solana/web3.js';
import type { FundsOwner } from '../../engine/ports/funds.ts';

export type Principal = FundsOwner;

export const principalKey = (p: Principal): string => `${p.kind}:${p.id}`;

export interface OwnerSigner {
  readonly custody: 'local' | 'privy';
  /** The owner key if it exists already. Synchronous: the funds gate asks on the accept path. */
  knownKey(principal: Principal): PublicKey | null;
  /** The owner key, created on first need (Privy: a server wallet). */
  provision(principal: Principal): Promise<PublicKey>;
  /** The owner's signature over the transaction's message (the transaction itself is not changed). */
  sign(principal: Principal, tx: VersionedTransaction): Promise<Uint8Array>;
}

export class SignerError extends Error {
  override readonly name = 'SignerError';
}
