/**
 * An in-process Solana for parlay_vaults: a LiteSVM with the program deployed through the real BPF
 * Loader Upgradeable (buffer, write, deploy — so the loader's ELF verification runs, as on a cluster),
 * plus the SPL Token chores (USDC-like mint, token accounts, test funds) and a transaction sender that
 * takes web3.js transactions.
 *
 * litesvm 1.5 speaks @solana/kit: web3.js transactions cross over as their wire bytes
 * (`getTransactionDecoder().decode(tx.serialize())`), addresses as base58 strings. The embedded cluster
 * builds on this class; tests use it directly.
 *
 * @example
 * const h = new LiteSvmHarness();
 * const programId = h.deployUpgradeable({ programKeypair: loadDevProgramKeypair(), so: loadParlayVaultsSo(), authority: h.payer });
 * const mint = h.createMint({ authority: h.payer.publicKey });
 * const result = h.send([someInstruction], [h.payer]);
 * if (!result.ok) console.error(result.customCode, result.message);
 */
import { address, getBase58Decoder, getTransactionDecoder, lamports } from '@solana/kit';
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  Keypair,
  MessageV0,
  PublicKey,
  type Signer,
  SystemProgram,
  Transaction,
  type TransactionInstruction,
  VersionedTransaction,
} from '@solana/web3.js';
import { FailedTransactionMetadata, LiteSVM } from 'litesvm';
import { programDataAddress } from './pda.ts';
import { BPF_LOADER_UPGRADEABLE_ID } from './programIds.ts';
import { rpcErrorFromLiteSvm } from './rpcErrors.ts';
import {
  createMintInstructions,
  createTokenAccountInstructions,
  decodeTokenAccount,
  MINT_SIZE,
  mintToInstruction,
  TOKEN_ACCOUNT_SIZE,
  USDC_DECIMALS,
} from './splToken.ts';
import {
  BUFFER_METADATA_SIZE,
  deployWithMaxDataLenInstruction,
  initializeBufferInstruction,
  PROGRAM_ACCOUNT_SIZE,
  writeInstruction,
} from './upgradeableLoader.ts';

export type SendResult =
  | { ok: true; signature: string; computeUnits: bigint; logs: string[] }
  | {
      ok: false;
      /** InstructionError::Custom code, when the failure was one. */
      customCode: number | undefined;
      /** Index of the failing instruction, when an instruction failed. */
      instructionIndex: number | undefined;
      message: string;
      computeUnits: bigint;
      logs: string[];
    };

export interface AccountSnapshot {
  lamports: bigint;
  owner: PublicKey;
  data: Uint8Array;
  executable: boolean;
}

/** Bytes of program per Write transaction: keeps each write well under the 1,232-byte limit. */
const WRITE_CHUNK = 900;
const SIGNATURE_BYTES = 64;
/** Addresses per ExtendLookupTable transaction (32 bytes each, well under the size limit). */
const LOOKUP_EXTEND_CHUNK = 20;

export class LiteSvmHarness {
  readonly svm: LiteSVM;
  /** Funded fee payer for setup transactions. */
  readonly payer: Keypair;

  /**
   * A fresh LiteSVM (standard builtins, sysvars, SPL programs) with a funded payer, or an existing one
   * (for example restored with `LiteSVM.fromBytes`) whose `payer` is already funded.
   */
  constructor(existing?: { svm: LiteSVM; payer: Keypair }) {
    if (existing) {
      this.svm = existing.svm;
      this.payer = existing.payer;
      return;
    }
    this.svm = new LiteSVM();
    this.payer = Keypair.generate();
    this.airdrop(this.payer.publicKey, 1_000n * 1_000_000_000n);
  }

  /** An independent copy of the whole ledger state (accounts, sysvars, history), same payer. */
  fork(): LiteSvmHarness {
    return new LiteSvmHarness({ svm: LiteSVM.fromBytes(this.svm.toBytes()), payer: this.payer });
  }

  airdrop(to: PublicKey, amountLamports: bigint): void {
    const result = this.svm.airdrop(address(to.toBase58()), lamports(amountLamports));
    if (!result || result instanceof FailedTransactionMetadata)
      throw new Error(`airdrop to ${to.toBase58()} failed`);
  }

  rentExempt(space: number): bigint {
    return this.svm.minimumBalanceForRentExemption(BigInt(space));
  }

  account(key: PublicKey): AccountSnapshot | null {
    const acc = this.svm.getAccount(address(key.toBase58()));
    if (!acc.exists) return null;
    return {
      lamports: acc.lamports,
      owner: new PublicKey(acc.programAddress),
      data: Uint8Array.from(acc.data),
      executable: acc.executable,
    };
  }

  /** Overwrites an account, bypassing the runtime: for seeding state (dev faucets, forged test states). */
  setAccount(key: PublicKey, account: AccountSnapshot): void {
    this.svm.setAccount({
      address: address(key.toBase58()),
      data: account.data,
      executable: account.executable,
      lamports: lamports(account.lamports),
      programAddress: address(account.owner.toBase58()),
      space: BigInt(account.data.length),
    });
  }

