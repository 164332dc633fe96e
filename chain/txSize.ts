/**
 * The exact wire size of a v0 transaction, computed from the instructions' accounts without compiling
 * or serializing anything. The batcher asks "does one more position fit?" on every arrival; compiling
 * a message each time costs ~50 µs a position, this costs a few. The rules mirror web3.js's
 * `MessageV0.compile` (a test compares the two on random batches):
 *  - the fee payer, every signer and every invoked program are static keys; any other key found in a
 *    lookup table (first table wins) is loaded from it; the rest are static;
 *  - a table contributes only if at least one key is loaded from it.
 * And the limits a cluster enforces: 1,232 bytes on the wire, 64 accounts per transaction.
 */
import type { AddressLookupTableAccount, PublicKey, TransactionInstruction } from '@solana/web3.js';

export const PACKET_DATA_SIZE = 1232;
export const MAX_TX_ACCOUNTS = 64;
const SIGNATURE_BYTES = 64;
const KEY_BYTES = 32;

const ids = new WeakMap<PublicKey, string>();
/** A cheap identity string for a key, remembered per PublicKey object. */
export function keyId(key: PublicKey): string {
  let id = ids.get(key);
  if (id === undefined) {
    id = Buffer.from(key.toBytes()).toString('base64');
    ids.set(key, id);
  }
  return id;
}

const names = new WeakMap<PublicKey, string>();
/** `key.toBase58()`, remembered per PublicKey object (base58 encoding is quadratic, ~5 µs a key). */
export function base58Of(key: PublicKey): string {
  let name = names.get(key);
  if (name === undefined) {
    name = key.toBase58();
    names.set(key, name);
  }
  return name;
}

export const compactU16Length = (n: number): number => (n < 0x80 ? 1 : n < 0x4000 ? 2 : 3);

export interface KeyUse {
  id: string;
  signer: boolean;
  writable: boolean;
  invoked: boolean;
}

/** What some instructions add to a transaction: their keys and their compiled bytes. */
export interface Footprint {
  keys: KeyUse[];
  instructionCount: number;
  /** Σ over instructions of: program index, account count + indexes, data length + data. */
  instructionBytes: number;
}

export function footprintOf(instructions: readonly TransactionInstruction[]): Footprint {
  const keys: KeyUse[] = [];
  let instructionBytes = 0;
  for (const ix of instructions) {
    keys.push({ id: keyId(ix.programId), signer: false, writable: false, invoked: true });
    for (const meta of ix.keys)
      keys.push({ id: keyId(meta.pubkey), signer: meta.isSigner, writable: meta.isWritable, invoked: false });
    instructionBytes +=
      1 +
      compactU16Length(ix.keys.length) +
      ix.keys.length +
      compactU16Length(ix.data.length) +
      ix.data.length;
  }
  return { keys, instructionCount: instructions.length, instructionBytes };
}

/**
 * Where each address is loaded from: the first table holding it, at its first position there (what
 * MessageV0.compile picks).
 */
export class LookupIndex {
  private readonly where = new Map<string, { table: number; index: number }>();

  constructor(readonly tables: readonly AddressLookupTableAccount[]) {
    tables.forEach((table, t) => {
      table.state.addresses.forEach((address, index) => {
        const id = keyId(address);
        if (!this.where.has(id)) this.where.set(id, { table: t, index });
      });
    });
  }

  locate(id: string): { table: number; index: number } | undefined {
    return this.where.get(id);
  }

  table(id: string): number | undefined {
    return this.where.get(id)?.table;
  }

  static readonly empty = new LookupIndex([]);
}

export interface TxMeasure {
  bytes: number;
  accounts: number;
  signers: number;
}

export function measureV0(payer: PublicKey, parts: readonly Footprint[], lookups: LookupIndex): TxMeasure {
  const merged = new Map<string, KeyUse>();
  merged.set(keyId(payer), { id: keyId(payer), signer: true, writable: true, invoked: false });
  let instructionCount = 0;
  let instructionBytes = 0;
  for (const part of parts) {
    instructionCount += part.instructionCount;
    instructionBytes += part.instructionBytes;
    for (const use of part.keys) {
      const known = merged.get(use.id);
      if (!known) merged.set(use.id, { ...use });
      else {
        known.signer ||= use.signer;
        known.writable ||= use.writable;
        known.invoked ||= use.invoked;
      }
    }
  }
  let signers = 0;
  let staticKeys = 0;
  const loaded = new Map<number, { writable: number; readonly: number }>();
  for (const use of merged.values()) {
    if (use.signer) signers++;
    const table = use.signer || use.invoked ? undefined : lookups.table(use.id);
    if (table === undefined) {
      staticKeys++;
      continue;
    }
    const counts = loaded.get(table) ?? { writable: 0, readonly: 0 };
    if (use.writable) counts.writable++;
    else counts.readonly++;
    loaded.set(table, counts);
  }
  let lookupBytes = compactU16Length(loaded.size);
  let loadedKeys = 0;
  for (const { writable, readonly } of loaded.values()) {
    lookupBytes += KEY_BYTES + compactU16Length(writable) + writable + compactU16Length(readonly) + readonly;
    loadedKeys += writable + readonly;
  }
  const message =
    1 + // version prefix
    3 + // header
    compactU16Length(staticKeys) +
    staticKeys * KEY_BYTES +
    KEY_BYTES + // recent blockhash
    compactU16Length(instructionCount) +
    instructionBytes +
    lookupBytes;
  return {
    bytes: compactU16Length(signers) + signers * SIGNATURE_BYTES + message,
    accounts: staticKeys + loadedKeys,
    signers,
  };
}

export const fitsOneTransaction = (m: TxMeasure): boolean =>
  m.bytes <= PACKET_DATA_SIZE && m.accounts <= MAX_TX_ACCOUNTS;
