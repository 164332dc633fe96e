/** The chain actor's batching rules (machines/chain.ts), pure: no chain, time given in the inputs. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  type BatcherConfig,
  type BatcherEffect,
  type BatcherInput,
  type BatcherState,
  batcherStep,
  type Fits,
  initialBatcherState,
  isIdle,
} from '../../machines/chain.ts';

const CONFIG: BatcherConfig = {
  windowMs: 3,
  maxEntries: 16,
  maxInFlight: 2,
  maxAttempts: 2,
  retryDelayMs: 100,
};
/** A transaction holds four payloads at most (the size check, reduced to a count). */
const fourFit: Fits<string> = (p) => p.length <= 4;

class Driver {
  state: BatcherState<string> = initialBatcherState();
  effects: BatcherEffect<string>[] = [];
  constructor(
    readonly config = CONFIG,
    readonly fits: Fits<string> = fourFit,
  ) {}
  step(input: BatcherInput<string>): BatcherEffect<string>[] {
    const { state, effects } = batcherStep(this.state, input, this.config, this.fits);
    this.state = state;
    this.effects.push(...effects);
    return effects;
  }
  add(key: string, at: number) {
    return this.step({ type: 'add', key, payload: key, at });
  }
  sends(effects = this.effects) {
    return effects.flatMap((e) => (e.type === 'send' ? [e.batch] : []));
  }
  keysOf(effects: BatcherEffect<string>[]) {
    return this.sends(effects).map((b) => b.entries.map((e) => e.key));
  }
}

describe('closing batches', () => {
  test('the first entry arms the window; entries within it share the batch; the window closes it', () => {
    const d = new Driver();
    assert.deepEqual(d.add('a', 10), [{ type: 'arm', at: 13 }]);
    assert.deepEqual(d.add('b', 11), []);
    assert.deepEqual(d.step({ type: 'tick', at: 12 }), [{ type: 'arm', at: 13 }], 'early tick: re-armed');
    const closed = d.step({ type: 'tick', at: 13 });
    assert.deepEqual(d.keysOf(closed), [['a', 'b']]);
    assert.equal(d.sends(closed)[0]?.closedBy, 'window');
    assert.ok(!closed.some((e) => e.type === 'arm'), 'nothing left to wait for');
  });

  test('an entry that would not fit closes the open batch at once and opens the next', () => {
    const d = new Driver();
    for (const k of ['a', 'b', 'c', 'd']) d.add(k, 0);
    const effects = d.add('e', 1);
    assert.deepEqual(d.keysOf(effects), [['a', 'b', 'c', 'd']]);
    assert.equal(d.sends(effects)[0]?.closedBy, 'size');
    assert.deepEqual(
      d.state.open?.entries.map((e) => e.key),
      ['e'],
    );
    assert.equal(d.state.open?.closesAt, 4, 'the new batch has its own window');
  });

  test('maxEntries 1 sends every entry alone, without waiting', () => {
    const d = new Driver({ ...CONFIG, maxEntries: 1 });
    assert.deepEqual(d.keysOf(d.add('a', 0)), [['a']]);
    assert.deepEqual(d.keysOf(d.add('b', 0)), [['b']]);
    assert.equal(d.state.open, null);
  });

  test('an entry too large for any transaction fails at once', () => {
    const d = new Driver(CONFIG, (p) => !p.includes('huge'));
    const effects = d.add('huge', 0);
    assert.deepEqual(effects, [
      {
        type: 'failed',
        entry: { key: 'huge', payload: 'huge', addedAt: 0 },
        reason: 'does not fit one transaction',
      },
    ]);
    assert.ok(isIdle(d.state));
  });

  test('flush closes the open batch now', () => {
    const d = new Driver();
    d.add('a', 0);
    assert.deepEqual(d.keysOf(d.step({ type: 'flush', at: 1 })), [['a']]);
  });

  test('at most maxInFlight batches are sent; the next goes when one is answered', () => {
    const d = new Driver({ ...CONFIG, maxEntries: 1 });
    d.add('a', 0);
    d.add('b', 0);
    assert.deepEqual(d.keysOf(d.add('c', 0)), [], 'two in flight already');
    const first = d.sends()[0];
    assert.ok(first);
    const next = d.step({ type: 'landed', batchId: first.id, at: 1 });
    assert.deepEqual(d.keysOf(next), [['c']]);
    assert.deepEqual(next[0], { type: 'landed', batch: first });
  });
});