  /** Token balance of an SPL token account; 0 if it does not exist. */
  tokenBalance(tokenAccount: PublicKey): bigint {
    const acc = this.account(tokenAccount);
    return acc && acc.data.length === TOKEN_ACCOUNT_SIZE ? decodeTokenAccount(acc.data).amount : 0n;
  }

  /** Cluster unix time, as the program's Clock sysvar reads it. */
  unixTimestamp(): bigint {
    return this.svm.getClock().unixTimestamp;
  }

  setUnixTimestamp(unixTimestamp: bigint): void {
    const clock = this.svm.getClock();
    clock.unixTimestamp = unixTimestamp;
    this.svm.setClock(clock);
  }

  /** Moves the clock forward; a program deployed in slot N runs from slot N + 1. */
  warpSlots(slots: bigint): void {
    this.svm.warpToSlot(this.svm.getClock().slot + slots);
  }

  /** A blockhash no earlier transaction used, so identical instructions still make a new transaction. */
  freshBlockhash(): string {
    this.svm.expireBlockhash();
    return this.svm.latestBlockhash();
  }

  /** Signs `instructions` as a legacy transaction (first signer pays the fee) and sends it. */
  send(instructions: TransactionInstruction[], signers: Signer[]): SendResult {
    const feePayer = signers[0];
    if (!feePayer) throw new Error('send needs at least the fee payer as signer');
    const tx = new Transaction({ feePayer: feePayer.publicKey, recentBlockhash: this.freshBlockhash() });
    tx.add(...instructions);
    tx.sign(...signers);
    return this.sendTransaction(tx);
  }

  /** Compiles a v0 transaction (first signer pays) using `lookupTables`, signs it; does not send. */
  versionedTransaction(
    instructions: TransactionInstruction[],
    signers: Signer[],
    lookupTables: AddressLookupTableAccount[],
  ): VersionedTransaction {
    const feePayer = signers[0];
    if (!feePayer) throw new Error('a v0 transaction needs at least the fee payer as signer');
    const message = MessageV0.compile({
      payerKey: feePayer.publicKey,
      instructions,
      recentBlockhash: this.freshBlockhash(),
      addressLookupTableAccounts: lookupTables,
    });
    const tx = new VersionedTransaction(message);
    tx.sign(signers);
    return tx;
  }

  /**
   * Creates an address lookup table holding `addresses` (extended in chunks that fit a transaction)
   * and warps a slot so it is usable; returns it ready for MessageV0.compile.
   */
  createLookupTable(addresses: PublicKey[], authority: Keypair): AddressLookupTableAccount {
    // The derivation slot must be one the SlotHashes sysvar still lists.
    const recentSlot = this.svm.getSlotHashes()[0]?.slot ?? 0n;
    const [create, key] = AddressLookupTableProgram.createLookupTable({
      authority: authority.publicKey,
      payer: this.payer.publicKey,
      recentSlot,
    });
    this.sendOrThrow([create], [this.payer, authority]);
    for (let i = 0; i < addresses.length; i += LOOKUP_EXTEND_CHUNK) {
      const extend = AddressLookupTableProgram.extendLookupTable({
        lookupTable: key,
        authority: authority.publicKey,
        payer: this.payer.publicKey,
        addresses: addresses.slice(i, i + LOOKUP_EXTEND_CHUNK),
      });
      this.sendOrThrow([extend], [this.payer, authority]);
    }
    this.warpSlots(1n);
    const data = this.account(key)?.data;
    if (!data) throw new Error('lookup table was not created');
    return new AddressLookupTableAccount({ key, state: AddressLookupTableAccount.deserialize(data) });
  }

  /** Sends a signed web3.js transaction as its wire bytes. */
  sendTransaction(tx: Transaction | VersionedTransaction): SendResult {
    const wire = tx.serialize();
    const decoded = getTransactionDecoder().decode(wire);
    const result = this.svm.sendTransaction(decoded);
    if (result instanceof FailedTransactionMetadata) {
      const meta = result.meta();
      return {
        ok: false,
        ...describeFailure(result.err()),
        computeUnits: meta.computeUnitsConsumed(),
        logs: meta.logs(),
      };
    }
    return {
      ok: true,
      signature: getBase58Decoder().decode(result.signature()),
      computeUnits: result.computeUnitsConsumed(),
      logs: result.logs(),
    };
  }

  sendOrThrow(instructions: TransactionInstruction[], signers: Signer[]): Extract<SendResult, { ok: true }> {
    const result = this.send(instructions, signers);
    if (!result.ok) throw new Error(`transaction failed: ${result.message}\n${result.logs.join('\n')}`);
    return result;
  }

