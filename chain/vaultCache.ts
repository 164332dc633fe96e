/**
 * What the engine believes about each vault: token balance, stake and collateral locked, delegation.
 * Loaded from the chain at boot (every vault of the program), then kept current by the chain actor's
 * own results, applied with the program's rules the moment a transaction lands (so the funds gate never
 * sees an amount that is neither reserved nor locked), and re-read on demand.
 *
 * A re-read must not undo a result: each vault counts the transactions in flight that touch it and a
 * version bumped by every local change; a read is applied only if no transaction was in flight and
 * nothing changed while it was in progress.
 */
import type { PublicKey } from '@solana/web3.js';
import type { Cluster } from './cluster/cluster.ts';
import { decodeVault, VAULT_LAYOUT } from './program/layout.ts';
import { vaultPda, vaultTokenPda } from './program/pda.ts';
import { decodeTokenAccount, TOKEN_ACCOUNT_SIZE } from './program/splToken.ts';
import { base58Of } from './txSize.ts';

export interface VaultState {
  exists: boolean;
  /** Tokens held by the vault's token account. */
  balance: bigint;
  stakeLocked: bigint;
  collateralLocked: bigint;
  tradingEnabled: boolean;
  delegate: PublicKey | null;
  maxPerPosition: bigint;
  maxTotalLocked: bigint;
  /** Unix seconds. */
  delegateExpiry: bigint;
}

export const NO_VAULT: Readonly<VaultState> = Object.freeze({
  exists: false,
  balance: 0n,
  stakeLocked: 0n,
  collateralLocked: 0n,
  tradingEnabled: false,
  delegate: null,
  maxPerPosition: 0n,
  maxTotalLocked: 0n,
  delegateExpiry: 0n,
});

interface Slot {
  state: VaultState;
  version: number;
  inFlight: number;
}

export class VaultCache {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly programId: PublicKey,
    private readonly cluster: Cluster,
  ) {}

  get(owner: PublicKey): VaultState {
    return this.slots.get(base58Of(owner))?.state ?? NO_VAULT;
  }

  /** balance − stake locked − collateral locked (never below 0). */
  free(owner: PublicKey): bigint {
    const s = this.get(owner);
    const free = s.balance - s.stakeLocked - s.collateralLocked;
    return free > 0n ? free : 0n;
  }

  /** Boot: every vault of the program with its token balance. Returns their owners. */
  async load(): Promise<PublicKey[]> {
    const vaults = await this.cluster.programAccounts(this.programId, {
      dataSize: VAULT_LAYOUT.size,
      kindByte: VAULT_LAYOUT.kind,
    });
    const decoded = vaults.map((v) => decodeVault(v.account.data));
    const tokens = await this.cluster.getAccounts(decoded.map((v) => v.tokenAccount));
    decoded.forEach((vault, i) => {
      this.slot(vault.owner).state = stateOf(vault, tokens[i]?.data ?? null);
    });
    return decoded.map((v) => v.owner);
  }

  /** Re-reads these vaults from the chain, except where a local change could be overwritten. */
  async refresh(owners: readonly PublicKey[]): Promise<void> {
    const before = owners.map((o) => this.slot(o).version);
    const keys = owners.flatMap((o) => [
      vaultPda(this.programId, o).address,
      vaultTokenPda(this.programId, o).address,
    ]);
    const accounts = await this.cluster.getAccounts(keys);
    owners.forEach((owner, i) => {
      const slot = this.slot(owner);
      if (slot.inFlight > 0 || slot.version !== before[i]) return;
      const vault = accounts[2 * i];
      slot.state = vault
        ? stateOf(decodeVault(vault.data), accounts[2 * i + 1]?.data ?? null)
        : { ...NO_VAULT };
    });
  }

  /** A transaction touching these vaults is about to be sent. */
  beginTx(owners: readonly PublicKey[]): void {
    for (const o of owners) {
      const slot = this.slot(o);
      slot.inFlight++;
      slot.version++;
    }
  }

  /** It landed or failed (apply its effect with `update` before calling this). */
  endTx(owners: readonly PublicKey[]): void {
    for (const o of owners) {
      const slot = this.slot(o);
      slot.inFlight = Math.max(0, slot.inFlight - 1);
      slot.version++;
    }
  }

  /** Applies a landed transaction's effect on one vault. */
  update(owner: PublicKey, change: (state: VaultState) => void): void {
    const slot = this.slot(owner);
    const next = { ...slot.state };
    change(next);
    slot.state = next;
    slot.version++;
  }

  private slot(owner: PublicKey): Slot {
    const id = base58Of(owner);
    let slot = this.slots.get(id);
    if (!slot) {
      slot = { state: { ...NO_VAULT }, version: 0, inFlight: 0 };
      this.slots.set(id, slot);
    }
    return slot;
  }
}

function stateOf(vault: ReturnType<typeof decodeVault>, tokenData: Uint8Array | null): VaultState {
  const balance =
    tokenData && tokenData.length === TOKEN_ACCOUNT_SIZE ? decodeTokenAccount(tokenData).amount : 0n;
  return {
    exists: true,
    balance,
    stakeLocked: vault.stakeLocked,
    collateralLocked: vault.collateralLocked,
    tradingEnabled: vault.tradingEnabled,
    delegate: vault.tradingEnabled ? vault.delegate : null,
    maxPerPosition: vault.maxPerPosition,
    maxTotalLocked: vault.maxTotalLocked,
    delegateExpiry: vault.delegateExpiry,
  };
}
