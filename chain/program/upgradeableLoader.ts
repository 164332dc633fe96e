/**
 * BPF Loader Upgradeable instructions (bincode: u32 LE variant tag, then fields), enough to deploy a
 * program the way the Solana CLI does: create a buffer, write the ELF into it in chunks, then deploy
 * it, which verifies the ELF and creates the ProgramData account. web3.js 1.x only ships the legacy
 * loader, hence these few encoders.
 */
import { type PublicKey, TransactionInstruction } from '@solana/web3.js';
import {
  BPF_LOADER_UPGRADEABLE_ID,
  SYSTEM_PROGRAM_ID,
  SYSVAR_CLOCK_ID,
  SYSVAR_RENT_ID,
} from './programIds.ts';

/** Buffer account header: u32 tag + Option<Pubkey> authority. */
export const BUFFER_METADATA_SIZE = 37;
/** Program account: u32 tag + ProgramData address. */
export const PROGRAM_ACCOUNT_SIZE = 36;
/** ProgramData header: u32 tag + u64 slot + Option<Pubkey> upgrade authority. */
export const PROGRAM_DATA_METADATA_SIZE = 45;

const INITIALIZE_BUFFER = 0;
const WRITE = 1;
const DEPLOY_WITH_MAX_DATA_LEN = 2;

const tag = (variant: number, extra: number): Buffer => {
  const data = Buffer.alloc(4 + extra);
  data.writeUInt32LE(variant, 0);
  return data;
};

export function initializeBufferInstruction(buffer: PublicKey, authority: PublicKey): TransactionInstruction {
  return new TransactionInstruction({
    programId: BPF_LOADER_UPGRADEABLE_ID,
    keys: [
      { pubkey: buffer, isSigner: false, isWritable: true },
      { pubkey: authority, isSigner: false, isWritable: false },
    ],
    data: tag(INITIALIZE_BUFFER, 0),
  });
}

export function writeInstruction(
  buffer: PublicKey,
  authority: PublicKey,
  offset: number,
  bytes: Uint8Array,
): TransactionInstruction {
  const data = tag(WRITE, 4 + 8 + bytes.length);
  data.writeUInt32LE(offset, 4);
  data.writeBigUInt64LE(BigInt(bytes.length), 8);
  data.set(bytes, 16);
  return new TransactionInstruction({
    programId: BPF_LOADER_UPGRADEABLE_ID,
    keys: [
      { pubkey: buffer, isSigner: false, isWritable: true },
      { pubkey: authority, isSigner: true, isWritable: false },
    ],
    data,
  });
}

export function deployWithMaxDataLenInstruction(p: {
  payer: PublicKey;
  programData: PublicKey;
  program: PublicKey;
  buffer: PublicKey;
  authority: PublicKey;
  maxDataLen: number;
}): TransactionInstruction {
  const data = tag(DEPLOY_WITH_MAX_DATA_LEN, 8);
  data.writeBigUInt64LE(BigInt(p.maxDataLen), 4);
  return new TransactionInstruction({
    programId: BPF_LOADER_UPGRADEABLE_ID,
    keys: [
      { pubkey: p.payer, isSigner: true, isWritable: true },
      { pubkey: p.programData, isSigner: false, isWritable: true },
      { pubkey: p.program, isSigner: false, isWritable: true },
      { pubkey: p.buffer, isSigner: false, isWritable: true },
      { pubkey: SYSVAR_RENT_ID, isSigner: false, isWritable: false },
      { pubkey: SYSVAR_CLOCK_ID, isSigner: false, isWritable: false },
      { pubkey: SYSTEM_PROGRAM_ID, isSigner: false, isWritable: false },
      { pubkey: p.authority, isSigner: true, isWritable: false },
    ],
    data,
  });
}
