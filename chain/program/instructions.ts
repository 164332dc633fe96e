/**
 * Instruction builders for parlay_vaults. Each takes the program id first (never a global) and the
 * keys of the people involved; PDAs and bumps are derived here. Amounts are micro-USDC as bigint.
 */
import type { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { buildInstruction } from './encoding.ts';
import { INSTRUCTIONS } from './instructionSpecs.ts';
import { OUTCOME, type OutcomeName } from './layout.ts';
import { configPda, positionPda, programDataAddress, vaultPda, vaultTokenPda } from './pda.ts';
import { SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID } from './programIds.ts';

export function initializeConfigInstruction(
  programId: PublicKey,
  p: {
    payer: PublicKey;
    admin: PublicKey;
    mint: PublicKey;
    treasury: PublicKey;
    operator: PublicKey;
    feeBps: number;
  },
): TransactionInstruction {
  const config = configPda(programId);
  return buildInstruction(
    programId,
    INSTRUCTIONS.initializeConfig,
    {
      payer: p.payer,
      admin: p.admin,
      config: config.address,
      mint: p.mint,
      treasury: p.treasury,
      program: programId,
      program_data: programDataAddress(programId),
      system_program: SYSTEM_PROGRAM_ID,
    },
    { bump: config.bump, operator: p.operator, fee_bps: p.feeBps },
  );
}

export function updateConfigInstruction(
  programId: PublicKey,
  p: { admin: PublicKey; newAdmin: PublicKey; operator: PublicKey; treasury: PublicKey; feeBps: number },
): TransactionInstruction {
  return buildInstruction(
    programId,
    INSTRUCTIONS.updateConfig,
    { admin: p.admin, config: configPda(programId).address, treasury: p.treasury },
    { new_admin: p.newAdmin, operator: p.operator, fee_bps: p.feeBps },
  );
}

/** Opens `owner`'s vault and its token account; `payer` pays the rent, the owner need not sign. */
export function initializeVaultInstruction(
  programId: PublicKey,
  p: { payer: PublicKey; owner: PublicKey; mint: PublicKey },
): TransactionInstruction {
  const vault = vaultPda(programId, p.owner);
  const token = vaultTokenPda(programId, p.owner);
  return buildInstruction(
    programId,
    INSTRUCTIONS.initializeVault,
    {
      payer: p.payer,
      owner: p.owner,
      config: configPda(programId).address,
      vault: vault.address,
      vault_token: token.address,
      mint: p.mint,
      system_program: SYSTEM_PROGRAM_ID,
      token_program: TOKEN_PROGRAM_ID,
    },
    { vault_bump: vault.bump, token_bump: token.bump },
  );
}

/** Moves `amount` from `source` (controlled by `depositor`) into `owner`'s vault. */
export function depositInstruction(
  programId: PublicKey,
  p: { depositor: PublicKey; owner: PublicKey; source: PublicKey; amount: bigint },
): TransactionInstruction {
  return buildInstruction(
    programId,
    INSTRUCTIONS.deposit,
    {
      depositor: p.depositor,
      vault: vaultPda(programId, p.owner).address,
      source: p.source,
      vault_token: vaultTokenPda(programId, p.owner).address,
      token_program: TOKEN_PROGRAM_ID,
    },
    { amount: p.amount },
  );
}

export function withdrawInstruction(
  programId: PublicKey,
  p: { owner: PublicKey; destination: PublicKey; amount: bigint },
): TransactionInstruction {
  return buildInstruction(
    programId,
    INSTRUCTIONS.withdraw,
    {
      owner: p.owner,
      vault: vaultPda(programId, p.owner).address,
      vault_token: vaultTokenPda(programId, p.owner).address,
      destination: p.destination,
      token_program: TOKEN_PROGRAM_ID,
    },
    { amount: p.amount },
  );
}

export function enableTradingInstruction(
  programId: PublicKey,
  p: {
    owner: PublicKey;
    delegate: PublicKey;
    maxPerPosition: bigint;
    maxTotalLocked: bigint;
    expiryUnix: bigint;
  },
): TransactionInstruction {
  return buildInstruction(
    programId,
    INSTRUCTIONS.enableTrading,
    { owner: p.owner, vault: vaultPda(programId, p.owner).address, config: configPda(programId).address },
    {
      delegate: p.delegate,
      max_per_position: p.maxPerPosition,
      max_total_locked: p.maxTotalLocked,
      expiry: p.expiryUnix,
    },
  );
}

export function disableTradingInstruction(
  programId: PublicKey,
  p: { owner: PublicKey },
): TransactionInstruction {
  return buildInstruction(programId, INSTRUCTIONS.disableTrading, {
    owner: p.owner,
    vault: vaultPda(programId, p.owner).address,
  });
}

export interface CreatePositionParams {
  payer: PublicKey;
  userOwner: PublicKey;
  mmOwner: PublicKey;
  /** The user's own key (owner-signed mode) or the operator as delegate. */
  userAuthority: PublicKey;
  /** The MM's own key (owner-signed mode) or the operator as delegate. */
  mmAuthority: PublicKey;
  positionId: Uint8Array;
  stake: bigint;
  risk: bigint;
  collateral: bigint;
  legsHash: Uint8Array;
  feeBps: number;
}

export function createPositionInstruction(
  programId: PublicKey,
  p: CreatePositionParams,
): TransactionInstruction {
  const position = positionPda(programId, p.positionId);
  return buildInstruction(
    programId,
    INSTRUCTIONS.createPosition,
    {
      payer: p.payer,
      config: configPda(programId).address,
      user_vault: vaultPda(programId, p.userOwner).address,
      user_vault_token: vaultTokenPda(programId, p.userOwner).address,
      mm_vault: vaultPda(programId, p.mmOwner).address,
      mm_vault_token: vaultTokenPda(programId, p.mmOwner).address,
      position: position.address,
      user_authority: p.userAuthority,
      mm_authority: p.mmAuthority,
      system_program: SYSTEM_PROGRAM_ID,
    },
    {
      position_id: p.positionId,
      bump: position.bump,
      stake: p.stake,
      risk: p.risk,
      collateral: p.collateral,
      legs_hash: p.legsHash,
      fee_bps: p.feeBps,
    },
  );
}

export function settlePositionInstruction(
  programId: PublicKey,
  p: {
    operator: PublicKey;
    positionId: Uint8Array;
    userOwner: PublicKey;
    mmOwner: PublicKey;
    treasury: PublicKey;
    outcome: OutcomeName;
  },
): TransactionInstruction {
  return buildInstruction(
    programId,
    INSTRUCTIONS.settlePosition,
    {
      operator: p.operator,
      config: configPda(programId).address,
      position: positionPda(programId, p.positionId).address,
      user_vault: vaultPda(programId, p.userOwner).address,
      user_vault_token: vaultTokenPda(programId, p.userOwner).address,
      mm_vault: vaultPda(programId, p.mmOwner).address,
      mm_vault_token: vaultTokenPda(programId, p.mmOwner).address,
      treasury: p.treasury,
      token_program: TOKEN_PROGRAM_ID,
    },
    { outcome: OUTCOME[p.outcome] },
  );
}

export function cancelPositionInstruction(
  programId: PublicKey,
  p: { operator: PublicKey; positionId: Uint8Array; userOwner: PublicKey },
): TransactionInstruction {
  return buildInstruction(programId, INSTRUCTIONS.cancelPosition, {
    operator: p.operator,
    config: configPda(programId).address,
    position: positionPda(programId, p.positionId).address,
    user_vault: vaultPda(programId, p.userOwner).address,
  });
}

/** Lowers the MM's locked collateral to `newCollateralLocked` (the recomputed worst case). */
export function releaseMmCollateralInstruction(
  programId: PublicKey,
  p: { operator: PublicKey; mmOwner: PublicKey; newCollateralLocked: bigint },
): TransactionInstruction {
  return buildInstruction(
    programId,
    INSTRUCTIONS.releaseMmCollateral,
    {
      operator: p.operator,
      config: configPda(programId).address,
      mm_vault: vaultPda(programId, p.mmOwner).address,
    },
    { new_collateral_locked: p.newCollateralLocked },
  );
}

/** Closes a settled or cancelled position; its rent goes back to `rentReceiver` (the recorded payer). */
export function closePositionInstruction(
  programId: PublicKey,
  p: { operator: PublicKey; positionId: Uint8Array; rentReceiver: PublicKey },
): TransactionInstruction {
  return buildInstruction(programId, INSTRUCTIONS.closePosition, {
    operator: p.operator,
    config: configPda(programId).address,
    position: positionPda(programId, p.positionId).address,
    rent_receiver: p.rentReceiver,
  });
}
