/**
 * A principal's vault as users and MMs manage it (chain/vaultService.ts implements it): balances,
 * deposits, withdrawals of the free balance, and on the embedded cluster a dev faucet.
 */
import type { Result } from '../../machines/errors.ts';
import type { Micro } from '../../machines/money.ts';
import type { FundsOwner } from './funds.ts';

export interface VaultView {
  /** The owner key (local custody key or Privy wallet address). */
  owner: string;
  vault: string;
  /** The owner's USDC token account: deposits are made from it, withdrawals go to it by default. */
  depositAddress: string;
  exists: boolean;
  balanceMicro: Micro;
  lockedMicro: Micro;
  stakeLockedMicro: Micro;
  collateralLockedMicro: Micro;
  /** Reserved by RFQs in flight (accepted or confirmed, not yet on chain). */
  pendingMicro: Micro;
  freeMicro: Micro;
  /** USDC in the deposit address, not yet in the vault. */
  walletMicro: Micro;
  tradingEnabled: boolean;
  delegation: {
    delegate: string;
    maxPerPositionMicro: Micro;
    maxTotalLockedMicro: Micro;
    expiresAt: number;
  } | null;
  explorerUrl: string;
}

export interface VaultTxResult {
  signature: string;
  explorerUrl: string;
  vault: VaultView;
}

export interface VaultAccess {
  readonly faucetAvailable: boolean;
  get(owner: FundsOwner): Promise<Result<VaultView>>;
  deposit(owner: FundsOwner, amountMicro: Micro): Promise<Result<VaultTxResult>>;
  withdraw(owner: FundsOwner, amountMicro: Micro, destination?: string): Promise<Result<VaultTxResult>>;
  faucet(owner: FundsOwner, amountMicro: Micro, target?: 'vault' | 'wallet'): Promise<Result<VaultTxResult>>;
}
