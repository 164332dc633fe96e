/**
 * `MessageV0.compile`, the same message byte for byte (a test compares them), without its cost: web3.js
 * base58-encodes every key several times per compile (~2 ms for a batch of eight positions), here keys
 * are compared by an identity string remembered per PublicKey object.
 *
 * The rules, as web3.js applies them: keys in order of first appearance (fee payer first, then each
 * instruction's program and accounts), flags merged; a key that is neither a signer nor an invoked
 * program is loaded from the first lookup table holding it; static keys are ordered writable signers,
 * readonly signers, writable non-signers, readonly non-signers; the account index space is the static
 * keys, then every table's writable keys, then every table's readonly keys.
 */
import { MessageV0, type PublicKey, type TransactionInstruction } from '@solana/web3.js';
import { keyId, type LookupIndex } from './txSize.ts';

interface Meta {
  key: PublicKey;
  signer: boolean;
  writable: boolean;
  invoked: boolean;
}

const U8_LIMIT = 256;

export function compileV0(
  payer: PublicKey,
  instructions: readonly TransactionInstruction[],
  recentBlockhash: string,
  lookups: LookupIndex,
): MessageV0 {
  const metas = new Map<string, Meta>();
  const meta = (key: PublicKey): Meta => {
    const id = keyId(key);
    let m = metas.get(id);
    if (!m) {
      m = { key, signer: false, writable: false, invoked: false };
      metas.set(id, m);
    }
    return m;
  };
  const payerMeta = meta(payer);
  payerMeta.signer = true;
  payerMeta.writable = true;
  for (const ix of instructions) {
    meta(ix.programId).invoked = true;
    for (const account of ix.keys) {
      const m = meta(account.pubkey);
      m.signer ||= account.isSigner;
      m.writable ||= account.isWritable;
    }
  }

  const tables = lookups.tables.map(() => ({
    writable: [] as Array<[string, number]>,
    readonly: [] as Array<[string, number]>,
  }));
  const staticIds: string[] = [];
  // web3.js drains table by table: all writable keys of a table, then its readonly keys, in key order.
  for (const [id, m] of metas) {
    const where = m.signer || m.invoked ? undefined : lookups.locate(id);
    if (!where) staticIds.push(id);
    else
      (m.writable ? tables[where.table]?.writable : tables[where.table]?.readonly)?.push([id, where.index]);
  }
  const group = (signer: boolean, writable: boolean) =>
    staticIds.filter((id) => {
      const m = metas.get(id) as Meta;
      return m.signer === signer && m.writable === writable;
    });
  const writableSigners = group(true, true);
  const readonlySigners = group(true, false);
  const writableOthers = group(false, true);
  const readonlyOthers = group(false, false);
  const orderedStatic = [...writableSigners, ...readonlySigners, ...writableOthers, ...readonlyOthers];

  const used = tables.map((t, i) => ({ ...t, i })).filter((t) => t.writable.length + t.readonly.length > 0);
  const indexOf = new Map<string, number>();
  for (const id of [
    ...orderedStatic,
    ...used.flatMap((t) => t.writable.map(([id]) => id)),
    ...used.flatMap((t) => t.readonly.map(([id]) => id)),
  ])
    indexOf.set(id, indexOf.size);
  if (indexOf.size > U8_LIMIT) throw new RangeError('a transaction names at most 256 accounts');
  const at = (key: PublicKey) => indexOf.get(keyId(key)) as number;

  return new MessageV0({
    header: {
      numRequiredSignatures: writableSigners.length + readonlySigners.length,
      numReadonlySignedAccounts: readonlySigners.length,
      numReadonlyUnsignedAccounts: readonlyOthers.length,
    },
    staticAccountKeys: orderedStatic.map((id) => (metas.get(id) as Meta).key),
    recentBlockhash,
    compiledInstructions: instructions.map((ix) => ({
      programIdIndex: at(ix.programId),
      accountKeyIndexes: ix.keys.map((k) => at(k.pubkey)),
      data: ix.data,
    })),
    addressTableLookups: used.map((t) => ({
      accountKey: (lookups.tables[t.i] as { key: PublicKey }).key,
      writableIndexes: t.writable.map(([, index]) => index),
      readonlyIndexes: t.readonly.map(([, index]) => index),
    })),
  });
}
