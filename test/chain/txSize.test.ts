/**
 * The shortcuts the chain actor takes on its hot path give web3.js's answers exactly: the measured size
 * of a v0 transaction, the compiled message, and program-derived addresses.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  AddressLookupTableAccount,
  ComputeBudgetProgram,
  Keypair,
  MessageV0,
  PublicKey,
  type TransactionInstruction,
  VersionedTransaction,
} from '@solana/web3.js';
import fc from 'fast-check';
import { compileV0 } from '../../chain/compileV0.ts';
import { loadDevProgramKeypair } from '../../chain/program/devProgram.ts';
import { createProgramAddress, findProgramAddress, isOnCurve } from '../../chain/program/fastPda.ts';
import * as ix from '../../chain/program/instructions.ts';
import { configPda, vaultPda, vaultTokenPda } from '../../chain/program/pda.ts';
import { SYSTEM_PROGRAM_ID, TOKEN_PROGRAM_ID } from '../../chain/program/programIds.ts';
import { footprintOf, LookupIndex, measureV0 } from '../../chain/txSize.ts';

const programId = loadDevProgramKeypair().publicKey;
const payer = Keypair.generate().publicKey;
const treasury = Keypair.generate().publicKey;
const owners = Array.from({ length: 12 }, () => Keypair.generate().publicKey);

function table(addresses: PublicKey[]): AddressLookupTableAccount {
  return new AddressLookupTableAccount({
    key: Keypair.generate().publicKey,
    state: {
      deactivationSlot: 2n ** 64n - 1n,
      lastExtendedSlot: 0,
      lastExtendedSlotStartIndex: 0,
      addresses,
    },
  });
}

const vaults = (o: PublicKey[]) =>
  o.flatMap((k) => [vaultPda(programId, k).address, vaultTokenPda(programId, k).address]);
const base = table([
  configPda(programId).address,
  treasury,
  SYSTEM_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
  ...vaults(owners.slice(0, 6)),
]);
// A second table repeating one address of the first: the first table must win, as in web3.js.
const second = table([...vaults(owners.slice(6, 9)), configPda(programId).address]);

type Op = { kind: 'create' | 'settle' | 'release'; user: number; mm: number; delegated: boolean };

function instructionsOf(ops: Op[], budget: boolean): TransactionInstruction[] {
  const out: TransactionInstruction[] = budget
    ? [
        ComputeBudgetProgram.setComputeUnitLimit({ units: 200_000 }),
        ComputeBudgetProgram.setComputeUnitPrice({ microLamports: 5 }),
      ]
    : [];
  for (const op of ops) {
    const user = owners[op.user] as PublicKey;
    const mm = owners[op.mm] as PublicKey;
    const positionId = randomBytes(16);
    if (op.kind === 'create')
      out.push(
        ix.createPositionInstruction(programId, {
          payer,
          userOwner: user,
          mmOwner: mm,
          userAuthority: op.delegated ? payer : user,
          mmAuthority: op.delegated ? payer : mm,
          positionId,
          stake: 1n,
          risk: 2n,
          collateral: 2n,
          legsHash: new Uint8Array(32),
          feeBps: 100,
        }),
      );
    else if (op.kind === 'settle')
      out.push(
        ix.settlePositionInstruction(programId, {
          operator: payer,
          positionId,
          userOwner: user,
          mmOwner: mm,
          treasury,
          outcome: 'win',
        }),
        ix.closePositionInstruction(programId, { operator: payer, positionId, rentReceiver: payer }),
      );
    else
      out.push(
        ix.releaseMmCollateralInstruction(programId, {
          operator: payer,
          mmOwner: mm,
          newCollateralLocked: 5n,
        }),
      );
  }
  return out;
}

/** A message's content, comparable whether or not it fits the 1,232-byte encoder. */
const structure = (m: MessageV0) => ({
  header: m.header,
  keys: m.staticAccountKeys.map((k) => k.toBase58()),
  instructions: m.compiledInstructions.map((c) => ({ ...c, data: Buffer.from(c.data).toString('hex') })),
  lookups: m.addressTableLookups.map((l) => ({ ...l, accountKey: l.accountKey.toBase58() })),
});

