import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from '../../engine/markets/tokenBucket.ts';
import { FakeClock } from './helpers/fakeClock.ts';
import { settle } from './helpers/wait.ts';

describe('TokenBucket', () => {
  it('serves a full bucket at once, then one token per 1/rate, first come first served', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(clock, 10, 3);
    const order: number[] = [];
    const takes = Array.from({ length: 6 }, (_, i) => bucket.take().then(() => order.push(i)));
    await settle(3);
    assert.deepEqual(order, [0, 1, 2]);
    assert.equal(bucket.waiting, 3);
    clock.advance(99);
    await settle(3);
    assert.deepEqual(order, [0, 1, 2]);
    clock.advance(1);
    await settle(3);
    assert.deepEqual(order, [0, 1, 2, 3]);
    clock.advance(200);
    await Promise.all(takes);
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
  });

  it('refills while idle, never beyond its capacity', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(clock, 10, 2);
    await bucket.take();
    await bucket.take();
    clock.advance(10_000);
    await bucket.take();
    await bucket.take();
    let third = false;
    void bucket.take().then(() => {
      third = true;
    });
    await settle(3);
    assert.equal(third, false);
  });

  it('drops a waiter whose signal aborts, without losing its place for the others', async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(clock, 10, 1);
    await bucket.take();
    const controller = new AbortController();
    const aborted = bucket.take(controller.signal);
    let next = false;
    const later = bucket.take().then(() => {
      next = true;
    });
    controller.abort(new Error('shutdown'));
    await assert.rejects(aborted, /shutdown/);
    assert.equal(bucket.waiting, 1);
    clock.advance(100);
    await later;
    assert.equal(next, true);
  });

  it('refuses a bucket that could never serve', () => {
    assert.throws(() => new TokenBucket(new FakeClock(), 0, 1), RangeError);
    assert.throws(() => new TokenBucket(new FakeClock(), 1, 0), RangeError);
  });
});
