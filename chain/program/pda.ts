/**
 * Program-derived addresses of parlay_vaults. Every function takes the program id: the deployed id
 * comes from configuration, the dev keypair only serves the embedded cluster.
 */
import { PublicKey } from '@solana/web3.js';
import { BPF_LOADER_UPGRADEABLE_ID } from './programIds.ts';

export interface Pda {
  address: PublicKey;
  bump: number;
}

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

const find = (seeds: (Buffer | Uint8Array)[], programId: PublicKey): Pda => {
  const [address, bump] = PublicKey.findProgramAddressSync(seeds, programId);
  return { address, bump };
};

/** ["config"]: the singleton configuration. */
export const configPda = (programId: PublicKey): Pda => find([text('config')], programId);

/** ["vault", owner]: one vault per user or market maker key. */
export const vaultPda = (programId: PublicKey, owner: PublicKey): Pda =>
  find([text('vault'), owner.toBuffer()], programId);

/** ["vault_token", owner]: the vault's SPL token account (its authority is the vault PDA). */
export const vaultTokenPda = (programId: PublicKey, owner: PublicKey): Pda =>
  find([text('vault_token'), owner.toBuffer()], programId);

/** ["position", position_id]: position_id is the RFQ's 16-byte UUID, so one RFQ maps to one address. */
export const positionPda = (programId: PublicKey, positionId: Uint8Array): Pda => {
  if (positionId.length !== 16) throw new RangeError('position id must be 16 bytes');
  return find([text('position'), positionId], programId);
};

/** The upgradeable loader's ProgramData account of a program. */
export const programDataAddress = (programId: PublicKey): PublicKey =>
  PublicKey.findProgramAddressSync([programId.toBuffer()], BPF_LOADER_UPGRADEABLE_ID)[0];

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