const opArb = fc.record({
  kind: fc.constantFrom('create' as const, 'settle' as const, 'release' as const),
  user: fc.integer({ min: 0, max: 11 }),
  mm: fc.integer({ min: 0, max: 11 }),
  delegated: fc.boolean(),
});

describe('v0 transactions', () => {
  test('measureV0 is the serialized length; compileV0 is MessageV0.compile byte for byte', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.array(opArb, { minLength: 1, maxLength: 9 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 2 }),
        (ops, budget, t) => {
          const tables = [[], [base], [base, second]][t] as AddressLookupTableAccount[];
          const instructions = instructionsOf(ops, budget);
          const blockhash = Keypair.generate().publicKey.toBase58();
          const reference = MessageV0.compile({
            payerKey: payer,
            instructions,
            recentBlockhash: blockhash,
            addressLookupTableAccounts: tables,
          });
          const ours = compileV0(payer, instructions, blockhash, new LookupIndex(tables));
          assert.deepEqual(structure(ours), structure(reference));
          let wire: Uint8Array;
          try {
            wire = new VersionedTransaction(reference).serialize();
          } catch {
            assert.throws(() => ours.serialize(), 'ours refuses what web3.js refuses to encode');
            return;
          }
          assert.deepEqual(Buffer.from(ours.serialize()), Buffer.from(reference.serialize()));
          const measured = measureV0(payer, [footprintOf(instructions)], new LookupIndex(tables));
          assert.equal(measured.bytes, wire.length);
          assert.equal(
            measured.accounts,
            reference.staticAccountKeys.length + reference.numAccountKeysFromLookups,
          );
          compared++;
        },
      ),
      { numRuns: 200 },
    );
    assert.ok(compared > 100, `only ${compared} transactions compared`);
  });

  test('footprints of separate parts measure the same as one list of instructions', () => {
    const ops: Op[] = [
      { kind: 'create', user: 0, mm: 6, delegated: true },
      { kind: 'create', user: 1, mm: 6, delegated: false },
      { kind: 'settle', user: 2, mm: 7, delegated: true },
    ];
    const instructions = instructionsOf(ops, true);
    const index = new LookupIndex([base, second]);
    const whole = measureV0(payer, [footprintOf(instructions)], index);
    const parts = measureV0(
      payer,
      instructions.map((i) => footprintOf([i])),
      index,
    );
    assert.deepEqual(parts, whole);
  });
});

describe('program-derived addresses', () => {
  const P = (1n << 255n) - 19n;
  const le = (n: bigint, sign = false) => {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
    if (sign) out[31] = (out[31] as number) | 0x80;
    return out;
  };

  test('isOnCurve agrees with web3.js on random bytes and on the edge encodings', () => {
    const edges = [0n, 1n, 2n, P - 1n, P, P + 1n, (1n << 255n) - 1n].flatMap((y) => [le(y), le(y, true)]);
    const random = Array.from({ length: 3000 }, () => new Uint8Array(randomBytes(32)));
    for (const bytes of [...edges, ...random])
      assert.equal(isOnCurve(bytes), PublicKey.isOnCurve(bytes), Buffer.from(bytes).toString('hex'));
  });

  test('findProgramAddress and createProgramAddress agree with web3.js', () => {
    for (let i = 0; i < 300; i++) {
      const seeds = [Buffer.from('position'), randomBytes(16)];
      const [address, bump] = findProgramAddress(seeds, programId);
      const [expected, expectedBump] = PublicKey.findProgramAddressSync(seeds, programId);
      assert.ok(address.equals(expected));
      assert.equal(bump, expectedBump);
      const onCurveBump = [...Array(256).keys()].reverse().find((b) => {
        try {
          PublicKey.createProgramAddressSync([...seeds, Buffer.from([b])], programId);
          return false;
        } catch {
          return true;
        }
      });
      if (onCurveBump !== undefined)
        assert.equal(createProgramAddress([...seeds, Buffer.from([onCurveBump])], programId), null);
    }
    assert.throws(() => findProgramAddress([new Uint8Array(33)], programId), TypeError);
  });
});
