/**
 * The few SPL Token (classic) instructions and the account layout the embedded cluster and the tests
 * need: make a USDC-like mint, token accounts, mint test funds, read balances.
 */
import { type PublicKey, SystemProgram, TransactionInstruction } from '@solana/web3.js';
import { TOKEN_PROGRAM_ID } from './programIds.ts';

export const MINT_SIZE = 82;
export const TOKEN_ACCOUNT_SIZE = 165;
export const USDC_DECIMALS = 6;

const INITIALIZE_MINT2 = 20;
const INITIALIZE_ACCOUNT3 = 18;
const MINT_TO = 7;
const TRANSFER = 3;

export function createMintInstructions(p: {
  payer: PublicKey;
  mint: PublicKey;
  mintAuthority: PublicKey;
  decimals: number;
  rentLamports: bigint;
}): TransactionInstruction[] {
  const data = Buffer.alloc(35);
  data[0] = INITIALIZE_MINT2;
  data[1] = p.decimals;
  p.mintAuthority.toBuffer().copy(data, 2);
  data[34] = 0; // no freeze authority
  return [
    SystemProgram.createAccount({
      fromPubkey: p.payer,
      newAccountPubkey: p.mint,
      lamports: Number(p.rentLamports),
      space: MINT_SIZE,
      programId: TOKEN_PROGRAM_ID,
    }),
    new TransactionInstruction({
      programId: TOKEN_PROGRAM_ID,
      keys: [{ pubkey: p.mint, isSigner: false, isWritable: true }],
      data,
    }),
  ];
}

export function createTokenAccountInstructions(p: {
  payer: PublicKey;
  account: PublicKey;
  mint: PublicKey;
  owner: PublicKey;
  rentLamports: bigint;
}): TransactionInstruction[] {
  const data = Buffer.alloc(33);
  data[0] = INITIALIZE_ACCOUNT3;
  p.owner.toBuffer().copy(data, 1);
  return [
    SystemProgram.createAccount({
      fromPubkey: p.payer,
      newAccountPubkey: p.account,
      lamports: Number(p.rentLamports),
      space: TOKEN_ACCOUNT_SIZE,
      programId: TOKEN_PROGRAM_ID,
    }),
    new TransactionInstruction({
      programId: TOKEN_PROGRAM_ID,
      keys: [
        { pubkey: p.account, isSigner: false, isWritable: true },
        { pubkey: p.mint, isSigner: false, isWritable: false },
      ],
      data,
    }),
  ];
}

export function mintToInstruction(p: {
  mint: PublicKey;
  destination: PublicKey;
  authority: PublicKey;
  amount: bigint;
}): TransactionInstruction {
  const data = Buffer.alloc(9);
  data[0] = MINT_TO;
  data.writeBigUInt64LE(p.amount, 1);
  return new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: p.mint, isSigner: false, isWritable: true },
      { pubkey: p.destination, isSigner: false, isWritable: true },
      { pubkey: p.authority, isSigner: true, isWritable: false },
    ],
    data,
  });
}

export function tokenTransferInstruction(p: {
  source: PublicKey;
  destination: PublicKey;
  owner: PublicKey;
  amount: bigint;
}): TransactionInstruction {
  const data = Buffer.alloc(9);
  data[0] = TRANSFER;
  data.writeBigUInt64LE(p.amount, 1);
  return new TransactionInstruction({
    programId: TOKEN_PROGRAM_ID,
    keys: [
      { pubkey: p.source, isSigner: false, isWritable: true },
      { pubkey: p.destination, isSigner: false, isWritable: true },
      { pubkey: p.owner, isSigner: true, isWritable: false },
    ],
    data,
  });
}

export interface TokenAccountInfo {
  mint: Uint8Array;
  owner: Uint8Array;
  amount: bigint;
  /** 0 uninitialized, 1 initialized, 2 frozen. */
  state: number;
}

export function decodeTokenAccount(data: Uint8Array): TokenAccountInfo {
  if (data.length !== TOKEN_ACCOUNT_SIZE)
    throw new RangeError(`token account must be ${TOKEN_ACCOUNT_SIZE} bytes`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    mint: data.slice(0, 32),
    owner: data.slice(32, 64),
    amount: view.getBigUint64(64, true),
    state: data[108] ?? 0,
  };
}
