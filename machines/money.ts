/**
 * Money is integer micro-USDC (1 USDC = 1,000,000 micro). Every amount the engine holds is a JS safe
 * integer (|x| < 2^53, ≈ 9.0e9 USDC), checked at every boundary; any product that could leave that
 * range is computed in BigInt. Decimal text is converted exactly, digit by digit — never through a
 * float multiplication.
 *
 * Payout odds are fixed-point integers at 1e-4 (4.0× = 40_000). A value with more than four decimals
 * is refused, not rounded: a quote means exactly what the MM sent.
 */
import { RfqError } from './errors.ts';

export const MICRO_PER_USDC = 1_000_000;
export const USDC_DECIMALS = 6;
export const ODDS_SCALE = 10_000;
export const ODDS_DECIMALS = 4;
export const BPS_SCALE = 10_000;

/** Micro-USDC, always a non-negative safe integer. */
export type Micro = number;
/** Payout odds × ODDS_SCALE. */
export type OddsFp = number;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/**
 * Exact conversion of a decimal (a JSON number, or its text) to an integer at `decimals` places.
 * JSON numbers arrive as doubles; `String(n)` is the shortest text that round-trips, which for any
 * decimal written with ≤ 15 significant digits is exactly what the client sent.
 */
export function parseFixed(value: number | string, decimals: number, field: string): number {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw RfqError.of('INVALID_REQUEST', { field, reason: 'not a finite number' });
    text = numberToPlainText(value);
  } else {
    text = value.trim();
  }
  if (text.startsWith('-')) throw RfqError.of('INVALID_REQUEST', { field, reason: 'must not be negative' });
  const match = DECIMAL.exec(text);
  if (!match) throw RfqError.of('INVALID_REQUEST', { field, reason: 'not a decimal number' });
  const whole = match[1] ?? '0';
  const frac = (match[2] ?? '').replace(/0+$/, '');
  if (frac.length > decimals) {
    throw RfqError.of(decimals === USDC_DECIMALS ? 'AMOUNT_PRECISION' : 'ODDS_PRECISION', {
      field,
      value: text,
      maxDecimals: decimals,
    });
  }
  const scaled = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
  if (scaled > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw RfqError.of('INVALID_REQUEST', { field, reason: 'too large' });
  }
  return Number(scaled);
}

/** Expands exponent notation (1e-7, 1.5e21) so the digit parser sees every digit. */
function numberToPlainText(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const [mantissa = '', expText = '0'] = s.toLowerCase().split('e');
  const exp = Number(expText);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '');
  const [intPart = '', fracPart = ''] = digits.split('.');
  const all = intPart + fracPart;
  const point = intPart.length + exp;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${all}`;
  else if (point >= all.length) out = all + '0'.repeat(point - all.length);
  else out = `${all.slice(0, point)}.${all.slice(point)}`;
  return negative ? `-${out}` : out;
}

/** Formats a fixed-point integer as exact decimal text ("12.5", "100"). */
export function formatFixed(value: number, decimals: number): string {
  const negative = value < 0;
  const abs = BigInt(Math.abs(value));
  const scale = 10n ** BigInt(decimals);
  const whole = abs / scale;
  const frac = (abs % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`;
}

export const usdcToMicro = (value: number | string, field = 'amount'): Micro =>
  parseFixed(value, USDC_DECIMALS, field);
export const oddsToFp = (value: number | string, field = 'payout_odds'): OddsFp =>
  parseFixed(value, ODDS_DECIMALS, field);

/** Exact text of a micro amount in USDC, for wire formats that carry decimals. */
export const microToUsdcText = (micro: Micro): string => formatFixed(micro, USDC_DECIMALS);
export const oddsFpToText = (odds: OddsFp): string => formatFixed(odds, ODDS_DECIMALS);

/**
 * JSON number for a micro amount, for the seed's wire format (amounts as USDC numbers). Display only:
 * `Number("12.345678")` is the double nearest that decimal, and `String()` of it prints it back
 * exactly, so a client that parses it as decimal text loses nothing.
 */
export const microToUsdcNumber = (micro: Micro): number => Number(microToUsdcText(micro));
export const oddsFpToNumber = (odds: OddsFp): number => Number(oddsFpToText(odds));

/** floor(a × b / d) in BigInt, for products that may exceed 2^53. Inputs and result are safe integers. */
export function mulDivFloor(a: number, b: number, d: number): number {
  const result = (BigInt(a) * BigInt(b)) / BigInt(d);
  if (result > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('mulDivFloor result exceeds 2^53');
  return Number(result);
}

export function assertMicro(value: number, what: string): Micro {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`${what} must be a non-negative safe integer`);
  return value;
}
