/**
 * API keys: `api_live_` + 32 random bytes in base58, as the seed formats them. Only the SHA-256 hash
 * is stored (engine/ports/identity.ts); with 256 random bits a plain hash resists guessing.
 */
import * as crypto from 'node:crypto';
import { createHash, randomBytes } from 'node:crypto';
import { base58Encode } from './base58.ts';

export const API_KEY_PREFIX = 'api_live_';
const SHAPE = /^api_live_[1-9A-HJ-NP-Za-km-z]{32,64}$/;

export const newApiKey = (): string => API_KEY_PREFIX + base58Encode(randomBytes(32));

/**
 * Node's one-shot hash (20.12+; read off the namespace, as a named import would not link on 20.11):
 * no Hash object per call. Only a cache miss, and minting, hash a key.
 */
const oneShot: typeof crypto.hash | undefined = crypto.hash;

export const hashApiKey = (key: string): string =>
  oneShot ? oneShot('sha256', key, 'hex') : createHash('sha256').update(key, 'utf8').digest('hex');

/** The non-secret part shown in listings. */
export const apiKeyPrefix = (key: string): string => `${key.slice(0, API_KEY_PREFIX.length + 4)}…`;

/** Cheap shape check before any store lookup: junk never reaches the database. */
export const isApiKeyShaped = (key: string): boolean => SHAPE.test(key);
