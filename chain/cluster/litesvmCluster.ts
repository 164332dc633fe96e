/**
 * The embedded cluster (the `npm start` default): a LiteSVM in this process with parlay_vaults deployed
 * through the real upgradeable loader, a test USDC mint, a treasury, the config, and a dev faucet.
 *
 * Persistence: every account a successful transaction wrote (program-owned accounts, token accounts,
 * mint, fee payer; not the program itself nor lookup tables, which are rebuilt) is appended to the state
 * file before the result is returned. On boot the program is deployed again through the loader and the
 * saved accounts are written back, so vaults and positions survive a restart. Without a state file the
 * cluster lives in memory only.
 *
 * The Clock sysvar follows the injected clock (delegation expiries are checked against it).
 * Transactions use litesvm's latest blockhash (the only one it accepts); one invalidated while its
 * signatures were gathered is re-signed, as a real cluster would need.
 */
import { address, getTransactionDecoder } from '@solana/kit';
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  PublicKey,
  TransactionMessage,
  VersionedTransaction,
} from '@solana/web3.js';
import { FailedTransactionMetadata, type LiteSVM } from 'litesvm';
import type { Clock } from '../../engine/ports/clock.ts';
import { encodeBase58 } from '../base58.ts';
import { NativeKeypair, signNative, wireBytes } from '../keys.ts';
import { loadDevProgramKeypair, loadParlayVaultsSo } from '../program/devProgram.ts';
import { initializeConfigInstruction } from '../program/instructions.ts';
import { LiteSvmHarness } from '../program/litesvmHarness.ts';
import { configPda } from '../program/pda.ts';
import { BPF_LOADER_UPGRADEABLE_ID } from '../program/programIds.ts';
import { mintToInstruction } from '../program/splToken.ts';
import { base58Of, PACKET_DATA_SIZE } from '../txSize.ts';
import type { AccountData, Cluster, SendOutcome, TxFactory } from './cluster.ts';
import { type History, type LoadedState, StateFile, type StoredAccount } from './stateFile.ts';
import { failureFromRpcError, isBlockhashError, rpcErrorFromLiteSvm } from './txErrors.ts';

const SOL = 1_000_000_000n;
/** Blockhash invalidated while signing: re-sign this many times before giving up. */
const MAX_RESIGNS = 5;
const NOT_PERSISTED = new Set([
  BPF_LOADER_UPGRADEABLE_ID.toBase58(),
  AddressLookupTableProgram.programId.toBase58(),
]);

export interface LiteSvmClusterOptions {
  clock: Clock;
  /** null: memory only. */
  stateFile: string | null;
  /** The fee payer and operator; null: generated (and kept in the state file). */
  feePayer: NativeKeypair | null;
  /** The config's fee cap (positions carry their own fee bps up to it). */
  feeCapBps: number;
  /** Custody seed (hex) to keep with a new state when none was configured. */
  generatedCustodySeed: string | null;
}

export interface LiteSvmBoot {
  cluster: LiteSvmCluster;
  programId: PublicKey;
  mint: PublicKey;
  treasury: PublicKey;
  feePayer: NativeKeypair;
  /** The custody seed kept in the state file, if one was generated for it. */
  custodySeed: string | null;
  restored: boolean;
}

export class LiteSvmCluster implements Cluster {
  readonly kind = 'litesvm';
  /** No compute-budget instructions: no fee market here, and the default limit (200k CU per instruction) covers ours. */
  readonly computeBudget = { setLimit: false, unitPriceMicroLamports: null };
  private readonly svm: LiteSVM;
  private readonly history: Map<string, History>;
  private readonly tables = new Map<string, { size: number; table: AddressLookupTableAccount }>();
  private clockSecond = -1n;
  private readonly native: NativeLiteSvm | null;

  private constructor(
    private readonly harness: LiteSvmHarness,
    private readonly clock: Clock,
    private readonly file: StateFile | null,
    private readonly mint: PublicKey,
    private readonly mintAuthority: NativeKeypair,
    private readonly feePayer: NativeKeypair,
    private readonly state: LoadedState,
  ) {
    this.svm = harness.svm;
    this.native = nativeOf(this.svm);
    this.history = state.history;
  }

