/**
 * Address lookup tables for the chain actor's v0 transactions. A key loaded from a table costs one byte
 * in the message instead of 32, which is what lets eight positions share one 1,232-byte transaction.
 * The first table holds what every transaction names (config, mint, treasury, System and Token
 * programs); vaults are appended as they come into use. Tables only grow, 256 addresses each; a full
 * table is followed by a new one.
 *
 * Extensions happen in the background: an address is used from a table only once the extension has
 * landed and the cluster has moved past its slot (Solana activates extended addresses from the next
 * slot). Until then it simply travels as a static key.
 */
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  type PublicKey,
  type TransactionInstruction,
  TransactionMessage,
  VersionedTransaction,
} from '@solana/web3.js';
import type { Logger } from '../engine/logger.ts';
import type { Cluster } from './cluster/cluster.ts';
import { type NativeKeypair, signNative } from './keys.ts';
import { keyId, LookupIndex } from './txSize.ts';

export const LOOKUP_TABLE_CAPACITY = 256;
/** Addresses per ExtendLookupTable transaction (32 bytes each keeps it well under the size limit). */
const EXTEND_CHUNK = 20;

export class LookupTables {
  private tables: AddressLookupTableAccount[] = [];
  private current = LookupIndex.empty;
  private readonly present = new Set<string>();
  private readonly queue = new Map<string, PublicKey>();
  private work: Promise<void> = Promise.resolve();
  private working = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly authority: NativeKeypair,
    private readonly logger: Logger,
  ) {}

  /** Tables in use and which address each holds. */
  get index(): LookupIndex {
    return this.current;
  }

  get addresses(): PublicKey[] {
    return this.tables.map((t) => t.key);
  }

  /** Boot: load the configured tables (JSON-RPC), or create one holding `base`. */
  async open(existing: readonly PublicKey[], base: readonly PublicKey[]): Promise<void> {
    if (existing.length > 0) {
      const accounts = await this.cluster.getAccounts(existing);
      accounts.forEach((account, i) => {
        if (!account) throw new Error(`lookup table ${existing[i]?.toBase58()} does not exist`);
        const key = existing[i] as PublicKey;
        this.tables.push(
          new AddressLookupTableAccount({ key, state: AddressLookupTableAccount.deserialize(account.data) }),
        );
      });
      this.reindex();
    }
    this.want(base);
    await this.settled();
  }

  /** Asks for these addresses to be in a table; returns at once (the extension runs in the background). */
  want(addresses: readonly PublicKey[]): void {
    for (const address of addresses) {
      const id = keyId(address);
      if (!this.present.has(id)) this.queue.set(id, address);
    }
    if (this.queue.size > 0 && !this.working) {
      this.working = true;
      this.work = this.drain().finally(() => {
        this.working = false;
      });
    }
  }

  /** Resolves when every address asked for so far is in an active table (or failed and was logged). */
  async settled(): Promise<void> {
    while (this.working) await this.work;
  }

  private async drain(): Promise<void> {
    while (this.queue.size > 0) {
      const batch = [...this.queue.values()].slice(0, EXTEND_CHUNK);
      try {
        let table = this.tables.at(-1);
        if (!table || table.state.addresses.length >= LOOKUP_TABLE_CAPACITY) table = await this.createTable();
        const room = LOOKUP_TABLE_CAPACITY - table.state.addresses.length;
        const chunk = batch.slice(0, room);
        await this.extend(table.key, chunk);
        for (const address of chunk) this.queue.delete(keyId(address));
      } catch (error) {
        this.logger.warn(
          { err: error, addresses: batch.length },
          'lookup table extension failed; addresses stay static',
        );
        for (const address of batch) this.queue.delete(keyId(address));
      }
    }
  }

  private async createTable(): Promise<AddressLookupTableAccount> {
    const [instruction, key] = AddressLookupTableProgram.createLookupTable({
      authority: this.authority.publicKey,
      payer: this.authority.publicKey,
      recentSlot: await this.cluster.recentSlot(),
    });
    await this.sendOrThrow([instruction], 'lookup table create');
    const table = new AddressLookupTableAccount({
      key,
      state: {
        deactivationSlot: BigInt('18446744073709551615'),
        lastExtendedSlot: 0,
        lastExtendedSlotStartIndex: 0,
        addresses: [],
      },
    });
    this.tables.push(table);
    this.logger.info({ lookupTable: key.toBase58() }, 'lookup table created');
    return table;
  }

  private async extend(key: PublicKey, addresses: PublicKey[]): Promise<void> {
    const instruction = AddressLookupTableProgram.extendLookupTable({
      lookupTable: key,
      authority: this.authority.publicKey,
      payer: this.authority.publicKey,
      addresses,
    });
    await this.sendOrThrow([instruction], 'lookup table extend');
    await this.cluster.nextSlot();
    const [account] = await this.cluster.getAccounts([key]);
    if (!account) throw new Error(`lookup table ${key.toBase58()} vanished`);
    const fresh = new AddressLookupTableAccount({
      key,
      state: AddressLookupTableAccount.deserialize(account.data),
    });
    this.tables = this.tables.map((t) => (t.key.equals(key) ? fresh : t));
    this.reindex();
  }

  private reindex(): void {
    this.present.clear();
    for (const table of this.tables)
      for (const address of table.state.addresses) this.present.add(keyId(address));
    this.current = new LookupIndex(this.tables);
  }

  private async sendOrThrow(instructions: TransactionInstruction[], label: string): Promise<void> {
    const outcome = await this.cluster.send(async (blockhash) => {
      const message = new TransactionMessage({
        payerKey: this.authority.publicKey,
        recentBlockhash: blockhash,
        instructions,
      }).compileToV0Message();
      const tx = new VersionedTransaction(message);
      signNative(tx, [this.authority]);
      return tx;
    }, label);
    if (!outcome.ok) throw new Error(`${label}: ${outcome.message}`);
  }
}
