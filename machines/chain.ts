/**
 * The chain actor's batching, as a pure reducer: `batcherStep(state, input)` returns the next state and
 * the effects the runtime must carry out (send a batch, arm the one timer, report a failure). No I/O,
 * no clock: time arrives in the inputs, and the transaction-size check is a pure predicate the runtime
 * passes in (`fits`), so the same rules drive litesvm, JSON-RPC, the tests and the benchmark.
 *
 * Rules:
 *  - An entry joins the open batch if the batch has room (`maxEntries`) and would still fit one
 *    transaction with it (`fits`); otherwise the open batch closes ("size") and the entry opens the next.
 *    A batch also closes when its window ends ("window") or on `flush`.
 *  - Closed batches are sent in order, at most `maxInFlight` at a time.
 *  - A batch that fails transiently (network, expired blockhash) is sent again whole after
 *    `retryDelayMs`, up to `maxAttempts` sends; past that, or on a deterministic failure, it splits:
 *    when the failure names the entry at fault, that entry goes alone and the rest go together again;
 *    otherwise every entry goes alone. An entry alone that fails deterministically, or transiently
 *    `maxAttempts` times, fails for good with the reason. So one bad entry never sinks the others.
 *  - Keys are unique while their entry is open, queued or in flight: the runtime drops a repeated key
 *    (an order repeated by an engine resume) before it gets here, with an index this reducer would have
 *    to copy on every step.
 */

export interface BatcherConfig {
  /** How long the first entry of a batch waits for company, ms. 0 sends every entry at once. */
  windowMs: number;
  /** Entries per batch at most, whatever the size check says. 1 = one transaction per entry. */
  maxEntries: number;
  /** Batches sent and not yet answered, at most. */
  maxInFlight: number;
  /** Sends of one batch (or of one entry alone) that may fail transiently before it gives up. */
  maxAttempts: number;
  /** Wait before a transiently failed batch is sent again, ms. */
  retryDelayMs: number;
}

export interface Entry<T> {
  key: string;
  payload: T;
  /** When the entry arrived (ms), for latency. */
  addedAt: number;
}

export type ClosedBy = 'window' | 'size' | 'flush' | 'retry';

export interface Batch<T> {
  id: number;
  entries: Entry<T>[];
  closedBy: ClosedBy;
  /** Sends of this batch that failed transiently so far. */
  attempts: number;
  /** Not sent before this time (ms): a retry's back-off. */
  notBefore: number;
}

export interface BatcherState<T> {
  open: { entries: Entry<T>[]; closesAt: number } | null;
  /** Closed batches waiting to be sent, in sending order. */
  queued: Batch<T>[];
  inFlight: Batch<T>[];
  nextId: number;
  /** The absolute time the runtime's timer is armed for, if any. */
  armedAt: number | null;
}

export type BatcherInput<T> =
  | { type: 'add'; key: string; payload: T; at: number }
  | { type: 'tick'; at: number }
  | { type: 'flush'; at: number }
  | { type: 'landed'; batchId: number; at: number }
  | {
      type: 'failed';
      batchId: number;
      at: number;
      /** True for failures that say nothing about the batch's content (network, expired blockhash). */
      retryable: boolean;
      reason: string;
      /** Index of the entry at fault, when the failure names one. */
      failedIndex: number | null;
    };

export type BatcherEffect<T> =
  | { type: 'send'; batch: Batch<T> }
  | { type: 'arm'; at: number }
  | { type: 'disarm' }
  | { type: 'landed'; batch: Batch<T> }
  | { type: 'failed'; entry: Entry<T>; reason: string };

export interface StepResult<T> {
  state: BatcherState<T>;
  effects: BatcherEffect<T>[];
}

/** Would these payloads, in this order, fit one transaction? Must be pure. */
export type Fits<T> = (payloads: readonly T[]) => boolean;

export function initialBatcherState<T>(): BatcherState<T> {
  return { open: null, queued: [], inFlight: [], nextId: 1, armedAt: null };
}

export function isIdle<T>(state: BatcherState<T>): boolean {
  return state.open === null && state.queued.length === 0 && state.inFlight.length === 0;
}

