/** Forking the bench's server and client processes and talking to them over IPC. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  ClientMessage,
  DriverToClient,
  DriverToServer,
  MmCreds,
  ServerKind,
  ServerMessage,
} from './ipc.ts';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

function spawn(file: string, args: string[], execArgv: string[] = []): ChildProcess {
  return fork(here(file), args, {
    execArgv: ['--import', 'tsx', ...execArgv],
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

function nextMessage<T extends { type: string }>(child: ChildProcess, type: T['type']): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: T) => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number | null) =>
      reject(new Error(`${child.spawnfile} exited (${code}) before '${type}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export class ServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly ready: Extract<ServerMessage, { type: 'ready' }>,
  ) {}

  /** `execArgv`: extra Node flags for the server only (e.g. --cpu-prof to profile it). */
  static async start(
    kind: ServerKind,
    mmCount: number,
    frames: number,
    execArgv: string[] = [],
  ): Promise<ServerProcess> {
    const child = spawn('./server.ts', [kind, String(mmCount), String(frames)], execArgv);
    return new ServerProcess(child, await nextMessage(child, 'ready'));
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  /** CPU time (user + system) the server process has used so far, in ms. */
  async cpuMs(): Promise<number> {
    const cpu = await this.cpuSplitMs();
    return cpu.userMs + cpu.systemMs;
  }

  /** CPU time the server process has used so far, in ms: in user space and in the kernel. */
  async cpuSplitMs(): Promise<{ userMs: number; systemMs: number }> {
    const reply = nextMessage<Extract<ServerMessage, { type: 'cpu' }>>(this.child, 'cpu');
    this.child.send({ type: 'cpu' } satisfies DriverToServer);
    const cpu = await reply;
    return { userMs: cpu.userUs / 1000, systemMs: cpu.systemUs / 1000 };
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies DriverToServer);
    await exited;
  }
}

export class ClientProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(
    url: string,
    mode: 'gateway' | 'raw',
    count: number,
    creds: MmCreds[],
  ): Promise<ClientProcess> {
    const child = spawn('./clients.ts', [url, mode, String(count)]);
    child.send(creds);
    await nextMessage(child, 'ready');
    return new ClientProcess(child);
  }

  mark(): void {
    this.child.send({ type: 'mark' } satisfies DriverToClient);
  }

  async count(): Promise<number> {
    const reply = nextMessage<Extract<ClientMessage, { type: 'count' }>>(this.child, 'count');
    this.child.send({ type: 'count' } satisfies DriverToClient);
    return (await reply).deliveries;
  }

  async report(): Promise<Extract<ClientMessage, { type: 'report' }>> {
    const reply = nextMessage<Extract<ClientMessage, { type: 'report' }>>(this.child, 'report');
    this.child.send({ type: 'report' } satisfies DriverToClient);
    return reply;
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies DriverToClient);
    await exited;
  }
}
