/** Time, injected: the engine never reads Date.now() or sets timers itself. */
export type TimerHandle = unknown;

export interface Clock {
  /** Unix milliseconds. */
  now(): number;
  setTimeout(fn: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, delayMs) => {
    const handle = setTimeout(fn, delayMs);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
