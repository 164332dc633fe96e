/** Messages between the bench driver and its child processes. */
export interface MmCreds {
  apiKey: string;
  secret: string;
}

export type ServerKind = 'gateway' | 'bare-uws' | 'ws-lib';

export type ServerMessage =
  | { type: 'ready'; port: number; userKey: string; mms: MmCreds[] }
  | { type: 'cpu'; userUs: number; systemUs: number };

export type ClientMessage =
  | { type: 'ready' }
  | { type: 'count'; deliveries: number }
  | { type: 'report'; receipts: Array<[string, number[]]>; cpuUs: number; deliveries: number };

export type DriverToClient = { type: 'mark' } | { type: 'count' } | { type: 'report' } | { type: 'stop' };
export type DriverToServer = { type: 'cpu' } | { type: 'stop' };

/** Monotonic milliseconds, comparable across processes on one machine (CLOCK_MONOTONIC). */
export const monoMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}
