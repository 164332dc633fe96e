/**
 * The live RFQ actors and the indexes commands and queries need. Every actor is created under one
 * supervisor actor: they share one XState system (≈ 2.2 KB per RFQ instead of ≈ 4 KB for root actors)
 * an actor that throws reports to the supervisor instead of crashing the process, and every domain
 * event reaches the engine through the supervisor (no listener per actor). Each actor is still
 * snapshotted and restored on its own.
 */
import { type ActorRefFrom, type AnyActorRef, createActor, fromCallback, type SnapshotFrom } from 'xstate';
import type { RfqEmitted, RfqStatus } from '../machines/domain.ts';
import { type PersistedRfq, type RfqMachineInput, rfqMachine } from '../machines/rfq.ts';

export type RfqActor = ActorRefFrom<typeof rfqMachine>;
export type RfqSnapshot = SnapshotFrom<typeof rfqMachine>;

export class RfqRegistry {
  private readonly actors = new Map<string, RfqActor>();
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

  get(rfqId: string): RfqActor | undefined {
    return this.actors.get(rfqId);
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

  all(): IterableIterator<RfqActor> {
    return this.actors.values();
  }

  /** Creates and starts a new RFQ actor; its birth events are emitted during start. */
  create(input: RfqMachineInput): RfqActor {
    const actor = createActor(rfqMachine, { input, parent: this.supervisor, id: input.id });
    return this.adopt(input.id, actor);
  }

  /** Restores an actor from its persisted snapshot (no entry actions run, nothing is emitted). */
  restore(persisted: PersistedRfq): RfqActor {
    const id = persisted.context.id;
    // `input` only seeds a fresh actor's context; a restored actor takes its context from the snapshot.
    const actor = createActor(rfqMachine, {
      snapshot: persisted as unknown as SnapshotFrom<typeof rfqMachine>,
      input: persisted.context,
      parent: this.supervisor,
      id,
    });
    return this.adopt(id, actor);
  }

  /** Replaces the RFQ with a restored copy of an earlier in-memory snapshot (rollback). */
  revert(rfqId: string, image: RfqSnapshot | null): void {
    this.remove(rfqId);
    if (image) this.restore(rfqMachine.getPersistedSnapshot(image) as unknown as PersistedRfq);
  }

  remove(rfqId: string): void {
    const actor = this.actors.get(rfqId);
    if (!actor) return;
    this.unindex(actor.getSnapshot());
    this.actors.delete(rfqId);
    // A child of the shared supervisor cannot be stop()ped (XState throws for non-root actors); a
    // finished actor has already left the system, a live one (rollback) leaves it through _stop(),
    // which is what stop() does for a root. test/engine/registry.test.ts guards this.
    if (actor.getSnapshot().status === 'active') (actor as unknown as { _stop(): void })._stop();
  }

  /** Brings the indexes in line with an actor's new state. */
  reindex(before: RfqSnapshot | null, after: RfqSnapshot): void {
    if (before) this.unindex(before);
    this.index(after);
  }

  private adopt(id: string, actor: RfqActor): RfqActor {
    this.actors.set(id, actor);
    actor.start();
    // XState (5.33, pinned) reads an actor's options only while starting. Each options object is a
    // spread clone that V8 gives a hidden class of its own (≈ 275 B) and that keeps the input alive;
    // after start every actor can share one. bench/engineMemory.ts measures the difference.
    const started = actor as unknown as { options: object };
    this.sharedOptions ??= Object.freeze({ ...started.options, input: undefined, snapshot: undefined });
    started.options = this.sharedOptions;
    this.index(actor.getSnapshot());
    return actor;
  }

  private index(snapshot: RfqSnapshot): void {
    const { context } = snapshot;
    addTo(this.byUser, context.userId, context.id);
    for (const q of context.quotes) {
      this.quoteToRfq.set(q.id, context.id);
      addTo(this.byMm, q.mmId, context.id);
    }
  }

  private unindex(snapshot: RfqSnapshot): void {
    const { context } = snapshot;
    removeFrom(this.byUser, context.userId, context.id);
    for (const q of context.quotes) {
      this.quoteToRfq.delete(q.id);
      removeFrom(this.byMm, q.mmId, context.id);
    }
  }
}

export const statusOf = (snapshot: RfqSnapshot): RfqStatus => snapshot.value as RfqStatus;

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
