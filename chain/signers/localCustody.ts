/**
 * Local custody (dev, and the embedded default): every principal's owner key is derived from one master
 * seed, so nothing per user is stored and a restart with the same seed finds the same vaults.
 *
 *   seed32 = HMAC-SHA256(key = master seed bytes, message = "<kind>:<id>")   kind ∈ {user, mm}
 *   owner  = the ed25519 keypair whose seed is seed32
 *
 * The master seed is the only secret: whoever has it controls every vault's withdrawals. It comes from
 * configuration (SOLANA_CUSTODY_SEED, hex); the embedded cluster generates one and keeps it in its
 * state file when none is configured. Production custody is Privy (privySigner.ts).
 */
import { createHmac } from 'node:crypto';
import type { PublicKey, VersionedTransaction } from '@solana/web3.js';
import { messageBytes, NativeKeypair, signerIndex } from '../keys.ts';
import { type OwnerSigner, type Principal, principalKey, SignerError } from './signer.ts';

/** Principals whose keys stay derived in memory; past it the cache starts over (derivation is ~30 µs). */
const CACHE_LIMIT = 100_000;

export function deriveOwnerSeed(masterSeed: Uint8Array, principal: Principal): Uint8Array {
  return new Uint8Array(createHmac('sha256', masterSeed).update(principalKey(principal), 'utf8').digest());
}

export class LocalCustody implements OwnerSigner {
  readonly custody = 'local';
  private readonly keys = new Map<string, NativeKeypair>();

  constructor(private readonly masterSeed: Uint8Array) {
    if (masterSeed.length < 16) throw new RangeError('the custody seed must be at least 16 bytes');
  }

  /** The principal's keypair (local custody only: tests and tools sign with it directly). */
  keypair(principal: Principal): NativeKeypair {
    const id = principalKey(principal);
    let key = this.keys.get(id);
    if (!key) {
      if (this.keys.size >= CACHE_LIMIT) this.keys.clear();
      key = NativeKeypair.fromSeed(deriveOwnerSeed(this.masterSeed, principal));
      this.keys.set(id, key);
    }
    return key;
  }

  knownKey(principal: Principal): PublicKey {
    return this.keypair(principal).publicKey;
  }

  async provision(principal: Principal): Promise<PublicKey> {
    return this.knownKey(principal);
  }

  async sign(principal: Principal, tx: VersionedTransaction): Promise<Uint8Array> {
    const key = this.keypair(principal);
    if (signerIndex(tx, key.publicKey) < 0)
      throw new SignerError(`${principalKey(principal)} is not a signer of this transaction`);
    return key.sign(messageBytes(tx));
  }
}
