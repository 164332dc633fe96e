/**
 * The RFQ machine (XState v5), pure: the seed's lifecycle plus what it leaves implicit.
 *
 *   open ⇄ quoted → accepted → confirmed → executed → settled
 *   open/quoted → expired | cancelled;  accepted → cancelled (MM rejects / confirm window passes);
 *   confirmed → cancelled (execution failed for good);  executed → cancelled (a leg is void: refund)
 *
 * Domain events go to the actor's parent (`sendParent`): the engine runs every RFQ under one
 * supervisor that sequences them, so no actor carries a listener of its own.
 *
 * No `after` transitions: XState does not persist them (statelyai/xstate#5331), so every deadline is an
 * absolute time in context and the engine's timer wheel sends TICK when the earliest comes due. A
 * restored actor therefore needs no resume step: re-arming the wheel from `nextDeadline` is enough.
 *
 * @example
 * const actor = createActor(rfqMachine, { input, parent: supervisor }); // the supervisor receives RfqEmitted
 * actor.start();
 * actor.send({ type: 'QUOTE.SUBMIT', at, mmId, quoteId, oddsFp: 40_000, validUntil, replace: true });
 */
import { and, enqueueActions, setup } from 'xstate';
import type { DomainEventBody, RfqContext, RfqEmitted, RfqStatus } from './domain.ts';
import type { RfqInput } from './rfqEvents.ts';
import { hasLiveQuote, inputError, openedContext, type RfqOpening, toRfqView } from './rfqRules.ts';
import * as U from './rfqUpdates.ts';

export type RfqMachineInput = RfqOpening;

type Updater = (context: RfqContext, input: RfqInput) => U.Update;
type Of<T extends RfqInput['type']> = Extract<RfqInput, { type: T }>;

/** Every context change the machine makes, by name; the transitions below pick one per edge. */
const UPDATES = {
  submitQuote: (c, e) => U.submitQuote(c, e as Of<'QUOTE.SUBMIT'>),
  withdrawQuote: (c, e) => U.withdrawQuote(c, e as Of<'QUOTE.WITHDRAW'>),
  expireDueQuotes: (c, e) => U.expireQuotes(c, e.at, false),
  expireRfq: (c, e) => U.expireRfq(c, e.at),
  cancelRfq: (c, e) => U.cancelRfq(c, e as Of<'CANCEL'>),
  acceptQuote: (c, e) => U.acceptQuote(c, e as Of<'ACCEPT'>),
  confirmQuote: (c, e) => U.confirmQuote(c, e as Of<'CONFIRM'>),
  rejectAccepted: (c, e) => U.rejectAccepted(c, e as Of<'REJECT'>),
  confirmTimeout: (c, e) => U.confirmTimeout(c, e.at),
  executed: (c, e) => U.executed(c, e as Of<'EXECUTED'>),
  executionFailed: (c, e) => U.executionFailed(c, e as Of<'EXECUTION_FAILED'>),
  outcomeKnown: (c, e) => U.outcomeKnown(c, e as Of<'OUTCOME'>),
  settled: (c, e) => U.settled(c, e as Of<'SETTLED'>),
  voided: (c, e) => U.voided(c, e as Of<'VOIDED'>),
} satisfies Record<string, Updater>;

type UpdateName = keyof typeof UPDATES;

const stamp = (context: RfqContext, at: number, body: DomainEventBody): RfqEmitted => ({
  ...body,
  rfqId: context.id,
  userId: context.userId,
  at,
});

/** The shared rule (rfqRules.inputError) as a guard, optionally with an extra condition for a branch. */
const allowed = (status: RfqStatus, extra?: 'rfqDue' | 'lastLiveWithdrawn' | 'lastLiveExpired') =>
  extra
    ? and([{ type: 'allowed' as const, params: { status } }, extra])
    : { type: 'allowed' as const, params: { status } };

