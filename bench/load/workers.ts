/**
 * The driver's side of the MM processes: forks them, hands each its slice of MMs, relays which RFQs
 * were sent when, and gathers their statistics. A process that dies is counted, not fatal: its last
 * statistics stay in the report.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MmCreds } from './credentials.ts';
import type { FromWorker, ToWorker, WorkerInit, WorkerStats } from './messages.ts';

const WORKER = fileURLToPath(new URL('./mmWorker.ts', import.meta.url));

type Settings = Omit<WorkerInit, 'type' | 'mms'>;

class Worker {
  latest: WorkerStats | null = null;
  exited = false;
  private waiters: Array<() => void> = [];

  constructor(
    readonly child: ChildProcess,
    onStats: (stats: WorkerStats) => void,
  ) {
    child.on('message', (m: FromWorker) => {
      if (m.type !== 'stats') return;
      this.latest = m.stats;
      onStats(m.stats);
      for (const wake of this.waiters.splice(0)) wake();
    });
    child.once('exit', () => {
      this.exited = true;
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  send(m: ToWorker): void {
    if (!this.exited && this.child.connected) this.child.send(m);
  }

  /** Asks for statistics and waits for the answer (or the process's end, or `timeoutMs`). */
  ask(m: ToWorker, timeoutMs: number): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
      this.send(m);
    });
  }
}

export interface ConnectResult {
  connected: number;
  failures: Record<string, number>;
  firstFailure: string | null;
}

export class MmPool {
  /** Called with every statistics message (executions and ends arrive only once). */
  onStats: (stats: WorkerStats) => void = () => {};
  onNotice: (text: string) => void = () => {};
  private readonly workers: Worker[] = [];
  private outbox: Array<[string, number]> = [];
  private flushTimer: NodeJS.Timeout | null = null;
  private exitedEarly = 0;
  private stopping = false;

  get processes(): number {
    return this.workers.length;
  }

  get deadProcesses(): number {
    return this.exitedEarly;
  }

  /** Forks `processes` children and connects every MM; resolves once each child has answered. */
  async start(settings: Settings, mms: Array<MmCreds & { index: number }>, processes: number) {
    const parts = Math.max(1, Math.min(processes, mms.length));
    const results: Array<Promise<ConnectResult>> = [];
    for (let p = 0; p < parts; p++) {
      const slice = mms.slice(
        Math.floor((p * mms.length) / parts),
        Math.floor(((p + 1) * mms.length) / parts),
      );
      const child = fork(WORKER, [], {
        execArgv: ['--import', 'tsx'],
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const worker = new Worker(child, (s) => this.onStats(s));
      child.on('message', (m: FromWorker) => {
        if (m.type === 'notice') this.onNotice(m.text);
      });
      child.once('exit', () => {
        if (!this.stopping) this.exitedEarly++;
      });
      this.workers.push(worker);
      results.push(
        new Promise((resolve) => {
          const onMessage = (m: FromWorker) => {
            if (m.type !== 'connected') return;
            child.off('message', onMessage);
            resolve(m);
          };
          child.on('message', onMessage);
          child.once('exit', (code) =>
            resolve({
              connected: 0,
              failures: { PROCESS_EXITED: slice.length },
              firstFailure: `an MM process exited (${code}) while connecting`,
            }),
          );
          worker.send({ type: 'init', ...settings, mms: slice });
        }),
      );
    }
    const all = await Promise.all(results);
    const failures: Record<string, number> = {};
    for (const r of all)
      for (const [code, n] of Object.entries(r.failures)) failures[code] = (failures[code] ?? 0) + n;
    return {
      connected: all.reduce((sum, r) => sum + r.connected, 0),
      failures,
      firstFailure: all.find((r) => r.firstFailure)?.firstFailure ?? null,
    };
  }

  mark(): void {
    for (const w of this.workers) w.send({ type: 'mark' });
    this.flushTimer = setInterval(() => this.flush(), 20);
  }

  /** Queues an acknowledged RFQ for every process (sent in batches: one IPC message per 20 ms). */
  sent(rfqId: string, dueAt: number): void {
    this.outbox.push([rfqId, dueAt]);
    if (this.outbox.length >= 512) this.flush();
  }

  flush(): void {
    if (this.outbox.length === 0) return;
    const rfqs = this.outbox;
    this.outbox = [];
    for (const w of this.workers) w.send({ type: 'sent', rfqs });
  }

  /** The latest statistics of every process (cumulative counters). */
  latest(): WorkerStats[] {
    return this.workers.flatMap((w) => (w.latest ? [w.latest] : []));
  }

  async poll(): Promise<WorkerStats[]> {
    this.flush();
    await Promise.all(this.workers.map((w) => w.ask({ type: 'stats' }, 2_000)));
    return this.latest();
  }

  async finish(): Promise<WorkerStats[]> {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flush();
    await Promise.all(this.workers.map((w) => w.ask({ type: 'finish' }, 5_000)));
    return this.latest();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.flushTimer) clearInterval(this.flushTimer);
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exited) return resolve();
            const timer = setTimeout(() => {
              w.child.kill('SIGKILL');
              resolve();
            }, 4_000);
            w.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.send({ type: 'stop' });
          }),
      ),
    );
  }
}
