/**
 * idl.json is the contract between the C program and its clients: the TS client's tables must match
 * it field for field, and so must the C headers (error codes, instruction numbers, account sizes).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { PublicKey } from '@solana/web3.js';
import { loadDevProgramKeypair } from '../../chain/program/devProgram.ts';
import {
  customErrorCodeFromRpc,
  PROGRAM_ERRORS,
  programErrorCode,
  programErrorFromCode,
} from '../../chain/program/errors.ts';
import { ARG_SIZES, dataLength, INSTRUCTIONS } from '../../chain/program/instructionSpecs.ts';
import { ACCOUNT_LAYOUTS, OUTCOME, POSITION_STATUSES } from '../../chain/program/layout.ts';
import { configPda, positionPda, vaultPda, vaultTokenPda } from '../../chain/program/pda.ts';

interface Idl {
  metadata: { devProgramId: string };
  pdas: { name: string; seeds: { kind: string; value: string }[] }[];
  instructions: {
    name: string;
    discriminator: number;
    accounts: { name: string; signer: boolean; writable: boolean }[];
    args: { name: string; type: string; offset: number }[];
    dataLength: number;
  }[];
  accounts: {
    name: string;
    kind: number;
    size: number;
    fields: { name: string; type: string; offset: number }[];
  }[];
  types: { PositionStatus: Record<string, number>; Outcome: Record<string, number> };
  errors: { code: number; name: string; msg: string }[];
}

const src = (file: string): string =>
  readFileSync(new URL(`../../programs/parlay_vaults/${file}`, import.meta.url), 'utf8');
const idl = JSON.parse(src('idl.json')) as Idl;
const pascal = (snake: string): string =>
  snake
    .toLowerCase()
    .split('_')
    .map((w) => (w[0]?.toUpperCase() ?? '') + w.slice(1))
    .join('');

describe('idl.json ↔ TS client', () => {
  test('every instruction: discriminator, accounts (order, signer, writable), args (type, offset), length', () => {
    const specs = Object.values(INSTRUCTIONS);
    assert.deepEqual(
      idl.instructions.map((i) => i.name),
      specs.map((s) => s.name),
    );
    for (const spec of specs) {
      const entry = idl.instructions.find((i) => i.name === spec.name);
      assert.ok(entry, spec.name);
      assert.equal(entry.discriminator, spec.discriminator, spec.name);
      assert.deepEqual(
        entry.accounts,
        spec.accounts.map((a) => ({ ...a })),
        spec.name,
      );
      let offset = 1;
      const args = spec.args.map((a) => {
        const arg = { name: a.name, type: a.type, offset };
        offset += ARG_SIZES[a.type];
        return arg;
      });
      assert.deepEqual(entry.args, args, spec.name);
      assert.equal(entry.dataLength, dataLength(spec), spec.name);
    }
  });

  test('every account layout: kind, size, fields and offsets', () => {
    assert.deepEqual(
      idl.accounts.map((a) => ({ ...a, fields: a.fields.map((f) => ({ ...f })) })),
      ACCOUNT_LAYOUTS.map((l) => ({
        name: l.name,
        kind: l.kind,
        size: l.size,
        fields: l.fields.map((f) => ({ ...f })),
      })),
    );
    for (const layout of ACCOUNT_LAYOUTS) {
      const last = layout.fields.at(-1);
      assert.ok(last);
      const width = { u8: 1, u16: 2, u32: 4, u64: 8, i64: 8, pubkey: 32, bytes16: 16, bytes32: 32 }[
        last.type
      ];
      assert.equal(last.offset + width, layout.size, `${layout.name} fields cover the account`);
    }
  });

  test('every error: code, name and message', () => {
    assert.deepEqual(
      idl.errors,
      PROGRAM_ERRORS.map((e) => ({ code: e.code, name: e.name, msg: e.message })),
    );
    for (const e of PROGRAM_ERRORS) {
      assert.equal(programErrorFromCode(e.code)?.name, e.name);
      assert.equal(programErrorCode(e.name), e.code);
    }
    assert.equal(programErrorFromCode(1), undefined, 'SPL Token codes are not ours');
  });

  test('enums: position status and outcome', () => {
    assert.deepEqual(Object.keys(idl.types.PositionStatus), [...POSITION_STATUSES]);
    for (const [i, s] of POSITION_STATUSES.entries()) assert.equal(idl.types.PositionStatus[s], i);
    assert.deepEqual(idl.types.Outcome, OUTCOME);
  });

  test('PDA seeds derive the client’s addresses; the dev program id is the committed keypair', () => {
    const programId = new PublicKey(idl.metadata.devProgramId);
    assert.ok(programId.equals(loadDevProgramKeypair().publicKey));
    const owner = PublicKey.unique();
    const positionId = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
    const values: Record<string, Uint8Array> = { owner: owner.toBytes(), position_id: positionId };
    const derive = (name: string): PublicKey => {
      const pda = idl.pdas.find((p) => p.name === name);
      assert.ok(pda, name);
      const seeds = pda.seeds.map((s) =>
        s.kind === 'const' ? Buffer.from(s.value) : (values[s.value] as Uint8Array),
      );
      return PublicKey.findProgramAddressSync(seeds, programId)[0];
    };
    assert.ok(derive('config').equals(configPda(programId).address));
    assert.ok(derive('vault').equals(vaultPda(programId, owner).address));
    assert.ok(derive('vault_token').equals(vaultTokenPda(programId, owner).address));
    assert.ok(derive('position').equals(positionPda(programId, positionId).address));
  });

  test('RPC error shapes map to custom codes', () => {
    assert.equal(customErrorCodeFromRpc({ InstructionError: [0, { Custom: 6015 }] }), 6015);
    assert.equal(customErrorCodeFromRpc({ InstructionError: [1, 'MissingRequiredSignature'] }), undefined);
    assert.equal(customErrorCodeFromRpc('AccountNotFound'), undefined);
  });
});

describe('idl.json ↔ C sources', () => {
  test('errors.h defines exactly the IDL errors', () => {
    const defined = [...src('src/errors.h').matchAll(/^#define ERR_([A-Z0-9_]+) (\d+)/gm)].map((m) => ({
      code: Number(m[2]),
      name: pascal(m[1] ?? ''),
    }));
    assert.deepEqual(
      defined,
      idl.errors.map((e) => ({ code: e.code, name: e.name })),
    );
  });

  test('state.h: instruction numbers, account kinds and sizes, statuses', () => {
    const state = src('src/state.h');
    const ix = Object.fromEntries(
      [...state.matchAll(/IX_([A-Z_]+) = (\d+)/g)].map((m) => [(m[1] ?? '').toLowerCase(), Number(m[2])]),
    );
    assert.deepEqual(ix, Object.fromEntries(idl.instructions.map((i) => [i.name, i.discriminator])));
    for (const account of idl.accounts) {
      const size = new RegExp(`sizeof\\(${account.name}\\) == (\\d+)`).exec(state);
      assert.equal(Number(size?.[1]), account.size, `${account.name} size`);
      const kind = new RegExp(`KIND_${account.name.toUpperCase()} = (\\d+)`).exec(state);
      assert.equal(Number(kind?.[1]), account.kind, `${account.name} kind`);
    }
    const statuses = Object.fromEntries(
      [...state.matchAll(/STATUS_([A-Z_]+) = (\d+)/g)].map((m) => [(m[1] ?? '').toLowerCase(), Number(m[2])]),
    );
    assert.deepEqual(statuses, idl.types.PositionStatus);
    const offsets = [...state.matchAll(/offsetof\((\w+), (\w+)\) == (\d+)/g)];
    assert.ok(offsets.length >= 8);
    for (const [, struct, field, offset] of offsets) {
      const layout = idl.accounts.find((a) => a.name === struct);
      const name = field === 'operator_key' ? 'operator' : field;
      assert.equal(layout?.fields.find((f) => f.name === name)?.offset, Number(offset), `${struct}.${field}`);
    }
  });
});
