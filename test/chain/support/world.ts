/**
 * A chain on the embedded cluster for tests: the real program through the real loader, a manual clock
 * driving batch windows, and a sink that records what the chain actor reports.
 */

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PublicKey } from '@solana/web3.js';
import type { ChainConfigInput } from '../../../chain/config.ts';
import { type Chain, createChain } from '../../../chain/createChain.ts';
import { vaultTokenPda } from '../../../chain/program/pda.ts';
import type { Principal } from '../../../chain/signers/signer.ts';
import { silentLogger } from '../../../engine/logger.ts';
import { ManualClock } from '../../../engine/manualClock.ts';
import type { ChainResultSink, PositionOrder, SettleOrder } from '../../../engine/ports/chain.ts';
import type { Outcome } from '../../../machines/payout.ts';

export const T0 = Date.UTC(2026, 10, 24, 12);
/** A fixed seed so every test derives the same owner keys. */
export const SEED = '5eed'.repeat(16);

export type Report =
  | { type: 'executed'; rfqId: string; positionAddress: string; signature: string }
  | { type: 'failed'; rfqId: string; reason: string }
  | {
      type: 'settled';
      rfqId: string;
      outcome: Outcome;
      payoutMicro: number;
      feeMicro: number;
      signature: string;
    }
  | { type: 'cancelled'; rfqId: string; signature: string; reason: string };

export class RecordingSink implements ChainResultSink {
  readonly reports: Report[] = [];
  positionExecuted(rfqId: string, r: { positionAddress: string; signature: string }) {
    this.reports.push({ type: 'executed', rfqId, ...r });
  }
  executionFailed(rfqId: string, reason: string) {
    this.reports.push({ type: 'failed', rfqId, reason });
  }
  positionSettled(
    rfqId: string,
    r: { outcome: Outcome; payoutMicro: number; feeMicro: number; signature: string },
  ) {
    this.reports.push({ type: 'settled', rfqId, ...r });
  }
  positionCancelled(rfqId: string, r: { signature: string; reason: string }) {
    this.reports.push({ type: 'cancelled', rfqId, ...r });
  }
  of<T extends Report['type']>(type: T): Extract<Report, { type: T }>[] {
    return this.reports.filter((r): r is Extract<Report, { type: T }> => r.type === type);
  }
  for(rfqId: string): Report[] {
    return this.reports.filter((r) => r.rfqId === rfqId);
  }
}

export interface World {
  chain: Chain;
  clock: ManualClock;
  sink: RecordingSink;
}

export async function makeWorld(config: ChainConfigInput = {}, clock = new ManualClock(T0)): Promise<World> {
  const chain = await createChain({
    config: { stateFile: null, custodySeed: SEED, ...config },
    logger: silentLogger(),
    clock,
  });
  const sink = new RecordingSink();
  chain.executor.attach(sink);
  return { chain, clock, sink };
}

export const user = (id: string): Principal => ({ kind: 'user', id });
export const mm = (id: string): Principal => ({ kind: 'mm', id });

export async function fund(w: World, who: Principal, amountMicro: number): Promise<void> {
  const result = await w.chain.vaults.faucet(who, amountMicro);
  if (!result.ok)
    throw new Error(`faucet failed: ${result.error.code} ${JSON.stringify(result.error.details)}`);
}

export function order(overrides: Partial<PositionOrder> = {}): PositionOrder {
  return {
    rfqId: randomUUID(),
    quoteId: randomUUID(),
    userId: 'u1',
    mmId: 'm1',
    legs: [
      { ticker: 'KXA-26-T1', eventTicker: 'KXA-26', side: 'yes' },
      { ticker: 'KXB-26-T2', eventTicker: 'KXB-26', side: 'no' },
    ],
    stakeMicro: 10_000_000,
    riskMicro: 30_000_000,
    collateralMicro: 30_000_000,
    feeBps: 100,
    ...overrides,
  };
}

export function settleOrder(o: PositionOrder, outcome: Outcome | 'void', positionAddress = ''): SettleOrder {
  return {
    rfqId: o.rfqId,
    userId: o.userId,
    mmId: o.mmId,
    positionAddress,
    outcome,
    stakeMicro: o.stakeMicro,
    riskMicro: o.riskMicro,
    feeBps: o.feeBps,
  };
}

/** Lets the batch window run out and waits until the chain actor has nothing in flight. */
export async function settle(w: World): Promise<void> {
  await w.chain.executor.sent(); // orders still being prepared join their batch first
  w.clock.advance(w.chain.config.batch.windowMs);
  await w.chain.executor.idle();
}

/** Tokens held by a principal's vault, read from the chain (not the cache). */
export async function vaultTokens(w: World, who: Principal): Promise<bigint> {
  const key = w.chain.signer.knownKey(who) as PublicKey;
  return tokenBalance(w, vaultTokenPda(new PublicKey(w.chain.info.programId), key).address);
}

export async function tokenBalance(w: World, account: PublicKey): Promise<bigint> {
  const [data] = await w.chain.cluster.getAccounts([account]);
  if (!data) return 0n;
  return Buffer.from(data.data).readBigUInt64LE(64);
}

export function tempDir(): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'parlay-chain-'));
  return {
    dir,
    path: (name) => join(dir, name),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