  static open(options: LiteSvmClusterOptions): LiteSvmBoot {
    const file = options.stateFile ? new StateFile(options.stateFile) : null;
    const saved = file?.exists() ? file.load() : null;
    const harness = new LiteSvmHarness();
    const admin = saved
      ? NativeKeypair.fromSecretKey(Uint8Array.from(saved.header.keys.admin))
      : NativeKeypair.generate();
    const programId = harness.deployUpgradeable({
      programKeypair: loadDevProgramKeypair(),
      so: loadParlayVaultsSo(),
      authority: admin.keypair,
    });
    if (saved && saved.header.programId !== programId.toBase58())
      throw new Error(`state file was written for program ${saved.header.programId}`);
    let state: LoadedState;
    let feePayer: NativeKeypair;
    let mintAuthority: NativeKeypair;
    if (saved) {
      feePayer = NativeKeypair.fromSecretKey(Uint8Array.from(saved.header.keys.feePayer));
      if (options.feePayer && !options.feePayer.publicKey.equals(feePayer.publicKey))
        throw new Error('the configured fee payer differs from the one this state file was created with');
      mintAuthority = NativeKeypair.fromSecretKey(Uint8Array.from(saved.header.keys.mintAuthority));
      for (const [key, account] of saved.accounts)
        harness.setAccount(new PublicKey(key), toSnapshot(account));
      state = saved;
    } else {
      feePayer = options.feePayer ?? NativeKeypair.generate();
      mintAuthority = NativeKeypair.generate();
      harness.airdrop(feePayer.publicKey, 10_000n * SOL);
      harness.airdrop(admin.publicKey, 10n * SOL);
      const mint = harness.createMint({ authority: mintAuthority.publicKey });
      const treasury = harness.createTokenAccount({ mint, owner: admin.publicKey });
      harness.sendOrThrow(
        [
          initializeConfigInstruction(programId, {
            payer: harness.payer.publicKey,
            admin: admin.publicKey,
            mint,
            treasury,
            operator: feePayer.publicKey,
            feeBps: options.feeCapBps,
          }),
        ],
        [harness.payer, admin.keypair],
      );
      state = {
        header: {
          format: 'parlay-litesvm-state',
          version: 1,
          programId: programId.toBase58(),
          mint: mint.toBase58(),
          treasury: treasury.toBase58(),
          keys: { feePayer: feePayer.toJSON(), admin: admin.toJSON(), mintAuthority: mintAuthority.toJSON() },
          custodySeed: options.generatedCustodySeed,
        },
        accounts: new Map(),
        history: new Map(),
      };
      for (const key of [configPda(programId).address, mint, treasury, feePayer.publicKey]) {
        const account = harness.account(key);
        if (account) state.accounts.set(key.toBase58(), fromSnapshot(account));
      }
    }
    file?.compact(state);
    const mint = new PublicKey(state.header.mint);
    const cluster = new LiteSvmCluster(harness, options.clock, file, mint, mintAuthority, feePayer, state);
    cluster.syncClock();
    return {
      cluster,
      programId,
      mint,
      treasury: new PublicKey(state.header.treasury),
      feePayer,
      custodySeed: state.header.custodySeed,
      restored: saved !== null,
    };
  }

  async send(factory: TxFactory, _label: string): Promise<SendOutcome> {
    for (let attempt = 0; attempt <= MAX_RESIGNS; attempt++) {
      this.syncClock();
      // litesvm accepts only its latest blockhash, so concurrent transactions share it; a new one is
      // made only when identical bytes were already processed (a repeated request, not a rebroadcast).
      const tx = await factory(this.svm.latestBlockhash());
      const wire = wireBytes(tx);
      if (wire.length > PACKET_DATA_SIZE)
        return { ok: false, kind: 'rejected', message: `transaction is ${wire.length} bytes` };
      const result = this.native
        ? this.native.sendVersionedTransaction(wire)
        : this.svm.sendTransaction(decodeTransaction.decode(wire));
      if (result instanceof FailedTransactionMetadata) {
        const err = rpcErrorFromLiteSvm(result.err());
        if (err === 'AlreadyProcessed') this.svm.expireBlockhash();
        if (err === 'AlreadyProcessed' || isBlockhashError(err)) continue;
        return { ok: false, ...failureFromRpcError(err, result.meta().logs()) };
      }
      const signature = encodeBase58(tx.signatures[0] as Uint8Array);
      this.persist(tx, signature);
      return { ok: true, signature };
    }
    return { ok: false, kind: 'expired', message: 'blockhash kept changing while signing' };
  }

  async getAccounts(addresses: readonly PublicKey[]): Promise<(AccountData | null)[]> {
    return addresses.map((key) => this.harness.account(key));
  }

  async programAccounts(programId: PublicKey, filter: { dataSize: number; kindByte: number }) {
    return this.svm
      .getProgramAccounts(address(programId.toBase58()))
      .filter((a) => a.data.length === filter.dataSize && a.data[0] === filter.kindByte)
      .map((a) => ({
        address: new PublicKey(a.address),
        account: {
          lamports: a.lamports,
          owner: new PublicKey(a.programAddress),
          data: Uint8Array.from(a.data),
          executable: a.executable,
        },
      }));
  }

  async signaturesOf(key: PublicKey): Promise<{ first: string | null; last: string | null }> {
    return this.history.get(key.toBase58()) ?? { first: null, last: null };
  }

  /** The Clock sysvar's unix_timestamp: kept equal to the injected clock's second by syncClock. */
  async unixTime(): Promise<bigint> {
    this.syncClock();
    return this.clockSecond;
  }

