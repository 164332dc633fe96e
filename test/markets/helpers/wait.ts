/**
 * Waits for a condition that real I/O (HTTP to the simulator) will make true. It yields to the event
 * loop instead of sleeping, and fails loudly after `timeoutMs` of wall time.
 */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Lets pending I/O callbacks and promise continuations run (a few event-loop turns, no sleeping). */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}
