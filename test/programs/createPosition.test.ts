import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Keypair, SystemProgram } from '@solana/web3.js';
import { INSTRUCTIONS } from '../../chain/program/instructionSpecs.ts';
import * as ix from '../../chain/program/instructions.ts';
import { positionPda } from '../../chain/program/pda.ts';
import { TOKEN_PROGRAM_ID } from '../../chain/program/programIds.ts';
import {
  createPositionIx,
  cuLine,
  enableTrading,
  expectError,
  expectOk,
  FEE_BPS,
  LEGS_HASH,
  newPositionId,
  openPosition,
  type Party,
  type PositionTerms,
  party,
  positionOf,
  vaultOf,
  type World,
  withAccount,
  withFlags,
  worldFactory,
} from './fixture.ts';

const world = worldFactory();
const spec = INSTRUCTIONS.createPosition;

function pair(w: World, delegated = false): { user: Party; mm: Party } {
  const user = party(w, { deposit: 10_000n });
  const mm = party(w, { deposit: 50_000n });
  if (delegated) {
    enableTrading(w, user);
    enableTrading(w, mm);
  }
  return { user, mm };
}

function send(w: World, t: PositionTerms) {
  const { ix: instruction, signers } = createPositionIx(w, t);
  return w.h.send([instruction], signers);
}

describe('create_position: success', () => {
  test('owner-signed: locks stake and collateral, records every term', (t) => {
    const w = world();
    const { user, mm } = pair(w);
    const {
      id,
      ix: instruction,
      signers,
    } = createPositionIx(w, { user, mm, stake: 1_000n, risk: 3_000n, collateral: 2_500n });
    const result = w.h.send([instruction], signers);
    expectOk(result);
    t.diagnostic(cuLine('create_position (owner-signed)', result));
    assert.equal(vaultOf(w, user).stakeLocked, 1_000n);
    assert.equal(vaultOf(w, mm).collateralLocked, 2_500n);
    assert.equal(vaultOf(w, mm).stakeLocked, 0n);
    const p = positionOf(w, id);
    assert.equal(p.status, 'active');
    assert.deepEqual(p.positionId, id);
    assert.ok(p.userVault.equals(user.vault));
    assert.ok(p.mmVault.equals(mm.vault));
    assert.equal(p.stake, 1_000n);
    assert.equal(p.risk, 3_000n);
    assert.equal(p.collateral, 2_500n);
    assert.deepEqual(p.legsHash, LEGS_HASH);
    assert.equal(p.feeBps, FEE_BPS);
    assert.equal(p.bump, positionPda(w.programId, id).bump);
    assert.ok(p.rentPayer.equals(w.h.payer.publicKey));
    assert.equal(w.h.tokenBalance(user.vaultToken), 10_000n, 'locking moves no tokens');
  });

  test('delegated: the operator alone signs for both vaults within their caps', (t) => {
    const w = world();
    const { user, mm } = pair(w, true);
    const {
      id,
      ix: instruction,
      signers,
    } = createPositionIx(w, { user, mm, stake: 1_000n, risk: 3_000n, mode: 'delegate' });
    assert.deepEqual(
      signers.map((s) => s.publicKey.toBase58()),
      [w.h.payer.publicKey.toBase58(), w.operator.publicKey.toBase58()],
    );
    const result = w.h.send([instruction], signers);
    expectOk(result);
    t.diagnostic(cuLine('create_position (delegated)', result));
    assert.equal(positionOf(w, id).stake, 1_000n);
    assert.equal(vaultOf(w, user).stakeLocked, 1_000n);
    assert.equal(vaultOf(w, mm).collateralLocked, 3_000n);
  });

  test('mixed: user signs, MM delegated; collateral below risk (netting) and zero collateral allowed', () => {
    const w = world();
    const { user, mm } = pair(w);
    enableTrading(w, mm);
    const { ix: instruction } = createPositionIx(w, { user, mm, stake: 100n, risk: 900n, collateral: 0n });
    withAccount(instruction, spec, 'mm_authority', w.operator.publicKey);
    expectOk(w.h.send([instruction], [w.h.payer, user.key, w.operator]));
    assert.equal(vaultOf(w, mm).collateralLocked, 0n);
    assert.equal(vaultOf(w, user).stakeLocked, 100n);
  });

  test('exactly-once: a second create of the same id fails and changes nothing', () => {
    const w = world();
    const { user, mm } = pair(w, true);
    const id = openPosition(w, { user, mm, stake: 1_000n, risk: 2_000n });
    expectError(send(w, { user, mm, stake: 1_000n, risk: 2_000n, id }), 'AlreadyInitialized');
    expectError(
      send(w, { user, mm, stake: 1_000n, risk: 2_000n, id, mode: 'delegate' }),
      'AlreadyInitialized',
    );
    assert.equal(vaultOf(w, user).stakeLocked, 1_000n);
    assert.equal(vaultOf(w, mm).collateralLocked, 2_000n);
  });

  test('a pre-funded position address cannot block the RFQ', () => {
    const w = world();
    const { user, mm } = pair(w);
    const id = newPositionId();
    const address = positionPda(w.programId, id).address;
    w.h.sendOrThrow(
      [SystemProgram.transfer({ fromPubkey: w.h.payer.publicKey, toPubkey: address, lamports: 890_880 })],
      [w.h.payer],
    );
    expectOk(send(w, { user, mm, stake: 10n, risk: 20n, id }));
    assert.equal(positionOf(w, id).stake, 10n);
  });
});

