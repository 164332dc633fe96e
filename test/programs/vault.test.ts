import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Keypair, SystemProgram } from '@solana/web3.js';
import { INSTRUCTIONS } from '../../chain/program/instructionSpecs.ts';
import * as ix from '../../chain/program/instructions.ts';
import { vaultPda, vaultTokenPda } from '../../chain/program/pda.ts';
import { TOKEN_PROGRAM_ID } from '../../chain/program/programIds.ts';
import { decodeTokenAccount } from '../../chain/program/splToken.ts';
import {
  cuLine,
  enableTrading,
  expectError,
  expectOk,
  openPosition,
  type Party,
  party,
  SOL,
  vaultOf,
  type World,
  withAccount,
  withFlags,
  worldFactory,
} from './fixture.ts';

const world = worldFactory();

describe('initialize_vault', () => {
  const spec = INSTRUCTIONS.initializeVault;
  const initIx = (w: World, owner = Keypair.generate().publicKey) =>
    ix.initializeVaultInstruction(w.programId, { payer: w.h.payer.publicKey, owner, mint: w.mint });

  test('opens the vault PDA and its token account (authority = vault), paid by the fee payer', (t) => {
    const w = world();
    const owner = Keypair.generate().publicKey;
    const result = w.h.send([initIx(w, owner)], [w.h.payer]);
    expectOk(result);
    t.diagnostic(cuLine('initialize_vault', result));
    const vault = vaultPda(w.programId, owner);
    const token = vaultTokenPda(w.programId, owner);
    const v = vaultOf(w, { vault: vault.address } as Party);
    assert.ok(v.owner.equals(owner));
    assert.ok(v.tokenAccount.equals(token.address));
    assert.equal(v.bump, vault.bump);
    assert.equal(v.tokenBump, token.bump);
    assert.equal(v.stakeLocked, 0n);
    assert.equal(v.tradingEnabled, false);
    const tokenAcc = w.h.account(token.address);
    assert.ok(tokenAcc);
    assert.ok(tokenAcc.owner.equals(TOKEN_PROGRAM_ID));
    const decoded = decodeTokenAccount(tokenAcc.data);
    assert.deepEqual(decoded.owner, vault.address.toBytes());
    assert.deepEqual(decoded.mint, w.mint.toBytes());
    assert.equal(decoded.state, 1);
  });

  test('twice for the same owner: AlreadyInitialized', () => {
    const w = world();
    const owner = Keypair.generate().publicKey;
    expectOk(w.h.send([initIx(w, owner)], [w.h.payer]));
    expectError(w.h.send([initIx(w, owner)], [w.h.payer]), 'AlreadyInitialized');
  });

  test('a token address already holding data: AlreadyInitialized', () => {
    const w = world();
    const owner = Keypair.generate().publicKey;
    const token = vaultTokenPda(w.programId, owner).address;
    w.h.setAccount(token, {
      lamports: 10_000_000n,
      owner: TOKEN_PROGRAM_ID,
      data: new Uint8Array(165),
      executable: false,
    });
    expectError(w.h.send([initIx(w, owner)], [w.h.payer]), 'AlreadyInitialized');
    assert.equal(w.h.account(vaultPda(w.programId, owner).address), null, 'nothing was created');
  });

  test('pre-funded vault and token addresses cannot be squatted', () => {
    const w = world();
    const owner = Keypair.generate().publicKey;
    const fund = (to: typeof owner) =>
      SystemProgram.transfer({ fromPubkey: w.h.payer.publicKey, toPubkey: to, lamports: 5_000_000 });
    w.h.sendOrThrow(
      [fund(vaultPda(w.programId, owner).address), fund(vaultTokenPda(w.programId, owner).address)],
      [w.h.payer],
    );
    expectOk(w.h.send([initIx(w, owner)], [w.h.payer]));
    assert.ok(vaultOf(w, { vault: vaultPda(w.programId, owner).address } as Party).owner.equals(owner));
  });

  test('wrong bumps or another owner’s addresses: InvalidPda', () => {
    const w = world();
    const badVaultBump = initIx(w);
    badVaultBump.data[1] = (badVaultBump.data[1] ?? 0) ^ 1;
    expectError(w.h.send([badVaultBump], [w.h.payer]), 'InvalidPda');
    const badTokenBump = initIx(w);
    badTokenBump.data[2] = (badTokenBump.data[2] ?? 0) ^ 1;
    expectError(w.h.send([badTokenBump], [w.h.payer]), 'InvalidPda');
    const other = Keypair.generate().publicKey;
    const swapped = withAccount(initIx(w), spec, 'vault', vaultPda(w.programId, other).address);
    expectError(w.h.send([swapped], [w.h.payer]), 'InvalidPda');
  });

  test('privileges: payer signs and is writable, vault and token writable', () => {
    const w = world();
    const payer = Keypair.generate();
    w.h.airdrop(payer.publicKey, SOL);
    const other = ix.initializeVaultInstruction(w.programId, {
      payer: payer.publicKey,
      owner: Keypair.generate().publicKey,
      mint: w.mint,
    });
    expectError(
      w.h.send([withFlags(other, spec, 'payer', { signer: false })], [w.h.payer]),
      'MissingSignature',
    );
    const readOnlyPayer = ix.initializeVaultInstruction(w.programId, {
      payer: payer.publicKey,
      owner: Keypair.generate().publicKey,
      mint: w.mint,
    });
    expectError(
      w.h.send([withFlags(readOnlyPayer, spec, 'payer', { writable: false })], [w.h.payer, payer]),
      'AccountNotWritable',
    );
    expectError(
      w.h.send([withFlags(initIx(w), spec, 'vault', { writable: false })], [w.h.payer]),
      'AccountNotWritable',
    );
    expectError(
      w.h.send([withFlags(initIx(w), spec, 'vault_token', { writable: false })], [w.h.payer]),
      'AccountNotWritable',
    );
  });

  test('foreign mint: InvalidMint; bad config: InvalidAccountOwner; fake programs: InvalidProgramId', () => {
    const w = world();
    const otherMint = w.h.createMint({ authority: w.mintAuthority.publicKey });
    expectError(w.h.send([withAccount(initIx(w), spec, 'mint', otherMint)], [w.h.payer]), 'InvalidMint');
    expectError(
      w.h.send([withAccount(initIx(w), spec, 'config', w.treasury)], [w.h.payer]),
      'InvalidAccountOwner',
    );
    expectError(
      w.h.send([withAccount(initIx(w), spec, 'system_program', TOKEN_PROGRAM_ID)], [w.h.payer]),
      'InvalidProgramId',
    );
    expectError(
      w.h.send([withAccount(initIx(w), spec, 'token_program', SystemProgram.programId)], [w.h.payer]),
      'InvalidProgramId',
    );
  });
});

