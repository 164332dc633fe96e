/**
 * The live RFQ actors and the indexes commands and queries need. Every actor is created under one
 * supervisor actor: they share one XState system (≈ 2.2 KB per RFQ instead of ≈ 4 KB for root actors)
 * an actor that throws reports to the supervisor instead of crashing the process, and every domain
 * event reaches the engine through the supervisor (no listener per actor). Each actor is still
 * snapshotted and restored on its own.
 *
 * After a restart, RFQs are held as their persisted snapshots and become actors on first use (a
 * command, or their deadline firing): creating 100,000 actors at boot is most of recovery time, and
 * reads (views, MM snapshots, indexes) need only the snapshot's state and context.
 */
import { type ActorRefFrom, type AnyActorRef, createActor, fromCallback, type SnapshotFrom } from 'xstate';
import type { RfqEmitted, RfqStatus } from '../machines/domain.ts';
import { type PersistedRfq, type RfqMachineInput, rfqMachine } from '../machines/rfq.ts';

export type RfqActor = ActorRefFrom<typeof rfqMachine>;
export type RfqSnapshot = SnapshotFrom<typeof rfqMachine>;
/** What reads need of an RFQ, live actor or held snapshot alike. */
export type RfqState = Pick<RfqSnapshot, 'value' | 'context'>;

const isActor = (held: RfqActor | PersistedRfq): held is RfqActor => 'getSnapshot' in held;

export class RfqRegistry {
  private readonly actors = new Map<string, RfqActor | PersistedRfq>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly byMm = new Map<string, Set<string>>();
  private readonly quoteToRfq = new Map<string, string>();
  private readonly supervisor: AnyActorRef;
  private sharedOptions: object | undefined;

  constructor(
    onEmitted: (event: RfqEmitted) => void,
    onActorError: (rfqId: string | undefined, error: unknown) => void,
  ) {
    this.supervisor = createActor(
      fromCallback(({ receive }) => {
        receive((event: { type: string; error?: unknown }) => {
          if (event.type.startsWith('xstate.')) {
            if (event.type.startsWith('xstate.error.actor'))
              onActorError(event.type.split('.').pop(), event.error);
            return;
          }
          onEmitted(event as unknown as RfqEmitted);
        });
      }),
    );
    this.supervisor.start();
  }

  get size(): number {
    return this.actors.size;
  }

  /** The RFQ's actor, created from its held snapshot if it has none yet (commands and deadlines). */
  get(rfqId: string): RfqActor | undefined {
    const held = this.actors.get(rfqId);
    if (!held || isActor(held)) return held;
    return this.start(rfqId, this.fromSnapshot(held));
  }

  /** The RFQ's state for reading, without creating an actor. */
  peek(rfqId: string): RfqState | undefined {
    const held = this.actors.get(rfqId);
    if (!held) return undefined;
    return isActor(held) ? held.getSnapshot() : (held as unknown as RfqState);
  }

  /** Every RFQ's state for reading, without creating actors. */
  *states(): IterableIterator<RfqState> {
    for (const held of this.actors.values())
      yield isActor(held) ? held.getSnapshot() : (held as unknown as RfqState);
  }

  /** How many RFQs are held as snapshots, not yet actors. */
  get heldAsSnapshots(): number {
    let n = 0;
    for (const held of this.actors.values()) if (!isActor(held)) n++;
    return n;
  }

  rfqIdOfQuote(quoteId: string): string | undefined {
    return this.quoteToRfq.get(quoteId);
  }

  userRfqIds(userId: string): ReadonlySet<string> {
    return this.byUser.get(userId) ?? EMPTY;
  }

  mmRfqIds(mmId: string): ReadonlySet<string> {
    return this.byMm.get(mmId) ?? EMPTY;
  }

  /** Creates and starts a new RFQ actor; its birth events are emitted during start. */
  create(input: RfqMachineInput): RfqActor {
    const actor = createActor(rfqMachine, { input, parent: this.supervisor, id: input.id });
    return this.adopt(input.id, actor);
  }

  /** Holds a restored RFQ as its snapshot; it becomes an actor on first use (no entry actions, nothing emitted). */
  hold(persisted: PersistedRfq): RfqState {
    this.actors.set(persisted.context.id, persisted);
    const state = persisted as unknown as RfqState;
    this.index(state);
    return state;
  }

  /** Restores an actor from its persisted snapshot now. */
  restore(persisted: PersistedRfq): RfqActor {
    return this.adopt(persisted.context.id, this.fromSnapshot(persisted));
  }

  /** Replaces the RFQ with a restored copy of an earlier in-memory snapshot (rollback). */
  revert(rfqId: string, image: RfqSnapshot | null): void {
    this.remove(rfqId);
    if (image) this.restore(rfqMachine.getPersistedSnapshot(image) as unknown as PersistedRfq);
  }

  remove(rfqId: string): void {
    const actor = this.actors.get(rfqId);
    if (!actor) return;
    this.actors.delete(rfqId);
    if (!isActor(actor)) {
      this.unindex(actor as unknown as RfqState);
      return;
    }
    this.unindex(actor.getSnapshot());
    // A child of the shared supervisor cannot be stop()ped (XState throws for non-root actors); a
    // finished actor has already left the system, a live one (rollback) leaves it through _stop(),
    // which is what stop() does for a root. test/engine/registry.test.ts guards this.
    if (actor.getSnapshot().status === 'active') (actor as unknown as { _stop(): void })._stop();
  }

  /** Brings the indexes in line with an actor's new state. */
  reindex(before: RfqState | null, after: RfqState): void {
    if (before) this.unindex(before);
    this.index(after);
  }

  private fromSnapshot(persisted: PersistedRfq): RfqActor {
    // `input` only seeds a fresh actor's context; a restored actor takes its context from the snapshot.
    return createActor(rfqMachine, {
      snapshot: persisted as unknown as SnapshotFrom<typeof rfqMachine>,
      input: persisted.context,
      parent: this.supervisor,
      id: persisted.context.id,
    });
  }

  private adopt(id: string, actor: RfqActor): RfqActor {
    this.start(id, actor);
    this.index(actor.getSnapshot());
    return actor;
  }

  private start(id: string, actor: RfqActor): RfqActor {
    this.actors.set(id, actor);
    actor.start();
    // XState (5.33, pinned) reads an actor's options only while starting. Each options object is a
    // spread clone that V8 gives a hidden class of its own (≈ 275 B) and that keeps the input alive;
    // after start every actor can share one. bench/engineMemory.ts measures the difference.
    const started = actor as unknown as { options: object };
    this.sharedOptions ??= Object.freeze({ ...started.options, input: undefined, snapshot: undefined });
    started.options = this.sharedOptions;
    return actor;
  }

  private index(snapshot: RfqState): void {
    const { context } = snapshot;
    addTo(this.byUser, context.userId, context.id);
    for (const q of context.quotes) {
      this.quoteToRfq.set(q.id, context.id);
      addTo(this.byMm, q.mmId, context.id);
    }
  }

  private unindex(snapshot: RfqState): void {
    const { context } = snapshot;
    removeFrom(this.byUser, context.userId, context.id);
    for (const q of context.quotes) {
      this.quoteToRfq.delete(q.id);
      removeFrom(this.byMm, q.mmId, context.id);
    }
  }
}

export const statusOf = (snapshot: { value: unknown }): RfqStatus => snapshot.value as RfqStatus;

const EMPTY: ReadonlySet<string> = new Set();

function addTo(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  set.add(value);
}

function removeFrom(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (set.size === 0) map.delete(key);
}
