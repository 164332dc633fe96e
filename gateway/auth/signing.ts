/**
 * The WebSocket auth signature, shared by the server (verify) and the MM SDK (sign). An MM signs
 * `parlay-rfq/ws-auth/v1|<nonce>|<timestamp_ms>` with its Ed25519 key; the nonce is the server's,
 * single-use and bound to one connection, and the timestamp must be within the auth window, so a
 * captured signature is worthless on any other connection and soon on this one too.
 *
 * Keys travel as base58: the public key as 32 bytes, the secret as Solana writes it (64 bytes:
 * seed ‖ public key) or as the bare 32-byte seed.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { base58Decode, base58Encode } from './base58.ts';

export const AUTH_CONTEXT = 'parlay-rfq/ws-auth/v1';

export const authPayload = (nonce: string, timestampMs: number): Buffer =>
  Buffer.from(`${AUTH_CONTEXT}|${nonce}|${timestampMs}`, 'utf8');

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export interface SigningKeyPair {
  /** base58, 32 bytes. */
  publicKey: string;
  /** base58, 64 bytes (seed ‖ public key). */
  secretKey: string;
}

export function newSigningKeyPair(): SigningKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
  return { publicKey: base58Encode(pub), secretKey: base58Encode(Buffer.concat([seed, pub])) };
}

export function signingKey(secretKey: string): KeyObject {
  const bytes = base58Decode(secretKey);
  if (!bytes || (bytes.length !== 32 && bytes.length !== 64)) {
    throw new RangeError('signing secret key must be base58 of 32 (seed) or 64 (seed ‖ public) bytes');
  }
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, bytes.subarray(0, 32)]),
    format: 'der',
    type: 'pkcs8',
  });
}

export const signAuth = (key: KeyObject, nonce: string, timestampMs: number): Uint8Array =>
  sign(null, authPayload(nonce, timestampMs), key);

const publicKeys = new Map<string, KeyObject | null>();

/** A registered public key as a KeyObject (memoised: there are few MMs), or null if malformed. */
export function publicKeyOf(base58: string): KeyObject | null {
  const cached = publicKeys.get(base58);
  if (cached !== undefined) return cached;
  const raw = base58Decode(base58);
  let key: KeyObject | null = null;
  if (raw && raw.length === 32) {
    try {
      key = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
        format: 'jwk',
      });
    } catch {
      key = null;
    }
  }
  if (publicKeys.size > 10_000) publicKeys.clear();
  publicKeys.set(base58, key);
  return key;
}

export function verifyAuth(
  publicKey: string,
  nonce: string,
  timestampMs: number,
  signature: Uint8Array,
): boolean {
  const key = publicKeyOf(publicKey);
  if (!key || signature.length !== 64) return false;
  return verify(null, authPayload(nonce, timestampMs), key, signature);
}