export const rfqMachine = setup({
  types: {
    context: {} as RfqContext,
    events: {} as RfqInput,
    input: {} as RfqMachineInput,
    emitted: {} as RfqEmitted,
  },
  guards: {
    allowed: ({ context, event }, params: { status: RfqStatus }) =>
      inputError(params.status, context, event) === null,
    rfqDue: ({ context, event }) => event.at >= context.expiresAt,
    lastLiveWithdrawn: ({ context, event }) =>
      event.type === 'QUOTE.WITHDRAW' && !hasLiveQuote(context, event.at, event.quoteId),
    lastLiveExpired: ({ context, event }) => !hasLiveQuote(context, event.at),
  },
  actions: {
    apply: enqueueActions(({ context, event, enqueue }, params: { update: UpdateName }) => {
      const next = UPDATES[params.update](context, event);
      enqueue.assign(next.context);
      for (const body of next.events) enqueue.sendParent(stamp(context, event.at, body));
    }),
    /** Entry of every state: the RFQ's birth on init, a status change otherwise (restore runs no entry). */
    announce: enqueueActions(({ context, event, enqueue }, params: { status: RfqStatus }) => {
      if (event.type === ('xstate.init' as string)) {
        enqueue.sendParent({
          type: 'rfq.created',
          rfq: toRfqView(params.status, context),
          rfqId: context.id,
          userId: context.userId,
          at: context.createdAt,
        });
        return;
      }
      enqueue.sendParent({
        type: 'rfq.status',
        status: params.status,
        acceptedQuoteId: context.acceptedQuoteId,
        rfqId: context.id,
        userId: context.userId,
        at: (event as RfqInput).at,
      });
    }),
  },
}).createMachine({
  id: 'rfq',
  initial: 'open',
  context: ({ input }) => openedContext(input),
  states: {
    open: {
      entry: { type: 'announce', params: { status: 'open' } },
      on: {
        'QUOTE.SUBMIT': {
          target: 'quoted',
          guard: allowed('open'),
          actions: { type: 'apply', params: { update: 'submitQuote' } },
        },
        CANCEL: {
          target: 'cancelled',
          guard: allowed('open'),
          actions: { type: 'apply', params: { update: 'cancelRfq' } },
        },
        // A quote can reach `open` still pending but past its validity (the last live one was withdrawn
        // before its TICK): it expires here, or its deadline would stay due forever.
        TICK: [
          {
            target: 'expired',
            guard: allowed('open', 'rfqDue'),
            actions: { type: 'apply', params: { update: 'expireRfq' } },
          },
          { guard: allowed('open'), actions: { type: 'apply', params: { update: 'expireDueQuotes' } } },
        ],
      },
    },
    quoted: {
      entry: { type: 'announce', params: { status: 'quoted' } },
      on: {
        'QUOTE.SUBMIT': {
          guard: allowed('quoted'),
          actions: { type: 'apply', params: { update: 'submitQuote' } },
        },
        'QUOTE.WITHDRAW': [
          {
            target: 'open',
            guard: allowed('quoted', 'lastLiveWithdrawn'),
            actions: { type: 'apply', params: { update: 'withdrawQuote' } },
          },
          {
            guard: allowed('quoted'),
            actions: { type: 'apply', params: { update: 'withdrawQuote' } },
          },
        ],
        ACCEPT: {
          target: 'accepted',
          guard: allowed('quoted'),
          actions: { type: 'apply', params: { update: 'acceptQuote' } },
        },
        CANCEL: {
          target: 'cancelled',
          guard: allowed('quoted'),
          actions: { type: 'apply', params: { update: 'cancelRfq' } },
        },
        TICK: [
          {
            target: 'expired',
            guard: allowed('quoted', 'rfqDue'),
            actions: { type: 'apply', params: { update: 'expireRfq' } },
          },
          {
            target: 'open',
            guard: allowed('quoted', 'lastLiveExpired'),
            actions: { type: 'apply', params: { update: 'expireDueQuotes' } },
          },
          { guard: allowed('quoted'), actions: { type: 'apply', params: { update: 'expireDueQuotes' } } },
        ],
      },
    },
    accepted: {
      entry: { type: 'announce', params: { status: 'accepted' } },
      on: {
        CONFIRM: {
          target: 'confirmed',
          guard: allowed('accepted'),
          actions: { type: 'apply', params: { update: 'confirmQuote' } },
        },
        REJECT: {
          target: 'cancelled',
          guard: allowed('accepted'),
          actions: { type: 'apply', params: { update: 'rejectAccepted' } },
        },
        TICK: {
          target: 'cancelled',
          guard: allowed('accepted'),
          actions: { type: 'apply', params: { update: 'confirmTimeout' } },
        },
      },
    },
    confirmed: {
      entry: { type: 'announce', params: { status: 'confirmed' } },
      on: {
        EXECUTED: {
          target: 'executed',
          guard: allowed('confirmed'),
          actions: { type: 'apply', params: { update: 'executed' } },
        },
        EXECUTION_FAILED: {
          target: 'cancelled',
          guard: allowed('confirmed'),
          actions: { type: 'apply', params: { update: 'executionFailed' } },
        },
      },
    },
    executed: {
      entry: { type: 'announce', params: { status: 'executed' } },
      on: {
        OUTCOME: {
          guard: allowed('executed'),
          actions: { type: 'apply', params: { update: 'outcomeKnown' } },
        },
        SETTLED: {
          target: 'settled',
          guard: allowed('executed'),
          actions: { type: 'apply', params: { update: 'settled' } },
        },
        VOIDED: {
          target: 'cancelled',
          guard: allowed('executed'),
          actions: { type: 'apply', params: { update: 'voided' } },
        },
      },
    },
    settled: { type: 'final', entry: { type: 'announce', params: { status: 'settled' } } },
    cancelled: { type: 'final', entry: { type: 'announce', params: { status: 'cancelled' } } },
    expired: { type: 'final', entry: { type: 'announce', params: { status: 'expired' } } },
  },
});

export type RfqMachine = typeof rfqMachine;

/** What `getPersistedSnapshot()` returns for an RFQ actor: plain JSON, deadlines included. */
export interface PersistedRfq {
  status: 'active' | 'done' | 'error' | 'stopped';
  value: RfqStatus;
  context: RfqContext;
  [key: string]: unknown;
}
