/**
 * The seed's validation table, each limit configurable (the composition root reads them from the
 * environment), defaulting to the seed's values. Money in micro-USDC, odds in 1e-4, times in ms.
 */
import { RfqError } from './errors.ts';
import { MICRO_PER_USDC, type Micro, ODDS_SCALE, type OddsFp } from './money.ts';

export interface Limits {
  minLegs: number;
  maxLegs: number;
  minBetMicro: Micro;
  maxBetMicro: Micro;
  minOddsFp: OddsFp;
  maxOddsFp: OddsFp;
  minRfqTtlMs: number;
  maxRfqTtlMs: number;
  defaultRfqTtlMs: number;
  minQuoteTtlMs: number;
  maxQuoteTtlMs: number;
  defaultQuoteTtlMs: number;
  confirmWindowMs: number;
  /** Protocol fee on profit, snapshotted into each RFQ when it is created. */
  feeBps: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  minLegs: 2,
  maxLegs: 5,
  minBetMicro: 11 * MICRO_PER_USDC,
  maxBetMicro: 100 * MICRO_PER_USDC,
  minOddsFp: (101 * ODDS_SCALE) / 100,
  maxOddsFp: 1000 * ODDS_SCALE,
  minRfqTtlMs: 60_000,
  maxRfqTtlMs: 3_600_000,
  defaultRfqTtlMs: 300_000,
  minQuoteTtlMs: 1_000,
  maxQuoteTtlMs: 3_600_000,
  defaultQuoteTtlMs: 60_000,
  confirmWindowMs: 5_000,
  feeBps: 100,
});

/** Refuses limit sets that contradict themselves, so a bad environment fails at boot, not at trade. */
export function checkLimits(limits: Limits): Limits {
  const problems: string[] = [];
  const intIn = (name: keyof Limits, min: number, max = Number.MAX_SAFE_INTEGER) => {
    const v = limits[name];
    if (!Number.isSafeInteger(v) || v < min || v > max)
      problems.push(`${name} must be an integer in [${min}, ${max}]`);
  };
  intIn('minLegs', 1, 16);
  intIn('maxLegs', 1, 16);
  intIn('minBetMicro', 1);
  intIn('maxBetMicro', 1);
  intIn('minOddsFp', ODDS_SCALE + 1);
  intIn('maxOddsFp', ODDS_SCALE + 1);
  intIn('minRfqTtlMs', 1);
  intIn('maxRfqTtlMs', 1);
  intIn('defaultRfqTtlMs', 1);
  intIn('minQuoteTtlMs', 1);
  intIn('maxQuoteTtlMs', 1);
  intIn('defaultQuoteTtlMs', 1);
  intIn('confirmWindowMs', 1);
  intIn('feeBps', 0, 10_000);
  const ordered = (lo: keyof Limits, hi: keyof Limits) => {
    if (limits[lo] > limits[hi]) problems.push(`${lo} must not exceed ${hi}`);
  };
  ordered('minLegs', 'maxLegs');
  ordered('minBetMicro', 'maxBetMicro');
  ordered('minOddsFp', 'maxOddsFp');
  ordered('minRfqTtlMs', 'maxRfqTtlMs');
  ordered('minRfqTtlMs', 'defaultRfqTtlMs');
  ordered('defaultRfqTtlMs', 'maxRfqTtlMs');
  ordered('minQuoteTtlMs', 'maxQuoteTtlMs');
  ordered('minQuoteTtlMs', 'defaultQuoteTtlMs');
  ordered('defaultQuoteTtlMs', 'maxQuoteTtlMs');
  if (problems.length > 0) throw new RangeError(`invalid limits: ${problems.join('; ')}`);
  return limits;
}

export function checkBet(limits: Limits, betMicro: Micro): void {
  if (!Number.isSafeInteger(betMicro) || betMicro < limits.minBetMicro || betMicro > limits.maxBetMicro) {
    throw RfqError.of('BET_OUT_OF_RANGE', {
      betMicro,
      minMicro: limits.minBetMicro,
      maxMicro: limits.maxBetMicro,
    });
  }
}

export function checkOdds(limits: Limits, oddsFp: OddsFp): void {
  if (!Number.isSafeInteger(oddsFp) || oddsFp < limits.minOddsFp || oddsFp > limits.maxOddsFp) {
    throw RfqError.of('ODDS_OUT_OF_RANGE', { oddsFp, minFp: limits.minOddsFp, maxFp: limits.maxOddsFp });
  }
}

export function rfqTtlMs(limits: Limits, requestedMs: number | undefined): number {
  const ttl = requestedMs ?? limits.defaultRfqTtlMs;
  if (!Number.isSafeInteger(ttl) || ttl < limits.minRfqTtlMs || ttl > limits.maxRfqTtlMs) {
    throw RfqError.of('EXPIRY_OUT_OF_RANGE', {
      ttlMs: ttl,
      minMs: limits.minRfqTtlMs,
      maxMs: limits.maxRfqTtlMs,
    });
  }
  return ttl;
}

/** A quote never outlives its RFQ: validity is clamped to the RFQ's expiry after the bounds check. */
export function quoteValidUntil(
  limits: Limits,
  nowMs: number,
  requestedMs: number | undefined,
  rfqExpiresAt: number,
): number {
  const ttl = requestedMs ?? limits.defaultQuoteTtlMs;
  if (!Number.isSafeInteger(ttl) || ttl < limits.minQuoteTtlMs || ttl > limits.maxQuoteTtlMs) {
    throw RfqError.of('QUOTE_VALIDITY_OUT_OF_RANGE', {
      ttlMs: ttl,
      minMs: limits.minQuoteTtlMs,
      maxMs: limits.maxQuoteTtlMs,
    });
  }
  return Math.min(nowMs + ttl, rfqExpiresAt);
}
