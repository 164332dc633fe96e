/**
 * Turns parts (instructions + the owners who must sign them + a compute estimate) into one signed v0
 * transaction: compute-budget instructions when the cluster wants them, the lookup tables that hold
 * its accounts, the fee payer's signature (native ed25519) and every owner's, gathered in parallel
 * through the signer port. Sizes are measured, not guessed (txSize.ts), and checked again on the
 * serialized bytes: web3.js would let an oversized v0 transaction through.
 */
import {
  ComputeBudgetProgram,
  type PublicKey,
  type TransactionInstruction,
  VersionedTransaction,
} from '@solana/web3.js';
import type { Cluster } from './cluster/cluster.ts';
import { compileV0 } from './compileV0.ts';
import { type NativeKeypair, signerIndex, signNative, wireBytes } from './keys.ts';
import type { LookupTables } from './lookupTables.ts';
import { type OwnerSigner, type Principal, principalKey } from './signers/signer.ts';
import {
  type Footprint,
  fitsOneTransaction,
  footprintOf,
  measureV0,
  PACKET_DATA_SIZE,
  type TxMeasure,
} from './txSize.ts';

/** Compute-unit estimates per instruction, with room for the classic SPL Token on a real cluster. */
export const COMPUTE_UNITS = {
  createPosition: 12_000,
  settlePosition: 30_000,
  cancelPosition: 3_000,
  releaseCollateral: 3_000,
  closePosition: 3_000,
  initializeVault: 40_000,
  enableTrading: 3_000,
  disableTrading: 2_000,
  deposit: 15_000,
  withdraw: 15_000,
  createAta: 30_000,
  mintTo: 10_000,
} as const;
const MAX_COMPUTE_UNITS = 1_400_000;
const BUDGET_OVERHEAD_UNITS = 1_000;

export interface TxPart {
  instructions: TransactionInstruction[];
  footprint: Footprint;
  /** Owners whose signature these instructions need (owner-signed mode, owner actions). */
  owners: Array<{ principal: Principal; key: PublicKey }>;
  computeUnits: number;
}

export function txPart(
  instructions: TransactionInstruction[],
  computeUnits: number,
  owners: Array<{ principal: Principal; key: PublicKey }> = [],
): TxPart {
  return { instructions, footprint: footprintOf(instructions), owners, computeUnits };
}

export class TransactionTooLarge extends Error {
  override readonly name = 'TransactionTooLarge';
}

export class TxBuilder {
  /** Instructions the cluster puts before ours (compute budget), for size and error-index accounting. */
  readonly prefixInstructions: number;
  private readonly budgetFootprint: Footprint;

  constructor(
    readonly feePayer: NativeKeypair,
    private readonly cluster: Cluster,
    private readonly tables: LookupTables,
    private readonly signer: OwnerSigner,
  ) {
    const sample = this.budgetInstructions(1);
    this.prefixInstructions = sample.length;
    this.budgetFootprint = footprintOf(sample);
  }

  measure(parts: readonly TxPart[]): TxMeasure {
    return measureV0(
      this.feePayer.publicKey,
      [this.budgetFootprint, ...parts.map((p) => p.footprint)],
      this.tables.index,
    );
  }

  fits(parts: readonly TxPart[]): boolean {
    return fitsOneTransaction(this.measure(parts));
  }

  async build(parts: readonly TxPart[], blockhash: string): Promise<VersionedTransaction> {
    const units = parts.reduce((sum, p) => sum + p.computeUnits, BUDGET_OVERHEAD_UNITS);
    const instructions = [...this.budgetInstructions(units), ...parts.flatMap((p) => p.instructions)];
    const message = compileV0(this.feePayer.publicKey, instructions, blockhash, this.tables.index);
    const tx = new VersionedTransaction(message);
    signNative(tx, [this.feePayer]);
    const owners = new Map<string, { principal: Principal; key: PublicKey }>();
    for (const part of parts) for (const o of part.owners) owners.set(principalKey(o.principal), o);
    const signatures = await Promise.all(
      [...owners.values()].map(async (o) => ({ o, signature: await this.signer.sign(o.principal, tx) })),
    );
    for (const { o, signature } of signatures) tx.signatures[signerIndex(tx, o.key)] = signature;
    let size: number;
    try {
      size = wireBytes(tx).length;
    } catch {
      size = Number.POSITIVE_INFINITY; // web3.js refuses to encode a message past the packet size
    }
    if (size > PACKET_DATA_SIZE) throw new TransactionTooLarge(`transaction is ${size} bytes`);
    return tx;
  }

  private budgetInstructions(units: number): TransactionInstruction[] {
    const { setLimit, unitPriceMicroLamports } = this.cluster.computeBudget;
    const out: TransactionInstruction[] = [];
    if (setLimit)
      out.push(ComputeBudgetProgram.setComputeUnitLimit({ units: Math.min(units, MAX_COMPUTE_UNITS) }));
    if (unitPriceMicroLamports !== null)
      out.push(ComputeBudgetProgram.setComputeUnitPrice({ microLamports: unitPriceMicroLamports }));
    return out;
  }
}
