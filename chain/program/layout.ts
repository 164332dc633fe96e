/**
 * Account layouts of parlay_vaults (fixed size, little-endian, a kind byte first) and their decoders.
 * The field tables mirror src/state.h and idl.json; decoding checks size and kind so a wrong account
 * is an error, never a misread.
 */
import { PublicKey } from '@solana/web3.js';

export type FieldType = 'u8' | 'u16' | 'u32' | 'u64' | 'i64' | 'pubkey' | 'bytes16' | 'bytes32';

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly offset: number;
}

export interface AccountLayout {
  readonly name: string;
  readonly kind: number;
  readonly size: number;
  readonly fields: readonly FieldSpec[];
}

const f = (name: string, type: FieldType, offset: number): FieldSpec => ({ name, type, offset });

export const CONFIG_LAYOUT: AccountLayout = {
  name: 'Config',
  kind: 1,
  size: 136,
  fields: [
    f('kind', 'u8', 0),
    f('bump', 'u8', 1),
    f('fee_bps', 'u16', 2),
    f('reserved', 'u32', 4),
    f('admin', 'pubkey', 8),
    f('operator', 'pubkey', 40),
    f('treasury', 'pubkey', 72),
    f('mint', 'pubkey', 104),
  ],
};

export const VAULT_LAYOUT: AccountLayout = {
  name: 'Vault',
  kind: 2,
  size: 144,
  fields: [
    f('kind', 'u8', 0),
    f('bump', 'u8', 1),
    f('token_bump', 'u8', 2),
    f('trading_enabled', 'u8', 3),
    f('reserved', 'u32', 4),
    f('owner', 'pubkey', 8),
    f('token_account', 'pubkey', 40),
    f('stake_locked', 'u64', 72),
    f('collateral_locked', 'u64', 80),
    f('delegate', 'pubkey', 88),
    f('max_per_position', 'u64', 120),
    f('max_total_locked', 'u64', 128),
    f('delegate_expiry', 'i64', 136),
  ],
};

export const POSITION_LAYOUT: AccountLayout = {
  name: 'Position',
  kind: 3,
  size: 176,
  fields: [
    f('kind', 'u8', 0),
    f('bump', 'u8', 1),
    f('status', 'u8', 2),
    f('reserved0', 'u8', 3),
    f('fee_bps', 'u16', 4),
    f('reserved1', 'u16', 6),
    f('position_id', 'bytes16', 8),
    f('user_vault', 'pubkey', 24),
    f('mm_vault', 'pubkey', 56),
    f('stake', 'u64', 88),
    f('risk', 'u64', 96),
    f('collateral', 'u64', 104),
    f('legs_hash', 'bytes32', 112),
    f('rent_payer', 'pubkey', 144),
  ],
};

export const ACCOUNT_LAYOUTS: readonly AccountLayout[] = [CONFIG_LAYOUT, VAULT_LAYOUT, POSITION_LAYOUT];

export const POSITION_STATUSES = ['active', 'settled_win', 'settled_loss', 'cancelled'] as const;
export type PositionStatusName = (typeof POSITION_STATUSES)[number];

export const OUTCOME = { win: 1, loss: 2 } as const;
export type OutcomeName = keyof typeof OUTCOME;

export interface ConfigAccount {
  bump: number;
  feeBps: number;
  admin: PublicKey;
  operator: PublicKey;
  treasury: PublicKey;
  mint: PublicKey;
}

export interface VaultAccount {
  bump: number;
  tokenBump: number;
  tradingEnabled: boolean;
  owner: PublicKey;
  tokenAccount: PublicKey;
  stakeLocked: bigint;
  collateralLocked: bigint;
  delegate: PublicKey;
  maxPerPosition: bigint;
  maxTotalLocked: bigint;
  /** Unix seconds; the delegate may act while the cluster clock is before it. */
  delegateExpiry: bigint;
}

export interface PositionAccount {
  bump: number;
  status: PositionStatusName;
  feeBps: number;
  positionId: Uint8Array;
  userVault: PublicKey;
  mmVault: PublicKey;
  stake: bigint;
  risk: bigint;
  collateral: bigint;
  legsHash: Uint8Array;
  rentPayer: PublicKey;
}

export class AccountDecodeError extends Error {
  override name = 'AccountDecodeError';
}

type Values = Record<string, number | bigint | PublicKey | Uint8Array>;

function decodeFields(layout: AccountLayout, data: Uint8Array): Values {
  if (data.length !== layout.size)
    throw new AccountDecodeError(`${layout.name}: expected ${layout.size} bytes, got ${data.length}`);
  if (data[0] !== layout.kind)
    throw new AccountDecodeError(`${layout.name}: kind byte ${data[0]} is not ${layout.kind}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out: Values = {};
  for (const { name, type, offset } of layout.fields) {
    if (type === 'u8') out[name] = view.getUint8(offset);
    else if (type === 'u16') out[name] = view.getUint16(offset, true);
    else if (type === 'u32') out[name] = view.getUint32(offset, true);
    else if (type === 'u64') out[name] = view.getBigUint64(offset, true);
    else if (type === 'i64') out[name] = view.getBigInt64(offset, true);
    else if (type === 'pubkey') out[name] = new PublicKey(data.subarray(offset, offset + 32));
    else out[name] = Uint8Array.from(data.subarray(offset, offset + (type === 'bytes16' ? 16 : 32)));
  }
  return out;
}

export function decodeConfig(data: Uint8Array): ConfigAccount {
  const v = decodeFields(CONFIG_LAYOUT, data);
  return {
    bump: v.bump as number,
    feeBps: v.fee_bps as number,
    admin: v.admin as PublicKey,
    operator: v.operator as PublicKey,
    treasury: v.treasury as PublicKey,
    mint: v.mint as PublicKey,
  };
}

export function decodeVault(data: Uint8Array): VaultAccount {
  const v = decodeFields(VAULT_LAYOUT, data);
  return {
    bump: v.bump as number,
    tokenBump: v.token_bump as number,
    tradingEnabled: v.trading_enabled === 1,
    owner: v.owner as PublicKey,
    tokenAccount: v.token_account as PublicKey,
    stakeLocked: v.stake_locked as bigint,
    collateralLocked: v.collateral_locked as bigint,
    delegate: v.delegate as PublicKey,
    maxPerPosition: v.max_per_position as bigint,
    maxTotalLocked: v.max_total_locked as bigint,
    delegateExpiry: v.delegate_expiry as bigint,
  };
}

export function decodePosition(data: Uint8Array): PositionAccount {
  const v = decodeFields(POSITION_LAYOUT, data);
  const status = POSITION_STATUSES[v.status as number];
  if (!status) throw new AccountDecodeError(`Position: unknown status ${v.status}`);
  return {
    bump: v.bump as number,
    status,
    feeBps: v.fee_bps as number,
    positionId: v.position_id as Uint8Array,
    userVault: v.user_vault as PublicKey,
    mmVault: v.mm_vault as PublicKey,
    stake: v.stake as bigint,
    risk: v.risk as bigint,
    collateral: v.collateral as bigint,
    legsHash: v.legs_hash as Uint8Array,
    rentPayer: v.rent_payer as PublicKey,
  };
}
