/**
 * The dev build of parlay_vaults shipped in the repository: the committed shared object and the dev
 * program keypair. For the embedded cluster and tests only; a real deployment's program id comes from
 * configuration and is passed to every client function.
 */
import { readFileSync } from 'node:fs';
import { Keypair } from '@solana/web3.js';

export const PARLAY_VAULTS_SO_URL = new URL('../../programs/parlay_vaults/parlay_vaults.so', import.meta.url);
export const DEV_PROGRAM_KEYPAIR_URL = new URL(
  '../../programs/parlay_vaults/program-keypair.json',
  import.meta.url,
);

export const loadParlayVaultsSo = (): Uint8Array => new Uint8Array(readFileSync(PARLAY_VAULTS_SO_URL));

export function loadDevProgramKeypair(): Keypair {
  const secret: unknown = JSON.parse(readFileSync(DEV_PROGRAM_KEYPAIR_URL, 'utf8'));
  if (!Array.isArray(secret) || secret.length !== 64)
    throw new Error('program keypair must be a 64-byte JSON array');
  return Keypair.fromSecretKey(Uint8Array.from(secret as number[]));
}
