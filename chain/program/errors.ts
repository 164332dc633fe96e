/**
 * parlay_vaults custom error codes (InstructionError::Custom). They start at 6000 so they never collide
 * with SPL Token's own custom codes, which surface the same way when a token CPI fails.
 * Mirrors src/errors.h and idl.json (a test compares all three).
 */

export const PROGRAM_ERRORS = [
  { code: 6000, name: 'InvalidInstruction', message: 'unknown instruction or wrong data length' },
  { code: 6001, name: 'NotEnoughAccounts', message: 'fewer accounts than the instruction needs' },
  { code: 6002, name: 'MissingSignature', message: 'an account that must sign did not' },
  { code: 6003, name: 'AccountNotWritable', message: 'an account the instruction writes is read-only' },
  { code: 6004, name: 'InvalidAccountOwner', message: 'config, vault or position not owned by the program' },
  { code: 6005, name: 'InvalidAccountData', message: 'wrong size or kind for the expected account' },
  { code: 6006, name: 'InvalidPda', message: 'address differs from its seeds and bump' },
  { code: 6007, name: 'AlreadyInitialized', message: 'the account to create already exists' },
  {
    code: 6008,
    name: 'DuplicateAccount',
    message: 'the same account passed where distinct ones are required',
  },
  { code: 6009, name: 'Unauthorized', message: 'signer is not the admin, owner, operator or delegate' },
  { code: 6010, name: 'InvalidProgramId', message: 'system or token program account is not the real one' },
  { code: 6011, name: 'InvalidMint', message: 'mint is not the configured, initialized SPL mint' },
  {
    code: 6012,
    name: 'InvalidTokenAccount',
    message: 'token account has the wrong program, size, state or mint',
  },
  { code: 6013, name: 'FeeTooHigh', message: 'fee above 10000 bps, or above the configured maximum' },
  { code: 6014, name: 'InvalidAmount', message: 'zero amount, or collateral above risk' },
  {
    code: 6015,
    name: 'InsufficientFreeBalance',
    message: 'free balance cannot cover the stake or withdrawal',
  },
  {
    code: 6016,
    name: 'InsufficientCollateral',
    message: 'market maker free balance cannot cover the collateral',
  },
  { code: 6017, name: 'MathOverflow', message: 'u64 overflow or underflow' },
  { code: 6018, name: 'DelegateNotOperator', message: 'the delegate must be the configured operator' },
  { code: 6019, name: 'DelegationExpired', message: 'the delegation has expired' },
  { code: 6020, name: 'PositionCapExceeded', message: 'delegated lock above the per-position cap' },
  { code: 6021, name: 'TotalLockedCapExceeded', message: 'delegated lock would pass the total locked cap' },
  { code: 6022, name: 'PositionNotActive', message: 'the position is already settled or cancelled' },
  { code: 6023, name: 'PositionNotFinal', message: 'the position is still active' },
  { code: 6024, name: 'ReleaseWouldRaise', message: 'release may only lower locked collateral' },
  { code: 6025, name: 'InvalidOutcome', message: 'outcome must be win (1) or loss (2)' },
  { code: 6026, name: 'VaultMismatch', message: 'vault or vault token account is not the recorded one' },
  { code: 6027, name: 'RentReceiverMismatch', message: 'rent goes back to the recorded rent payer only' },
  {
    code: 6028,
    name: 'NotUpgradeAuthority',
    message: 'the first admin must be the program upgrade authority',
  },
  {
    code: 6029,
    name: 'SettlementUnderfunded',
    message: 'payer vault would pay out of funds locked elsewhere',
  },
  { code: 6030, name: 'ExpiryInPast', message: 'delegation expiry must be after the current clock' },
  { code: 6031, name: 'UnsupportedRent', message: 'rent sysvar threshold cannot be computed exactly' },
  { code: 6032, name: 'TreasuryMismatch', message: 'treasury is not the configured treasury account' },
] as const;

export type ProgramErrorName = (typeof PROGRAM_ERRORS)[number]['name'];
export type ProgramErrorInfo = (typeof PROGRAM_ERRORS)[number];

const byCode = new Map<number, ProgramErrorInfo>(PROGRAM_ERRORS.map((e) => [e.code, e]));
const byName = new Map<string, ProgramErrorInfo>(PROGRAM_ERRORS.map((e) => [e.name, e]));

export const programErrorFromCode = (code: number): ProgramErrorInfo | undefined => byCode.get(code);

export function programErrorCode(name: ProgramErrorName): number {
  const info = byName.get(name);
  if (!info) throw new Error(`unknown program error ${name}`);
  return info.code;
}

/**
 * The custom code inside a transaction error as JSON-RPC reports it
 * (`{ InstructionError: [index, { Custom: code }] }`), or undefined for any other error.
 */
export function customErrorCodeFromRpc(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('InstructionError' in err)) return undefined;
  const detail = (err as { InstructionError: unknown }).InstructionError;
  if (!Array.isArray(detail)) return undefined;
  const inner: unknown = detail[1];
  if (typeof inner !== 'object' || inner === null || !('Custom' in inner)) return undefined;
  const code = (inner as { Custom: unknown }).Custom;
  return typeof code === 'number' ? code : undefined;
}
