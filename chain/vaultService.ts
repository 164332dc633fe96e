/**
 * Vaults as the gateway serves them (`GET /vault`, deposit, withdraw, and the dev faucet on the
 * embedded cluster), framework-agnostic: every method returns a typed Result with a code from
 * machines/errors.ts. Amounts are micro-USDC safe integers.
 *
 * - A principal's vault is opened on first need (and, in delegated mode, trading enabled with the
 *   configured caps). Its deposit address is the owner's USDC associated token account.
 * - free = balance − locked (stake + collateral) − pending (reserved by RFQs in flight). A withdrawal
 *   reserves its amount while its transaction is in flight, so an accept cannot count the same funds.
 */
import { PublicKey } from '@solana/web3.js';
import type { FundsOwner } from '../engine/ports/funds.ts';
import type { VaultAccess, VaultTxResult, VaultView } from '../engine/ports/vaults.ts';
import { err, ok, type Result } from '../machines/errors.ts';
import type { Micro } from '../machines/money.ts';
import { clampMicro, toChainAmount } from './amounts.ts';
import type { ChainFunds } from './chainFunds.ts';
import type { SendOutcome } from './cluster/cluster.ts';
import type { LiteSvmCluster } from './cluster/litesvmCluster.ts';
import type { DelegationCaps } from './config.ts';
import type { ChainContext } from './context.ts';
import type { ExplorerUrl } from './explorer.ts';
import {
  associatedTokenAddress,
  createAssociatedTokenAccountIdempotentInstruction,
} from './program/associatedToken.ts';
import { programErrorCode } from './program/errors.ts';
import { depositInstruction, withdrawInstruction } from './program/instructions.ts';
import { vaultPda, vaultTokenPda } from './program/pda.ts';
import { decodeTokenAccount, TOKEN_ACCOUNT_SIZE } from './program/splToken.ts';
import { principalKey } from './signers/signer.ts';
import { COMPUTE_UNITS, type TxPart, txPart } from './txBuilder.ts';

export type { VaultTxResult, VaultView };

type ServiceContext = Pick<
  ChainContext,
  'programId' | 'mint' | 'cluster' | 'builder' | 'signer' | 'cache' | 'provisioner' | 'logger' | 'config'
>;

const INSUFFICIENT_FREE = programErrorCode('InsufficientFreeBalance');

