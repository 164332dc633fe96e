import { randomUUID } from 'node:crypto';
import { createChain } from '../chain/createChain.ts';
import { silentLogger } from '../engine/logger.ts';
import type { Clock } from '../engine/ports/clock.ts';
const refClock: Clock = { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
const maxPerTx = Number(process.argv[2] ?? 16);
const chain = await createChain({ config: { stateFile: null, signingMode: 'delegated', batch: { maxPerTx } }, logger: silentLogger(), clock: refClock });
for (let i = 0; i < 64; i++) await chain.vaults.faucet({ kind: 'user', id: `u${i}` }, 1e12);
for (let i = 0; i < 8; i++) await chain.vaults.faucet({ kind: 'mm', id: `m${i}` }, 1e12);
async function burst(n: number) {
  let done = 0; let fin!: () => void; const all = new Promise<void>((r) => (fin = r));
  chain.executor.attach({ positionExecuted: () => { if (++done === n) fin(); }, executionFailed: (_i, r) => { throw new Error(r); }, positionSettled() {}, positionCancelled() {} });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) chain.executor.createPosition({ rfqId: randomUUID(), quoteId: 'q', userId: `u${i % 64}`, mmId: `m${i % 8}`, legs: [{ ticker: 'KXA-26-T1', eventTicker: 'KXA', side: 'yes' }], stakeMicro: 20e6, riskMicro: 60e6, collateralMicro: 60e6, feeBps: 100 });
  await all; return n / (performance.now() - t0) * 1000;
}
await burst(500);
console.log('pos/s', (await burst(4000)).toFixed(0));
await chain.close();
