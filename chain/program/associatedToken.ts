/**
 * Associated token accounts (the SPL Associated Token Account program): the one token account per
 * wallet and mint that wallets show. Vault owners deposit from, and withdraw to, their ATA.
 */
import { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { findProgramAddress } from './fastPda.ts';
import { SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID } from './programIds.ts';

export const ASSOCIATED_TOKEN_PROGRAM_ID = new PublicKey('ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL');

/** CreateIdempotent: succeeds whether or not the account exists (instruction 1 of the ATA program). */
const CREATE_IDEMPOTENT = 1;

export function associatedTokenAddress(wallet: PublicKey, mint: PublicKey): PublicKey {
  return findProgramAddress(
    [wallet.toBuffer(), TOKEN_PROGRAM_ID.toBuffer(), mint.toBuffer()],
    ASSOCIATED_TOKEN_PROGRAM_ID,
  )[0];
}

/** Creates `wallet`'s ATA for `mint` if missing; `payer` pays the rent. */
export function createAssociatedTokenAccountIdempotentInstruction(p: {
  payer: PublicKey;
  wallet: PublicKey;
  mint: PublicKey;
}): TransactionInstruction {
  return new TransactionInstruction({
    programId: ASSOCIATED_TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: p.payer, isSigner: true, isWritable: true },
      { pubkey: associatedTokenAddress(p.wallet, p.mint), isSigner: false, isWritable: true },
      { pubkey: p.wallet, isSigner: false, isWritable: false },
      { pubkey: p.mint, isSigner: false, isWritable: false },
      { pubkey: SYSTEM_PROGRAM_ID, isSigner: false, isWritable: false },
      { pubkey: TOKEN_PROGRAM_ID, isSigner: false, isWritable: false },
    ],
    data: Buffer.from([CREATE_IDEMPOTENT]),
  });
}
