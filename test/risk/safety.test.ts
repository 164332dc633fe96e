/**
 * The confirm path and the releases against the oracle, end to end through the worker thread: random
 * books on small random structures, positions reserved, landing or failing in any order, settling
 * (results revealed from one hidden outcome), facts refreshed, refinement awaited. After every step and
 * for every way the pending creations may still resolve, the chain's locked total covers the oracle's
 * worst case of the positions that exist; no collateral exceeds its risk; the ledger never believes
 * more is locked than the chain holds; and once refined, the requirement equals the oracle exactly.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fc from 'fast-check';
import pino from 'pino';
import { MemoryMarkets } from '../../bench/risk/memoryMarkets.ts';
import type { PositionRisk } from '../../engine/ports/risk.ts';
import { IlpRiskEngine, type IlpRiskOptions } from '../../engine/risk/ilpRisk.ts';
import { smallBookArb } from './arbitraries.ts';
import { ChainSim } from './chainSim.ts';
import { modelOutcomes, oracle } from './oracle.ts';

const markets = new MemoryMarkets([]);
const chains = new Map<string, ChainSim>();
const engineWith = (refiner: IlpRiskOptions['refiner']) => {
  const engine = new IlpRiskEngine({ markets, factsPollMs: 0, refiner, logger: pino({ level: 'silent' }) });
  engine.onRelease(({ mmId, requiredMicro }) => chains.get(mmId)!.release(requiredMicro));
  after(() => engine.shutdown());
  return engine;
};
/** Small problems are enumerated exactly… */
const enumerating = engineWith({ mipSeconds: [0.2] });
/** …unless enumeration is off: then the worker's LP and branch and bound must get there. */
const solving = engineWith({ enumerateMaxMarkets: 0, mipSeconds: [1] });

const actionArb = fc.record({
  kind: fc.constantFrom(
    'reserve',
    'reserve',
    'reserve',
    'land',
    'land',
    'fail',
    'settle',
    'settle',
    'refresh',
    'refine',
  ),
  pick: fc.nat(),
});

let run = 0;

async function property(engine: IlpRiskEngine, numRuns: number, seed: number, slackPerPosition: number) {
  await fc.assert(
    fc.asyncProperty(
      fc.tuple(smallBookArb('mm'), fc.nat(), fc.array(actionArb, { minLength: 4, maxLength: 18 })),
      async ([generated, hidden, actions]) => {
        // Every execution (shrinking included) gets its own MM and tickers: one engine serves them all.
        const tag = `R${run++}-`;
        const mmId = `${tag}mm`;
        const facts = generated.facts.map((f) => ({ ...f, ticker: tag + f.ticker }));
        markets.add(facts);
        const pool: PositionRisk[] = generated.positions.map((p) => ({
          ...p,
          mmId,
          positionId: tag + p.positionId,
          legs: p.legs.map((l) => ({ ...l, ticker: tag + l.ticker })),
        }));
        const tickers = facts.map((f) => f.ticker);
        const outcomes = modelOutcomes(facts, tickers);
        const truth = outcomes[hidden % outcomes.length]!;
        const chain = new ChainSim();
        chains.set(mmId, chain);
        const open = new Map<string, PositionRisk>();
        const failed = new Set<string>();
        let next = 0;

        const check = (when: string) => {
          const pending = chain.pendingIds();
          for (let mask = 0; mask < 1 << pending.length; mask++) {
            const landing = new Set(pending.filter((_, i) => (mask >> i) & 1));
            const exists = [...open.values()].filter(
              (p) => !pending.includes(p.positionId) || landing.has(p.positionId),
            );
            // The truth over the whole catalogue: the engine may know rules through any market it saw.
            const worst = oracle(markets.facts(tickers), exists, 'all').worst;
            const locked = chain.finalIf(landing);
            assert.ok(locked >= worst, `${when}: locked ${locked} < worst case ${worst}`);
          }
          const status = engine.status(mmId);
          if (status !== null)
            assert.ok(status.firmMicro <= chain.finalIf(new Set()), `${when}: ledger above chain`);
        };

        for (const action of actions) {
          const landed = [...open.keys()].filter((id) => !chain.pendingIds().includes(id));
          if (action.kind === 'reserve' && next < pool.length && chain.pendingIds().length < 4) {
            const p = pool[next++]!;
            const d = await engine.reserve(p);
            assert.ok(Number.isSafeInteger(d.collateralMicro) && d.collateralMicro >= 0);
            assert.ok(d.collateralMicro <= p.riskMicro, 'collateral above risk');
            open.set(p.positionId, p);
            chain.create(p.positionId, d.collateralMicro);
          } else if ((action.kind === 'land' || action.kind === 'fail') && chain.pendingIds().length > 0) {
            const pending = chain.pendingIds();
            const id = pending[action.pick % pending.length]!;
            chain.resolve(id, action.kind === 'land');
            if (action.kind === 'land') engine.commit(mmId, id);
            else {
              engine.abandon(mmId, id);
              open.delete(id);
              failed.add(id);
            }
          } else if (action.kind === 'settle' && landed.length > 0) {
            const p = open.get(landed[action.pick % landed.length]!)!;
            for (const l of p.legs) markets.setResult(l.ticker, truth.get(l.ticker) ? 'yes' : 'no');
            const won = p.legs.every((l) => truth.get(l.ticker) === (l.side === 'yes'));
            if (won) chain.payout(p.riskMicro);
            open.delete(p.positionId);
            // Half the time the outcome is passed, half the time read from the facts.
            engine.close(mmId, p.positionId, action.pick % 2 === 0 ? (won ? 'win' : 'loss') : undefined);
          } else if (action.kind === 'refresh') engine.refreshFacts(mmId);
          else if (action.kind === 'refine') await engine.whenSettled(mmId);
          check(action.kind);
        }

        for (const id of chain.pendingIds()) {
          chain.resolve(id, true);
          engine.commit(mmId, id);
        }
        engine.refreshFacts(mmId);
        await engine.whenSettled(mmId);
        check('end');
        const status = engine.status(mmId);
        if (status === null) return;
        // Exact over the markets the engine was told about: those of every position it was given.
        const seen = pool.slice(0, next).flatMap((p) => p.legs.map((l) => l.ticker));
        const exact = oracle(markets.facts(tickers), [...open.values()], seen).worst;
        // Enumeration is exact in integers; a solver's bound carries its margin (safeBound.ts).
        const slack = slackPerPosition * open.size + (slackPerPosition > 0 ? 1e-6 * exact : 0);
        assert.ok(status.requiredMicro >= exact, 'requirement below the exact worst case');
        assert.ok(
          status.requiredMicro <= exact + slack,
          `requirement ${status.requiredMicro} above exact ${exact}`,
        );
        assert.ok(status.expectedMicro <= exact + slack, 'excess over the worst case was released');
      },
    ),
    { numRuns, seed },
  );
}

test('locked always covers the worst case; refinement converges to it exactly', () =>
  property(enumerating, 60, 42, 0));

test('the same through LP and branch and bound, to within the solver margin', () =>
  property(solving, 25, 43, 2));
