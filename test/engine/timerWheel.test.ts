import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ManualClock } from '../../engine/manualClock.ts';
import { TimerWheel } from '../../engine/timerWheel.ts';

function wheel(start = 1_000) {
  const clock = new ManualClock(start);
  const fired: Array<[string, number, number]> = [];
  const w = new TimerWheel(clock, (id, deadline) => fired.push([id, deadline, clock.now()]));
  return { clock, w, fired };
}

test('fires each deadline once, at its time, earliest first, with one clock timer', () => {
  const { clock, w, fired } = wheel();
  w.set('b', 1_200);
  w.set('a', 1_100);
  w.set('c', 1_300);
  assert.equal(clock.pendingCount, 1);
  clock.advance(250);
  assert.deepEqual(fired, [
    ['a', 1_100, 1_100],
    ['b', 1_200, 1_200],
  ]);
  clock.advance(1_000);
  assert.deepEqual(fired.at(-1), ['c', 1_300, 1_300]);
  assert.equal(w.size, 0);
  assert.equal(clock.pendingCount, 0);
});

test('moving or clearing a deadline supersedes the old one', () => {
  const { clock, w, fired } = wheel();
  w.set('a', 1_100);
  w.set('a', 1_500);
  w.set('b', 1_050);
  w.set('b', null);
  clock.advance(1_000);
  assert.deepEqual(fired, [['a', 1_500, 1_500]]);
});

test('a deadline already past fires on the next fireDue, in order', () => {
  const { w, fired } = wheel(10_000);
  w.set('late2', 9_000);
  w.set('late1', 8_000);
  w.fireDue();
  assert.deepEqual(
    fired.map((f) => f[0]),
    ['late1', 'late2'],
  );
});

test('a deadline set from inside onDue that is already due fires in the same pass', () => {
  const clock = new ManualClock(0);
  const seen: string[] = [];
  const w: TimerWheel = new TimerWheel(clock, (id) => {
    seen.push(id);
    if (id === 'a') w.set('b', 5);
  });
  w.set('a', 10);
  clock.advance(10);
  assert.deepEqual(seen, ['a', 'b']);
});

test('any sequence of sets fires exactly the final deadlines, in order', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.option(fc.integer({ min: 0, max: 10_000 }))),
        { maxLength: 50 },
      ),
      (ops) => {
        const { clock, w, fired } = wheel(0);
        const final = new Map<string, number>();
        for (const [id, at] of ops) {
          w.set(id, at);
          if (at === null) final.delete(id);
          else final.set(id, at);
        }
        clock.advance(20_000);
        const byKey = (x: [string, number], y: [string, number]) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1);
        const firedPairs = fired.map(([id, at]): [string, number] => [id, at]);
        assert.deepEqual(
          [...firedPairs].sort(byKey),
          [...final.entries()].sort(byKey),
          'exactly the final deadlines',
        );
        for (let i = 1; i < firedPairs.length; i++) {
          assert.ok(
            (firedPairs[i - 1] as [string, number])[1] <= (firedPairs[i] as [string, number])[1],
            'earliest first',
          );
        }
        for (const [, deadline, firedAt] of fired) assert.equal(firedAt, Math.max(deadline, 0));
      },
    ),
  );
});
