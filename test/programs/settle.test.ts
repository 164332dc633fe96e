import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Keypair, SystemProgram } from '@solana/web3.js';
import { INSTRUCTIONS } from '../../chain/program/instructionSpecs.ts';
import * as ix from '../../chain/program/instructions.ts';
import type { OutcomeName } from '../../chain/program/layout.ts';
import { positionPda } from '../../chain/program/pda.ts';
import {
  cuLine,
  expectError,
  expectOk,
  FEE_BPS,
  openPosition,
  type Party,
  party,
  positionOf,
  vaultOf,
  type World,
  withAccount,
  withFlags,
  worldFactory,
} from './fixture.ts';

const world = worldFactory();
const settleSpec = INSTRUCTIONS.settlePosition;

interface Book {
  w: World;
  user: Party;
  mm: Party;
  id: Uint8Array;
}

function book(
  terms: {
    stake?: bigint;
    risk?: bigint;
    collateral?: bigint;
    userDeposit?: bigint;
    mmDeposit?: bigint;
  } = {},
): Book {
  const w = world();
  const user = party(w, { deposit: terms.userDeposit ?? 10_000n });
  const mm = party(w, { deposit: terms.mmDeposit ?? 50_000n });
  const id = openPosition(w, {
    user,
    mm,
    stake: terms.stake ?? 1_000n,
    risk: terms.risk ?? 12_345n,
    collateral: terms.collateral,
  });
  return { w, user, mm, id };
}

const settleIx = (b: Book, outcome: OutcomeName | number) =>
  (() => {
    const instruction = ix.settlePositionInstruction(b.w.programId, {
      operator: b.w.operator.publicKey,
      positionId: b.id,
      userOwner: b.user.key.publicKey,
      mmOwner: b.mm.key.publicKey,
      treasury: b.w.treasury,
      outcome: typeof outcome === 'number' ? 'win' : outcome,
    });
    if (typeof outcome === 'number') instruction.data[1] = outcome;
    return instruction;
  })();

const cancelIx = (b: Book) =>
  ix.cancelPositionInstruction(b.w.programId, {
    operator: b.w.operator.publicKey,
    positionId: b.id,
    userOwner: b.user.key.publicKey,
  });

const closeIx = (b: Book, receiver = b.w.h.payer.publicKey) =>
  ix.closePositionInstruction(b.w.programId, {
    operator: b.w.operator.publicKey,
    positionId: b.id,
    rentReceiver: receiver,
  });

const balances = (b: Book) => ({
  user: b.w.h.tokenBalance(b.user.vaultToken),
  mm: b.w.h.tokenBalance(b.mm.vaultToken),
  treasury: b.w.h.tokenBalance(b.w.treasury),
});

