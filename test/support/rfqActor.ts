/** Drives one RFQ machine under a supervisor that records what it sends to its parent. */
import { createActor, fromCallback } from 'xstate';
import type { RfqEmitted, RfqStatus } from '../../machines/domain.ts';
import { type PersistedRfq, type RfqMachineInput, rfqMachine } from '../../machines/rfq.ts';
import type { RfqInput } from '../../machines/rfqEvents.ts';

export const T0 = Date.UTC(2026, 10, 24, 12);

export function rfqInput(overrides: Partial<RfqMachineInput> = {}): RfqMachineInput {
  return {
    id: 'rfq-1',
    userId: 'user-1',
    legs: [
      { ticker: 'KXA-26-T1', eventTicker: 'KXA-26', side: 'yes' },
      { ticker: 'KXB-26-T2', eventTicker: 'KXB-26', side: 'no' },
    ],
    betMicro: 50_000_000,
    feeBps: 100,
    createdAt: T0,
    expiresAt: T0 + 300_000,
    ...overrides,
  };
}

export function driveRfq(options: { input?: RfqMachineInput; snapshot?: PersistedRfq } = {}) {
  const emitted: RfqEmitted[] = [];
  const parent = createActor(
    fromCallback(({ receive }) => {
      receive((e: { type: string }) => {
        if (!e.type.startsWith('xstate.')) emitted.push(e as unknown as RfqEmitted);
      });
    }),
  );
  parent.start();
  const actor = options.snapshot
    ? createActor(rfqMachine, {
        snapshot: options.snapshot as never,
        input: options.snapshot.context,
        parent,
      })
    : createActor(rfqMachine, { input: options.input ?? rfqInput(), parent });
  actor.start();
  return {
    actor,
    emitted,
    send: (input: RfqInput) => actor.send(input),
    status: () => actor.getSnapshot().value as RfqStatus,
    context: () => actor.getSnapshot().context,
    types: () => emitted.map((e) => e.type),
    clear: () => emitted.splice(0),
    persisted: () => structuredClone(actor.getPersistedSnapshot()) as unknown as PersistedRfq,
  };
}

export const submit = (
  at: number,
  mmId: string,
  quoteId: string,
  oddsFp = 40_000,
  validFor = 60_000,
  replace = true,
): RfqInput => ({
  type: 'QUOTE.SUBMIT',
  at,
  mmId,
  quoteId,
  oddsFp,
  validUntil: at + validFor,
  replace,
});
