import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { Keypair, PublicKey } from '@solana/web3.js';
import { Rent } from 'litesvm';
import { encodeInstructionData } from '../../chain/program/encoding.ts';
import { INSTRUCTIONS } from '../../chain/program/instructionSpecs.ts';
import * as ix from '../../chain/program/instructions.ts';
import { AccountDecodeError, decodeConfig, decodePosition, decodeVault } from '../../chain/program/layout.ts';
import { encodeLegs, legsHash } from '../../chain/program/legsHash.ts';
import { positionIdFromUuid, uuidFromPositionId, vaultPda } from '../../chain/program/pda.ts';
import { expectError, expectOk, worldFactory } from './fixture.ts';

describe('legs hash', () => {
  const legs = [
    { ticker: 'KXNFL-26-KC', side: 'no' as const },
    { ticker: 'KXNBA-26-LAL', side: 'yes' as const },
  ];

  test('is sha256 of the documented canonical encoding', () => {
    const expected = Buffer.concat([
      Buffer.from('parlay-legs-v1'),
      Buffer.from([2, 0]),
      Buffer.from([12, 0]),
      Buffer.from('KXNBA-26-LAL'),
      Buffer.from([1]),
      Buffer.from([11, 0]),
      Buffer.from('KXNFL-26-KC'),
      Buffer.from([0]),
    ]);
    assert.deepEqual(encodeLegs(legs), expected);
    assert.deepEqual(legsHash(legs), Uint8Array.from(createHash('sha256').update(expected).digest()));
  });

  test('does not depend on leg order; does depend on side and ticker', () => {
    assert.deepEqual(legsHash(legs), legsHash([...legs].reverse()));
    assert.notDeepEqual(
      legsHash(legs),
      legsHash([legs[0] as (typeof legs)[0], { ticker: 'KXNBA-26-LAL', side: 'no' }]),
    );
    assert.notDeepEqual(legsHash([{ ticker: 'AB', side: 'yes' }]), legsHash([{ ticker: 'A', side: 'yes' }]));
    assert.throws(() => legsHash([{ ticker: '', side: 'yes' }]), RangeError);
  });
});

describe('position ids', () => {
  test('a UUID maps to its 16 bytes and back; anything else is refused', () => {
    const uuid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const id = positionIdFromUuid(uuid);
    assert.equal(id.length, 16);
    assert.equal(id[0], 0x0f);
    assert.equal(uuidFromPositionId(id), uuid);
    assert.equal(uuidFromPositionId(positionIdFromUuid(uuid.toUpperCase())), uuid);
    assert.throws(() => positionIdFromUuid('0f8fad5b-d9cb-469f-a165-70867728950'), TypeError);
    assert.throws(() => positionIdFromUuid('not-a-uuid'), TypeError);
  });
});

describe('encoding and decoding', () => {
  test('instruction data is the discriminator then packed little-endian args', () => {
    const data = encodeInstructionData(INSTRUCTIONS.releaseMmCollateral, {
      new_collateral_locked: 0x0102030405060708n,
    });
    assert.deepEqual([...data], [10, 8, 7, 6, 5, 4, 3, 2, 1]);
    assert.throws(
      () => encodeInstructionData(INSTRUCTIONS.releaseMmCollateral, {}),
      /missing argument new_collateral_locked/,
    );
    const expiry = encodeInstructionData(INSTRUCTIONS.enableTrading, {
      delegate: PublicKey.default,
      max_per_position: 1n,
      max_total_locked: 2n,
      expiry: -1n,
    });
    assert.equal(expiry.length, 57);
    assert.equal(expiry.readBigInt64LE(49), -1n);
  });

  test('builders place the PDAs the program expects', () => {
    const programId = Keypair.generate().publicKey;
    const owner = Keypair.generate().publicKey;
    const built = ix.withdrawInstruction(programId, { owner, destination: owner, amount: 5n });
    assert.ok(built.programId.equals(programId));
    assert.ok(built.keys[1]?.pubkey.equals(vaultPda(programId, owner).address));
    assert.equal(built.keys[0]?.isSigner, true);
  });

  test('decoders refuse accounts of the wrong size or kind', () => {
    const vault = new Uint8Array(144);
    vault[0] = 2;
    assert.equal(decodeVault(vault).stakeLocked, 0n);
    assert.throws(() => decodeConfig(vault), AccountDecodeError);
    assert.throws(() => decodePosition(new Uint8Array(176)), AccountDecodeError);
    const position = new Uint8Array(176);
    position[0] = 3;
    position[2] = 9;
    assert.throws(() => decodePosition(position), /unknown status/);
  });
});

describe('rent', () => {
  const world = worldFactory();

  test('accounts are funded exactly rent-exempt under the historical (2.0) and SIMD-0194 (1.0) rent', () => {
    for (const [perByte, threshold] of [
      [6960n, 1.0],
      [3480n, 2.0],
    ] as const) {
      const w = world();
      w.h.svm.setRent(new Rent(perByte, threshold, 50));
      const owner = Keypair.generate().publicKey;
      expectOk(
        w.h.send(
          [ix.initializeVaultInstruction(w.programId, { payer: w.h.payer.publicKey, owner, mint: w.mint })],
          [w.h.payer],
        ),
      );
      assert.equal(w.h.account(vaultPda(w.programId, owner).address)?.lamports, w.h.rentExempt(144));
    }
  });

  test('a threshold the integer path cannot compute exactly: UnsupportedRent', () => {
    const w = world();
    w.h.svm.setRent(new Rent(3480n, 0.1, 50));
    const owner = Keypair.generate().publicKey;
    expectError(
      w.h.send(
        [ix.initializeVaultInstruction(w.programId, { payer: w.h.payer.publicKey, owner, mint: w.mint })],
        [w.h.payer],
      ),
      'UnsupportedRent',
    );
  });
});