describe('deposit', () => {
  const spec = INSTRUCTIONS.deposit;
  const depositIx = (w: World, p: Party, amount: bigint, depositor = p.key.publicKey, source = p.wallet) =>
    ix.depositInstruction(w.programId, { depositor, owner: p.key.publicKey, source, amount });

  test('moves USDC from the wallet into the vault token account', (t) => {
    const w = world();
    const p = party(w, { funds: 1_000_000n });
    const result = w.h.send([depositIx(w, p, 400_000n)], [p.key]);
    expectOk(result);
    t.diagnostic(cuLine('deposit', result));
    assert.equal(w.h.tokenBalance(p.vaultToken), 400_000n);
    assert.equal(w.h.tokenBalance(p.wallet), 600_000n);
  });

  test('anyone may fund someone else’s vault', () => {
    const w = world();
    const p = party(w, { funds: 0n });
    const sponsor = party(w, { funds: 500n, vault: false });
    expectOk(w.h.send([depositIx(w, p, 500n, sponsor.key.publicKey, sponsor.wallet)], [sponsor.key]));
    assert.equal(w.h.tokenBalance(p.vaultToken), 500n);
  });

  test('rejections: unsigned, read-only, wrong vault token, same account, zero, fake program, not a vault', () => {
    const w = world();
    const p = party(w);
    const q = party(w);
    expectError(
      w.h.send([withFlags(depositIx(w, p, 1n), spec, 'depositor', { signer: false })], [w.h.payer]),
      'MissingSignature',
    );
    expectError(
      w.h.send([withFlags(depositIx(w, p, 1n), spec, 'source', { writable: false })], [p.key]),
      'AccountNotWritable',
    );
    expectError(
      w.h.send([withFlags(depositIx(w, p, 1n), spec, 'vault_token', { writable: false })], [p.key]),
      'AccountNotWritable',
    );
    expectError(
      w.h.send([withAccount(depositIx(w, p, 1n), spec, 'vault_token', q.vaultToken)], [p.key]),
      'VaultMismatch',
    );
    expectError(w.h.send([depositIx(w, p, 1n, p.key.publicKey, p.vaultToken)], [p.key]), 'DuplicateAccount');
    expectError(w.h.send([depositIx(w, p, 0n)], [p.key]), 'InvalidAmount');
    expectError(
      w.h.send([withAccount(depositIx(w, p, 1n), spec, 'token_program', SystemProgram.programId)], [p.key]),
      'InvalidProgramId',
    );
    expectError(
      w.h.send([withAccount(depositIx(w, p, 1n), spec, 'vault', p.wallet)], [p.key]),
      'InvalidAccountOwner',
    );
  });

  test('a source of another mint is refused by the token program, nothing moves', () => {
    const w = world();
    const p = party(w);
    const otherMint = w.h.createMint({ authority: w.mintAuthority.publicKey });
    const foreign = w.h.createTokenAccount({ mint: otherMint, owner: p.key.publicKey });
    w.h.mintTo({ mint: otherMint, authority: w.mintAuthority, destination: foreign, amount: 10n });
    const result = w.h.send([depositIx(w, p, 10n, p.key.publicKey, foreign)], [p.key]);
    assert.equal(result.ok, false);
    assert.equal(w.h.tokenBalance(p.vaultToken), 0n);
  });
});

