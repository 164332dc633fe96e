import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KalshiClient } from '../../engine/markets/client.ts';
import {
  KalshiAbortedError,
  KalshiHttpError,
  KalshiNetworkError,
  KalshiNotFoundError,
} from '../../engine/markets/errors.ts';
import { type KalshiSimulator, startKalshiSimulator } from '../../engine/markets/simulator/server.ts';
import { FakeClock } from './helpers/fakeClock.ts';
import { fixtureCatalogue, LADDER } from './helpers/fixtures.ts';
import { settle, waitFor } from './helpers/wait.ts';

describe('KalshiClient retries with jittered exponential backoff', () => {
  let sim: KalshiSimulator;
  let clock: FakeClock;
  before(async () => {
    sim = await startKalshiSimulator({ port: 0, catalogue: fixtureCatalogue() });
  });
  after(() => sim.close());

  const client = (random: () => number, maxRetries = 4) => {
    clock = new FakeClock();
    return new KalshiClient({
      config: { baseUrl: sim.url, maxRetries, backoffBaseMs: 100, backoffMaxMs: 1_000 },
      clock,
      random,
    });
  };
  /** Waits until the client sleeps, checks how long it asked for, and lets that time pass. */
  const expectBackoff = async (delayMs: number) => {
    await waitFor(() => clock.pendingDelays().includes(delayMs), `a ${delayMs} ms backoff`);
    clock.advance(delayMs);
  };

  it('retries 503s after uniform(0, base·2ⁿ) delays, then succeeds', async () => {
    sim.admin.failNext(3, 503);
    const before = sim.admin.requests.length;
    const pending = client(() => 0.5).getMarket(LADDER[0]);
    await expectBackoff(50); // attempt 0: ceiling 100
    await expectBackoff(100); // attempt 1: ceiling 200
    await expectBackoff(200); // attempt 2: ceiling 400
    assert.equal((await pending).ticker, LADDER[0]);
    assert.equal(sim.admin.requests.length - before, 4);
  });

  it('caps the ceiling at backoffMaxMs and keeps the jitter within it', async () => {
    sim.admin.failNext(4, 500);
    const pending = client(() => 0.999).getMarket(LADDER[0]);
    await expectBackoff(99);
    await expectBackoff(199);
    await expectBackoff(399);
    await expectBackoff(799);
    await pending;
    sim.admin.failNext(1, 502);
    const zero = client(() => 0).getMarket(LADDER[0]);
    await expectBackoff(0);
    await zero;
  });

  it('honours Retry-After on a 429 (bounded by backoffMaxMs)', async () => {
    sim.admin.failNext(1, 429, 2);
    const pending = client(() => 0.5).getMarket(LADDER[0]);
    await expectBackoff(1_000);
    await pending;
  });

  it('gives up after maxRetries with the last error', async () => {
    sim.admin.failNext(3, 503);
    const before = sim.admin.requests.length;
    const pending = client(() => 0, 2).getMarket(LADDER[0]);
    const outcome = assert.rejects(
      pending,
      (e: unknown) => e instanceof KalshiHttpError && e.status === 503 && e.retryable,
    );
    await expectBackoff(0);
    await expectBackoff(0);
    await outcome;
    assert.equal(sim.admin.requests.length - before, 3);
  });

  it('does not retry a 404 or a 4xx', async () => {
    const before = sim.admin.requests.length;
    await assert.rejects(client(() => 0).getMarket('NOPE-9'), KalshiNotFoundError);
    sim.admin.failNext(1, 400);
    await assert.rejects(
      client(() => 0).getMarket(LADDER[0]),
      (e: unknown) => e instanceof KalshiHttpError && e.status === 400,
    );
    assert.equal(sim.admin.requests.length - before, 2);
  });

  it('retries network errors, and stops backing off when aborted', async () => {
    const server = createServer(() => {});
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trade-api/v2`;
    await new Promise((resolve) => server.close(resolve));
    clock = new FakeClock();
    const c = new KalshiClient({
      config: { baseUrl: url, maxRetries: 1, backoffBaseMs: 100 },
      clock,
      random: () => 0.5,
    });
    const refused = assert.rejects(c.getMarket('ANY'), KalshiNetworkError);
    await expectBackoff(50);
    await refused;

    const controller = new AbortController();
    const aborted = assert.rejects(c.getMarket('ANY', { signal: controller.signal }), KalshiAbortedError);
    await waitFor(() => clock.pendingDelays().includes(50), 'the backoff');
    controller.abort();
    await aborted;
    assert.equal(clock.pending, 0, 'the backoff timer is cleared');
  });
});

describe('one shared token bucket per client', () => {
  let sim: KalshiSimulator;
  before(async () => {
    sim = await startKalshiSimulator({ port: 0, catalogue: fixtureCatalogue() });
  });
  after(() => sim.close());

  it('lets a burst of 20 through, then 20 reads per second', async () => {
    const clock = new FakeClock();
    const client = new KalshiClient({ config: { baseUrl: sim.url, maxRetries: 0 }, clock });
    const before = sim.admin.requests.length;
    const sent = () => sim.admin.requests.length - before;
    // Catalogue listings and ticker lookups share the budget.
    const calls = Array.from({ length: 25 }, (_, i) =>
      i % 2 ? client.getMarket(LADDER[i % 3] as string) : client.listMarkets({ limit: 1 }),
    );
    await waitFor(() => sent() === 20, '20 requests');
    await settle();
    assert.equal(sent(), 20);
    assert.equal(client.queuedRequests, 5);
    clock.advance(49);
    await settle();
    assert.equal(sent(), 20, 'no token before 50 ms');
    clock.advance(1);
    await waitFor(() => sent() === 21, 'the 21st request');
    clock.advance(200);
    await waitFor(() => sent() === 25, 'the rest');
    await Promise.all(calls);
  });
});
