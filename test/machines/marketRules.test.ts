import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MarketLookup } from '../../engine/ports/markets.ts';
import { isErrorCode } from '../../machines/errors.ts';
import { validateLegMarket } from '../../machines/marketRules.ts';

const EXPIRES = Date.parse('2026-01-05T12:05:00Z');
const found = (market: { status: string; marketType: string; closeTime: number }) => ({
  kind: 'found' as const,
  market,
});
const ok = { status: 'active', marketType: 'binary', closeTime: EXPIRES + 60_000 };

describe('validateLegMarket', () => {
  it('accepts an active binary market that closes after the RFQ expires', () => {
    assert.equal(validateLegMarket(found(ok), EXPIRES), null);
  });

  it('refuses an unknown ticker with MARKET_NOT_FOUND', () => {
    assert.equal(validateLegMarket({ kind: 'unknown' }, EXPIRES), 'MARKET_NOT_FOUND');
  });

  it('refuses data past the staleness bound with MARKET_DATA_STALE, with or without a copy', () => {
    assert.equal(validateLegMarket({ kind: 'stale', market: null }, EXPIRES), 'MARKET_DATA_STALE');
    assert.equal(validateLegMarket({ kind: 'stale', market: ok }, EXPIRES), 'MARKET_DATA_STALE');
  });

  it('refuses a scalar market with MARKET_NOT_BINARY, even when active', () => {
    assert.equal(validateLegMarket(found({ ...ok, marketType: 'scalar' }), EXPIRES), 'MARKET_NOT_BINARY');
  });

  it('refuses every status but active with MARKET_NOT_ACTIVE', () => {
    for (const status of [
      'initialized',
      'inactive',
      'closed',
      'determined',
      'disputed',
      'amended',
      'finalized',
    ]) {
      assert.equal(validateLegMarket(found({ ...ok, status }), EXPIRES), 'MARKET_NOT_ACTIVE', status);
    }
  });

  it('refuses a market closing at or before the RFQ expiry with MARKET_CLOSES_BEFORE_EXPIRY', () => {
    assert.equal(
      validateLegMarket(found({ ...ok, closeTime: EXPIRES }), EXPIRES),
      'MARKET_CLOSES_BEFORE_EXPIRY',
    );
    assert.equal(
      validateLegMarket(found({ ...ok, closeTime: EXPIRES - 1 }), EXPIRES),
      'MARKET_CLOSES_BEFORE_EXPIRY',
    );
    assert.equal(validateLegMarket(found({ ...ok, closeTime: EXPIRES + 1 }), EXPIRES), null);
  });

  it('reports the most permanent reason first', () => {
    assert.equal(
      validateLegMarket(found({ status: 'closed', marketType: 'scalar', closeTime: 0 }), EXPIRES),
      'MARKET_NOT_BINARY',
    );
    assert.equal(
      validateLegMarket(found({ ...ok, status: 'closed', closeTime: 0 }), EXPIRES),
      'MARKET_NOT_ACTIVE',
    );
  });

  it('takes the port type as is and answers codes from the product table', () => {
    const lookup: MarketLookup = { kind: 'unknown' };
    const code = validateLegMarket(lookup, EXPIRES);
    assert.ok(code !== null && isErrorCode(code));
  });
});
