import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Keypair, PublicKey, SystemProgram } from '@solana/web3.js';
import { INSTRUCTIONS } from '../../chain/program/instructionSpecs.ts';
import * as ix from '../../chain/program/instructions.ts';
import { decodeConfig } from '../../chain/program/layout.ts';
import { configPda } from '../../chain/program/pda.ts';
import { TOKEN_PROGRAM_ID } from '../../chain/program/programIds.ts';
import {
  cuLine,
  expectError,
  expectOk,
  FEE_BPS,
  party,
  SOL,
  type World,
  withAccount,
  withFlags,
  worldFactory,
} from './fixture.ts';

const unconfigured = worldFactory({ configure: false });
const configured = worldFactory();
const spec = INSTRUCTIONS.initializeConfig;

function initIx(
  w: World,
  over: { feeBps?: number; treasury?: PublicKey; mint?: PublicKey; payer?: PublicKey } = {},
) {
  return ix.initializeConfigInstruction(w.programId, {
    payer: over.payer ?? w.h.payer.publicKey,
    admin: w.admin.publicKey,
    mint: over.mint ?? w.mint,
    treasury: over.treasury ?? w.treasury,
    operator: w.operator.publicKey,
    feeBps: over.feeBps ?? FEE_BPS,
  });
}

describe('initialize_config', () => {
  test('creates the config at its PDA with the given fields', (t) => {
    const w = unconfigured();
    const result = w.h.send([initIx(w)], [w.h.payer, w.admin]);
    expectOk(result);
    t.diagnostic(cuLine('initialize_config', result));
    const acc = w.h.account(configPda(w.programId).address);
    assert.ok(acc);
    assert.ok(acc.owner.equals(w.programId));
    const config = decodeConfig(acc.data);
    assert.equal(config.feeBps, FEE_BPS);
    assert.equal(config.bump, configPda(w.programId).bump);
    assert.ok(config.admin.equals(w.admin.publicKey));
    assert.ok(config.operator.equals(w.operator.publicKey));
    assert.ok(config.treasury.equals(w.treasury));
    assert.ok(config.mint.equals(w.mint));
    assert.equal(acc.lamports, w.h.rentExempt(136));
  });

  test('a second initialization fails: AlreadyInitialized', () => {
    const w = configured();
    expectError(w.h.send([initIx(w)], [w.h.payer, w.admin]), 'AlreadyInitialized');
  });

  test('an address pre-funded by someone else is still taken over (no squatting)', () => {
    const w = unconfigured();
    const config = configPda(w.programId).address;
    w.h.sendOrThrow(
      [SystemProgram.transfer({ fromPubkey: w.h.payer.publicKey, toPubkey: config, lamports: 1_000_000 })],
      [w.h.payer],
    );
    expectOk(w.h.send([initIx(w)], [w.h.payer, w.admin]));
    const acc = w.h.account(config);
    assert.ok(acc && acc.lamports >= w.h.rentExempt(136));
    assert.equal(decodeConfig(acc.data).feeBps, FEE_BPS);
  });

  test('only the upgrade authority may become the first admin: NotUpgradeAuthority', () => {
    const w = unconfigured();
    const stranger = Keypair.generate();
    const instruction = withAccount(initIx(w), spec, 'admin', stranger.publicKey);
    expectError(w.h.send([instruction], [w.h.payer, stranger]), 'NotUpgradeAuthority');
  });

  test('a forged program / program data account is refused: NotUpgradeAuthority', () => {
    const w = unconfigured();
    const fake = w.h.createTokenAccount({ mint: w.mint, owner: w.admin.publicKey });
    expectError(
      w.h.send([withAccount(initIx(w), spec, 'program_data', fake)], [w.h.payer, w.admin]),
      'NotUpgradeAuthority',
    );
    expectError(
      w.h.send([withAccount(initIx(w), spec, 'program', TOKEN_PROGRAM_ID)], [w.h.payer, w.admin]),
      'NotUpgradeAuthority',
    );
  });

  test('admin must sign: MissingSignature', () => {
    const w = unconfigured();
    expectError(
      w.h.send([withFlags(initIx(w), spec, 'admin', { signer: false })], [w.h.payer]),
      'MissingSignature',
    );
  });

  test('payer must sign and be writable', () => {
    const w = unconfigured();
    const payer = Keypair.generate();
    w.h.airdrop(payer.publicKey, SOL);
    const notSigner = withFlags(initIx(w, { payer: payer.publicKey }), spec, 'payer', { signer: false });
    expectError(w.h.send([notSigner], [w.h.payer, w.admin]), 'MissingSignature');
    const readOnly = withFlags(initIx(w, { payer: payer.publicKey }), spec, 'payer', { writable: false });
    expectError(w.h.send([readOnly], [w.h.payer, w.admin, payer]), 'AccountNotWritable');
  });

  test('config must be writable: AccountNotWritable', () => {
    const w = unconfigured();
    expectError(
      w.h.send([withFlags(initIx(w), spec, 'config', { writable: false })], [w.h.payer, w.admin]),
      'AccountNotWritable',
    );
  });

  test('wrong bump or wrong address: InvalidPda', () => {
    const w = unconfigured();
    const wrongBump = initIx(w);
    wrongBump.data[1] = (wrongBump.data[1] ?? 0) - 1;
    expectError(w.h.send([wrongBump], [w.h.payer, w.admin]), 'InvalidPda');
    const other = PublicKey.findProgramAddressSync([Buffer.from('config2')], w.programId);
    const wrongAddress = withAccount(initIx(w), spec, 'config', other[0]);
    wrongAddress.data[1] = other[1];
    expectError(w.h.send([wrongAddress], [w.h.payer, w.admin]), 'InvalidPda');
  });

  test('fee above 10000 bps: FeeTooHigh', () => {
    const w = unconfigured();
    expectError(w.h.send([initIx(w, { feeBps: 10_001 })], [w.h.payer, w.admin]), 'FeeTooHigh');
  });

  test('mint must be an initialized SPL mint: InvalidMint', () => {
    const w = unconfigured();
    expectError(w.h.send([initIx(w, { mint: w.treasury })], [w.h.payer, w.admin]), 'InvalidMint');
    expectError(w.h.send([initIx(w, { mint: w.admin.publicKey })], [w.h.payer, w.admin]), 'InvalidMint');
  });

  test('treasury must be a token account of the mint: InvalidTokenAccount', () => {
    const w = unconfigured();
    const otherMint = w.h.createMint({ authority: w.mintAuthority.publicKey });
    const otherTreasury = w.h.createTokenAccount({ mint: otherMint, owner: w.admin.publicKey });
    expectError(
      w.h.send([initIx(w, { treasury: otherTreasury })], [w.h.payer, w.admin]),
      'InvalidTokenAccount',
    );
    expectError(
      w.h.send([initIx(w, { treasury: w.admin.publicKey })], [w.h.payer, w.admin]),
      'InvalidTokenAccount',
    );
  });

  test('system program must be the real one: InvalidProgramId', () => {
    const w = unconfigured();
    expectError(
      w.h.send([withAccount(initIx(w), spec, 'system_program', TOKEN_PROGRAM_ID)], [w.h.payer, w.admin]),
      'InvalidProgramId',
    );
  });

  test('malformed instructions: InvalidInstruction / NotEnoughAccounts', () => {
    const w = unconfigured();
    const short = initIx(w);
    short.data = short.data.subarray(0, 35);
    expectError(w.h.send([short], [w.h.payer, w.admin]), 'InvalidInstruction');
    const unknown = initIx(w);
    unknown.data[0] = 99;
    expectError(w.h.send([unknown], [w.h.payer, w.admin]), 'InvalidInstruction');
    const empty = initIx(w);
    empty.data = Buffer.alloc(0);
    expectError(w.h.send([empty], [w.h.payer, w.admin]), 'InvalidInstruction');
    const fewer = initIx(w);
    fewer.keys = fewer.keys.slice(0, 7);
    expectError(w.h.send([fewer], [w.h.payer, w.admin]), 'NotEnoughAccounts');
  });
});