describe('withdraw', () => {
  const spec = INSTRUCTIONS.withdraw;
  const withdrawIx = (w: World, p: Party, amount: bigint) =>
    ix.withdrawInstruction(w.programId, { owner: p.key.publicKey, destination: p.wallet, amount });

  test('the owner takes out free balance', (t) => {
    const w = world();
    const p = party(w, { funds: 1_000n, deposit: 1_000n });
    const result = w.h.send([withdrawIx(w, p, 300n)], [p.key]);
    expectOk(result);
    t.diagnostic(cuLine('withdraw', result));
    assert.equal(w.h.tokenBalance(p.vaultToken), 700n);
    assert.equal(w.h.tokenBalance(p.wallet), 300n);
  });

  test('locked stake and collateral cannot leave: InsufficientFreeBalance', () => {
    const w = world();
    const user = party(w, { deposit: 1_000n });
    const mm = party(w, { deposit: 5_000n });
    openPosition(w, { user, mm, stake: 600n, risk: 3_000n });
    expectError(w.h.send([withdrawIx(w, user, 401n)], [user.key]), 'InsufficientFreeBalance');
    expectError(w.h.send([withdrawIx(w, mm, 2_001n)], [mm.key]), 'InsufficientFreeBalance');
    expectOk(w.h.send([withdrawIx(w, user, 400n)], [user.key]));
    expectOk(w.h.send([withdrawIx(w, mm, 2_000n)], [mm.key]));
    assert.equal(w.h.tokenBalance(user.vaultToken), 600n);
    assert.equal(w.h.tokenBalance(mm.vaultToken), 3_000n);
  });

  test('only the owner: Unauthorized (the delegate too), MissingSignature', () => {
    const w = world();
    const p = party(w, { deposit: 1_000n });
    const stranger = Keypair.generate();
    w.h.airdrop(stranger.publicKey, SOL);
    expectError(
      w.h.send([withAccount(withdrawIx(w, p, 1n), spec, 'owner', stranger.publicKey)], [stranger]),
      'Unauthorized',
    );
    enableTrading(w, p);
    expectError(
      w.h.send([withAccount(withdrawIx(w, p, 1n), spec, 'owner', w.operator.publicKey)], [w.operator]),
      'Unauthorized',
    );
    expectError(
      w.h.send([withFlags(withdrawIx(w, p, 1n), spec, 'owner', { signer: false })], [w.h.payer]),
      'MissingSignature',
    );
  });

  test('rejections: read-only accounts, wrong token account, same account, zero', () => {
    const w = world();
    const p = party(w, { deposit: 1_000n });
    const q = party(w, { deposit: 1_000n });
    expectError(
      w.h.send([withFlags(withdrawIx(w, p, 1n), spec, 'vault_token', { writable: false })], [p.key]),
      'AccountNotWritable',
    );
    expectError(
      w.h.send([withFlags(withdrawIx(w, p, 1n), spec, 'destination', { writable: false })], [p.key]),
      'AccountNotWritable',
    );
    expectError(
      w.h.send([withAccount(withdrawIx(w, p, 1n), spec, 'vault_token', q.vaultToken)], [p.key]),
      'VaultMismatch',
    );
    expectError(
      w.h.send([withAccount(withdrawIx(w, p, 1n), spec, 'destination', p.vaultToken)], [p.key]),
      'DuplicateAccount',
    );
    expectError(w.h.send([withdrawIx(w, p, 0n)], [p.key]), 'InvalidAmount');
    expectError(
      w.h.send([withAccount(withdrawIx(w, p, 1n), spec, 'token_program', SystemProgram.programId)], [p.key]),
      'InvalidProgramId',
    );
  });

  test('forged states: locked sum overflowing u64 → MathOverflow; token account replaced → InvalidTokenAccount', () => {
    const w = world();
    const p = party(w, { deposit: 1_000n });
    const vault = w.h.account(p.vault);
    assert.ok(vault);
    const data = Buffer.from(vault.data);
    data.writeBigUInt64LE(1n << 63n, 72);
    data.writeBigUInt64LE(1n << 63n, 80);
    w.h.setAccount(p.vault, { ...vault, data });
    expectError(w.h.send([withdrawIx(w, p, 1n)], [p.key]), 'MathOverflow');
    const token = w.h.account(p.vaultToken);
    assert.ok(token);
    w.h.setAccount(p.vaultToken, { ...token, owner: SystemProgram.programId });
    expectError(w.h.send([withdrawIx(w, p, 1n)], [p.key]), 'InvalidTokenAccount');
  });
});