export class VaultService implements VaultAccess {
  private withdrawals = 0;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly funds: ChainFunds,
    private readonly links: ExplorerUrl,
    private readonly faucetCluster: LiteSvmCluster | null,
  ) {}

  /** The dev faucet exists on the embedded cluster only. */
  get faucetAvailable(): boolean {
    return this.faucetCluster !== null;
  }

  async get(owner: FundsOwner): Promise<Result<VaultView>> {
    return this.guard(owner, async () => {
      const key = await this.ctx.signer.provision(owner);
      await this.ctx.cache.refresh([key]);
      return ok(await this.view(owner, key));
    });
  }

  /** Moves `amountMicro` from the owner's deposit address into the vault (owner-signed). */
  async deposit(owner: FundsOwner, amountMicro: Micro): Promise<Result<VaultTxResult>> {
    return this.guard(owner, async () => {
      const amount = this.amount(amountMicro);
      if (!amount.ok) return amount;
      const key = await this.ctx.provisioner.ensure(owner);
      const source = associatedTokenAddress(key, this.ctx.mint);
      const wallet = await this.walletBalance(key);
      if (wallet < amount.value)
        return err(
          'INSUFFICIENT_BALANCE',
          { requiredMicro: amountMicro, walletMicro: clampMicro(wallet), reason: 'deposit address' },
          'The deposit address does not hold that much USDC',
        );
      const part = txPart(
        [
          depositInstruction(this.ctx.programId, {
            depositor: key,
            owner: key,
            source,
            amount: amount.value,
          }),
        ],
        COMPUTE_UNITS.deposit,
        [{ principal: owner, key }],
      );
      return this.finish(owner, key, [part], 'deposit', () =>
        this.ctx.cache.update(key, (s) => {
          s.balance += amount.value;
        }),
      );
    });
  }

  /** Moves `amountMicro` of the free balance to `destination` (a wallet; default the owner's). */
  async withdraw(
    owner: FundsOwner,
    amountMicro: Micro,
    destination?: string,
  ): Promise<Result<VaultTxResult>> {
    return this.guard(owner, async () => {
      const amount = this.amount(amountMicro);
      if (!amount.ok) return amount;
      let to: PublicKey | undefined;
      try {
        to = destination ? new PublicKey(destination) : undefined;
      } catch {
        return err('INVALID_REQUEST', { field: 'destination', reason: 'not a Solana address' });
      }
      const key = await this.ctx.signer.provision(owner);
      const hold = `withdraw:${++this.withdrawals}`;
      const reserved = this.funds.reserve(owner, hold, amountMicro);
      if (!reserved.ok)
        return err(
          'INSUFFICIENT_BALANCE',
          { ...reserved.error.details },
          'The free vault balance cannot cover the withdrawal',
        );
      try {
        const wallet = to ?? key;
        const part = txPart(
          [
            createAssociatedTokenAccountIdempotentInstruction({
              payer: this.ctx.builder.feePayer.publicKey,
              wallet,
              mint: this.ctx.mint,
            }),
            withdrawInstruction(this.ctx.programId, {
              owner: key,
              destination: associatedTokenAddress(wallet, this.ctx.mint),
              amount: amount.value,
            }),
          ],
          COMPUTE_UNITS.createAta + COMPUTE_UNITS.withdraw,
          [{ principal: owner, key }],
        );
        return await this.finish(owner, key, [part], 'withdraw', () => {
          // The balance drops, then the hold goes: the amount is never free in between.
          this.ctx.cache.update(key, (s) => {
            s.balance -= amount.value;
          });
          this.funds.release(owner, hold);
        });
      } finally {
        this.funds.release(owner, hold);
      }
    });
  }

  /** Embedded cluster only: mints test USDC into the vault (default) or the deposit address. */
  async faucet(
    owner: FundsOwner,
    amountMicro: Micro,
    target: 'vault' | 'wallet' = 'vault',
  ): Promise<Result<VaultTxResult>> {
    const cluster = this.faucetCluster;
    if (!cluster) return err('FORBIDDEN', { reason: 'the faucet exists on the embedded cluster only' });
    return this.guard(owner, async () => {
      const amount = this.amount(amountMicro);
      if (!amount.ok) return amount;
      if (amountMicro > this.ctx.config.faucetMaxMicro)
        return err('INVALID_REQUEST', { field: 'amount', maxMicro: this.ctx.config.faucetMaxMicro });
      const key = await this.ctx.provisioner.ensure(owner);
      let destination = vaultTokenPda(this.ctx.programId, key).address;
      if (target === 'wallet') {
        const ata = txPart(
          [
            createAssociatedTokenAccountIdempotentInstruction({
              payer: this.ctx.builder.feePayer.publicKey,
              wallet: key,
              mint: this.ctx.mint,
            }),
          ],
          COMPUTE_UNITS.createAta,
        );
        const created = await this.ctx.cluster.send((bh) => this.ctx.builder.build([ata], bh), 'create ata');
        if (!created.ok) return this.failure(created);
        destination = associatedTokenAddress(key, this.ctx.mint);
      }
      this.ctx.cache.beginTx([key]);
      const outcome = await cluster.mintTo(destination, amount.value);
      if (outcome.ok && target === 'vault')
        this.ctx.cache.update(key, (s) => {
          s.balance += amount.value;
        });
      this.ctx.cache.endTx([key]);
      if (!outcome.ok) return this.failure(outcome);
      this.ctx.logger.info({ principal: principalKey(owner), amountMicro, target }, 'faucet');
      return ok({
        signature: outcome.signature,
        explorerUrl: this.links('tx', outcome.signature),
        vault: await this.view(owner, key),
      });
    });
  }

  /** Lets the operator lock this vault's funds within caps (owner-signed, once per owner). */
  async enableTrading(owner: FundsOwner, caps: Partial<DelegationCaps> = {}): Promise<Result<VaultTxResult>> {
    return this.guard(owner, async () => {
      const signature = await this.ctx.provisioner.enableTrading(owner, {
        ...this.ctx.config.delegation,
        ...caps,
      });
      return ok(await this.txResult(owner, signature));
    });
  }

  async disableTrading(owner: FundsOwner): Promise<Result<VaultTxResult>> {
    return this.guard(owner, async () =>
      ok(await this.txResult(owner, await this.ctx.provisioner.disableTrading(owner))),
    );
  }

  private amount(amountMicro: Micro): Result<bigint> {
    if (!Number.isSafeInteger(amountMicro) || amountMicro <= 0)
      return err('INVALID_REQUEST', { field: 'amount', reason: 'a positive micro-USDC integer' });
    return ok(toChainAmount(amountMicro, 'amount'));
  }

  private async finish(
    owner: FundsOwner,
    key: PublicKey,
    parts: TxPart[],
    label: string,
    landed: () => void,
  ): Promise<Result<VaultTxResult>> {
    this.ctx.cache.beginTx([key]);
    let outcome: SendOutcome;
    try {
      outcome = await this.ctx.cluster.send((blockhash) => this.ctx.builder.build(parts, blockhash), label);
      if (outcome.ok) landed();
    } finally {
      this.ctx.cache.endTx([key]);
    }
    if (!outcome.ok) return this.failure(outcome);
    this.ctx.logger.info({ principal: principalKey(owner), signature: outcome.signature }, label);
    return ok(await this.txResult(owner, outcome.signature, key));
  }

  private failure(outcome: Extract<SendOutcome, { ok: false }>): Result<never> {
    if (outcome.kind === 'transport' || outcome.kind === 'expired')
      return err('SERVICE_UNAVAILABLE', { reason: outcome.message });
    if (outcome.kind === 'program' && outcome.customCode === INSUFFICIENT_FREE)
      return err('INSUFFICIENT_BALANCE', { reason: outcome.message });
    return err('INTERNAL_ERROR', { reason: outcome.message });
  }

  private async txResult(owner: FundsOwner, signature: string, known?: PublicKey): Promise<VaultTxResult> {
    const key = known ?? (await this.ctx.signer.provision(owner));
    return { signature, explorerUrl: this.links('tx', signature), vault: await this.view(owner, key) };
  }

  private async walletBalance(key: PublicKey): Promise<bigint> {
    const [ata] = await this.ctx.cluster.getAccounts([associatedTokenAddress(key, this.ctx.mint)]);
    return ata && ata.data.length === TOKEN_ACCOUNT_SIZE ? decodeTokenAccount(ata.data).amount : 0n;
  }

  private async view(owner: FundsOwner, key: PublicKey): Promise<VaultView> {
    const s = this.ctx.cache.get(key);
    const vault = vaultPda(this.ctx.programId, key).address.toBase58();
    const locked = s.stakeLocked + s.collateralLocked;
    return {
      owner: key.toBase58(),
      vault,
      depositAddress: associatedTokenAddress(key, this.ctx.mint).toBase58(),
      exists: s.exists,
      balanceMicro: clampMicro(s.balance),
      lockedMicro: clampMicro(locked),
      stakeLockedMicro: clampMicro(s.stakeLocked),
      collateralLockedMicro: clampMicro(s.collateralLocked),
      pendingMicro: clampMicro(this.funds.pending(owner)),
      freeMicro: clampMicro(this.funds.free(owner)),
      walletMicro: clampMicro(await this.walletBalance(key)),
      tradingEnabled: s.tradingEnabled,
      delegation:
        s.tradingEnabled && s.delegate
          ? {
              delegate: s.delegate.toBase58(),
              maxPerPositionMicro: clampMicro(s.maxPerPosition),
              maxTotalLockedMicro: clampMicro(s.maxTotalLocked),
              expiresAt: Number(s.delegateExpiry) * 1000,
            }
          : null,
      explorerUrl: this.links('address', vault),
    };
  }

  /** Chain and signer failures become SERVICE_UNAVAILABLE; nothing throws out of the service. */
  private async guard<T>(owner: FundsOwner, run: () => Promise<Result<T>>): Promise<Result<T>> {
    try {
      return await run();
    } catch (error) {
      this.ctx.logger.error({ principal: principalKey(owner), err: error }, 'vault operation failed');
      return err('SERVICE_UNAVAILABLE', { reason: (error as Error).message });
    }
  }
}
