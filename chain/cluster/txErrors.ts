/**
 * Transaction errors in one form: the JSON-RPC one (`"BlockhashNotFound"`,
 * `{"InstructionError":[2,{"Custom":6015}]}`), which litesvm's native errors are converted to, so both
 * clusters classify failures with the same code and the test RPC facade answers what a validator would.
 */
import { customErrorCodeFromRpc, programErrorFromCode } from '../program/errors.ts';
import type { SendFailure } from './cluster.ts';

export type RpcTransactionError =
  | string
  | { InstructionError: [number, string | { Custom: number }] }
  | Record<string, unknown>;

const TX_ERRORS = [
  'AccountInUse',
  'AccountLoadedTwice',
  'AccountNotFound',
  'ProgramAccountNotFound',
  'InsufficientFundsForFee',
  'InvalidAccountForFee',
  'AlreadyProcessed',
  'BlockhashNotFound',
  'CallChainTooDeep',
  'MissingSignatureForFee',
  'InvalidAccountIndex',
  'SignatureFailure',
  'InvalidProgramForExecution',
  'SanitizeFailure',
  'ClusterMaintenance',
  'AccountBorrowOutstanding',
  'WouldExceedMaxBlockCostLimit',
  'UnsupportedVersion',
  'InvalidWritableAccount',
  'WouldExceedMaxAccountCostLimit',
  'WouldExceedAccountDataBlockLimit',
  'TooManyAccountLocks',
  'AddressLookupTableNotFound',
  'InvalidAddressLookupTableOwner',
  'InvalidAddressLookupTableData',
  'InvalidAddressLookupTableIndex',
  'InvalidRentPayingAccount',
  'WouldExceedMaxVoteCostLimit',
  'WouldExceedAccountDataTotalLimit',
  'MaxLoadedAccountsDataSizeExceeded',
  'ResanitizationNeeded',
  'InvalidLoadedAccountsDataSizeLimit',
  'UnbalancedTransaction',
  'ProgramCacheHitMaxLimit',
  'CommitCancelled',
];

const INSTRUCTION_ERRORS =
  'GenericError InvalidArgument InvalidInstructionData InvalidAccountData AccountDataTooSmall InsufficientFunds IncorrectProgramId MissingRequiredSignature AccountAlreadyInitialized UninitializedAccount UnbalancedInstruction ModifiedProgramId ExternalAccountLamportSpend ExternalAccountDataModified ReadonlyLamportChange ReadonlyDataModified DuplicateAccountIndex ExecutableModified RentEpochModified NotEnoughAccountKeys AccountDataSizeChanged AccountNotExecutable AccountBorrowFailed AccountBorrowOutstanding DuplicateAccountOutOfSync InvalidError ExecutableDataModified ExecutableLamportChange ExecutableAccountNotRentExempt UnsupportedProgramId CallDepth MissingAccount ReentrancyNotAllowed MaxSeedLengthExceeded InvalidSeeds InvalidRealloc ComputationalBudgetExceeded PrivilegeEscalation ProgramEnvironmentSetupFailure ProgramFailedToComplete ProgramFailedToCompile Immutable IncorrectAuthority AccountNotRentExempt InvalidAccountOwner ArithmeticOverflow UnsupportedSysvar IllegalOwner MaxAccountsDataAllocationsExceeded MaxAccountsExceeded MaxInstructionTraceLengthExceeded BuiltinProgramsMustConsumeComputeUnits BorshIoError'.split(
    ' ',
  );

/** litesvm's error object (its classes are not exported), read structurally, in RPC form. */
export function rpcErrorFromLiteSvm(err: unknown): RpcTransactionError {
  if (typeof err === 'number') return TX_ERRORS[err] ?? `TransactionError(${err})`;
  if (
    typeof err === 'object' &&
    err !== null &&
    'index' in err &&
    'err' in err &&
    typeof err.err === 'function'
  ) {
    const index = Number((err as { index: unknown }).index);
    const inner: unknown = (err as { err: () => unknown }).err();
    if (typeof inner === 'number')
      return { InstructionError: [index, INSTRUCTION_ERRORS[inner] ?? String(inner)] };
    if (typeof inner === 'object' && inner !== null && 'code' in inner && typeof inner.code === 'number')
      return { InstructionError: [index, { Custom: inner.code }] };
    return { InstructionError: [index, String(inner)] };
  }
  return { [String(err)]: null };
}

/** Errors that reject a transaction before it runs: sending the same bytes again cannot help. */
const REJECTIONS = new Set([
  'SignatureFailure',
  'SanitizeFailure',
  'MissingSignatureForFee',
  'AccountLoadedTwice',
  'TooManyAccountLocks',
  'InvalidAccountIndex',
  'UnsupportedVersion',
  'AddressLookupTableNotFound',
  'InvalidAddressLookupTableIndex',
  'InvalidAddressLookupTableOwner',
  'InvalidAddressLookupTableData',
  'InvalidWritableAccount',
]);

export const isBlockhashError = (err: RpcTransactionError): boolean => err === 'BlockhashNotFound';

/** A readable reason: "InsufficientFreeBalance (6015, instruction 2): free balance cannot cover …". */
export function describeRpcError(err: RpcTransactionError): string {
  const code = customErrorCodeFromRpc(err);
  if (code !== undefined && typeof err === 'object' && 'InstructionError' in err) {
    const index = (err as { InstructionError: [number, unknown] }).InstructionError[0];
    const known = programErrorFromCode(code);
    return known
      ? `${known.name} (${code}, instruction ${index}): ${known.message}`
      : `custom error ${code} (instruction ${index})`;
  }
  return typeof err === 'string' ? err : JSON.stringify(err);
}

export function failureFromRpcError(err: RpcTransactionError, logs: string[]): SendFailure {
  const message = describeRpcError(err);
  if (typeof err === 'string' && REJECTIONS.has(err)) return { kind: 'rejected', message };
  if (typeof err === 'object' && err !== null && 'InstructionError' in err) {
    const detail = (err as { InstructionError: [number, unknown] }).InstructionError;
    return {
      kind: 'program',
      instructionIndex: typeof detail[0] === 'number' ? detail[0] : null,
      customCode: customErrorCodeFromRpc(err) ?? null,
      message,
      logs,
    };
  }
  return { kind: 'program', instructionIndex: null, customCode: null, message, logs };
}