describe('enable_trading / disable_trading', () => {
  const spec = INSTRUCTIONS.enableTrading;
  const enableIx = (
    w: World,
    p: Party,
    over: { delegate?: Keypair; expiry?: bigint; owner?: Keypair } = {},
  ) =>
    ix.enableTradingInstruction(w.programId, {
      owner: (over.owner ?? p.key).publicKey,
      delegate: (over.delegate ?? w.operator).publicKey,
      maxPerPosition: 1_000n,
      maxTotalLocked: 5_000n,
      expiryUnix: over.expiry ?? w.h.unixTimestamp() + 60n,
    });

  test('the owner grants the operator caps and an expiry, then revokes them', (t) => {
    const w = world();
    const p = party(w);
    const expiry = w.h.unixTimestamp() + 60n;
    const enabled = w.h.send([enableIx(w, p, { expiry })], [p.key]);
    expectOk(enabled);
    t.diagnostic(cuLine('enable_trading', enabled));
    let v = vaultOf(w, p);
    assert.equal(v.tradingEnabled, true);
    assert.ok(v.delegate.equals(w.operator.publicKey));
    assert.equal(v.maxPerPosition, 1_000n);
    assert.equal(v.maxTotalLocked, 5_000n);
    assert.equal(v.delegateExpiry, expiry);
    const disabled = w.h.send(
      [ix.disableTradingInstruction(w.programId, { owner: p.key.publicKey })],
      [p.key],
    );
    expectOk(disabled);
    t.diagnostic(cuLine('disable_trading', disabled));
    v = vaultOf(w, p);
    assert.equal(v.tradingEnabled, false);
    assert.equal(v.maxPerPosition, 0n);
    assert.equal(v.delegateExpiry, 0n);
  });

  test('the delegate can only be the operator: DelegateNotOperator; expiry must be ahead: ExpiryInPast', () => {
    const w = world();
    const p = party(w);
    expectError(w.h.send([enableIx(w, p, { delegate: Keypair.generate() })], [p.key]), 'DelegateNotOperator');
    expectError(w.h.send([enableIx(w, p, { expiry: w.h.unixTimestamp() })], [p.key]), 'ExpiryInPast');
  });

  test('only the owner, signed, with a writable vault and the real config', () => {
    const w = world();
    const p = party(w);
    const stranger = Keypair.generate();
    w.h.airdrop(stranger.publicKey, SOL);
    expectError(
      w.h.send([withAccount(enableIx(w, p), spec, 'owner', stranger.publicKey)], [stranger]),
      'Unauthorized',
    );
    expectError(
      w.h.send([withFlags(enableIx(w, p), spec, 'owner', { signer: false })], [w.h.payer]),
      'MissingSignature',
    );
    expectError(
      w.h.send([withFlags(enableIx(w, p), spec, 'vault', { writable: false })], [p.key]),
      'AccountNotWritable',
    );
    expectError(
      w.h.send([withAccount(enableIx(w, p), spec, 'config', p.vault)], [p.key]),
      'InvalidAccountData',
    );
    const disable = INSTRUCTIONS.disableTrading;
    const disableIx = () => ix.disableTradingInstruction(w.programId, { owner: p.key.publicKey });
    expectError(
      w.h.send([withAccount(disableIx(), disable, 'owner', stranger.publicKey)], [stranger]),
      'Unauthorized',
    );
    expectError(
      w.h.send([withFlags(disableIx(), disable, 'owner', { signer: false })], [w.h.payer]),
      'MissingSignature',
    );
    expectError(
      w.h.send([withFlags(disableIx(), disable, 'vault', { writable: false })], [p.key]),
      'AccountNotWritable',
    );
    expectError(
      w.h.send([withAccount(disableIx(), disable, 'vault', w.treasury)], [p.key]),
      'InvalidAccountOwner',
    );
  });
});
