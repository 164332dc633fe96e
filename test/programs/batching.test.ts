/**
 * How many create_position instructions fit one 1,232-byte transaction, owner-signed (user and MM sign
 * every position, like the seed) versus delegated (the operator signs for everyone), in a legacy
 * message and in a v0 message whose lookup table holds config, system program, vaults and vault token
 * accounts. Every maximal batch is then executed, so the figures are transactions that really land.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type AddressLookupTableAccount,
  Keypair,
  type PublicKey,
  Transaction,
  type TransactionInstruction,
} from '@solana/web3.js';
import * as ix from '../../chain/program/instructions.ts';
import { transactionSize } from '../../chain/program/litesvmHarness.ts';
import { configPda } from '../../chain/program/pda.ts';
import { SYSTEM_PROGRAM_ID } from '../../chain/program/programIds.ts';
import {
  enableTrading,
  FEE_BPS,
  LEGS_HASH,
  newPositionId,
  type Party,
  party,
  positionOf,
  type World,
  worldFactory,
} from './fixture.ts';

const PACKET_LIMIT = 1232;
const PARTIES = 14;

type Mode = 'owner' | 'delegate';

interface Setup {
  w: World;
  users: Party[];
  mms: Party[];
}

function setup(): Setup {
  const w = worldFactory()();
  const make = () => {
    const p = party(w, { deposit: 1_000_000n });
    enableTrading(w, p);
    return p;
  };
  return { w, users: Array.from({ length: PARTIES }, make), mms: Array.from({ length: PARTIES }, make) };
}

function batch(
  s: Setup,
  n: number,
  mode: Mode,
  oneMm: boolean,
): { instructions: TransactionInstruction[]; signers: Keypair[]; ids: Uint8Array[] } {
  const { w } = s;
  const instructions: TransactionInstruction[] = [];
  const signers = new Map<string, Keypair>([[w.operator.publicKey.toBase58(), w.operator]]);
  const ids: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const user = s.users[i % PARTIES] as Party;
    const mm = (oneMm ? s.mms[0] : s.mms[i % PARTIES]) as Party;
    const id = newPositionId();
    ids.push(id);
    const delegated = mode === 'delegate';
    instructions.push(
      ix.createPositionInstruction(w.programId, {
        payer: w.operator.publicKey,
        userOwner: user.key.publicKey,
        mmOwner: mm.key.publicKey,
        userAuthority: delegated ? w.operator.publicKey : user.key.publicKey,
        mmAuthority: delegated ? w.operator.publicKey : mm.key.publicKey,
        positionId: id,
        stake: 1_000n,
        risk: 2_000n,
        collateral: 2_000n,
        legsHash: LEGS_HASH,
        feeBps: FEE_BPS,
      }),
    );
    if (!delegated) {
      signers.set(user.key.publicKey.toBase58(), user.key);
      signers.set(mm.key.publicKey.toBase58(), mm.key);
    }
  }
  return { instructions, signers: [...signers.values()], ids };
}

function size(
  s: Setup,
  n: number,
  mode: Mode,
  oneMm: boolean,
  table: AddressLookupTableAccount | null,
): number {
  const { instructions, signers } = batch(s, n, mode, oneMm);
  if (table) {
    try {
      return s.w.h.versionedTransaction(instructions, signers, [table]).serialize().length;
    } catch {
      return Number.POSITIVE_INFINITY; // web3.js refuses to encode a v0 message past 1,232 bytes
    }
  }
  const tx = new Transaction({
    feePayer: s.w.operator.publicKey,
    recentBlockhash: s.w.h.freshBlockhash(),
  }).add(...instructions);
  return transactionSize(tx);
}

function maxFit(
  s: Setup,
  mode: Mode,
  oneMm: boolean,
  table: AddressLookupTableAccount | null,
): { n: number; bytes: number } {
  let n = 0;
  let bytes = 0;
  for (;;) {
    const next = size(s, n + 1, mode, oneMm, table);
    if (next > PACKET_LIMIT) return { n, bytes };
    n += 1;
    bytes = next;
  }
}

test('positions per 1,232-byte transaction: owner-signed vs delegated, legacy vs v0 + lookup table', (t) => {
  const s = setup();
  const { w } = s;
  const shared: PublicKey[] = [configPda(w.programId).address, SYSTEM_PROGRAM_ID];
  const vaults = [...s.users, ...s.mms].flatMap((p) => [p.vault, p.vaultToken]);
  const table = w.h.createLookupTable([...shared, ...vaults], w.admin);

  const rows: {
    mode: Mode;
    encoding: string;
    mms: string;
    n: number;
    bytes: number;
    cuPerPosition: bigint;
  }[] = [];
  for (const mode of ['owner', 'delegate'] as const) {
    for (const oneMm of [true, false]) {
      for (const lookup of [null, table]) {
        const { n, bytes } = maxFit(s, mode, oneMm, lookup);
        assert.ok(n >= 1, `${mode}: not even one position fits`);
        const { instructions, signers, ids } = batch(s, n, mode, oneMm);
        const result = lookup
          ? w.h.sendTransaction(w.h.versionedTransaction(instructions, signers, [lookup]))
          : w.h.send(instructions, signers);
        assert.ok(result.ok, result.ok ? '' : `${mode} batch of ${n} failed: ${result.message}`);
        for (const id of ids) assert.equal(positionOf(w, id).status, 'active');
        rows.push({
          mode,
          encoding: lookup ? 'v0 + ALT' : 'legacy',
          mms: oneMm ? 'one MM' : 'distinct MMs',
          n,
          bytes,
          cuPerPosition: result.computeUnits / BigInt(n),
        });
      }
    }
  }
  for (const r of rows) {
    t.diagnostic(
      `${r.mode.padEnd(8)} ${r.encoding.padEnd(8)} ${r.mms.padEnd(12)} ${r.n} positions/tx (${r.bytes} B, ${r.cuPerPosition} CU each)`,
    );
  }
  const find = (mode: Mode, encoding: string, mms: string) =>
    rows.find((r) => r.mode === mode && r.encoding === encoding && r.mms === mms)?.n ?? 0;
  for (const encoding of ['legacy', 'v0 + ALT']) {
    for (const mms of ['one MM', 'distinct MMs']) {
      assert.ok(
        find('delegate', encoding, mms) > find('owner', encoding, mms),
        `delegation must fit more (${encoding}, ${mms})`,
      );
    }
  }
  assert.ok(
    find('delegate', 'v0 + ALT', 'one MM') > find('delegate', 'legacy', 'one MM'),
    'the lookup table must help',
  );
});

test('transactionSize matches the wire size of a signed legacy transaction', () => {
  const s = { w: worldFactory()(), users: [], mms: [] };
  const payer = Keypair.generate();
  const tx = new Transaction({
    feePayer: s.w.h.payer.publicKey,
    recentBlockhash: s.w.h.freshBlockhash(),
  }).add(ix.disableTradingInstruction(s.w.programId, { owner: payer.publicKey }));
  tx.sign(s.w.h.payer, payer);
  assert.equal(transactionSize(tx), tx.serialize().length);
});
