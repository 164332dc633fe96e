/**
 * A deployed parlay_vaults world for program tests: program deployed through the upgradeable loader,
 * USDC-like mint, treasury, config. Built once per test file and forked per test (a fork costs ~25 ms,
 * a deploy ~500 ms), so tests never share state.
 */
import assert from 'node:assert/strict';
import { Keypair, type PublicKey, type TransactionInstruction } from '@solana/web3.js';
import { loadDevProgramKeypair, loadParlayVaultsSo } from '../../chain/program/devProgram.ts';
import { type ProgramErrorName, programErrorCode } from '../../chain/program/errors.ts';
import { accountIndex, type InstructionSpec } from '../../chain/program/instructionSpecs.ts';
import * as ix from '../../chain/program/instructions.ts';
import {
  decodePosition,
  decodeVault,
  type PositionAccount,
  type VaultAccount,
} from '../../chain/program/layout.ts';
import { legsHash } from '../../chain/program/legsHash.ts';
import { LiteSvmHarness, type SendResult } from '../../chain/program/litesvmHarness.ts';
import { positionPda, vaultPda, vaultTokenPda } from '../../chain/program/pda.ts';

export const FEE_BPS = 200;
export const SOL = 1_000_000_000n;

export interface World {
  h: LiteSvmHarness;
  programId: PublicKey;
  /** Upgrade authority and config admin. */
  admin: Keypair;
  operator: Keypair;
  mint: PublicKey;
  mintAuthority: Keypair;
  treasury: PublicKey;
}

export interface Party {
  key: Keypair;
  /** The party's own USDC token account, outside the vault. */
  wallet: PublicKey;
  vault: PublicKey;
  vaultToken: PublicKey;
}

/** Deploys and configures once; each call returns an independent fork. */
export function worldFactory(options: { configure?: boolean } = {}): () => World {
  let base: World | undefined;
  return () => {
    base ??= buildWorld(options.configure ?? true);
    return { ...base, h: base.h.fork() };
  };
}

function buildWorld(configure: boolean): World {
  const h = new LiteSvmHarness();
  const admin = Keypair.generate();
  const operator = Keypair.generate();
  const mintAuthority = Keypair.generate();
  for (const k of [admin, operator]) h.airdrop(k.publicKey, 100n * SOL);
  const programId = h.deployUpgradeable({
    programKeypair: loadDevProgramKeypair(),
    so: loadParlayVaultsSo(),
    authority: admin,
  });
  const mint = h.createMint({ authority: mintAuthority.publicKey });
  const treasury = h.createTokenAccount({ mint, owner: admin.publicKey });
  if (configure) {
    h.sendOrThrow(
      [
        ix.initializeConfigInstruction(programId, {
          payer: h.payer.publicKey,
          admin: admin.publicKey,
          mint,
          treasury,
          operator: operator.publicKey,
          feeBps: FEE_BPS,
        }),
      ],
      [h.payer, admin],
    );
  }
  return { h, programId, admin, operator, mint, mintAuthority, treasury };
}

/** A user or MM: funded keypair, wallet holding `funds`, vault opened, `deposit` moved in. */
export function party(w: World, opts: { funds?: bigint; deposit?: bigint; vault?: boolean } = {}): Party {
  const key = Keypair.generate();
  w.h.airdrop(key.publicKey, 10n * SOL);
  const wallet = w.h.createTokenAccount({ mint: w.mint, owner: key.publicKey });
  const funds = opts.funds ?? 1_000_000_000n;
  if (funds > 0n)
    w.h.mintTo({ mint: w.mint, authority: w.mintAuthority, destination: wallet, amount: funds });
  if (opts.vault ?? true) {
    w.h.sendOrThrow(
      [
        ix.initializeVaultInstruction(w.programId, {
          payer: w.h.payer.publicKey,
          owner: key.publicKey,
          mint: w.mint,
        }),
      ],
      [w.h.payer],
    );
  }
  const deposit = opts.deposit ?? 0n;
  if (deposit > 0n) {
    w.h.sendOrThrow(
      [
        ix.depositInstruction(w.programId, {
          depositor: key.publicKey,
          owner: key.publicKey,
          source: wallet,
          amount: deposit,
        }),
      ],
      [key],
    );
  }
  return {
    key,
    wallet,
    vault: vaultPda(w.programId, key.publicKey).address,
    vaultToken: vaultTokenPda(w.programId, key.publicKey).address,
  };
}

export const vaultOf = (w: World, p: Party): VaultAccount => {
  const acc = w.h.account(p.vault);
  assert.ok(acc, 'vault exists');
  return decodeVault(acc.data);
};

export const positionOf = (w: World, id: Uint8Array): PositionAccount => {
  const acc = w.h.account(positionPda(w.programId, id).address);
  assert.ok(acc, 'position exists');
  return decodePosition(acc.data);
};

let idCounter = 0;
/** A fresh 16-byte position id (a UUID in production). */
export function newPositionId(): Uint8Array {
  const id = new Uint8Array(16);
  crypto.getRandomValues(id);
  id[0] = ++idCounter & 0xff;
  return id;
}

