/**
 * The 32-byte legs hash a position records: sha256 over a canonical encoding of its legs, so the chain
 * commits to exactly which outcomes were bet without storing tickers.
 *
 * Encoding (v1): the ASCII tag "parlay-legs-v1", u16 LE leg count, then each leg sorted by ticker
 * bytes then side: u16 LE ticker byte length, the UTF-8 ticker, one side byte (1 = yes, 0 = no).
 * Sorting makes the hash independent of the order the user listed the legs in; the length prefixes
 * make the encoding unambiguous.
 */
import { createHash } from 'node:crypto';

export interface HashableLeg {
  ticker: string;
  side: 'yes' | 'no';
}

const TAG = Buffer.from('parlay-legs-v1', 'ascii');

export function encodeLegs(legs: readonly HashableLeg[]): Buffer {
  if (legs.length > 0xffff) throw new RangeError('too many legs');
  const encoded = legs.map((leg) => {
    const ticker = Buffer.from(leg.ticker, 'utf8');
    if (ticker.length === 0 || ticker.length > 0xffff)
      throw new RangeError(`bad ticker length: ${leg.ticker}`);
    const out = Buffer.alloc(2 + ticker.length + 1);
    out.writeUInt16LE(ticker.length, 0);
    ticker.copy(out, 2);
    out[2 + ticker.length] = leg.side === 'yes' ? 1 : 0;
    return { ticker, out };
  });
  encoded.sort((a, b) => Buffer.compare(a.ticker, b.ticker) || Buffer.compare(a.out, b.out));
  const count = Buffer.alloc(2);
  count.writeUInt16LE(legs.length, 0);
  return Buffer.concat([TAG, count, ...encoded.map((e) => e.out)]);
}

export function legsHash(legs: readonly HashableLeg[]): Uint8Array {
  return Uint8Array.from(createHash('sha256').update(encodeLegs(legs)).digest());
}
