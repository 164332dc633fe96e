/** An engine on in-memory adapters with a manual clock: deterministic, no services needed. */
import { Engine, type EngineDeps } from '../../engine/engine.ts';
import { silentLogger } from '../../engine/logger.ts';
import { ManualClock } from '../../engine/manualClock.ts';
import { MemoryFunds } from '../../engine/memoryFunds.ts';
import { MemoryMarkets, marketInfo } from '../../engine/memoryMarkets.ts';
import { MemoryStore } from '../../engine/memoryStore.ts';
import type { SnapshotStore } from '../../engine/ports/store.ts';
import { FullRiskEngine } from '../../engine/risk/fullRisk.ts';
import type { DomainEvent } from '../../machines/domain.ts';
import { DEFAULT_LIMITS, type Limits } from '../../machines/limits.ts';

export const T0 = Date.UTC(2026, 10, 24, 12);
/** Markets close long after any run of these tests: some run on the system clock. */
export const FAR = Date.UTC(2099, 0, 1);

export function catalogue(): MemoryMarkets {
  return new MemoryMarkets([
    marketInfo('KXA-26-T1', { eventTicker: 'KXA-26', closeTime: FAR }),
    marketInfo('KXB-26-T2', { eventTicker: 'KXB-26', closeTime: FAR }),
    marketInfo('KXC-26-T3', { eventTicker: 'KXC-26', closeTime: FAR }),
    marketInfo('KXD-26-T4', { eventTicker: 'KXD-26', closeTime: FAR }),
    marketInfo('KXE-26-T5', { eventTicker: 'KXE-26', closeTime: FAR }),
    marketInfo('KXF-26-T6', { eventTicker: 'KXF-26', closeTime: FAR }),
    marketInfo('KXGAME-26-HOME', { eventTicker: 'KXGAME-26', mutuallyExclusive: true, closeTime: FAR }),
    marketInfo('KXGAME-26-AWAY', { eventTicker: 'KXGAME-26', mutuallyExclusive: true, closeTime: FAR }),
    marketInfo('KXCLOSED-26', { status: 'closed', closeTime: FAR }),
    marketInfo('KXSCALAR-26', { marketType: 'scalar', closeTime: FAR }),
    marketInfo('KXSOON-26', { closeTime: T0 + 120_000 }),
  ]);
}

export const LEGS = [
  { ticker: 'KXA-26-T1', side: 'yes' as const },
  { ticker: 'KXB-26-T2', side: 'no' as const },
];

export interface Harness {
  engine: Engine;
  clock: ManualClock;
  store: MemoryStore;
  markets: MemoryMarkets;
  funds: MemoryFunds;
  events: DomainEvent[];
  types: () => string[];
}

export async function makeEngine(
  options: {
    clock?: ManualClock;
    store?: MemoryStore;
    snapshotStore?: SnapshotStore;
    limits?: Limits;
    funds?: MemoryFunds;
    deps?: Partial<EngineDeps>;
  } = {},
): Promise<Harness> {
  const clock = options.clock ?? new ManualClock(T0);
  const store = options.store ?? new MemoryStore();
  const markets = catalogue();
  const funds = options.funds ?? new MemoryFunds();
  const engine = new Engine({
    clock,
    limits: options.limits ?? DEFAULT_LIMITS,
    markets,
    store: options.snapshotStore ?? store,
    records: store,
    risk: new FullRiskEngine(),
    funds,
    logger: silentLogger(),
    ...options.deps,
  });
  await engine.start();
  const events: DomainEvent[] = [];
  engine.subscribe((e) => events.push(e));
  return { engine, clock, store, markets, funds, events, types: () => events.map((e) => e.type) };
}

/** Unwraps a command result, failing the test with the error code if it was refused. */
export function must<T>(result: { ok: true; value: T } | { ok: false; error: { code: string } }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.error.code}`);
  return result.value;
}

export function codeOf(result: { ok: boolean; error?: { code: string } }): string | null {
  return result.ok ? null : (result.error?.code ?? 'UNKNOWN');
}