describe('settle_position', () => {
  test('win: the MM pays the full risk, fee = floor(risk × bps / 10000) to the treasury', (t) => {
    const b = book({ stake: 1_000n, risk: 12_345n, collateral: 12_345n });
    const before = balances(b);
    const result = b.w.h.send([settleIx(b, 'win')], [b.w.operator]);
    expectOk(result);
    t.diagnostic(cuLine('settle_position (win)', result));
    const fee = (12_345n * BigInt(FEE_BPS)) / 10_000n;
    assert.equal(fee, 246n, 'floor, not round: 246.9 → 246');
    const after = balances(b);
    assert.equal(after.user - before.user, 12_345n - fee);
    assert.equal(after.treasury - before.treasury, fee);
    assert.equal(before.mm - after.mm, 12_345n);
    assert.equal(vaultOf(b.w, b.user).stakeLocked, 0n);
    assert.equal(vaultOf(b.w, b.mm).collateralLocked, 0n);
    assert.equal(positionOf(b.w, b.id).status, 'settled_win');
  });

  test('loss: the user pays the stake, fee on the stake, MM collateral stays locked', (t) => {
    const b = book({ stake: 999n, risk: 5_000n });
    const before = balances(b);
    const result = b.w.h.send([settleIx(b, 'loss')], [b.w.operator]);
    expectOk(result);
    t.diagnostic(cuLine('settle_position (loss)', result));
    const fee = (999n * BigInt(FEE_BPS)) / 10_000n;
    const after = balances(b);
    assert.equal(before.user - after.user, 999n);
    assert.equal(after.mm - before.mm, 999n - fee);
    assert.equal(after.treasury - before.treasury, fee);
    assert.equal(vaultOf(b.w, b.user).stakeLocked, 0n);
    assert.equal(vaultOf(b.w, b.mm).collateralLocked, 5_000n, 'only release_mm_collateral lowers it');
    assert.equal(positionOf(b.w, b.id).status, 'settled_loss');
  });

  test('win with netted collateral below the risk: locked collateral saturates at 0', () => {
    const b = book({ stake: 100n, risk: 3_000n, collateral: 1_000n });
    expectOk(b.w.h.send([settleIx(b, 'win')], [b.w.operator]));
    assert.equal(vaultOf(b.w, b.mm).collateralLocked, 0n);
    assert.equal(b.w.h.tokenBalance(b.mm.vaultToken), 47_000n);
  });

  test('a payer never pays out of funds locked for its other positions: SettlementUnderfunded', () => {
    const b = book({ stake: 100n, risk: 3_000n, collateral: 0n, mmDeposit: 3_000n });
    // The MM is also a user elsewhere with 800 staked: paying 3,000 would eat into that stake.
    const other = party(b.w, { deposit: 10_000n });
    openPosition(b.w, { user: b.mm, mm: other, stake: 800n, risk: 100n });
    const before = balances(b);
    expectError(b.w.h.send([settleIx(b, 'win')], [b.w.operator]), 'SettlementUnderfunded');
    assert.deepEqual(balances(b), before);
    assert.equal(positionOf(b.w, b.id).status, 'active');
  });

  test('forged state: a user vault below its own locks cannot pay a loss: SettlementUnderfunded', () => {
    const b = book({ stake: 1_000n });
    const token = b.w.h.account(b.user.vaultToken);
    assert.ok(token);
    const data = Buffer.from(token.data);
    data.writeBigUInt64LE(999n, 64);
    b.w.h.setAccount(b.user.vaultToken, { ...token, data });
    expectError(b.w.h.send([settleIx(b, 'loss')], [b.w.operator]), 'SettlementUnderfunded');
  });

  test('exactly once: settling a settled or cancelled position: PositionNotActive', () => {
    const b = book();
    expectOk(b.w.h.send([settleIx(b, 'loss')], [b.w.operator]));
    expectError(b.w.h.send([settleIx(b, 'win')], [b.w.operator]), 'PositionNotActive');
    const c = book();
    expectOk(c.w.h.send([cancelIx(c)], [c.w.operator]));
    expectError(c.w.h.send([settleIx(c, 'loss')], [c.w.operator]), 'PositionNotActive');
  });

  test('operator only: Unauthorized / MissingSignature; bad outcome: InvalidOutcome', () => {
    const b = book();
    const stranger = Keypair.generate();
    b.w.h.airdrop(stranger.publicKey, 1_000_000_000n);
    expectError(
      b.w.h.send([withAccount(settleIx(b, 'win'), settleSpec, 'operator', stranger.publicKey)], [stranger]),
      'Unauthorized',
    );
    expectError(
      b.w.h.send([withFlags(settleIx(b, 'win'), settleSpec, 'operator', { signer: false })], [b.w.h.payer]),
      'MissingSignature',
    );
    expectError(b.w.h.send([settleIx(b, 0)], [b.w.operator]), 'InvalidOutcome');
    expectError(b.w.h.send([settleIx(b, 3)], [b.w.operator]), 'InvalidOutcome');
  });

  test('accounts must be the recorded ones: VaultMismatch / TreasuryMismatch / InvalidProgramId', () => {
    const b = book();
    const other = party(b.w, { deposit: 10n });
    const cases: [string, Parameters<typeof withAccount>[3]][] = [
      ['user_vault', other.vault],
      ['mm_vault', other.vault],
      ['user_vault_token', other.vaultToken],
      ['mm_vault_token', other.vaultToken],
    ];
    for (const [name, key] of cases) {
      expectError(
        b.w.h.send([withAccount(settleIx(b, 'win'), settleSpec, name, key)], [b.w.operator]),
        'VaultMismatch',
      );
    }
    expectError(
      b.w.h.send([withAccount(settleIx(b, 'win'), settleSpec, 'treasury', other.wallet)], [b.w.operator]),
      'TreasuryMismatch',
    );
    expectError(
      b.w.h.send(
        [withAccount(settleIx(b, 'win'), settleSpec, 'token_program', SystemProgram.programId)],
        [b.w.operator],
      ),
      'InvalidProgramId',
    );
    expectError(
      b.w.h.send([withAccount(settleIx(b, 'win'), settleSpec, 'position', b.user.vault)], [b.w.operator]),
      'InvalidAccountData',
    );
    expectError(
      b.w.h.send([withAccount(settleIx(b, 'win'), settleSpec, 'position', b.user.wallet)], [b.w.operator]),
      'InvalidAccountOwner',
    );
    expectError(
      b.w.h.send([withAccount(settleIx(b, 'win'), settleSpec, 'config', b.w.treasury)], [b.w.operator]),
      'InvalidAccountOwner',
    );
  });

  test('every account it writes must be writable: AccountNotWritable', () => {
    const b = book();
    for (const name of [
      'position',
      'user_vault',
      'user_vault_token',
      'mm_vault',
      'mm_vault_token',
      'treasury',
    ]) {
      expectError(
        b.w.h.send([withFlags(settleIx(b, 'win'), settleSpec, name, { writable: false })], [b.w.operator]),
        'AccountNotWritable',
      );
    }
  });

  test('a treasury that is also a vault token account: DuplicateAccount', () => {
    const b = book();
    b.w.h.sendOrThrow(
      [
        ix.updateConfigInstruction(b.w.programId, {
          admin: b.w.admin.publicKey,
          newAdmin: b.w.admin.publicKey,
          operator: b.w.operator.publicKey,
          treasury: b.user.vaultToken,
          feeBps: FEE_BPS,
        }),
      ],
      [b.w.h.payer, b.w.admin],
    );
    const instruction = withAccount(settleIx(b, 'win'), settleSpec, 'treasury', b.user.vaultToken);
    expectError(b.w.h.send([instruction], [b.w.operator]), 'DuplicateAccount');
  });
});

