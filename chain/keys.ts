/**
 * Ed25519 keys signed with node's native crypto. web3.js signs in JavaScript (~0.5 ms a signature);
 * OpenSSL takes ~0.05 ms, which matters when every transaction on the confirm path carries one.
 * Each key keeps a web3.js Keypair too, for the APIs that want one.
 */
import { createPrivateKey, createPublicKey, type KeyObject, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Keypair, PublicKey, type VersionedTransaction } from '@solana/web3.js';

/** PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export class NativeKeypair {
  readonly publicKey: PublicKey;
  readonly keypair: Keypair;
  private readonly privateKey: KeyObject;

  private constructor(seed: Uint8Array) {
    if (seed.length !== 32) throw new RangeError('an ed25519 seed is 32 bytes');
    this.privateKey = createPrivateKey({
      key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const spki = createPublicKey(this.privateKey).export({ format: 'der', type: 'spki' });
    const publicBytes = spki.subarray(spki.length - 32);
    this.publicKey = new PublicKey(publicBytes);
    const secret = new Uint8Array(64);
    secret.set(seed, 0);
    secret.set(publicBytes, 32);
    this.keypair = Keypair.fromSecretKey(secret, { skipValidation: true });
  }

  static fromSeed(seed: Uint8Array): NativeKeypair {
    return new NativeKeypair(seed);
  }

  /** From the 64-byte secret key solana-keygen writes (seed then public key); the halves must agree. */
  static fromSecretKey(secret: Uint8Array): NativeKeypair {
    if (secret.length !== 64) throw new RangeError('a secret key is 64 bytes');
    const key = new NativeKeypair(secret.subarray(0, 32));
    if (!Buffer.from(secret.subarray(32)).equals(key.publicKey.toBuffer()))
      throw new Error('secret key: public half does not match the seed');
    return key;
  }

  static generate(): NativeKeypair {
    return new NativeKeypair(randomBytes(32));
  }

  /** The solana-keygen JSON form: 64 numbers. Dev state files hold generated keys this way. */
  toJSON(): number[] {
    return [...this.keypair.secretKey];
  }

  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.privateKey));
  }
}

/** Reads a solana-keygen keypair file (a JSON array of 64 numbers). */
export function loadKeypairFile(path: string): NativeKeypair {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(parsed) || parsed.length !== 64 || !parsed.every((n) => Number.isInteger(n)))
    throw new Error(`${path}: a keypair file is a JSON array of 64 integers`);
  return NativeKeypair.fromSecretKey(Uint8Array.from(parsed as number[]));
}

const messages = new WeakMap<object, Uint8Array>();
/**
 * The message bytes every signer signs, serialized once per message: web3.js would serialize it again
 * for each signature and for the wire (base58-decoding the blockhash each time).
 */
export function messageBytes(tx: VersionedTransaction): Uint8Array {
  let bytes = messages.get(tx.message);
  if (!bytes) {
    bytes = tx.message.serialize();
    messages.set(tx.message, bytes);
  }
  return bytes;
}

/** `tx.serialize()` from the cached message bytes. */
export function wireBytes(tx: VersionedTransaction): Uint8Array {
  const message = messageBytes(tx);
  const count = tx.signatures.length;
  const prefix = count < 0x80 ? 1 : 2;
  const out = new Uint8Array(prefix + 64 * count + message.length);
  if (prefix === 1) out[0] = count;
  else {
    out[0] = (count & 0x7f) | 0x80;
    out[1] = count >> 7;
  }
  for (const [i, signature] of tx.signatures.entries()) out.set(signature, prefix + 64 * i);
  out.set(message, prefix + 64 * count);
  return out;
}

/** Index of `key` among the transaction's required signers, or −1. */
export function signerIndex(tx: VersionedTransaction, key: PublicKey): number {
  const required = tx.message.header.numRequiredSignatures;
  const keys = tx.message.staticAccountKeys;
  for (let i = 0; i < required; i++) if (keys[i]?.equals(key)) return i;
  return -1;
}

/** Adds each key's signature over the message; a key the message does not need is an error. */
export function signNative(tx: VersionedTransaction, keys: readonly NativeKeypair[]): void {
  const message = messageBytes(tx);
  for (const key of keys) {
    const index = signerIndex(tx, key.publicKey);
    if (index < 0) throw new Error(`${key.publicKey.toBase58()} is not a signer of this transaction`);
    tx.signatures[index] = key.sign(message);
  }
}