export function batcherStep<T>(
  state: BatcherState<T>,
  input: BatcherInput<T>,
  config: BatcherConfig,
  fits: Fits<T>,
): StepResult<T> {
  const s: BatcherState<T> = { ...state, queued: [...state.queued], inFlight: [...state.inFlight] };
  const effects: BatcherEffect<T>[] = [];
  const close = (closedBy: ClosedBy) => {
    if (!s.open) return;
    s.queued.push({ id: s.nextId++, entries: s.open.entries, closedBy, attempts: 0, notBefore: input.at });
    s.open = null;
  };

  switch (input.type) {
    case 'add': {
      const entry: Entry<T> = { key: input.key, payload: input.payload, addedAt: input.at };
      if (s.open) {
        const candidate = [...s.open.entries, entry];
        if (candidate.length <= config.maxEntries && fits(candidate.map((e) => e.payload))) {
          s.open = { ...s.open, entries: candidate };
          if (candidate.length >= config.maxEntries) close('size');
          break;
        }
        close('size');
      }
      if (!fits([entry.payload])) {
        effects.push({ type: 'failed', entry, reason: 'does not fit one transaction' });
        break;
      }
      s.open = { entries: [entry], closesAt: input.at + config.windowMs };
      if (config.windowMs <= 0 || config.maxEntries <= 1) close('size');
      break;
    }
    case 'tick':
      s.armedAt = null; // the runtime's timer has fired: whatever comes next needs arming again
      if (s.open && input.at >= s.open.closesAt) close('window');
      break;
    case 'flush':
      close('flush');
      break;
    case 'landed': {
      const batch = s.inFlight.find((b) => b.id === input.batchId);
      if (!batch) break;
      s.inFlight = s.inFlight.filter((b) => b !== batch);
      effects.push({ type: 'landed', batch });
      break;
    }
    case 'failed': {
      const batch = s.inFlight.find((b) => b.id === input.batchId);
      if (!batch) break;
      s.inFlight = s.inFlight.filter((b) => b !== batch);
      const attempts = batch.attempts + (input.retryable ? 1 : 0);
      const later = input.at + config.retryDelayMs;
      const retry = (entries: Entry<T>[], tries: number, notBefore: number): Batch<T> => ({
        id: s.nextId++,
        entries,
        closedBy: 'retry',
        attempts: tries,
        notBefore,
      });
      if (input.retryable && attempts < config.maxAttempts) {
        // Nothing wrong with the content: send the same entries again after the back-off.
        s.queued.unshift(retry(batch.entries, attempts, later));
      } else if (batch.entries.length === 1) {
        const entry = batch.entries[0] as Entry<T>;
        effects.push({ type: 'failed', entry, reason: input.reason });
      } else {
        const at = input.failedIndex;
        const culprit = at !== null && at >= 0 && at < batch.entries.length ? at : null;
        const retries =
          culprit === null
            ? batch.entries.map((e) => retry([e], 0, input.at))
            : [
                retry([batch.entries[culprit] as Entry<T>], 0, input.at),
                retry(
                  batch.entries.filter((_, i) => i !== culprit),
                  0,
                  input.at,
                ),
              ];
        s.queued.unshift(...retries);
      }
      break;
    }
  }

  // Send what may go now, in order, within the in-flight limit.
  for (let i = 0; i < s.queued.length && s.inFlight.length < config.maxInFlight; ) {
    const batch = s.queued[i] as Batch<T>;
    if (batch.notBefore > input.at) {
      i++;
      continue;
    }
    s.queued.splice(i, 1);
    s.inFlight.push(batch);
    effects.push({ type: 'send', batch });
  }

  // One timer: the earliest of the open window's end and the first back-off that has to wait.
  let wake: number | null = s.open ? s.open.closesAt : null;
  if (s.inFlight.length < config.maxInFlight) {
    for (const b of s.queued)
      if (b.notBefore > input.at && (wake === null || b.notBefore < wake)) wake = b.notBefore;
  }
  if (wake !== s.armedAt) {
    effects.push(wake === null ? { type: 'disarm' } : { type: 'arm', at: wake });
    s.armedAt = wake;
  }
  return { state: s, effects };
}