describe('create_position: authority', () => {
  test('owners must sign: MissingSignature; a stranger signing: Unauthorized', () => {
    const w = world();
    const { user, mm } = pair(w);
    const stranger = Keypair.generate();
    for (const name of ['user_authority', 'mm_authority'] as const) {
      const unsigned = withFlags(createPositionIx(w, { user, mm, stake: 10n, risk: 20n }).ix, spec, name, {
        signer: false,
      });
      const signer = name === 'user_authority' ? mm.key : user.key;
      expectError(w.h.send([unsigned], [w.h.payer, signer]), 'MissingSignature');
      const forged = withAccount(
        createPositionIx(w, { user, mm, stake: 10n, risk: 20n }).ix,
        spec,
        name,
        stranger.publicKey,
      );
      expectError(w.h.send([forged], [w.h.payer, signer, stranger]), 'Unauthorized');
    }
  });

  test('the operator without (or after revoking) a delegation: Unauthorized', () => {
    const w = world();
    const { user, mm } = pair(w);
    expectError(send(w, { user, mm, stake: 10n, risk: 20n, mode: 'delegate' }), 'Unauthorized');
    enableTrading(w, user);
    expectError(send(w, { user, mm, stake: 10n, risk: 20n, mode: 'delegate' }), 'Unauthorized');
    enableTrading(w, mm);
    w.h.sendOrThrow([ix.disableTradingInstruction(w.programId, { owner: user.key.publicKey })], [user.key]);
    expectError(send(w, { user, mm, stake: 10n, risk: 20n, mode: 'delegate' }), 'Unauthorized');
  });

  test('rotating the operator revokes old delegations at once: Unauthorized', () => {
    const w = world();
    const { user, mm } = pair(w, true);
    const newOperator = Keypair.generate();
    w.h.sendOrThrow(
      [
        ix.updateConfigInstruction(w.programId, {
          admin: w.admin.publicKey,
          newAdmin: w.admin.publicKey,
          operator: newOperator.publicKey,
          treasury: w.treasury,
          feeBps: FEE_BPS,
        }),
      ],
      [w.h.payer, w.admin],
    );
    expectError(send(w, { user, mm, stake: 10n, risk: 20n, mode: 'delegate' }), 'Unauthorized');
  });

  test('expired delegation: DelegationExpired', () => {
    const w = world();
    const { user, mm } = pair(w);
    const expiry = w.h.unixTimestamp() + 100n;
    enableTrading(w, user, { expiry });
    enableTrading(w, mm, { expiry: expiry + 1_000n });
    w.h.setUnixTimestamp(expiry - 1n);
    expectOk(send(w, { user, mm, stake: 10n, risk: 20n, mode: 'delegate' }));
    w.h.setUnixTimestamp(expiry);
    expectError(send(w, { user, mm, stake: 10n, risk: 20n, mode: 'delegate' }), 'DelegationExpired');
  });

  test('caps: PositionCapExceeded per position, TotalLockedCapExceeded in total (user and MM sides)', () => {
    const w = world();
    const { user, mm } = pair(w);
    enableTrading(w, user, { perPosition: 500n, total: 800n });
    enableTrading(w, mm, { perPosition: 2_000n, total: 3_000n });
    expectError(send(w, { user, mm, stake: 501n, risk: 1_000n, mode: 'delegate' }), 'PositionCapExceeded');
    expectError(send(w, { user, mm, stake: 100n, risk: 2_001n, mode: 'delegate' }), 'PositionCapExceeded');
    expectOk(send(w, { user, mm, stake: 500n, risk: 2_000n, mode: 'delegate' }));
    expectError(send(w, { user, mm, stake: 301n, risk: 500n, mode: 'delegate' }), 'TotalLockedCapExceeded');
    expectError(send(w, { user, mm, stake: 300n, risk: 1_001n, mode: 'delegate' }), 'TotalLockedCapExceeded');
    expectOk(send(w, { user, mm, stake: 300n, risk: 1_000n, mode: 'delegate' }));
    // The owners themselves are not capped.
    expectOk(send(w, { user, mm, stake: 5_000n, risk: 9_000n }));
  });
});

