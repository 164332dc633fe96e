/**
 * Packs instruction data and account metas from an InstructionSpec, so every builder encodes exactly
 * what the table (and the IDL it is tested against) says. Amounts are bigint and range-checked: a
 * value that does not fit its field is an error here, never a silent wrap on chain.
 */
import { PublicKey, TransactionInstruction } from '@solana/web3.js';
import { ARG_SIZES, type ArgType, type InstructionSpec } from './instructionSpecs.ts';

export type ArgValue = number | bigint | PublicKey | Uint8Array;

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

function integer(name: string, value: ArgValue, min: bigint, max: bigint): bigint {
  if (typeof value !== 'number' && typeof value !== 'bigint')
    throw new TypeError(`${name} must be an integer`);
  if (typeof value === 'number' && !Number.isSafeInteger(value))
    throw new RangeError(`${name} must be a safe integer`);
  const v = BigInt(value);
  if (v < min || v > max) throw new RangeError(`${name} = ${v} is outside [${min}, ${max}]`);
  return v;
}

function bytes(name: string, value: ArgValue, length: number): Uint8Array {
  const b = value instanceof PublicKey ? value.toBytes() : value;
  if (!(b instanceof Uint8Array) || b.length !== length)
    throw new TypeError(`${name} must be ${length} bytes`);
  return b;
}

function writeArg(
  view: DataView,
  out: Uint8Array,
  at: number,
  name: string,
  type: ArgType,
  value: ArgValue,
): void {
  switch (type) {
    case 'u8':
      view.setUint8(at, Number(integer(name, value, 0n, 0xffn)));
      return;
    case 'u16':
      view.setUint16(at, Number(integer(name, value, 0n, 0xffffn)), true);
      return;
    case 'u64':
      view.setBigUint64(at, integer(name, value, 0n, U64_MAX), true);
      return;
    case 'i64':
      view.setBigInt64(at, integer(name, value, I64_MIN, I64_MAX), true);
      return;
    case 'pubkey':
    case 'bytes32':
      out.set(bytes(name, value, 32), at);
      return;
    case 'bytes16':
      out.set(bytes(name, value, 16), at);
      return;
  }
}

export function encodeInstructionData(
  spec: InstructionSpec,
  args: Readonly<Record<string, ArgValue>>,
): Buffer {
  const length = spec.args.reduce((sum, a) => sum + ARG_SIZES[a.type], 1);
  const out = Buffer.alloc(length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = spec.discriminator;
  let at = 1;
  for (const a of spec.args) {
    const value = args[a.name];
    if (value === undefined) throw new TypeError(`${spec.name}: missing argument ${a.name}`);
    writeArg(view, out, at, a.name, a.type, value);
    at += ARG_SIZES[a.type];
  }
  return out;
}

export function buildInstruction(
  programId: PublicKey,
  spec: InstructionSpec,
  accounts: Readonly<Record<string, PublicKey>>,
  args: Readonly<Record<string, ArgValue>> = {},
): TransactionInstruction {
  const keys = spec.accounts.map((a) => {
    const pubkey = accounts[a.name];
    if (!pubkey) throw new TypeError(`${spec.name}: missing account ${a.name}`);
    return { pubkey, isSigner: a.signer, isWritable: a.writable };
  });
  return new TransactionInstruction({ programId, keys, data: encodeInstructionData(spec, args) });
}