describe('update_config', () => {
  const updateSpec = INSTRUCTIONS.updateConfig;
  const updateIx = (
    w: World,
    admin: PublicKey,
    over: { feeBps?: number; treasury?: PublicKey; newAdmin?: PublicKey } = {},
  ) =>
    ix.updateConfigInstruction(w.programId, {
      admin,
      newAdmin: over.newAdmin ?? admin,
      operator: w.operator.publicKey,
      treasury: over.treasury ?? w.treasury,
      feeBps: over.feeBps ?? FEE_BPS,
    });

  test('the admin replaces admin, operator, fee cap and treasury', (t) => {
    const w = configured();
    const newAdmin = Keypair.generate();
    const newOperator = Keypair.generate();
    const newTreasury = w.h.createTokenAccount({ mint: w.mint, owner: newAdmin.publicKey });
    const result = w.h.send(
      [
        ix.updateConfigInstruction(w.programId, {
          admin: w.admin.publicKey,
          newAdmin: newAdmin.publicKey,
          operator: newOperator.publicKey,
          treasury: newTreasury,
          feeBps: 500,
        }),
      ],
      [w.h.payer, w.admin],
    );
    expectOk(result);
    t.diagnostic(cuLine('update_config', result));
    const config = decodeConfig(w.h.account(configPda(w.programId).address)?.data ?? new Uint8Array());
    assert.ok(config.admin.equals(newAdmin.publicKey));
    assert.ok(config.operator.equals(newOperator.publicKey));
    assert.ok(config.treasury.equals(newTreasury));
    assert.equal(config.feeBps, 500);
    assert.ok(config.mint.equals(w.mint), 'the mint never changes');
    expectError(w.h.send([updateIx(w, w.admin.publicKey)], [w.h.payer, w.admin]), 'Unauthorized');
  });

  test('anyone else: Unauthorized; admin unsigned: MissingSignature', () => {
    const w = configured();
    const stranger = Keypair.generate();
    expectError(w.h.send([updateIx(w, stranger.publicKey)], [w.h.payer, stranger]), 'Unauthorized');
    const unsigned = withFlags(updateIx(w, w.admin.publicKey), updateSpec, 'admin', { signer: false });
    expectError(w.h.send([unsigned], [w.h.payer]), 'MissingSignature');
  });

  test('config read-only: AccountNotWritable; fee > 10000: FeeTooHigh; foreign treasury: InvalidTokenAccount', () => {
    const w = configured();
    const readOnly = withFlags(updateIx(w, w.admin.publicKey), updateSpec, 'config', { writable: false });
    expectError(w.h.send([readOnly], [w.h.payer, w.admin]), 'AccountNotWritable');
    expectError(
      w.h.send([updateIx(w, w.admin.publicKey, { feeBps: 10_001 })], [w.h.payer, w.admin]),
      'FeeTooHigh',
    );
    const otherMint = w.h.createMint({ authority: w.mintAuthority.publicKey });
    const foreign = w.h.createTokenAccount({ mint: otherMint, owner: w.admin.publicKey });
    expectError(
      w.h.send([updateIx(w, w.admin.publicKey, { treasury: foreign })], [w.h.payer, w.admin]),
      'InvalidTokenAccount',
    );
  });

  test('a config that is not ours or not a config: InvalidAccountOwner / InvalidAccountData', () => {
    const w = configured();
    const notOurs = withAccount(updateIx(w, w.admin.publicKey), updateSpec, 'config', w.treasury);
    expectError(w.h.send([notOurs], [w.h.payer, w.admin]), 'InvalidAccountOwner');
    const vault = party(w).vault;
    const wrongKind = withAccount(updateIx(w, w.admin.publicKey), updateSpec, 'config', vault);
    expectError(w.h.send([wrongKind], [w.h.payer, w.admin]), 'InvalidAccountData');
  });
});
