/**
 * Vaults on first need. `ensure(principal)` makes sure the principal's owner key exists (Privy creates a
 * wallet) and its vault exists (initialize_vault, rent from the fee payer). In delegated mode a new
 * vault also grants the operator delegation (enable_trading with the configured caps, signed by the
 * owner, in the same transaction), and a granted delegation is renewed when it nears its expiry. An
 * owner who disabled trading is not overridden: its positions are owner-signed. Concurrent calls for
 * the same owner share one transaction.
 */
import type { PublicKey } from '@solana/web3.js';
import type { Logger } from '../engine/logger.ts';
import type { Clock } from '../engine/ports/clock.ts';
import type { Cluster } from './cluster/cluster.ts';
import type { DelegationCaps, SigningMode } from './config.ts';
import type { LookupTables } from './lookupTables.ts';
import {
  disableTradingInstruction,
  enableTradingInstruction,
  initializeVaultInstruction,
} from './program/instructions.ts';
import { vaultPda, vaultTokenPda } from './program/pda.ts';
import { type OwnerSigner, type Principal, principalKey } from './signers/signer.ts';
import { COMPUTE_UNITS, type TxBuilder, type TxPart, txPart } from './txBuilder.ts';
import type { VaultCache, VaultState } from './vaultCache.ts';

export class ChainOperationError extends Error {
  override readonly name = 'ChainOperationError';
}

export interface ProvisionerDeps {
  programId: PublicKey;
  clock: Clock;
  mint: PublicKey;
  cluster: Cluster;
  builder: TxBuilder;
  signer: OwnerSigner;
  cache: VaultCache;
  tables: LookupTables;
  logger: Logger;
  signingMode: SigningMode;
  caps: DelegationCaps;
}

export class VaultProvisioner {
  private readonly pending = new Map<string, Promise<PublicKey>>();
  /** Principals whose vault was provisioned once (its addresses asked of the lookup tables). */
  private readonly lookedUp = new Set<string>();

  constructor(private readonly deps: ProvisionerDeps) {}

  get operator(): PublicKey {
    return this.deps.builder.feePayer.publicKey;
  }

  /** A granted delegation close to its expiry (delegated mode only). */
  private renewalDue(state: VaultState): boolean {
    if (
      this.deps.signingMode !== 'delegated' ||
      !state.tradingEnabled ||
      !state.delegate?.equals(this.operator)
    )
      return false;
    const nowUnix = BigInt(Math.floor(this.deps.clock.now() / 1000));
    return state.delegateExpiry <= nowUnix + BigInt(this.deps.caps.renewBeforeSeconds);
  }

  /** Is the operator allowed to lock this vault now, with margin before the delegation expires? */
  async delegationUsable(state: VaultState): Promise<boolean> {
    if (!state.tradingEnabled || !state.delegate?.equals(this.operator)) return false;
    const now = await this.deps.cluster.unixTime();
    return state.delegateExpiry > now + BigInt(this.deps.caps.renewBeforeSeconds);
  }

  /** The principal's owner key, with its vault open (and trading enabled in delegated mode). */
  ensure(principal: Principal): Promise<PublicKey> {
    // The common case, on the confirm path: a known vault whose delegation (if granted) is not due.
    const known = this.deps.signer.knownKey(principal);
    const state = known ? this.deps.cache.get(known) : null;
    if (known && state?.exists && this.lookedUp.has(principalKey(principal)) && !this.renewalDue(state))
      return Promise.resolve(known);
    const id = principalKey(principal);
    let running = this.pending.get(id);
    if (!running) {
      running = this.provision(principal).finally(() => this.pending.delete(id));
      this.pending.set(id, running);
    }
    return running;
  }

  /** Grants the operator delegation with these caps (owner-signed), whatever the mode. */
  async enableTrading(principal: Principal, caps: DelegationCaps): Promise<string> {
    const key = await this.ensure(principal);
    return this.send(
      principal,
      key,
      [this.enablePart(principal, key, caps, await this.deps.cluster.unixTime())],
      'enable trading',
    );
  }

  async disableTrading(principal: Principal): Promise<string> {
    const key = await this.ensure(principal);
    const part = txPart(
      [disableTradingInstruction(this.deps.programId, { owner: key })],
      COMPUTE_UNITS.disableTrading,
      [{ principal, key }],
    );
    return this.send(principal, key, [part], 'disable trading');
  }

  private async provision(principal: Principal): Promise<PublicKey> {
    const { cache, signingMode, tables, programId } = this.deps;
    const key = await this.deps.signer.provision(principal);
    let state = cache.get(key);
    if (!state.exists) {
      await cache.refresh([key]); // created elsewhere since boot?
      state = cache.get(key);
    }
    // Delegation is granted with the vault and renewed while granted; an owner who disabled trading
    // (or a vault opened in owner-signed mode) stays owner-signed until the owner enables it again.
    const granted = state.tradingEnabled && state.delegate?.equals(this.operator) === true;
    const delegate =
      signingMode === 'delegated' && (!state.exists || (granted && !(await this.delegationUsable(state))));
    const parts: TxPart[] = [];
    if (!state.exists)
      parts.push(
        txPart(
          [initializeVaultInstruction(programId, { payer: this.operator, owner: key, mint: this.deps.mint })],
          COMPUTE_UNITS.initializeVault,
        ),
      );
    if (delegate)
      parts.push(this.enablePart(principal, key, this.deps.caps, await this.deps.cluster.unixTime()));
    if (parts.length > 0) {
      await this.send(principal, key, parts, state.exists ? 'enable trading' : 'open vault');
      this.deps.logger.info(
        { principal: principalKey(principal), owner: key.toBase58(), delegated: delegate },
        'vault ready',
      );
    }
    tables.want([vaultPda(programId, key).address, vaultTokenPda(programId, key).address]);
    this.lookedUp.add(principalKey(principal));
    return key;
  }

  private enablePart(principal: Principal, key: PublicKey, caps: DelegationCaps, nowUnix: bigint): TxPart {
    return txPart(
      [
        enableTradingInstruction(this.deps.programId, {
          owner: key,
          delegate: this.operator,
          maxPerPosition: BigInt(caps.maxPerPositionMicro),
          maxTotalLocked: BigInt(caps.maxTotalLockedMicro),
          expiryUnix: nowUnix + BigInt(caps.ttlSeconds),
        }),
      ],
      COMPUTE_UNITS.enableTrading,
      [{ principal, key }],
    );
  }

  /** Sends owner-level parts and re-reads the vault; throws with the chain's reason on failure. */
  private async send(principal: Principal, key: PublicKey, parts: TxPart[], label: string): Promise<string> {
    const { cluster, builder, cache } = this.deps;
    cache.beginTx([key]);
    let outcome: Awaited<ReturnType<Cluster['send']>>;
    try {
      outcome = await cluster.send((blockhash) => builder.build(parts, blockhash), label);
    } finally {
      cache.endTx([key]);
    }
    await cache.refresh([key]);
    if (!outcome.ok)
      throw new ChainOperationError(`${label} for ${principalKey(principal)} failed: ${outcome.message}`);
    return outcome.signature;
  }
}