describe('failures', () => {
  function inFlight(d: Driver, keys: string[]) {
    for (const k of keys) d.add(k, 0);
    d.step({ type: 'flush', at: 0 });
    const batch = d.sends().at(-1);
    assert.ok(batch);
    return batch;
  }

  test('a deterministic failure naming its culprit: the culprit goes alone, the others together again', () => {
    const d = new Driver();
    const batch = inFlight(d, ['a', 'b', 'c']);
    const effects = d.step({
      type: 'failed',
      batchId: batch.id,
      at: 5,
      retryable: false,
      reason: 'bad b',
      failedIndex: 1,
    });
    assert.deepEqual(d.keysOf(effects), [['b'], ['a', 'c']]);
    assert.ok(d.sends(effects).every((b) => b.closedBy === 'retry'));
    const [alone] = d.sends(effects);
    assert.ok(alone);
    const final = d.step({
      type: 'failed',
      batchId: alone.id,
      at: 6,
      retryable: false,
      reason: 'bad b',
      failedIndex: 0,
    });
    assert.deepEqual(final, [{ type: 'failed', entry: alone.entries[0], reason: 'bad b' }]);
  });

  test('a deterministic failure without a culprit: every entry is retried alone', () => {
    const d = new Driver({ ...CONFIG, maxInFlight: 8 });
    const batch = inFlight(d, ['a', 'b', 'c']);
    const effects = d.step({
      type: 'failed',
      batchId: batch.id,
      at: 5,
      retryable: false,
      reason: 'x',
      failedIndex: null,
    });
    assert.deepEqual(d.keysOf(effects), [['a'], ['b'], ['c']]);
  });

  test('a transient failure resends the whole batch after the back-off, then splits once attempts run out', () => {
    const d = new Driver({ ...CONFIG, maxInFlight: 8 });
    const batch = inFlight(d, ['a', 'b']);
    const retry = d.step({
      type: 'failed',
      batchId: batch.id,
      at: 10,
      retryable: true,
      reason: 'timeout',
      failedIndex: null,
    });
    assert.deepEqual(d.sends(retry), [], 'not before the back-off');
    assert.deepEqual(retry, [{ type: 'arm', at: 110 }]);
    const again = d.step({ type: 'tick', at: 110 });
    const [resent] = d.sends(again);
    assert.deepEqual(
      resent?.entries.map((e) => e.key),
      ['a', 'b'],
    );
    assert.equal(resent?.attempts, 1);
    assert.ok(resent);
    const split = d.step({
      type: 'failed',
      batchId: resent.id,
      at: 120,
      retryable: true,
      reason: 'timeout',
      failedIndex: null,
    });
    assert.deepEqual(d.keysOf(split), [['a'], ['b']], 'attempts exhausted: alone, at once');
  });

  test('an entry alone that keeps failing transiently fails for good with the reason', () => {
    const d = new Driver({ ...CONFIG, maxEntries: 1, maxAttempts: 2 });
    d.add('a', 0);
    const [first] = d.sends();
    assert.ok(first);
    d.step({
      type: 'failed',
      batchId: first.id,
      at: 1,
      retryable: true,
      reason: 'expired',
      failedIndex: null,
    });
    const [second] = d.sends(d.step({ type: 'tick', at: 101 }));
    assert.ok(second);
    const final = d.step({
      type: 'failed',
      batchId: second.id,
      at: 102,
      retryable: true,
      reason: 'expired',
      failedIndex: null,
    });
    assert.equal(final.find((e) => e.type === 'failed')?.type, 'failed');
    assert.ok(isIdle(d.state));
  });
});

describe('property: every entry ends exactly once, landed or failed', () => {
  test('random arrivals, ticks and answers', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const) }),
      fc.record({ kind: fc.constant('tick' as const), dt: fc.integer({ min: 0, max: 200 }) }),
      fc.record({
        kind: fc.constant('answer' as const),
        pick: fc.nat(),
        result: fc.constantFrom('landed', 'transient', 'deterministic'),
        culprit: fc.option(fc.nat(), { nil: null }),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.integer({ min: 1, max: 6 }), (ops, capacity) => {
        const d = new Driver(
          { windowMs: 3, maxEntries: 8, maxInFlight: 3, maxAttempts: 2, retryDelayMs: 50 },
          (p) => p.length <= capacity,
        );
        let now = 0;
        let next = 0;
        const ended = new Map<string, number>();
        const record = (effects: BatcherEffect<string>[]) => {
          for (const e of effects) {
            if (e.type === 'landed')
              for (const x of e.batch.entries) ended.set(x.key, (ended.get(x.key) ?? 0) + 1);
            if (e.type === 'failed') ended.set(e.entry.key, (ended.get(e.entry.key) ?? 0) + 1);
          }
        };
        const answer = (pick: number, result: string, culprit: number | null) => {
          const batch = d.state.inFlight[pick % d.state.inFlight.length];
          if (!batch) return;
          if (result === 'landed') record(d.step({ type: 'landed', batchId: batch.id, at: now }));
          else
            record(
              d.step({
                type: 'failed',
                batchId: batch.id,
                at: now,
                retryable: result === 'transient',
                reason: result,
                failedIndex: culprit === null ? null : culprit % (batch.entries.length + 1),
              }),
            );
        };
        for (const o of ops) {
          if (o.kind === 'add') record(d.add(`k${next++}`, now));
          else if (o.kind === 'tick') {
            now += o.dt;
            record(d.step({ type: 'tick', at: now }));
          } else answer(o.pick, o.result, o.culprit);
        }
        // Drain: time passes and every send is answered until nothing is left.
        for (let guard = 0; !isIdle(d.state) && guard < 10_000; guard++) {
          if (d.state.inFlight.length > 0) answer(guard, guard % 3 === 0 ? 'deterministic' : 'landed', null);
          else {
            now += 100;
            record(d.step({ type: 'tick', at: now }));
          }
        }
        assert.ok(isIdle(d.state));
        assert.equal(ended.size, next, 'every entry ended');
        for (const [key, times] of ended) assert.equal(times, 1, `${key} ended ${times} times`);
        const sentTogether = d.sends().every((b) => b.entries.length <= capacity && b.entries.length >= 1);
        assert.ok(sentTogether, 'no batch beyond what fits');
      }),
      { numRuns: 300 },
    );
  });
});
