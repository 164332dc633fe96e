import assert from 'node:assert/strict';
import { test } from 'node:test';
import { monoMs } from '../../bench/fanout/ipc.ts';
import { settledBy } from '../../bench/load/driver.ts';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

// The load generator waited for its last RFQs with a race against a 20 s sleep it never cancelled:
// the run was over, the process lingered until the sleep ran out.
test('waiting for in-flight work leaves no timer behind once the work is done', async () => {
  const before = timers();
  await settledBy(
    [Promise.resolve(), Promise.reject(new Error('a failed flow counts as settled'))],
    monoMs() + 60_000,
  );
  assert.equal(timers(), before);
});

test('waiting for in-flight work stops at the deadline, with the work still pending', async () => {
  let settled = false;
  const never = new Promise<void>(() => {}).finally(() => {
    settled = true;
  });
  const before = timers();
  await settledBy([never], monoMs() + 5);
  assert.equal(settled, false);
  assert.equal(timers(), before);
});
