/**
 * The cluster port: how the chain actor reaches Solana, whatever Solana is. Strategies behind one
 * interface, in the manner of Drift's tx senders: `LiteSvmCluster` (in-process, the default) and
 * `RpcCluster` (JSON-RPC: send with maxRetries 0, rebroadcast until confirmed or expired, re-sign).
 *
 * A transaction is handed over as a factory, not as bytes: the cluster picks the blockhash and calls
 * the factory again with a new one when the old one expires, so re-signing is the cluster's business.
 */
import type { PublicKey, VersionedTransaction } from '@solana/web3.js';

export interface AccountData {
  lamports: bigint;
  owner: PublicKey;
  data: Uint8Array;
  executable: boolean;
}

/** Builds and signs the transaction for `blockhash`. May be called more than once (re-sign). */
export type TxFactory = (blockhash: string) => Promise<VersionedTransaction>;

export type SendFailure =
  /** The transaction ran (or was simulated) and failed: the same transaction fails again. */
  | {
      kind: 'program';
      instructionIndex: number | null;
      customCode: number | null;
      message: string;
      logs: string[];
    }
  /** Not confirmed before its blockhash expired, re-signs included: it did not land. */
  | { kind: 'expired'; message: string }
  /** The cluster could not be reached or answered nonsense; the transaction may or may not have landed. */
  | { kind: 'transport'; message: string }
  /** Refused before running (malformed, too large, bad signature): the same transaction is refused again. */
  | { kind: 'rejected'; message: string };

export type SendOutcome = { ok: true; signature: string } | ({ ok: false } & SendFailure);

export interface ComputeBudgetPolicy {
  /** Add SetComputeUnitLimit (Σ of the instructions' estimates). */
  setLimit: boolean;
  /** SetComputeUnitPrice in micro-lamports per CU; null adds none. */
  unitPriceMicroLamports: number | null;
}

export interface Cluster {
  readonly kind: 'litesvm' | 'rpc';
  readonly computeBudget: ComputeBudgetPolicy;
  send(factory: TxFactory, label: string): Promise<SendOutcome>;
  /** Accounts in the order asked; null where none exists. */
  getAccounts(addresses: readonly PublicKey[]): Promise<(AccountData | null)[]>;
  /** Accounts owned by `programId` with this data size and first (kind) byte. */
  programAccounts(
    programId: PublicKey,
    filter: { dataSize: number; kindByte: number },
  ): Promise<Array<{ address: PublicKey; account: AccountData }>>;
  /** First and last transaction that touched `address` (null if none known): for recovery only. */
  signaturesOf(address: PublicKey): Promise<{ first: string | null; last: string | null }>;
  /** Cluster time (the Clock sysvar's unix_timestamp), seconds. */
  unixTime(): Promise<bigint>;
  /** A slot the SlotHashes sysvar lists, for deriving a lookup table address. */
  recentSlot(): Promise<bigint>;
  /** Resolves once the cluster is past the slot current at the call (lookup-table extensions activate). */
  nextSlot(): Promise<void>;
  close(): Promise<void>;
}
