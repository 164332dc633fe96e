/** Keeps what an SDK client emits, in order, and waits for the next match (each item returned once). */
import type { MmClient, MmClientEvents } from '../../../gateway/client/mmClient.ts';

export class Recorder<T> {
  readonly items: T[] = [];
  /** Indexes already returned by next(): each message is matched at most once, in arrival order. */
  private readonly taken = new Set<number>();
  private waiters: Array<() => void> = [];

  push(item: T): void {
    this.items.push(item);
    for (const wake of this.waiters.splice(0)) wake();
  }

  next<S extends T>(predicate: (item: T) => item is S): Promise<S>;
  next(predicate?: (item: T) => boolean): Promise<T>;
  async next(predicate: (item: T) => boolean = () => true): Promise<T> {
    for (;;) {
      for (let i = 0; i < this.items.length; i++) {
        if (this.taken.has(i)) continue;
        const item = this.items[i] as T;
        if (predicate(item)) {
          this.taken.add(i);
          return item;
        }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}

export type Recorded = { [K in keyof MmClientEvents]: Recorder<MmClientEvents[K][0]> };

export function record(client: MmClient): Recorded {
  const r = {
    event: new Recorder(),
    snapshot: new Recorder(),
    resumed: new Recorder(),
    gap: new Recorder(),
    connected: new Recorder(),
    disconnected: new Recorder(),
    refused: new Recorder(),
  } as Recorded;
  for (const key of Object.keys(r) as Array<keyof MmClientEvents>) {
    const push = (value: unknown) => (r[key] as Recorder<unknown>).push(value);
    client.on(key, push as (...args: MmClientEvents[typeof key]) => void);
  }
  return r;
}
