/**
 * Heap per open RFQ (three legs, two quotes). Each figure needs a process of its own (a heap that
 * just held 300 MB of actors keeps releasing it for a while), so this runs one mode per process:
 *   node --expose-gc --import tsx bench/engineMemory.ts engine|xstate|plain 100000
 * and prints one JSON line. `xstate` is the floor: a trivial machine under one shared parent;
 * `plain` is the same RFQ data as plain objects.
 */
import { createActor, fromCallback, setup } from 'xstate';
import { Engine } from '../engine/engine.ts';
import { uuid } from '../engine/ids.ts';
import { silentLogger } from '../engine/logger.ts';
import { ManualClock } from '../engine/manualClock.ts';
import { MemoryMarkets, marketInfo } from '../engine/memoryMarkets.ts';
import type { RecordStore, SnapshotStore } from '../engine/ports/store.ts';
import { FullRiskEngine } from '../engine/risk/fullRisk.ts';
import { DEFAULT_LIMITS } from '../machines/limits.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function heap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/** Acks every commit and keeps nothing: only the engine's own memory is measured. */
const discard: SnapshotStore & RecordStore = {
  available: true,
  commit: async () => {},
  loadLive: async () => [],
  lastSeq: async () => 0,
  getRfq: async () => null,
  rfqIdOfQuote: async () => null,
  listUserRfqs: async () => ({ items: [], cursor: null }),
  listMmQuotes: async () => ({ items: [], cursor: null }),
  listMmPositions: async () => ({ items: [], cursor: null }),
};

async function engineBytes(n: number): Promise<number> {
  const markets = new MemoryMarkets(
    Array.from({ length: 200 }, (_, i) => marketInfo(`KXM-${i}`, { closeTime: Date.UTC(2030, 0, 1) })),
  );
  const engine = new Engine({
    clock: new ManualClock(),
    limits: DEFAULT_LIMITS,
    markets,
    store: discard,
    records: discard,
    risk: new FullRiskEngine(),
    logger: silentLogger(),
  });
  await engine.start();
  const users = Array.from({ length: 1_000 }, (_, i) => `user-${i}`);
  const before = heap();
  for (let i = 0; i < n; i++) {
    const legs = [0, 1, 7].map((k) => ({
      ticker: `KXM-${(i + k) % 200}`,
      side: k === 1 ? ('no' as const) : ('yes' as const),
    }));
    const created = await engine.createRfq(users[i % users.length] as string, { legs, betMicro: 50_000_000 });
    if (!created.ok) throw created.error;
    await engine.submitQuote('mm-a', { rfqId: created.value.id, oddsFp: 40_000, replace: false });
    await engine.submitQuote('mm-b', { rfqId: created.value.id, oddsFp: 41_000, replace: false });
  }
  const bytes = (heap() - before) / n;
  if (engine.liveCount !== n) throw new Error('not all RFQs live');
  return bytes;
}

function xstateFloorBytes(n: number): number {
  const keep: unknown[] = [];
  const parent = createActor(fromCallback(() => {}));
  parent.start();
  const trivial = setup({}).createMachine({ initial: 'a', states: { a: {} } });
  const before = heap();
  for (let i = 0; i < n; i++) {
    const a = createActor(trivial, { parent });
    a.start();
    keep.push(a);
  }
  return measured(before, n, keep);
}

function plainObjectBytes(n: number): number {
  const keep: unknown[] = [];
  const before = heap();
  for (let i = 0; i < n; i++) {
    keep.push({
      id: uuid(),
      status: 'quoted',
      legs: [0, 1, 7].map((k) => ({ ticker: `KXM-${k}`, side: 'yes' })),
      betMicro: 50_000_000,
      expiresAt: Date.now() + 300_000,
      quotes: [0, 1].map((k) => ({
        id: uuid(),
        mmId: `mm-${k}`,
        oddsFp: 40_000,
        validUntil: Date.now() + 60_000,
      })),
    });
  }
  return measured(before, n, keep);
}

/** Reads the heap while `kept` is provably alive: V8 may collect what only a dead local still holds. */
function measured(before: number, n: number, kept: unknown[]): number {
  const bytes = (heap() - before) / n;
  if (kept.length !== n) throw new Error('lost objects');
  return bytes;
}

const mode = process.argv[2] ?? 'engine';
const n = Number(process.argv[3] ?? 100_000);
const bytes =
  mode === 'engine' ? await engineBytes(n) : mode === 'xstate' ? xstateFloorBytes(n) : plainObjectBytes(n);
process.stdout.write(`${JSON.stringify({ mode, n, bytesPerRfq: Math.round(bytes) })}\n`);