export const LEGS_HASH = legsHash([
  { ticker: 'KXNBA-26-LAL', side: 'yes' },
  { ticker: 'KXNFL-26-KC', side: 'no' },
]);

export interface PositionTerms {
  user: Party;
  mm: Party;
  stake: bigint;
  risk: bigint;
  collateral?: bigint;
  feeBps?: number;
  /** 'owner': user and MM sign; 'delegate': the operator signs for both. */
  mode?: 'owner' | 'delegate';
  id?: Uint8Array;
}

export function createPositionIx(
  w: World,
  t: PositionTerms,
): { id: Uint8Array; ix: TransactionInstruction; signers: Keypair[] } {
  const id = t.id ?? newPositionId();
  const delegated = t.mode === 'delegate';
  const userAuthority = delegated ? w.operator.publicKey : t.user.key.publicKey;
  const mmAuthority = delegated ? w.operator.publicKey : t.mm.key.publicKey;
  const instruction = ix.createPositionInstruction(w.programId, {
    payer: w.h.payer.publicKey,
    userOwner: t.user.key.publicKey,
    mmOwner: t.mm.key.publicKey,
    userAuthority,
    mmAuthority,
    positionId: id,
    stake: t.stake,
    risk: t.risk,
    collateral: t.collateral ?? t.risk,
    legsHash: LEGS_HASH,
    feeBps: t.feeBps ?? FEE_BPS,
  });
  const signers = delegated ? [w.h.payer, w.operator] : [w.h.payer, t.user.key, t.mm.key];
  return { id, ix: instruction, signers };
}

export function openPosition(w: World, t: PositionTerms): Uint8Array {
  const { id, ix: instruction, signers } = createPositionIx(w, t);
  w.h.sendOrThrow([instruction], signers);
  return id;
}

export function enableTrading(
  w: World,
  p: Party,
  caps: { perPosition?: bigint; total?: bigint; expiry?: bigint } = {},
): void {
  w.h.sendOrThrow(
    [
      ix.enableTradingInstruction(w.programId, {
        owner: p.key.publicKey,
        delegate: w.operator.publicKey,
        maxPerPosition: caps.perPosition ?? 1_000_000_000n,
        maxTotalLocked: caps.total ?? 10_000_000_000n,
        expiryUnix: caps.expiry ?? w.h.unixTimestamp() + 3600n,
      }),
    ],
    [p.key],
  );
}

/**
 * "CU <name>: <total> (<n> in called programs)": the total is what the transaction consumed; the
 * callees' share (System, SPL Token) is read from the `consumed` log lines of nested invocations.
 */
export function cuLine(name: string, result: SendResult): string {
  let callees = 0n;
  const depths: number[] = [];
  for (const line of result.logs) {
    const invoke = / invoke \[(\d+)\]$/.exec(line);
    const consumed = / consumed (\d+) of \d+ compute units$/.exec(line);
    if (invoke) depths.push(Number(invoke[1]));
    else if (consumed && (depths.at(-1) ?? 1) >= 2) callees += BigInt(consumed[1] ?? 0);
    else if (/^Program \S+ (success|failed)/.test(line)) depths.pop();
  }
  return `CU ${name}: ${result.computeUnits} (${callees} in called programs)`;
}

/** Asserts the transaction failed with the program's custom error `name`. */
export function expectError(result: SendResult, name: ProgramErrorName): void {
  assert.equal(result.ok, false, `expected ${name}, but the transaction succeeded`);
  if (result.ok) return;
  assert.equal(
    result.customCode,
    programErrorCode(name),
    `expected ${name}, got ${result.message}\n${result.logs.join('\n')}`,
  );
}

export function expectOk(result: SendResult): asserts result is Extract<SendResult, { ok: true }> {
  assert.ok(result.ok, result.ok ? '' : `${result.message}\n${result.logs.join('\n')}`);
}

/** Replaces a named account of an instruction (negative tests), keeping or overriding its flags. */
export function withAccount(
  instruction: TransactionInstruction,
  spec: InstructionSpec,
  name: string,
  pubkey: PublicKey,
  flags: { signer?: boolean; writable?: boolean } = {},
): TransactionInstruction {
  const i = accountIndex(spec, name);
  const meta = instruction.keys[i];
  assert.ok(meta);
  instruction.keys[i] = {
    pubkey,
    isSigner: flags.signer ?? meta.isSigner,
    isWritable: flags.writable ?? meta.isWritable,
  };
  return instruction;
}

/** Changes the privileges of a named account (negative tests). */
export function withFlags(
  instruction: TransactionInstruction,
  spec: InstructionSpec,
  name: string,
  flags: { signer?: boolean; writable?: boolean },
): TransactionInstruction {
  const meta = instruction.keys[accountIndex(spec, name)];
  assert.ok(meta);
  return withAccount(instruction, spec, name, meta.pubkey, flags);
}
