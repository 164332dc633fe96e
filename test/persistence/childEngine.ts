/** Spawns crashChild.ts and talks to it: one JSON line per command, answers matched by id. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Names } from './support.ts';

export type Answer = { id: number; ok: true; value: unknown } | { id: number; ok: false; code: string };

const CHILD = fileURLToPath(new URL('./crashChild.ts', import.meta.url));

export class ChildEngine {
  private nextId = 1;
  private readonly waiting = new Map<number, (answer: Answer) => void>();
  private exited: Promise<number | null>;
  ready: Promise<{ restored: number; lastSeq: number }>;
  stderr = '';

  private constructor(private readonly child: ChildProcess) {
    let markReady!: (v: { restored: number; lastSeq: number }) => void;
    let failReady!: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    this.ready.catch(() => {});
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const message = JSON.parse(line) as Answer & { ready?: boolean; restored: number; lastSeq: number };
      if (message.ready) return markReady({ restored: message.restored, lastSeq: message.lastSeq });
      this.waiting.get(message.id)?.(message);
      this.waiting.delete(message.id);
    });
    this.exited = new Promise((resolve) =>
      child.on('exit', (code) => {
        failReady(new Error(`child exited before ready: ${this.stderr}`));
        resolve(code);
      }),
    );
  }

  static spawn(names: Names, clockStart: number): ChildEngine {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, names.databaseUrl, names.keyPrefix, names.redisUrl, String(clockStart)],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    return new ChildEngine(child);
  }

  /** Sends a command; the promise resolves with its answer, or never if the child dies first. */
  send(op: string, args: Record<string, unknown> = {}): Promise<Answer> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin?.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
    this.waiting.clear();
  }

  async stop(): Promise<number | null> {
    await this.send('stop');
    return this.exited;
  }
}
