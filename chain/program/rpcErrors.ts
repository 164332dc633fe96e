/**
 * litesvm's native transaction errors in the JSON-RPC form (`"BlockhashNotFound"`,
 * `{"InstructionError":[2,{"Custom":6015}]}`): one shape for the clusters, the test harness and the
 * test RPC facade.
 */
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
