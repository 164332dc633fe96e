/**
 * The parlay_vaults instruction table: discriminator, accounts in order with the privileges the program
 * demands, and arguments in the order they are packed. Instruction data is the u8 discriminator then
 * the arguments, little-endian, no padding. Mirrors programs/parlay_vaults/idl.json (a test compares).
 */

export type ArgType = 'u8' | 'u16' | 'u64' | 'i64' | 'pubkey' | 'bytes16' | 'bytes32';

export interface AccountSpec {
  readonly name: string;
  readonly signer: boolean;
  readonly writable: boolean;
}

export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
}

export interface InstructionSpec {
  readonly name: string;
  readonly discriminator: number;
  readonly accounts: readonly AccountSpec[];
  readonly args: readonly ArgSpec[];
}

export const ARG_SIZES: Readonly<Record<ArgType, number>> = {
  u8: 1,
  u16: 2,
  u64: 8,
  i64: 8,
  pubkey: 32,
  bytes16: 16,
  bytes32: 32,
};

const acc = (name: string, flags = ''): AccountSpec => ({
  name,
  signer: flags.includes('s'),
  writable: flags.includes('w'),
});
const arg = (name: string, type: ArgType): ArgSpec => ({ name, type });

export const INSTRUCTIONS = {
  initializeConfig: {
    name: 'initialize_config',
    discriminator: 0,
    accounts: [
      acc('payer', 'sw'),
      acc('admin', 's'),
      acc('config', 'w'),
      acc('mint'),
      acc('treasury'),
      acc('program'),
      acc('program_data'),
      acc('system_program'),
    ],
    args: [arg('bump', 'u8'), arg('operator', 'pubkey'), arg('fee_bps', 'u16')],
  },
  updateConfig: {
    name: 'update_config',
    discriminator: 1,
    accounts: [acc('admin', 's'), acc('config', 'w'), acc('treasury')],
    args: [arg('new_admin', 'pubkey'), arg('operator', 'pubkey'), arg('fee_bps', 'u16')],
  },
  initializeVault: {
    name: 'initialize_vault',
    discriminator: 2,
    accounts: [
      acc('payer', 'sw'),
      acc('owner'),
      acc('config'),
      acc('vault', 'w'),
      acc('vault_token', 'w'),
      acc('mint'),
      acc('system_program'),
      acc('token_program'),
    ],
    args: [arg('vault_bump', 'u8'), arg('token_bump', 'u8')],
  },
  deposit: {
    name: 'deposit',
    discriminator: 3,
    accounts: [
      acc('depositor', 's'),
      acc('vault'),
      acc('source', 'w'),
      acc('vault_token', 'w'),
      acc('token_program'),
    ],
    args: [arg('amount', 'u64')],
  },
  withdraw: {
    name: 'withdraw',
    discriminator: 4,
    accounts: [
      acc('owner', 's'),
      acc('vault'),
      acc('vault_token', 'w'),
      acc('destination', 'w'),
      acc('token_program'),
    ],
    args: [arg('amount', 'u64')],
  },
  enableTrading: {
    name: 'enable_trading',
    discriminator: 5,
    accounts: [acc('owner', 's'), acc('vault', 'w'), acc('config')],
    args: [
      arg('delegate', 'pubkey'),
      arg('max_per_position', 'u64'),
      arg('max_total_locked', 'u64'),
      arg('expiry', 'i64'),
    ],
  },
  disableTrading: {
    name: 'disable_trading',
    discriminator: 6,
    accounts: [acc('owner', 's'), acc('vault', 'w')],
    args: [],
  },
  createPosition: {
    name: 'create_position',
    discriminator: 7,
    accounts: [
      acc('payer', 'sw'),
      acc('config'),
      acc('user_vault', 'w'),
      acc('user_vault_token'),
      acc('mm_vault', 'w'),
      acc('mm_vault_token'),
      acc('position', 'w'),
      acc('user_authority', 's'),
      acc('mm_authority', 's'),
      acc('system_program'),
    ],
    args: [
      arg('position_id', 'bytes16'),
      arg('bump', 'u8'),
      arg('stake', 'u64'),
      arg('risk', 'u64'),
      arg('collateral', 'u64'),
      arg('legs_hash', 'bytes32'),
      arg('fee_bps', 'u16'),
    ],
  },
  settlePosition: {
    name: 'settle_position',
    discriminator: 8,
    accounts: [
      acc('operator', 's'),
      acc('config'),
      acc('position', 'w'),
      acc('user_vault', 'w'),
      acc('user_vault_token', 'w'),
      acc('mm_vault', 'w'),
      acc('mm_vault_token', 'w'),
      acc('treasury', 'w'),
      acc('token_program'),
    ],
    args: [arg('outcome', 'u8')],
  },
  cancelPosition: {
    name: 'cancel_position',
    discriminator: 9,
    accounts: [acc('operator', 's'), acc('config'), acc('position', 'w'), acc('user_vault', 'w')],
    args: [],
  },
  releaseMmCollateral: {
    name: 'release_mm_collateral',
    discriminator: 10,
    accounts: [acc('operator', 's'), acc('config'), acc('mm_vault', 'w')],
    args: [arg('new_collateral_locked', 'u64')],
  },
  closePosition: {
    name: 'close_position',
    discriminator: 11,
    accounts: [acc('operator', 's'), acc('config'), acc('position', 'w'), acc('rent_receiver', 'w')],
    args: [],
  },
} as const satisfies Record<string, InstructionSpec>;

export type InstructionKey = keyof typeof INSTRUCTIONS;

/** Length of the instruction data: discriminator plus packed arguments. */
export function dataLength(spec: InstructionSpec): number {
  return spec.args.reduce((sum, a) => sum + ARG_SIZES[a.type], 1);
}

/** Position of a named account in the instruction's account list. */
export function accountIndex(spec: InstructionSpec, name: string): number {
  const index = spec.accounts.findIndex((a) => a.name === name);
  if (index < 0) throw new Error(`${spec.name} has no account named ${name}`);
  return index;
}
