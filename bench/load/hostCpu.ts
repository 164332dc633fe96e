/**
 * How busy the whole machine running the generator was (every core, every process): when it is
 * near 100 %, latencies include waiting for a CPU and say more about this machine than the gateway.
 */
import { cpus } from 'node:os';

export interface HostTimes {
  idle: number;
  total: number;
}

export function hostTimes(): HostTimes {
  let idle = 0;
  let total = 0;
  for (const cpu of cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** Share of the machine's CPU time that was busy between two readings, in %. */
export function busyPct(from: HostTimes, to: HostTimes): number {
  const total = to.total - from.total;
  return total > 0 ? (1 - (to.idle - from.idle) / total) * 100 : 0;
}