describe('cancel_position', () => {
  const spec = INSTRUCTIONS.cancelPosition;

  test('unlocks the stake, moves nothing, leaves MM collateral locked', (t) => {
    const b = book({ stake: 700n, risk: 2_000n });
    const before = balances(b);
    const result = b.w.h.send([cancelIx(b)], [b.w.operator]);
    expectOk(result);
    t.diagnostic(cuLine('cancel_position', result));
    assert.deepEqual(balances(b), before);
    assert.equal(vaultOf(b.w, b.user).stakeLocked, 0n);
    assert.equal(vaultOf(b.w, b.mm).collateralLocked, 2_000n);
    assert.equal(positionOf(b.w, b.id).status, 'cancelled');
    expectError(b.w.h.send([cancelIx(b)], [b.w.operator]), 'PositionNotActive');
  });

  test('rejections: operator only, recorded vault, writable accounts', () => {
    const b = book();
    const stranger = Keypair.generate();
    b.w.h.airdrop(stranger.publicKey, 1_000_000_000n);
    expectError(
      b.w.h.send([withAccount(cancelIx(b), spec, 'operator', stranger.publicKey)], [stranger]),
      'Unauthorized',
    );
    expectError(
      b.w.h.send([withFlags(cancelIx(b), spec, 'operator', { signer: false })], [b.w.h.payer]),
      'MissingSignature',
    );
    expectError(
      b.w.h.send([withAccount(cancelIx(b), spec, 'user_vault', b.mm.vault)], [b.w.operator]),
      'VaultMismatch',
    );
    expectError(
      b.w.h.send([withFlags(cancelIx(b), spec, 'user_vault', { writable: false })], [b.w.operator]),
      'AccountNotWritable',
    );
    expectError(
      b.w.h.send([withFlags(cancelIx(b), spec, 'position', { writable: false })], [b.w.operator]),
      'AccountNotWritable',
    );
  });

  test('forged state: stake_locked below the stake → MathOverflow (underflow)', () => {
    const b = book({ stake: 1_000n });
    const vault = b.w.h.account(b.user.vault);
    assert.ok(vault);
    const data = Buffer.from(vault.data);
    data.writeBigUInt64LE(999n, 72);
    b.w.h.setAccount(b.user.vault, { ...vault, data });
    expectError(b.w.h.send([cancelIx(b)], [b.w.operator]), 'MathOverflow');
  });
});

