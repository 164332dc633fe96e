/**
 * The refinement worker threads, seen from the main thread: each MM's book lives on one worker
 * (chosen by hashing the MM id), so a worker keeps its cached bounds between steps. A worker that dies
 * is replaced and the engine re-sends it the books it held.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { RefineCommand, RefineResult, RefinerOptions } from './refiner.ts';
import type { WorkerInbound, WorkerOutbound } from './refineWorker.ts';

export interface PoolHandlers {
  result(result: RefineResult): void;
  /** Worker `index` was replaced: re-send the books it held. */
  restarted(index: number): void;
  /** A step for this MM's book failed at `version` (no more steps until the book changes). */
  failed(mmId: string, version: number, message: string): void;
}

const SHIM = new URL('./workerShim.mjs', import.meta.url);
const ENTRY = new URL('./refineWorker.ts', import.meta.url).href;

export class RefinePool {
  private readonly workers: Worker[] = [];
  private readonly readiness: Array<Promise<void>> = [];
  private stopping = false;

  constructor(
    readonly size: number,
    private readonly options: RefinerOptions,
    private readonly handlers: PoolHandlers,
    private readonly log: Logger,
  ) {
    for (let i = 0; i < size; i++) this.workers.push(this.spawn(i));
  }

  /** Which worker holds this MM's book. */
  shardOf(mmId: string): number {
    let h = 0x811c9dc5;
    for (let i = 0; i < mmId.length; i++) h = Math.imul(h ^ mmId.charCodeAt(i), 0x01000193);
    return (h >>> 0) % this.size;
  }

  /** Resolves when every worker has loaded HiGHS (commands sent earlier wait in their ports anyway). */
  ready(): Promise<void> {
    return Promise.all(this.readiness).then(() => undefined);
  }

  send(command: RefineCommand): void {
    const message: WorkerInbound = command;
    this.workers[this.shardOf(command.mmId)]!.postMessage(message);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    // terminate, not a polite stop: a worker may be inside a solve of many seconds.
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private spawn(index: number): Worker {
    const worker = new Worker(SHIM, { workerData: { entry: ENTRY, options: this.options } });
    worker.unref();
    let ready: () => void = () => {};
    this.readiness[index] = new Promise((resolve) => {
      ready = resolve;
    });
    worker.on('message', (message: WorkerOutbound) => {
      if (message.type === 'ready') ready();
      else if (message.type === 'result') this.handlers.result(message.result);
      else if (message.type === 'error') {
        if (message.mmId !== null) this.handlers.failed(message.mmId, message.version, message.message);
        else this.log.error({ worker: index, err: message.message }, 'refinement step failed');
      }
    });
    worker.on('error', (err) => this.log.error({ worker: index, err }, 'refinement worker crashed'));
    worker.on('exit', (code) => {
      if (this.stopping) return;
      this.log.error({ worker: index, code }, 'refinement worker exited; replacing it');
      this.workers[index] = this.spawn(index);
      this.handlers.restarted(index);
    });
    return worker;
  }
}