  /**
   * Deploys `so` at `programKeypair`'s address the way `solana program deploy` does: a buffer owned by
   * the upgradeable loader, the ELF written into it in chunks, then DeployWithMaxDataLen (which
   * verifies the ELF) in the same transaction as the program account's creation. `authority` becomes
   * the upgrade authority. Warps one slot so the program is callable on return.
   */
  deployUpgradeable(p: {
    programKeypair: Keypair;
    so: Uint8Array;
    authority: Keypair;
    maxDataLen?: number;
  }): PublicKey {
    const buffer = Keypair.generate();
    const authority = p.authority.publicKey;
    const maxDataLen = p.maxDataLen ?? p.so.length * 2;
    this.sendOrThrow(
      [
        SystemProgram.createAccount({
          fromPubkey: this.payer.publicKey,
          newAccountPubkey: buffer.publicKey,
          lamports: Number(this.rentExempt(BUFFER_METADATA_SIZE + p.so.length)),
          space: BUFFER_METADATA_SIZE + p.so.length,
          programId: BPF_LOADER_UPGRADEABLE_ID,
        }),
        initializeBufferInstruction(buffer.publicKey, authority),
      ],
      [this.payer, buffer],
    );
    for (let offset = 0; offset < p.so.length; offset += WRITE_CHUNK) {
      const chunk = p.so.subarray(offset, offset + WRITE_CHUNK);
      this.sendOrThrow(
        [writeInstruction(buffer.publicKey, authority, offset, chunk)],
        [this.payer, p.authority],
      );
    }
    const program = p.programKeypair.publicKey;
    this.sendOrThrow(
      [
        SystemProgram.createAccount({
          fromPubkey: this.payer.publicKey,
          newAccountPubkey: program,
          lamports: Number(this.rentExempt(PROGRAM_ACCOUNT_SIZE)),
          space: PROGRAM_ACCOUNT_SIZE,
          programId: BPF_LOADER_UPGRADEABLE_ID,
        }),
        deployWithMaxDataLenInstruction({
          payer: this.payer.publicKey,
          programData: programDataAddress(program),
          program,
          buffer: buffer.publicKey,
          authority,
          maxDataLen,
        }),
      ],
      [this.payer, p.programKeypair, p.authority],
    );
    this.warpSlots(1n);
    return program;
  }

  /** A classic SPL mint without freeze authority; 6 decimals like USDC unless told otherwise. */
  createMint(p: { authority: PublicKey; decimals?: number; mint?: Keypair }): PublicKey {
    const mint = p.mint ?? Keypair.generate();
    this.sendOrThrow(
      createMintInstructions({
        payer: this.payer.publicKey,
        mint: mint.publicKey,
        mintAuthority: p.authority,
        decimals: p.decimals ?? USDC_DECIMALS,
        rentLamports: this.rentExempt(MINT_SIZE),
      }),
      [this.payer, mint],
    );
    return mint.publicKey;
  }

  /** A token account of `mint` at a fresh keypair address, owned (as token authority) by `owner`. */
  createTokenAccount(p: { mint: PublicKey; owner: PublicKey }): PublicKey {
    const account = Keypair.generate();
    this.sendOrThrow(
      createTokenAccountInstructions({
        payer: this.payer.publicKey,
        account: account.publicKey,
        mint: p.mint,
        owner: p.owner,
        rentLamports: this.rentExempt(TOKEN_ACCOUNT_SIZE),
      }),
      [this.payer, account],
    );
    return account.publicKey;
  }

  mintTo(p: { mint: PublicKey; authority: Keypair; destination: PublicKey; amount: bigint }): void {
    this.sendOrThrow(
      [
        mintToInstruction({
          mint: p.mint,
          destination: p.destination,
          authority: p.authority.publicKey,
          amount: p.amount,
        }),
      ],
      [this.payer, p.authority],
    );
  }
}

/** Serialized size of a transaction, counted the way the 1,232-byte packet limit counts it. */
export function transactionSize(tx: Transaction | VersionedTransaction): number {
  if ('version' in tx) return tx.serialize().length;
  const message = tx.serializeMessage();
  const signatures = tx.signatures.length;
  return compactU16Length(signatures) + signatures * SIGNATURE_BYTES + message.length;
}

function compactU16Length(n: number): number {
  return n < 0x80 ? 1 : n < 0x4000 ? 2 : 3;
}

/** A failed transaction's custom error and instruction, in the clusters' RPC form. */
function describeFailure(err: unknown): {
  customCode: number | undefined;
  instructionIndex: number | undefined;
  message: string;
} {
  const rpc = rpcErrorFromLiteSvm(err);
  const instruction =
    typeof rpc === 'object' && 'InstructionError' in rpc
      ? (rpc as { InstructionError: [number, string | { Custom: number }] }).InstructionError
      : undefined;
  const inner = instruction?.[1];
  return {
    customCode: typeof inner === 'object' ? inner.Custom : undefined,
    instructionIndex: instruction?.[0],
    message: JSON.stringify(rpc),
  };
}