describe('release_mm_collateral', () => {
  const spec = INSTRUCTIONS.releaseMmCollateral;
  const releaseIx = (b: Book, amount: bigint) =>
    ix.releaseMmCollateralInstruction(b.w.programId, {
      operator: b.w.operator.publicKey,
      mmOwner: b.mm.key.publicKey,
      newCollateralLocked: amount,
    });

  test('lowers (or keeps) the MM’s locked collateral, never raises it: ReleaseWouldRaise', (t) => {
    const b = book({ risk: 5_000n });
    const result = b.w.h.send([releaseIx(b, 3_000n)], [b.w.operator]);
    expectOk(result);
    t.diagnostic(cuLine('release_mm_collateral', result));
    assert.equal(vaultOf(b.w, b.mm).collateralLocked, 3_000n);
    expectOk(b.w.h.send([releaseIx(b, 3_000n)], [b.w.operator]));
    expectError(b.w.h.send([releaseIx(b, 3_001n)], [b.w.operator]), 'ReleaseWouldRaise');
    assert.equal(vaultOf(b.w, b.mm).collateralLocked, 3_000n);
  });

  test('rejections: operator only, writable vault, a real vault', () => {
    const b = book();
    expectError(
      b.w.h.send([withAccount(releaseIx(b, 0n), spec, 'operator', b.mm.key.publicKey)], [b.mm.key]),
      'Unauthorized',
    );
    expectError(
      b.w.h.send([withFlags(releaseIx(b, 0n), spec, 'operator', { signer: false })], [b.w.h.payer]),
      'MissingSignature',
    );
    expectError(
      b.w.h.send([withFlags(releaseIx(b, 0n), spec, 'mm_vault', { writable: false })], [b.w.operator]),
      'AccountNotWritable',
    );
    expectError(
      b.w.h.send([withAccount(releaseIx(b, 0n), spec, 'mm_vault', b.mm.wallet)], [b.w.operator]),
      'InvalidAccountOwner',
    );
  });
});

describe('close_position', () => {
  const spec = INSTRUCTIONS.closePosition;

  test('returns the rent to the payer and removes the account; may share the settle transaction', (t) => {
    const b = book();
    const address = positionPda(b.w.programId, b.id).address;
    const rent = b.w.h.account(address)?.lamports ?? 0n;
    const payerBefore = b.w.h.account(b.w.h.payer.publicKey)?.lamports ?? 0n;
    expectOk(b.w.h.send([settleIx(b, 'win')], [b.w.operator]));
    const result = b.w.h.send([closeIx(b)], [b.w.operator]);
    expectOk(result);
    t.diagnostic(cuLine('close_position', result));
    assert.equal(b.w.h.account(address), null);
    assert.equal((b.w.h.account(b.w.h.payer.publicKey)?.lamports ?? 0n) - payerBefore, rent);

    const c = book();
    expectOk(c.w.h.send([settleIx(c, 'loss'), closeIx(c)], [c.w.operator]));
    assert.equal(c.w.h.account(positionPda(c.w.programId, c.id).address), null);
    expectError(c.w.h.send([settleIx(c, 'loss')], [c.w.operator]), 'InvalidAccountOwner');
  });

  test('cancel + close in one transaction; afterwards the id is free again (the engine keeps RFQs terminal)', () => {
    const b = book();
    expectOk(b.w.h.send([cancelIx(b), closeIx(b)], [b.w.operator]));
    openPosition(b.w, { user: b.user, mm: b.mm, stake: 10n, risk: 20n, id: b.id });
    assert.equal(positionOf(b.w, b.id).stake, 10n);
  });

  test('rejections: still active, wrong receiver, operator only, writable receiver', () => {
    const b = book();
    expectError(b.w.h.send([closeIx(b)], [b.w.operator]), 'PositionNotFinal');
    expectOk(b.w.h.send([cancelIx(b)], [b.w.operator]));
    expectError(b.w.h.send([closeIx(b, b.w.operator.publicKey)], [b.w.operator]), 'RentReceiverMismatch');
    expectError(
      b.w.h.send([withAccount(closeIx(b), spec, 'operator', b.user.key.publicKey)], [b.user.key]),
      'Unauthorized',
    );
    expectError(
      b.w.h.send([withFlags(closeIx(b), spec, 'rent_receiver', { writable: false })], [b.w.operator]),
      'AccountNotWritable',
    );
    expectError(
      b.w.h.send([withFlags(closeIx(b), spec, 'position', { writable: false })], [b.w.operator]),
      'AccountNotWritable',
    );
  });
});
