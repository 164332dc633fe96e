/**
 * Transaction errors in one form: the JSON-RPC one (`"BlockhashNotFound"`,
 * `{"InstructionError":[2,{"Custom":6015}]}`), which litesvm's native errors are converted to, so both
 * clusters classify failures with the same code and the test RPC facade answers what a validator would.
 */
import { customErrorCodeFromRpc, programErrorFromCode } from '../program/errors.ts';
import type { RpcTransactionError } from '../program/rpcErrors.ts';
import type { SendFailure } from './cluster.ts';

export { type RpcTransactionError, rpcErrorFromLiteSvm } from '../program/rpcErrors.ts';

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
