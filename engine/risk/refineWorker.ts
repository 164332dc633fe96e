/**
 * The refinement worker thread: loads HiGHS, applies book deltas from the main thread, and runs
 * refinement steps while there is work, posting each step's result. A step blocks this thread (HiGHS
 * is synchronous), never the main one; deltas that arrive meanwhile wait in the port and are applied
 * before the next step.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadHighs } from './loadHighs.ts';
import {
  type RefineCommand,
  type RefineResult,
  Refiner,
  type RefinerOptions,
  RefineStepError,
} from './refiner.ts';

export type WorkerInbound = RefineCommand | { type: 'stop' };
export type WorkerOutbound =
  | { type: 'ready' }
  | { type: 'result'; result: RefineResult }
  | { type: 'error'; message: string; mmId: string | null; version: number };

const port = parentPort;
if (port === null) throw new Error('refineWorker.ts runs as a worker thread');
const { options } = workerData as { options: RefinerOptions };
const post = (message: WorkerOutbound) => port.postMessage(message);

const highs = await loadHighs();
const refiner = new Refiner(highs, options);
let running = true;
let wake: (() => void) | null = null;

port.on('message', (message: WorkerInbound) => {
  if (message.type === 'stop') running = false;
  else refiner.apply(message);
  wake?.();
});
post({ type: 'ready' });

while (running) {
  try {
    const result = refiner.step();
    if (result !== null) post({ type: 'result', result });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    post({
      type: 'error',
      message: cause instanceof Error ? (cause.stack ?? cause.message) : String(cause),
      mmId: error instanceof RefineStepError ? error.mmId : null,
      version: error instanceof RefineStepError ? error.version : -1,
    });
  }
  // Let queued deltas in before choosing the next step.
  await new Promise((resolve) => setImmediate(resolve));
  if (running && !refiner.hasWork()) {
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = null;
  }
}
port.close();
