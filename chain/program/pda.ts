/**
 * Program-derived addresses of parlay_vaults. Every function takes the program id: the deployed id
 * comes from configuration, the dev keypair only serves the embedded cluster.
 */
import type { PublicKey } from '@solana/web3.js';
import { findProgramAddress } from './fastPda.ts';
import { BPF_LOADER_UPGRADEABLE_ID } from './programIds.ts';

export interface Pda {
  address: PublicKey;
  bump: number;
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

const find = (seeds: (Buffer | Uint8Array)[], programId: PublicKey): Pda => {
  const [address, bump] = findProgramAddress(seeds, programId);
  return { address, bump };
};

/**
 * Config and vault addresses are derived again for every instruction that names them; they never
 * change, so they are remembered (bounded: the map starts over past MEMO_LIMIT entries).
 */
const MEMO_LIMIT = 100_000;
const memo = new Map<string, Pda>();
const names = new WeakMap<PublicKey, string>();
/** base58 is quadratic (~5 µs a key): remembered per PublicKey object. */
function nameOf(key: PublicKey): string {
  let name = names.get(key);
  if (name === undefined) {
    name = key.toBase58();
    names.set(key, name);
  }
  return name;
}
function remembered(key: string, derive: () => Pda): Pda {
  const known = memo.get(key);
  if (known) return known;
  if (memo.size >= MEMO_LIMIT) memo.clear();
  const pda = derive();
  memo.set(key, pda);
  return pda;
}

/** ["config"]: the singleton configuration. */
export const configPda = (programId: PublicKey): Pda =>
  remembered(`c:${nameOf(programId)}`, () => find([text('config')], programId));

/** ["vault", owner]: one vault per user or market maker key. */
export const vaultPda = (programId: PublicKey, owner: PublicKey): Pda =>
  remembered(`v:${nameOf(programId)}:${nameOf(owner)}`, () =>
    find([text('vault'), owner.toBuffer()], programId),
  );

/** ["vault_token", owner]: the vault's SPL token account (its authority is the vault PDA). */
export const vaultTokenPda = (programId: PublicKey, owner: PublicKey): Pda =>
  remembered(`t:${nameOf(programId)}:${nameOf(owner)}`, () =>
    find([text('vault_token'), owner.toBuffer()], programId),
  );

/** ["position", position_id]: position_id is the RFQ's 16-byte UUID, so one RFQ maps to one address. */
export const positionPda = (programId: PublicKey, positionId: Uint8Array): Pda => {
  if (positionId.length !== 16) throw new RangeError('position id must be 16 bytes');
  // Remembered too: one position's address is asked for at create, at settle and at close.
  return remembered(`p:${nameOf(programId)}:${Buffer.from(positionId).toString('hex')}`, () =>
    find([text('position'), positionId], programId),
  );
};

/** The upgradeable loader's ProgramData account of a program. */
export const programDataAddress = (programId: PublicKey): PublicKey =>
  findProgramAddress([programId.toBuffer()], BPF_LOADER_UPGRADEABLE_ID)[0];

const UUID = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i;

/** The 16 bytes of an RFQ id in canonical UUID text form (8-4-4-4-12 hex). */
export function positionIdFromUuid(uuid: string): Uint8Array {
  const match = UUID.exec(uuid);
  if (!match) throw new TypeError(`not a UUID: ${uuid}`);
  return Uint8Array.from(Buffer.from(match.slice(1).join(''), 'hex'));
}

export function uuidFromPositionId(positionId: Uint8Array): string {
  if (positionId.length !== 16) throw new RangeError('position id must be 16 bytes');
  const hex = Buffer.from(positionId).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
