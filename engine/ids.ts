/**
 * Ids. Node's randomUUID() returns a string built by concatenation (a tree of ~13 cons strings,
 * ≈ 450 bytes on the heap until flattened); with three ids per open RFQ that alone doubled memory
 * per RFQ. These are written into one buffer and decoded once: a flat 36-byte string.
 */
import { randomFillSync } from 'node:crypto';

const HEX = '0123456789abcdef';
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;
const out = Buffer.alloc(36);

/** A random (version 4) UUID as a flat string. */
export function uuid(): string {
  if (offset + 16 > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  let o = 0;
  for (let i = 0; i < 16; i++) {
    let byte = pool[offset + i] as number;
    if (i === 6) byte = (byte & 0x0f) | 0x40;
    if (i === 8) byte = (byte & 0x3f) | 0x80;
    if (i === 4 || i === 6 || i === 8 || i === 10) out[o++] = 0x2d;
    out[o++] = HEX.charCodeAt(byte >> 4);
    out[o++] = HEX.charCodeAt(byte & 0x0f);
  }
  offset += 16;
  return out.toString('latin1');
}

/** The 16 bytes of a UUID (the on-chain position id). */
export function uuidBytes(id: string): Uint8Array {
  const hex = id.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a uuid: ${id}`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}
