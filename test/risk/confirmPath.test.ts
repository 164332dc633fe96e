/**
 * The confirm path on a refined book: components a new position does not touch keep their cached
 * bounds, a single-leg position is charged exactly its marginal worst case, and a restored book is
 * charged conservatively until refinement has seen it.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import pino from 'pino';
import { MemoryMarkets } from '../../bench/risk/memoryMarkets.ts';
import type { PositionRisk } from '../../engine/ports/risk.ts';
import { IlpRiskEngine } from '../../engine/risk/ilpRisk.ts';
import { smallBookArb } from './arbitraries.ts';
import { oracle } from './oracle.ts';

const markets = new MemoryMarkets([]);
const engine = new IlpRiskEngine({ markets, factsPollMs: 0, logger: pino({ level: 'silent' }) });
after(() => engine.shutdown());
let run = 0;

/** Reserves, lands and refines a book; returns its MM id and the tickers it uses. */
async function refinedBook(facts: ReturnType<typeof markets.facts>, positions: PositionRisk[]) {
  const tag = `C${run++}-`;
  const mmId = `${tag}mm`;
  markets.add(facts.map((f) => ({ ...f, ticker: tag + f.ticker })));
  const rename = (p: PositionRisk): PositionRisk => ({
    ...p,
    mmId,
    positionId: tag + p.positionId,
    legs: p.legs.map((l) => ({ ...l, ticker: tag + l.ticker })),
  });
  const book = positions.map(rename);
  for (const p of book) {
    await engine.reserve(p);
    engine.commit(mmId, p.positionId);
  }
  await engine.whenSettled(mmId);
  return { mmId, book, rename, tickers: facts.map((f) => tag + f.ticker) };
}

test('a single-leg position on a refined book is charged exactly its marginal worst case', async () => {
  await fc.assert(
    fc.asyncProperty(smallBookArb('mm'), fc.nat(), fc.boolean(), async (generated, pick, yes) => {
      const { mmId, book, rename, tickers } = await refinedBook(generated.facts, generated.positions);
      const f = markets.facts(tickers);
      const before = oracle(f, book).worst;
      assert.equal(engine.status(mmId)!.firmMicro, before, 'released down to the exact worst case');
      // A market the refined book already uses (so its conditional bound is cached).
      const used = [...new Set(generated.positions.flatMap((p) => p.legs.map((l) => l.ticker)))];
      const ticker = used[pick % used.length]!;
      const extra = rename({
        positionId: 'extra',
        mmId,
        riskMicro: 5_000,
        stakeMicro: 1,
        legs: [{ ticker, eventTicker: ticker, side: yes ? 'yes' : 'no' }],
      });
      const d = await engine.reserve(extra);
      const marginal = oracle(f, [...book, extra]).worst - before;
      assert.equal(d.collateralMicro, marginal);
      engine.abandon(mmId, extra.positionId);
    }),
    { numRuns: 40, seed: 5 },
  );
});

test('a position on an untouched component pays its risk and leaves the other bounds alone', async () => {
  const facts = ['A', 'B'].flatMap((g) => [
    { ticker: `${g}-W`, eventTicker: g, mutuallyExclusive: true, ladder: null, result: null },
    { ticker: `${g}-L`, eventTicker: g, mutuallyExclusive: true, ladder: null, result: null },
  ]);
  const leg = (t: string) => ({ ticker: t, eventTicker: t.slice(0, 1), side: 'yes' as const });
  const p = (id: string, risk: number, ...tickers: string[]): PositionRisk => ({
    positionId: id,
    mmId: 'mm',
    riskMicro: risk,
    stakeMicro: 1,
    legs: tickers.map(leg),
  });
  const { mmId, rename } = await refinedBook(facts, [
    p('a1', 100, 'A-W'),
    p('a2', 60, 'A-L'),
    p('b1', 40, 'B-W'),
  ]);
  assert.equal(engine.status(mmId)!.requiredMicro, 140);
  const hedge = await engine.reserve(rename(p('b2', 30, 'B-L')));
  assert.deepEqual([hedge.collateralMicro, hedge.method], [0, 'component-cache']);
  const fresh = await engine.reserve(rename(p('c', 25, 'UNSEEN')));
  assert.equal(fresh.collateralMicro, 25, 'a market nobody else touches: nothing to hedge against');
});

test('a restored book is charged conservatively until refined, then released to its worst case', async () => {
  const tag = `R${run++}-`;
  markets.add([
    { ticker: `${tag}W`, eventTicker: `${tag}G`, mutuallyExclusive: true, ladder: null, result: null },
    { ticker: `${tag}L`, eventTicker: `${tag}G`, mutuallyExclusive: true, ladder: null, result: null },
  ]);
  const p = (id: string, t: string, risk: number) => ({
    positionId: id,
    mmId: `${tag}mm`,
    riskMicro: risk,
    stakeMicro: 1,
    collateralMicro: risk,
    legs: [{ ticker: tag + t, eventTicker: `${tag}G`, side: 'yes' as const }],
  });
  const released: number[] = [];
  engine.onRelease((r) => {
    if (r.mmId === `${tag}mm`) released.push(r.requiredMicro);
  });
  engine.restore([{ mmId: `${tag}mm`, lockedMicro: 300, positions: [p('w', 'W', 200), p('l', 'L', 100)] }]);
  await engine.whenSettled(`${tag}mm`);
  assert.deepEqual(released, [200], 'W and L cannot both win');
});

test('if bounding fails the position still joins the book, at full risk', async () => {
  let broken = true;
  const flaky = {
    facts: (tickers: readonly string[]) => {
      if (broken) throw new Error('market cache unavailable');
      return markets.facts(tickers);
    },
  };
  const solo = new IlpRiskEngine({
    markets: flaky,
    refineWorkers: 0,
    factsPollMs: 0,
    logger: pino({ level: 'silent' }),
  });
  const p = (id: string): PositionRisk => ({
    positionId: id,
    mmId: 'mm',
    riskMicro: 700,
    stakeMicro: 1,
    legs: [{ ticker: 'ANY', eventTicker: 'ANY', side: 'yes' }],
  });
  const d = await solo.reserve(p('a'));
  assert.deepEqual([d.collateralMicro, d.method], [700, 'full-risk-fallback']);
  broken = false;
  solo.commit('mm', 'a');
  const next = await solo.reserve(p('b'));
  assert.equal(next.collateralMicro, 700, 'a still counts: b on the same market pays in full');
  assert.equal(solo.status('mm')!.requiredMicro, 1_400);
  await solo.shutdown();
});