  async recentSlot(): Promise<bigint> {
    return this.svm.getSlotHashes()[0]?.slot ?? 0n;
  }

  async nextSlot(): Promise<void> {
    this.harness.warpSlots(1n);
  }

  /** Dev faucet: mints test USDC into any token account of the mint. */
  async mintTo(destination: PublicKey, amount: bigint): Promise<SendOutcome> {
    const instruction = mintToInstruction({
      mint: this.mint,
      destination,
      authority: this.mintAuthority.publicKey,
      amount,
    });
    return this.send(async (blockhash) => {
      const message = new TransactionMessage({
        payerKey: this.feePayer.publicKey,
        recentBlockhash: blockhash,
        instructions: [instruction],
      }).compileToV0Message();
      const tx = new VersionedTransaction(message);
      signNative(tx, [this.feePayer, this.mintAuthority]);
      return tx;
    }, 'faucet');
  }

  /** The in-process ledger, for tools that serve it (the tests' JSON-RPC facade). */
  get ledger(): LiteSvmHarness {
    return this.harness;
  }

  /** Token balance of an SPL token account (0 if missing): for tests, tools and the faucet. */
  tokenBalance(account: PublicKey): bigint {
    return this.harness.tokenBalance(account);
  }

  async close(): Promise<void> {
    this.file?.compact(this.state);
  }

  private syncClock(): void {
    const second = BigInt(Math.floor(this.clock.now() / 1000));
    if (second === this.clockSecond) return;
    this.clockSecond = second;
    const current = this.svm.getClock();
    current.unixTimestamp = second;
    this.svm.setClock(current);
  }

  /** Writes what the transaction changed to the state file and the in-memory history. */
  private persist(tx: VersionedTransaction, signature: string): void {
    const changes: Array<[string, StoredAccount | null]> = [];
    for (const key of this.writableKeys(tx)) {
      const id = base58Of(key);
      const seen = this.history.get(id) ?? { first: null, last: null };
      seen.first ??= signature;
      seen.last = signature;
      this.history.set(id, seen);
      if (!this.file) continue; // memory only: the ledger itself is the state
      const account = this.harness.account(key);
      if (account && NOT_PERSISTED.has(base58Of(account.owner))) continue;
      const stored = account ? fromSnapshot(account) : null;
      if (stored) this.state.accounts.set(id, stored);
      else this.state.accounts.delete(id);
      changes.push([id, stored]);
    }
    this.file?.append(signature, changes);
  }

  private writableKeys(tx: VersionedTransaction): PublicKey[] {
    const message = tx.message;
    const keys: PublicKey[] = [];
    message.staticAccountKeys.forEach((key, i) => {
      if (message.isAccountWritable(i)) keys.push(key);
    });
    for (const lookup of message.addressTableLookups) {
      const table = this.table(lookup.accountKey);
      for (const index of lookup.writableIndexes) {
        const key = table?.state.addresses[index];
        if (key) keys.push(key);
      }
    }
    return keys;
  }

  /** Lookup tables only grow: a cached copy is good while the account's size is unchanged. */
  private table(key: PublicKey): AddressLookupTableAccount | null {
    const data = this.harness.account(key)?.data;
    if (!data) return null;
    const id = base58Of(key);
    const cached = this.tables.get(id);
    if (cached && cached.size === data.length) return cached.table;
    const table = new AddressLookupTableAccount({ key, state: AddressLookupTableAccount.deserialize(data) });
    this.tables.set(id, { size: data.length, table });
    return table;
  }
}

/**
 * litesvm's native binding under its JS wrapper. The wrapper's sendTransaction decodes the wire bytes
 * into a kit transaction and encodes them straight back (~0.1 ms, base58 addresses both ways) before
 * handing them to `sendVersionedTransaction`; we already hold the wire bytes. Used when present
 * (litesvm 1.5 is pinned), the public API otherwise; the native side verifies signatures either way.
 */
interface NativeLiteSvm {
  sendVersionedTransaction(wire: Uint8Array): ReturnType<LiteSVM['sendTransaction']>;
}
function nativeOf(svm: LiteSVM): NativeLiteSvm | null {
  const inner = (svm as unknown as { inner?: Partial<NativeLiteSvm> }).inner;
  return typeof inner?.sendVersionedTransaction === 'function' ? (inner as NativeLiteSvm) : null;
}
const decodeTransaction = getTransactionDecoder();

function toSnapshot(account: StoredAccount) {
  return {
    lamports: account.lamports,
    owner: new PublicKey(account.owner),
    data: account.data,
    executable: account.executable,
  };
}

function fromSnapshot(account: AccountData): StoredAccount {
  return {
    lamports: account.lamports,
    owner: account.owner.toBase58(),
    executable: account.executable,
    data: account.data,
  };
}
