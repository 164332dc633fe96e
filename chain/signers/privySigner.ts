/**
 * Privy server wallets as owner keys (production custody). Each principal gets one Solana server
 * wallet, created on first need through `walletApi.createWallet` (with an idempotency key derived from
 * the principal, so a retried creation does not make a second wallet); the principal → wallet mapping
 * is kept in a small JSON file (`PrivyWalletDirectory`) because the funds gate must know a principal's
 * key synchronously.
 *
 * Signing is sign-only: `walletApi.solana.signTransaction` returns the transaction with the wallet's
 * signature; we check the message came back byte-for-byte and the signature verifies, then hand the
 * signature to the transaction builder, whose fee payer co-signs and broadcasts. Privy is called once
 * per owner to enable trading and for withdrawals; in delegated mode never on the confirm path.
 * 429 and 5xx answers are retried with exponential back-off (Privy publishes no rate limits).
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PrivyClient } from '@privy-io/server-auth';
import { PublicKey, type VersionedTransaction } from '@solana/web3.js';
import { messageBytes, signerIndex } from '../keys.ts';
import { type OwnerSigner, type Principal, principalKey, SignerError } from './signer.ts';

export interface PrivyWallet {
  walletId: string;
  address: string;
}

/** principal → Privy wallet, persisted as a JSON object (written atomically on every new wallet). */
export class PrivyWalletDirectory {
  private readonly wallets = new Map<string, PrivyWallet>();

  constructor(private readonly path: string | null) {
    if (path && existsSync(path)) {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, PrivyWallet>;
      for (const [key, wallet] of Object.entries(saved)) this.wallets.set(key, wallet);
    }
  }

  get(principal: Principal): PrivyWallet | undefined {
    return this.wallets.get(principalKey(principal));
  }

  set(principal: Principal, wallet: PrivyWallet): void {
    this.wallets.set(principalKey(principal), wallet);
    if (!this.path) return;
    mkdirSync(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(this.wallets), null, 1));
    renameSync(tmp, this.path);
  }
}

/** SPKI DER header of an Ed25519 public key; the 32 key bytes follow it. */
const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const MAX_ATTEMPTS = 4;

const statusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
    ? error.status
    : undefined;

export class PrivySigner implements OwnerSigner {
  readonly custody = 'privy';
  private readonly keys = new Map<string, PublicKey>();
  private readonly creating = new Map<string, Promise<PublicKey>>();

  constructor(
    private readonly client: PrivyClient,
    private readonly directory: PrivyWalletDirectory,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  knownKey(principal: Principal): PublicKey | null {
    const id = principalKey(principal);
    const cached = this.keys.get(id);
    if (cached) return cached;
    const wallet = this.directory.get(principal);
    if (!wallet) return null;
    const key = new PublicKey(wallet.address);
    this.keys.set(id, key);
    return key;
  }

  provision(principal: Principal): Promise<PublicKey> {
    const known = this.knownKey(principal);
    if (known) return Promise.resolve(known);
    const id = principalKey(principal);
    let pending = this.creating.get(id);
    if (!pending) {
      pending = this.create(principal).finally(() => this.creating.delete(id));
      this.creating.set(id, pending);
    }
    return pending;
  }

  async sign(principal: Principal, tx: VersionedTransaction): Promise<Uint8Array> {
    const wallet = this.directory.get(principal);
    if (!wallet) throw new SignerError(`${principalKey(principal)} has no Privy wallet`);
    const key = new PublicKey(wallet.address);
    const index = signerIndex(tx, key);
    if (index < 0) throw new SignerError(`${principalKey(principal)} is not a signer of this transaction`);
    const message = messageBytes(tx);
    const { signedTransaction } = await this.withRetries(() =>
      this.client.walletApi.solana.signTransaction({ walletId: wallet.walletId, transaction: tx }),
    );
    if (!('version' in signedTransaction))
      throw new SignerError('Privy returned a legacy transaction for a v0 one');
    if (!Buffer.from(signedTransaction.message.serialize()).equals(Buffer.from(message)))
      throw new SignerError('Privy returned a different message than the one it was asked to sign');
    const signature = signedTransaction.signatures[index];
    const publicKey = createPublicKey({
      key: Buffer.concat([SPKI_ED25519_PREFIX, key.toBuffer()]),
      format: 'der',
      type: 'spki',
    });
    if (!signature || !verify(null, message, publicKey, signature))
      throw new SignerError(`Privy's signature for ${principalKey(principal)} does not verify`);
    return Uint8Array.from(signature);
  }

  private async create(principal: Principal): Promise<PublicKey> {
    // Same principal, same key: a creation retried (even after a crash, within Privy's window) is one wallet.
    const idempotencyKey = createHash('sha256')
      .update(`parlay-rfq:${principalKey(principal)}`)
      .digest('hex');
    const wallet = await this.withRetries(() =>
      this.client.walletApi.createWallet({ chainType: 'solana', idempotencyKey }),
    );
    this.directory.set(principal, { walletId: wallet.id, address: wallet.address });
    return this.knownKey(principal) as PublicKey;
  }

  private async withRetries<T>(call: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const status = statusOf(error);
        const transient = status === 429 || (status !== undefined && status >= 500);
        if (!transient || attempt >= MAX_ATTEMPTS) throw error;
        await this.sleep(100 * 2 ** attempt);
      }
    }
  }
}