describe('create_position: funds and terms', () => {
  test('free balances: InsufficientFreeBalance (user), InsufficientCollateral (MM), counting existing locks', () => {
    const w = world();
    const { user, mm } = pair(w);
    expectError(send(w, { user, mm, stake: 10_001n, risk: 100n }), 'InsufficientFreeBalance');
    expectError(send(w, { user, mm, stake: 100n, risk: 50_001n }), 'InsufficientCollateral');
    expectOk(send(w, { user, mm, stake: 6_000n, risk: 30_000n }));
    expectError(send(w, { user, mm, stake: 4_001n, risk: 100n }), 'InsufficientFreeBalance');
    expectError(send(w, { user, mm, stake: 100n, risk: 20_001n }), 'InsufficientCollateral');
    expectOk(send(w, { user, mm, stake: 4_000n, risk: 20_000n }));
  });

  test('terms: FeeTooHigh above the config cap; InvalidAmount for zero stake/risk or collateral > risk', () => {
    const w = world();
    const { user, mm } = pair(w);
    expectError(send(w, { user, mm, stake: 10n, risk: 20n, feeBps: FEE_BPS + 1 }), 'FeeTooHigh');
    expectOk(send(w, { user, mm, stake: 10n, risk: 20n, feeBps: 0 }));
    expectError(send(w, { user, mm, stake: 0n, risk: 20n }), 'InvalidAmount');
    expectError(send(w, { user, mm, stake: 10n, risk: 0n, collateral: 0n }), 'InvalidAmount');
    expectError(send(w, { user, mm, stake: 10n, risk: 20n, collateral: 21n }), 'InvalidAmount');
  });

  test('the same vault on both sides: DuplicateAccount', () => {
    const w = world();
    const { user } = pair(w);
    expectError(send(w, { user, mm: user, stake: 10n, risk: 20n }), 'DuplicateAccount');
  });

  test('accounts: read-only vaults/position, wrong token accounts, bad PDA, fake programs, foreign accounts', () => {
    const w = world();
    const { user, mm } = pair(w);
    const base = (): ReturnType<typeof createPositionIx> =>
      createPositionIx(w, { user, mm, stake: 10n, risk: 20n });
    const run = (mutate: (i: ReturnType<typeof createPositionIx>) => void) => {
      const built = base();
      mutate(built);
      return w.h.send([built.ix], built.signers);
    };
    for (const name of ['user_vault', 'mm_vault', 'position'] as const) {
      expectError(
        run((b) => withFlags(b.ix, spec, name, { writable: false })),
        'AccountNotWritable',
      );
    }
    expectError(
      run((b) => withAccount(b.ix, spec, 'user_vault_token', mm.vaultToken)),
      'VaultMismatch',
    );
    expectError(
      run((b) => withAccount(b.ix, spec, 'mm_vault_token', user.vaultToken)),
      'VaultMismatch',
    );
    expectError(
      run((b) => {
        b.ix.data[17] = (b.ix.data[17] ?? 0) ^ 1;
      }),
      'InvalidPda',
    );
    expectError(
      run((b) => withAccount(b.ix, spec, 'position', positionPda(w.programId, newPositionId()).address)),
      'InvalidPda',
    );
    expectError(
      run((b) => withAccount(b.ix, spec, 'system_program', TOKEN_PROGRAM_ID)),
      'InvalidProgramId',
    );
    expectError(
      run((b) => withAccount(b.ix, spec, 'config', user.vault)),
      'InvalidAccountData',
    );
    expectError(
      run((b) => withAccount(b.ix, spec, 'user_vault', user.wallet)),
      'InvalidAccountOwner',
    );
  });

  test('payer must sign and be writable', () => {
    const w = world();
    const { user, mm } = pair(w);
    const payer = Keypair.generate();
    w.h.airdrop(payer.publicKey, 1_000_000_000n);
    const readOnly = createPositionIx(w, { user, mm, stake: 10n, risk: 20n }).ix;
    withAccount(readOnly, spec, 'payer', payer.publicKey, { writable: false });
    expectError(w.h.send([readOnly], [w.h.payer, payer, user.key, mm.key]), 'AccountNotWritable');
    const unsigned = createPositionIx(w, { user, mm, stake: 10n, risk: 20n }).ix;
    withAccount(unsigned, spec, 'payer', payer.publicKey, { signer: false });
    expectError(w.h.send([unsigned], [w.h.payer, user.key, mm.key]), 'MissingSignature');
  });

  test('forged state: locked amounts summing past u64 → MathOverflow', () => {
    const w = world();
    const { user, mm } = pair(w);
    const vault = w.h.account(user.vault);
    assert.ok(vault);
    const data = Buffer.from(vault.data);
    data.writeBigUInt64LE(1n << 63n, 72);
    data.writeBigUInt64LE(1n << 63n, 80);
    w.h.setAccount(user.vault, { ...vault, data });
    expectError(send(w, { user, mm, stake: 10n, risk: 20n }), 'MathOverflow');
  });

  test('the builder refuses values that do not fit their fields', () => {
    const w = world();
    const { user, mm } = pair(w);
    assert.throws(() => createPositionIx(w, { user, mm, stake: 1n << 64n, risk: 1n }), RangeError);
    assert.throws(() => createPositionIx(w, { user, mm, stake: -1n, risk: 1n }), RangeError);
    assert.throws(() => createPositionIx(w, { user, mm, stake: 1n, risk: 1n, feeBps: 70_000 }), RangeError);
    assert.throws(
      () => createPositionIx(w, { user, mm, stake: 1n, risk: 1n, id: new Uint8Array(15) }),
      RangeError,
    );
  });
});
